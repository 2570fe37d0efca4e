/**
 * Loading the committed Taiwan credit-default data: integrity check, parsing and cleaning.
 * The CSV is read exactly as distributed (R wrote it, so numbers go through `Number()`, never `parseInt`).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const TRAINING_DATA_PATH = fileURLToPath(new URL("./data/taiwan-default/train.csv", import.meta.url));
/** sha256 of `train.csv`, also in `data/taiwan-default/README.md`; training refuses any other file. */
export const TRAINING_DATA_SHA256 = "9a1c19f25c540515e8d6913ab72a2d2538ae49e0e56fa88549002df74d029bda";
export const TARGET_COLUMN = "default.payment.next.month";

export interface Dataset {
  /** Column names of the CSV header, `ID` and the target included. */
  columns: string[];
  /** One row per client, values in `columns` order. */
  rows: number[][];
  /** 1 = defaulted next month. */
  target: Uint8Array;
  sha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Reads and verifies the CSV; throws naming the line and column of any non-numeric value. */
export function loadDataset(path = TRAINING_DATA_PATH, expectedSha256: string | null = TRAINING_DATA_SHA256): Dataset {
  const bytes = readFileSync(path);
  const sha256 = sha256Hex(bytes);
  if (expectedSha256 !== null && sha256 !== expectedSha256) {
    throw new Error(`training data ${path} has sha256 ${sha256}, expected ${expectedSha256}`);
  }
  const lines = bytes
    .toString("utf8")
    .split("\n")
    .filter((line) => line.length > 0);
  const header = lines[0];
  if (header === undefined) throw new Error(`training data ${path} is empty`);
  const columns = header.split(",").map((name) => name.replace(/^"|"$/g, ""));
  const targetIndex = columns.indexOf(TARGET_COLUMN);
  if (targetIndex < 0) throw new Error(`training data ${path} has no column ${TARGET_COLUMN}`);
  const rows: number[][] = [];
  const target = new Uint8Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const fields = (lines[i] as string).split(",");
    if (fields.length !== columns.length) {
      throw new Error(`training data line ${i + 1}: ${fields.length} fields, expected ${columns.length}`);
    }
    const row = fields.map((field, j) => {
      const value = Number(field);
      if (field.trim() === "" || !Number.isFinite(value)) {
        throw new Error(`training data line ${i + 1}, column ${columns[j]}: not a number: ${JSON.stringify(field)}`);
      }
      return value;
    });
    const label = row[targetIndex];
    if (label !== 0 && label !== 1) throw new Error(`training data line ${i + 1}: target ${label} is not 0/1`);
    target[i - 1] = label;
    rows.push(row);
  }
  return { columns, rows, target, sha256 };
}

/** Extracts the named columns as a row-major float32 matrix (the model's `features` input). */
export function selectColumns(data: Dataset, names: readonly string[], rowIndices: ArrayLike<number>): Float32Array {
  const positions = names.map((name) => {
    const j = data.columns.indexOf(name);
    if (j < 0) throw new Error(`training data has no column ${name}`);
    return j;
  });
  const out = new Float32Array(rowIndices.length * names.length);
  for (let r = 0; r < rowIndices.length; r++) {
    const row = data.rows[rowIndices[r] as number] as number[];
    for (let c = 0; c < positions.length; c++) out[r * names.length + c] = row[positions[c] as number] as number;
  }
  return out;
}

/** One column for a subset of rows (e.g. `SEX` or `AGE` for fairness reports). */
export function columnValues(data: Dataset, name: string, rowIndices: ArrayLike<number>): Float64Array {
  const j = data.columns.indexOf(name);
  if (j < 0) throw new Error(`training data has no column ${name}`);
  const out = new Float64Array(rowIndices.length);
  for (let r = 0; r < rowIndices.length; r++) out[r] = (data.rows[rowIndices[r] as number] as number[])[j] as number;
  return out;
}

export function subsetTarget(data: Dataset, rowIndices: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(rowIndices.length);
  for (let r = 0; r < rowIndices.length; r++) out[r] = data.target[rowIndices[r] as number] as number;
  return out;
}
