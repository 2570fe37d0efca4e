/**
 * The local stack's one child process, `hardhat node` on 127.0.0.1: it leads its own process group, is stopped
 * with SIGTERM (SIGKILL after a grace period) and killed with SIGKILL if this process exits first. Every wait is
 * bounded and a failed wait shows the tail of the child's log.
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

/** Starts `hardhat node --hostname 127.0.0.1 --port <port>` and resolves once it answers `eth_chainId`. */
export async function startHardhatNode(port: number, log: string, timeoutMs = 90_000): Promise<HardhatNode> {
  const out = openSync(log, "a");
  const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  children.add(child);
  child.once("exit", () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
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
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}:\n${tail(log)}`);
    try {
      if ((await chainIdAt(url)) === "0x7a69") return { url, log, stop: () => stop() };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node did not answer eth_chainId at ${url} within ${timeoutMs} ms:\n${tail(log)}`);
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
}
