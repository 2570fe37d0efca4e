/**
 * What the indexer follows, read once from the environment that `npm run indexer` (indexer/start.ts) or a test
 * sets, validated at the door: the address book, the JSON-RPC URL, and the database (PGlite by default,
 * Postgres when `DATABASE_URL` is set). A bad value stops Ponder's build with a message naming the variable.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { z } from "zod";

import { addressBookSchema, type AddressBook } from "../oracle/src/protocol/address-book.js";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Environment variables the Ponder app reads (start.ts writes them from its flags). */
export const ENV = {
  deployment: "VERITY_INDEXER_DEPLOYMENT",
  rpc: "VERITY_INDEXER_RPC",
  pgliteDir: "VERITY_INDEXER_PGLITE_DIR",
  pollingMs: "VERITY_INDEXER_POLLING_MS",
  getLogsBlockRange: "VERITY_INDEXER_GET_LOGS_BLOCK_RANGE",
  databaseUrl: "DATABASE_URL",
} as const;

export const DEFAULT_DEPLOYMENT = "deployments/localhost.json";
export const DEFAULT_RPC = "http://127.0.0.1:8545";

const settingsSchema = z.strictObject({
  deploymentPath: z.string().min(1),
  rpcUrl: z.url({ protocol: /^(https?|wss?)$/ }),
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  pgliteDir: z.string().min(1).optional(),
  pollingMs: z.coerce.number().int().min(50).max(60_000),
  getLogsBlockRange: z.coerce.number().int().min(1).optional(),
});

export interface IndexerSettings {
  addressBook: AddressBook;
  deploymentPath: string;
  rpcUrl: string;
  database: { kind: "postgres"; connectionString: string } | { kind: "pglite"; directory?: string };
  pollingMs: number;
  /** Blocks per eth_getLogs; unset, Ponder learns the provider's limit from its errors. */
  getLogsBlockRange?: number;
}

const fromRepo = (path: string) => (isAbsolute(path) ? path : resolve(REPO_ROOT, path));

/** Reads and checks the settings; throws naming the variable or the address-book field that is wrong. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): IndexerSettings {
  const parsed = settingsSchema.safeParse({
    deploymentPath: env[ENV.deployment] ?? DEFAULT_DEPLOYMENT,
    rpcUrl: env[ENV.rpc] ?? DEFAULT_RPC,
    databaseUrl: env[ENV.databaseUrl] || undefined,
    pgliteDir: env[ENV.pgliteDir] || undefined,
    pollingMs: env[ENV.pollingMs] ?? 1_000,
    getLogsBlockRange: env[ENV.getLogsBlockRange] || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as keyof typeof NAMES;
    throw new Error(`indexer settings: ${NAMES[key] ?? String(key)}: ${issue.message}`);
  }
  const s = parsed.data;
  const deploymentPath = fromRepo(s.deploymentPath);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(deploymentPath, "utf8"));
  } catch (error) {
    throw new Error(
      `indexer settings: ${ENV.deployment}: cannot read address book ${deploymentPath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const book = addressBookSchema.safeParse(json);
  if (!book.success) {
    const issue = book.error.issues[0]!;
    throw new Error(`indexer settings: address book ${deploymentPath}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return {
    addressBook: book.data,
    deploymentPath,
    rpcUrl: s.rpcUrl,
    database:
      s.databaseUrl !== undefined
        ? { kind: "postgres", connectionString: s.databaseUrl }
        : { kind: "pglite", ...(s.pgliteDir !== undefined ? { directory: fromRepo(s.pgliteDir) } : {}) },
    pollingMs: s.pollingMs,
    ...(s.getLogsBlockRange !== undefined ? { getLogsBlockRange: s.getLogsBlockRange } : {}),
  };
}

const NAMES = {
  deploymentPath: ENV.deployment,
  rpcUrl: ENV.rpc,
  databaseUrl: ENV.databaseUrl,
  pgliteDir: ENV.pgliteDir,
  pollingMs: ENV.pollingMs,
  getLogsBlockRange: ENV.getLogsBlockRange,
} as const;
