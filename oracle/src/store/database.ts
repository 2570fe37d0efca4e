/**
 * Opening the SQLite file: pragmas, migrations and a transaction helper. Kept apart from the store's queries.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "./sqlite.js";

import { MIGRATIONS } from "./migrations.js";

/** The store could not be opened, migrated or written; the message names the file or the rule broken. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}

/**
 * Opens (creating it and its folder, owner-only, when missing) and migrates the store at `path`. `migrations`
 * defaults to the oracle node's; another service (the credit bureau) passes its own append-only list and its
 * name (`program`) for the message when the store is newer than it.
 */
export function openDatabase(path: string, migrations: readonly string[] = MIGRATIONS, program = "node"): DatabaseSync {
  let db: DatabaseSync;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  } catch (error) {
    throw new StoreError(`cannot open store ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    // WAL: readers (health, metrics) never block the writer, and a crash never leaves a half-written page.
    // synchronous=NORMAL by default: in WAL mode a commit is still atomic and survives a process crash, only the
    // last commits before an OS crash or power loss may be lost (no fsync per commit on the request path).
    // Submission state is written with `durable` (synchronous=FULL: an fsync per commit, which also persists every
    // earlier WAL frame), so a committed submission survives power loss and a restart cannot post a report twice.
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    migrate(db, path, migrations, program);
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot prepare store ${path}: ${(error as Error).message}`, { cause: error });
  }
  return db;
}

function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

/** Applies every migration not yet applied, each in its own transaction with its version bump. */
function migrate(db: DatabaseSync, path: string, migrations: readonly string[], program: string): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new StoreError(
      `store ${path} has schema version ${current}, newer than this ${program} knows (${migrations.length}); upgrade the ${program}`,
    );
  }
  migrations.slice(current).forEach((sql, offset) => {
    const version = current + offset + 1;
    inTransaction(db, () => {
      db.exec(sql);
      db.exec(`PRAGMA user_version = ${version}`);
    });
  });
}

/**
 * Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so two processes on one file fail
 * fast instead of deadlocking on upgrade). Rolls back on any throw and rethrows it. `durable`: the commit is
 * fsynced (synchronous=FULL for this transaction) before this returns.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T, options: { durable?: boolean } = {}): T {
  if (db.isTransaction) throw new StoreError("nested store transactions are not supported");
  if (options.durable === true) db.exec("PRAGMA synchronous = FULL");
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      db.exec("COMMIT");
      return result;
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  } finally {
    if (options.durable === true) db.exec("PRAGMA synchronous = NORMAL");
  }
}
