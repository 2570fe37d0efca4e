/**
 * `npm run indexer`: the compliance indexer (a Ponder app, this folder) for one deployment, against one RPC.
 *
 *   npm run indexer                                                  # deployments/localhost.json, 127.0.0.1:8545, PGlite
 *   npm run indexer -- --rpc https://rpc.example --deployment deployments/sepolia.json --port 42069
 *   DATABASE_URL=postgres://user@127.0.0.1:5432/verity npm run indexer -- --schema verity
 *
 * Checks the settings (address book, URLs) before starting, then runs `ponder start` bound to 127.0.0.1 with
 * telemetry off; SIGINT / SIGTERM stop it cleanly. The report reads it with `npm run report -- --indexer <url>`.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { Command, InvalidArgumentError } from "commander";

import { DEFAULT_DEPLOYMENT, DEFAULT_RPC, ENV, REPO_ROOT, readSettings } from "./settings.js";

const port = (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65_535) throw new InvalidArgumentError(`"${value}" is not a TCP port`);
  return n;
};

const options = new Command()
  .name("indexer")
  .description(
    "Index every compliance event of a Verity deployment (Ponder; PGlite, or Postgres when DATABASE_URL is set)",
  )
  .option("--rpc <url>", "JSON-RPC URL of the chain", DEFAULT_RPC)
  .option("--deployment <file>", "the deployment's address book", DEFAULT_DEPLOYMENT)
  .option("--port <n>", "HTTP port of the indexer's API", port, 42069)
  .option("--hostname <host>", "address the API binds to", "127.0.0.1")
  .option("--schema <name>", "database schema Ponder writes to (one per deployment)", "verity")
  .option("--pglite-dir <dir>", "PGlite data folder when DATABASE_URL is not set (default: indexer/.ponder/pglite)")
  .option("--polling-ms <n>", "how often new blocks are polled, ms", "1000")
  .option(
    "--get-logs-block-range <n>",
    "blocks per eth_getLogs (default: learnt from the provider's errors); lower it when a busy range's logs exceed 10 MB",
  )
  .parse()
  .opts<{
    rpc: string;
    deployment: string;
    port: number;
    hostname: string;
    schema: string;
    pgliteDir?: string;
    pollingMs: string;
    getLogsBlockRange?: string;
  }>();

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PONDER_TELEMETRY_DISABLED: "true",
  [ENV.rpc]: options.rpc,
  [ENV.deployment]: options.deployment,
  [ENV.pollingMs]: options.pollingMs,
  ...(options.pgliteDir !== undefined ? { [ENV.pgliteDir]: options.pgliteDir } : {}),
  ...(options.getLogsBlockRange !== undefined ? { [ENV.getLogsBlockRange]: options.getLogsBlockRange } : {}),
};

let settings;
try {
  settings = readSettings(env);
} catch (error) {
  console.error(`indexer: ${(error as Error).message}`);
  process.exit(1);
}
const where =
  settings.database.kind === "postgres"
    ? `Postgres (schema ${options.schema})`
    : `PGlite (${settings.database.directory ?? "indexer/.ponder/pglite"})`;
console.log(
  `indexer: chain ${settings.addressBook.chainId} from block ${settings.addressBook.deployedAtBlock} via ${options.rpc}, into ${where}; API on http://${options.hostname}:${options.port}`,
);

const ponderBin = join(dirname(fileURLToPath(import.meta.resolve("ponder"))), "bin/ponder.js");
const args = [
  ponderBin,
  "start",
  "--root",
  join(REPO_ROOT, "indexer"),
  "--hostname",
  options.hostname,
  "--port",
  String(options.port),
  "--schema",
  options.schema,
];
// In the app folder: Ponder's GraphQL middleware writes generated/schema.graphql under the working directory.
const child = spawn(process.execPath, args, { cwd: join(REPO_ROOT, "indexer"), env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 143)));
