/**
 * node:sqlite without its start-up notice. Node 22 prints "ExperimentalWarning: SQLite is an experimental feature
 * and might change at any time" the first time a process loads it: a line an operator cannot act on (the store
 * needs this module, and its API is pinned by the Node version the project runs on). Node's
 * `--disable-warning=ExperimentalWarning` would also hide every other experimental feature's notice, so only this
 * one message is dropped, only while the module loads; every other warning is emitted as before.
 */
import { createRequire } from "node:module";

const SQLITE_NOTICE = "SQLite is an experimental feature";

function loadSqlite(): typeof import("node:sqlite") {
  // Saved to be put back as it was; called only through `.call(this, …)`, never detached.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const message = typeof warning === "string" ? warning : warning.message;
    if (message.startsWith(SQLITE_NOTICE)) return;
    (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  };
  try {
    return createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}

export const { DatabaseSync } = loadSqlite();
export type DatabaseSync = import("node:sqlite").DatabaseSync;
export type { StatementSync } from "node:sqlite";
