/**
 * Child processes for the indexer tests: `hardhat node`, the indexer (`indexer/start.ts`, which runs Ponder) and
 * Postgres. Every child leads its own process group and is killed with it (SIGTERM, then SIGKILL) when stopped
 * and, with SIGKILL, when the test process exits. Every wait is bounded; a failed wait names what it waited for
 * and shows the tail of the child's log.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export interface Child {
  process: ChildProcess;
  log: string;
}

/** Starts `command args` detached, stdout and stderr appended to `log`. */
export function spawnLogged(command: string, args: string[], log: string, env: NodeJS.ProcessEnv = process.env): Child {
  const out = openSync(log, "a");
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", out, out], detached: true });
  closeSync(out);
  children.add(child);
  child.once("exit", () => children.delete(child));
  return { process: child, log };
}

export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function stop(child: Child | undefined, graceMs = 10_000): Promise<void> {
  if (child === undefined) return;
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((res) => p.once("exit", () => res()));
  killGroup(p, "SIGTERM");
  const timer = setTimeout(() => killGroup(p, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it returns a value; throws after `timeoutMs` naming `what` and the child's log tail. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  child?: Child,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (child !== undefined && child.process.exitCode !== null) {
      throw new Error(`${what}: the process exited with ${child.process.exitCode}:\n${tail(child.log)}`);
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError === undefined ? "" : ` (last error: ${(lastError as Error).message})`;
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last}${child ? `\n${tail(child.log)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function rpc<T = unknown>(
  url: string,
  method: string,
  params: unknown[] = [],
  timeoutMs = 30_000,
): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export async function startHardhatNode(port: number, log: string): Promise<{ child: Child; url: string }> {
  const cli = join(ROOT, "node_modules/hardhat/dist/src/cli.js");
  const child = spawnLogged(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], log);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    "hardhat node eth_chainId",
    async () => ((await rpc<string>(url, "eth_chainId")) === "0x7a69" ? true : undefined),
    60_000,
    child,
  );
  return { child, url };
}

/** `npm run indexer`'s program with the given flags; resolves once its API answers /health. */
export async function startIndexer(
  flags: string[],
  port: number,
  log: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: Child; url: string }> {
  const child = spawnLogged(
    process.execPath,
    ["--import", "tsx", "indexer/start.ts", "--port", String(port), ...flags],
    log,
    {
      ...env,
      PONDER_TELEMETRY_DISABLED: "true",
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    "the indexer's /health",
    async () => ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined),
    90_000,
    child,
  );
  return { child, url };
}

/** The indexed block per Ponder's /status (0 before the first checkpoint). */
export async function indexedBlock(url: string): Promise<number> {
  const status = (await (await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) })).json()) as Record<
    string,
    { block: { number: number } }
  >;
  return Object.values(status)[0]?.block.number ?? 0;
}

// ---------------------------------------------------------------- Postgres

const PG_DIRS = [
  "/usr/local/bin",
  ...(existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .sort()
        .reverse()
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : []),
];

function findPostgresBin(): string | undefined {
  return PG_DIRS.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
}

/**
 * The folder with `initdb` and `pg_ctl`: this image's /usr/local/bin, else Debian's /usr/lib/postgresql/<v>/bin,
 * installing Debian's `postgresql` with apt-get when neither is there (a fresh CI machine, as root).
 */
export function postgresBin(): string {
  const found = findPostgresBin();
  if (found !== undefined) return found;
  if (process.getuid?.() !== 0)
    throw new Error(
      "Postgres is not installed (no initdb/pg_ctl) and installing it needs root: apt-get install postgresql",
    );
  console.log("    installing Debian's postgresql with apt-get…");
  execFileSync("apt-get", ["update"], { stdio: "inherit", timeout: 300_000 });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], {
    stdio: "inherit",
    timeout: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const installed = findPostgresBin();
  if (installed === undefined)
    throw new Error(`apt-get installed postgresql but no initdb/pg_ctl is in ${PG_DIRS.join(", ")}`);
  return installed;
}

/** Runs `args` as the `postgres` user when we are root (Postgres refuses to run as root). */
function asPostgres(file: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  if (root)
    execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", [file, ...args].map(shellQuote).join(" ")], {
      stdio: "pipe",
      timeout: 120_000,
    });
  else execFileSync(file, args, { stdio: "pipe", timeout: 120_000 });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface Postgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A throw-away cluster in `dir` (created; its parent must be traversable, so it is made 0755) on
 * 127.0.0.1:`port`, trust auth for the `postgres` user.
 */
export function startPostgres(dir: string, port: number): Postgres {
  const bin = postgresBin();
  const data = join(dir, "pgdata");
  chmodSync(dirname(dir), 0o755);
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres", dir]);
  asPostgres(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const options = `-h 127.0.0.1 -p ${port} -k ${dir}`;
  asPostgres(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-o",
    options,
    "-l",
    join(dir, "postgres.log"),
    "-w",
    "-t",
    "60",
    "start",
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => asPostgres(join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]),
  };
}
