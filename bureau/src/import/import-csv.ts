/**
 * `bureau import`: a CSV of credit files into the store, all or nothing. Every row is validated before the one
 * transaction that writes them, so a bad row anywhere leaves the store exactly as it was.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

import type { FeatureSchema } from "../schema/feature-schema.js";
import type { BureauStore } from "../store/index.js";
import { addressAssigner, describeAssignment, type Assignment } from "./assign.js";
import { CsvError, parseCsv } from "./csv.js";
import { validateRows } from "./rows.js";

export interface ImportSummary {
  source: string;
  assignment: string;
  importId: number;
  rows: number;
  created: number;
  replaced: number;
  schemaHash: string;
  asOf: number;
  /** The first and last borrower, so an operator can spot-check the assignment. */
  firstBorrower: string;
  lastBorrower: string;
}

export async function importCsv(options: {
  store: BureauStore;
  schema: FeatureSchema;
  csvPath: string;
  assignment: Assignment;
  /** When the data was current (unix seconds): every imported file's `asOf`. */
  asOf: number;
  env?: NodeJS.ProcessEnv;
}): Promise<ImportSummary> {
  const source = resolve(options.csvPath);
  let text: string;
  try {
    text = await readFile(source, "utf8");
  } catch (error) {
    throw new CsvError(`cannot read CSV ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  }
  const table = parseCsv(text, source);
  const assign = addressAssigner(options.assignment, table.header, options.env);
  const files = validateRows(table, options.schema, assign, source);
  const assignment = describeAssignment(options.assignment);
  const written = options.store.importFiles({
    source,
    assignment,
    schemaHash: options.schema.schemaHash,
    asOf: options.asOf,
    files,
  });
  return {
    source,
    assignment,
    ...written,
    rows: files.length,
    schemaHash: options.schema.schemaHash,
    asOf: options.asOf,
    firstBorrower: (files[0] as { borrower: string }).borrower,
    lastBorrower: (files[files.length - 1] as { borrower: string }).borrower,
  };
}
