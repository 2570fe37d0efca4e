/**
 * Picks the demo's applicants from the model's real training data, deterministically: candidates are scored with
 * the shipped model and the first row meeting each profile is taken (nothing hard-coded but the criteria).
 */
import { readFile } from "node:fs/promises";

import { validateApplication, type CreditModel } from "../../oracle/src/model/index.js";

export const TRAINING_CSV = new URL("../../oracle/training/data/taiwan-default/train.csv", import.meta.url);

export interface Applicant {
  /** The row's `ID` column in the training data. */
  rowId: number;
  /** The model's raw fields (whole NT$ / status codes), as the dApp sends them. */
  features: Record<string, number>;
  /** The model's PD for the row (as scored locally to pick it). */
  pd: number;
}

/** Parses the CSV (quoted header, numeric cells) into records keyed by column name. */
async function readRows(limit: number): Promise<Record<string, number>[]> {
  const text = await readFile(TRAINING_CSV, "utf8");
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0]!.split(",").map((cell) => cell.replace(/^"|"$/g, ""));
  return lines.slice(1, limit + 1).map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(header.map((name, i) => [name, Number(cells[i])]));
  });
}

/**
 * The first row (in file order, among the first `scan` rows) with PD below `goodBelow` and the first with PD
 * above `riskyAbove`, scored in one batch with the model.
 */
export async function pickApplicants(
  model: CreditModel,
  options: { goodBelow?: number; riskyAbove?: number; scan?: number } = {},
) {
  const goodBelow = options.goodBelow ?? 0.05;
  const riskyAbove = options.riskyAbove ?? 0.5;
  const rows = await readRows(options.scan ?? 2_000);
  const candidates = rows.flatMap((row) => {
    const check = validateApplication(model.featureNames, row);
    return check.ok ? [{ row, vector: check.features }] : [];
  });
  const pds = await model.predict(candidates.map((c) => c.vector));
  const toApplicant = (i: number): Applicant => ({
    rowId: candidates[i]!.row.ID!,
    features: Object.fromEntries(model.featureNames.map((name) => [name, candidates[i]!.row[name]!])),
    pd: pds[i]!,
  });
  const goodIndex = candidates.findIndex((_, i) => pds[i]! < goodBelow);
  const riskyIndex = candidates.findIndex((_, i) => pds[i]! > riskyAbove);
  if (goodIndex < 0) throw new Error(`no training row with PD < ${goodBelow} among the first ${rows.length}`);
  if (riskyIndex < 0) throw new Error(`no training row with PD > ${riskyAbove} among the first ${rows.length}`);
  return { good: toApplicant(goodIndex), risky: toApplicant(riskyIndex), scanned: candidates.length };
}
