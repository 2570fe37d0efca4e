/**
 * WAL checkpoints off the request path.
 *
 * In WAL mode SQLite copies the log back into the database file every `wal_autocheckpoint` pages (1,000 by
 * default), inside whichever commit crosses the mark, and that copy ends in an fsync. On the node that commit is
 * an application's: measured here, one request in ~85 took 10–12 ms instead of 2.5 ms, which set the p99. So the
 * node's connection turns automatic checkpoints off and a worker thread with its own connection checkpoints
 * every `intervalMs` (PASSIVE: it never blocks the writer, and the writer never waits for it). Durability is
 * unchanged: commits are durable in the log (see database.ts); the checkpoint only moves them.
 *
 * If the worker fails or exits on its own, the node's connection goes back to automatic checkpoints (the log
 * stays bounded) and `onProblem` hears why.
 *
 * The worker is a few lines of plain JavaScript evaluated from a string: it needs only node:sqlite, and a file
 * of its own would need the TypeScript loader inside the worker, which differs between `tsx` and Hardhat's runner.
 */
import type { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";

/** Time between background checkpoints unless configured (`timing.checkpointIntervalMs`). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 500;

/** SQLite's default `wal_autocheckpoint`, restored when the background checkpointer stops working. */
export const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 1_000;

const STOP_TIMEOUT_MS = 5_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(workerData.path);
db.exec("PRAGMA busy_timeout = 5000");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const run = () => {
  try {
    const result = checkpoint.get();
    if (workerData.report) parentPort.postMessage({ type: "checkpointed", result });
  } catch (error) {
    parentPort.postMessage({ type: "error", message: error && error.message ? error.message : String(error) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.postMessage({ type: "stopped" });
  parentPort.close();
});
`;

export interface CheckpointResult {
  /** 1 when the checkpoint could not run to completion (a reader or writer was in the way). */
  busy: number;
  /** Frames in the log. */
  log: number;
  /** Frames copied into the database. */
  checkpointed: number;
}

export interface CheckpointerOptions {
  /** Time between checkpoints. */
  intervalMs?: number;
  /** Called when the worker reports an error or dies; automatic checkpoints are back on by then. */
  onProblem?: (error: Error) => void;
  /** Called after each checkpoint (tests, metrics). */
  onCheckpoint?: (result: CheckpointResult) => void;
}

export interface Checkpointer {
  /** False once stopped, or after a failure handed checkpoints back to the connection. */
  readonly running: boolean;
  /** Runs a last checkpoint and lets the worker exit; resolves when it has. Idempotent. */
  stop(): Promise<void>;
}

type WorkerMessage =
  { type: "checkpointed"; result: CheckpointResult } | { type: "error"; message: string } | { type: "stopped" };

/** Starts checkpointing `path` in a worker; `db` is the node's connection, whose automatic checkpoints are turned off. */
export function startCheckpointer(db: DatabaseSync, path: string, options: CheckpointerOptions = {}): Checkpointer {
  const intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1)
    throw new Error(`checkpoint interval must be a positive integer (ms), got ${intervalMs}`);
  db.exec("PRAGMA wal_autocheckpoint = 0");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, intervalMs, report: options.onCheckpoint !== undefined },
    // The worker runs only the checkpoint loop above, so no other experimental notice can be hidden here.
    execArgv: ["--disable-warning=ExperimentalWarning"],
  });
  // A checkpointer must never keep the process alive by itself.
  worker.unref();
  let running = true;
  let stopping: Promise<void> | undefined;

  const handBack = (error: Error) => {
    if (!running) return;
    running = false;
    if (db.isOpen) db.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`);
    void worker.terminate();
    options.onProblem?.(error);
  };
  worker.on("message", (message: WorkerMessage) => {
    if (message.type === "checkpointed") options.onCheckpoint?.(message.result);
    else if (message.type === "error")
      handBack(new Error(`background WAL checkpoint of ${path} failed: ${message.message}`));
  });
  worker.once("error", (error) =>
    handBack(new Error(`background WAL checkpointer of ${path} crashed: ${error.message}`, { cause: error })),
  );
  worker.once("exit", (code) => {
    if (stopping === undefined) handBack(new Error(`background WAL checkpointer of ${path} exited with code ${code}`));
  });

  return {
    get running() {
      return running;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (!running) return resolve();
        running = false;
        worker.once("exit", () => resolve());
        // Someone waits for the exit now: keep the process alive until it comes.
        worker.ref();
        worker.postMessage("stop");
        // Bounded: a worker stuck in the file system is terminated (SQLite's log makes that safe).
        setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS).unref();
      });
      return stopping;
    },
  };
}
