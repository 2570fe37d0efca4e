/**
 * The benchmark's clients, in a worker thread: their own event loop (and core), so the node under test shares
 * its event loop with no load generator, as in production where borrowers call from elsewhere.
 *
 * `runLoad(job)` starts a worker on this file; the worker posts progress lines and one result. Requests go over
 * node:http with one keep-alive agent; every answer must be a 201 bundle carrying `expectSigners` signatures.
 */
import { Agent, request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

export interface LoadJob {
  /** For progress lines and errors. */
  name: string;
  /** Each application's body and the node URL it is sent to (`POST {url}/v1/applications`). */
  requests: { url: string; body: string }[];
  /** `sequential`: one at a time over one connection; `concurrent`: `concurrency` clients draining one queue. */
  mode: "sequential" | "concurrent";
  concurrency: number;
  expectSigners: number;
  requestTimeoutMs: number;
  /** Unix ms after which the job aborts. */
  deadline: number;
}

export interface LoadResult {
  /** Round trip of every request in ms, in completion order. */
  samplesMs: number[];
  /** First request sent to last answer received, in ms. */
  wallMs: number;
}

type WorkerMessage =
  { type: "progress"; message: string } | { type: "result"; result: LoadResult } | { type: "error"; message: string };

/** Runs `job` in a worker thread; `onProgress` gets its progress lines. */
export function runLoad(job: LoadJob, onProgress: (message: string) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    let settled = false;
    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "progress") onProgress(message.message);
      else if (message.type === "result") {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(new Error(`${job.name}: ${message.message}`));
      }
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`${job.name}: load worker exited with code ${code} before answering`));
    });
  });
}

/** The agent's own bound on an idle connection; the node's keep-alive hint (5 s) is shorter, so it decides. */
const IDLE_CONNECTION_BOUND_MS = 60_000;

/** When each keep-alive socket was last handed back to its agent's free pool (`performance.now()`). */
const freeSince = new WeakMap<Socket, number>();

function post(agent: Agent, url: string, body: string, timeoutMs: number): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    /** What the request's connection had been doing, for its error: reused after how long idle, or new. */
    let connection = "before it had a connection";
    const req = httpRequest(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.once("error", reject);
      },
    );
    req.once("socket", (socket: Socket) => {
      const since = freeSince.get(socket);
      connection =
        req.reusedSocket && since !== undefined
          ? `on a reused keep-alive connection idle for ${Math.round(performance.now() - since)} ms`
          : "on a new connection";
    });
    req.once("timeout", () => req.destroy(new Error(`request to ${url} timed out after ${timeoutMs} ms`)));
    // A network error names the connection's history: a reset of a reused connection that sat idle about as long as
    // the server's keep-alive timeout is the server closing it as the request went out.
    req.once("error", (error) => reject(new Error(`${error.message} (${connection})`, { cause: error })));
    req.end(body);
  });
}

function checkBundle(status: number, json: any, signersExpected: number): void {
  if (status !== 201) throw new Error(`expected 201, got ${status}: ${JSON.stringify(json).slice(0, 300)}`);
  if (!Array.isArray(json.signers) || json.signers.length !== signersExpected || typeof json.signatures !== "string") {
    throw new Error(`bundle without ${signersExpected} signature(s): ${JSON.stringify(json).slice(0, 300)}`);
  }
}

async function execute(job: LoadJob, progress: (message: string) => void): Promise<LoadResult> {
  // Node's Agent applies a server's `Keep-Alive: timeout=N` hint (dropping an idle connection at N − 1 s, before the
  // server closes it) only when it has a `timeout` of its own: without one it reuses idle connections forever, and
  // one reused as the node closes it is reset. The bound must differ from the requests' own timeout, or the agent
  // leaves a reused socket with the idle bound instead of the request's (Node's setRequestSocket).
  const agent = new Agent({
    keepAlive: true,
    maxSockets: job.mode === "sequential" ? 1 : job.concurrency,
    timeout: IDLE_CONNECTION_BOUND_MS,
  });
  agent.on("free", (socket: Socket) => freeSince.set(socket, performance.now()));
  const samplesMs: number[] = [];
  let next = 0;
  const client = async () => {
    while (next < job.requests.length) {
      const { url, body } = job.requests[next++]!;
      const started = performance.now();
      const { status, json } = await post(agent, `${url}/v1/applications`, body, job.requestTimeoutMs);
      samplesMs.push(performance.now() - started);
      checkBundle(status, json, job.expectSigners);
      if (samplesMs.length % 200 === 0) {
        progress(`${job.name}: ${samplesMs.length}/${job.requests.length}`);
        if (Date.now() > job.deadline) throw new Error("--max-seconds exceeded");
      }
    }
  };
  const clients = job.mode === "sequential" ? 1 : Math.min(job.concurrency, job.requests.length);
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: clients }, client));
  } finally {
    agent.destroy();
  }
  return { samplesMs, wallMs: performance.now() - started };
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  execute(workerData as LoadJob, (message) => port.postMessage({ type: "progress", message } satisfies WorkerMessage))
    .then((result) => port.postMessage({ type: "result", result } satisfies WorkerMessage))
    .catch((error: unknown) =>
      port.postMessage({
        type: "error",
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkerMessage),
    );
}
