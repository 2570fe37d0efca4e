/**
 * The local stack's child processes, `hardhat node` and (with `--indexer`) the compliance indexer, on 127.0.0.1:
 * each leads its own process group, is stopped with SIGTERM (SIGKILL after a grace period) and killed with SIGKILL
 * if this process exits first. Every wait is bounded and a failed wait shows the tail of the child's log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const HARDHAT_CLI = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface HardhatNode {
  url: string;
  log: string;
  stop(): Promise<void>;
}

async function chainIdAt(url: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await response.json()) as { result?: string };
  if (body.result === undefined) throw new Error(`eth_chainId at ${url} answered ${JSON.stringify(body)}`);
  return body.result;
}

/** A child process leading its own group: `stop` sends SIGTERM, then SIGKILL after `graceMs`. */
interface Started {
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node <args>` from the repository root with its output appended to `log`, and resolves once `ready()`
 * says so; a child that exits first, or a wait past `timeoutMs`, is an error showing the log's tail.
 */
async function startChild(
  what: string,
  args: string[],
  log: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  const out = openSync(log, "a");
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", out, out], detached: true, env });
  closeSync(out);
  children.add(child);
  child.once("exit", () => children.delete(child));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${tail(log)}`);
    try {
      if (await ready()) return { stop };
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${tail(log)}`);
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

/** Starts `hardhat node --hostname 127.0.0.1 --port <port>` and resolves once it answers `eth_chainId`. */
export async function startHardhatNode(port: number, log: string, timeoutMs = 90_000): Promise<HardhatNode> {
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild(
    `hardhat node at ${url}`,
    [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    log,
    async () => (await chainIdAt(url)) === "0x7a69",
    timeoutMs,
  );
  return { url, log, stop: () => child.stop() };
}

export interface IndexerProcess {
  url: string;
  log: string;
  /** The block Ponder has indexed (its /status). */
  indexedBlock(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the compliance indexer as `npm run indexer` does (indexer/start.ts: Ponder on PGlite in `pgliteDir`) for
 * the address book at `deploymentPath`, following `rpcUrl`, bound to 127.0.0.1:`port`; resolves once it answers
 * /health (Ponder has built the app and migrated its database; indexing goes on behind).
 */
export async function startIndexer(
  options: { rpcUrl: string; deploymentPath: string; pgliteDir: string; port: number; log: string },
  timeoutMs = 180_000,
): Promise<IndexerProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const args = ["--import", "tsx", "indexer/start.ts", "--rpc", options.rpcUrl, "--deployment", options.deploymentPath];
  args.push("--pglite-dir", options.pgliteDir, "--port", String(options.port), "--polling-ms", "500");
  const env = { ...process.env, DATABASE_URL: "", PONDER_TELEMETRY_DISABLED: "true" };
  const child = await startChild(
    `the indexer at ${url}`,
    args,
    options.log,
    async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok,
    timeoutMs,
    env,
  );
  const indexedBlock = async () => {
    const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
    const status = (await response.json()) as Record<string, { block?: { number?: number } }>;
    return Object.values(status)[0]?.block?.number ?? 0;
  };
  return { url, log: options.log, indexedBlock, stop: () => child.stop() };
}
