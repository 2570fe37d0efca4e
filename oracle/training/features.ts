/**
 * Feature engineering, written once as a list of block operations.
 *
 * The same list is evaluated here in JavaScript (float32 semantics, to train on) and turned into ONNX nodes by
 * `onnx-export.ts` (so the shipped graph takes raw application fields). A "block" is an `[N, k]` matrix.
 *
 * Two blocks leave the pipeline:
 * - `free`: amounts and ratios that may act on the score in any direction:
 *   signed log of the credit limit, the six bill statements and the six payments (`sign(x)·ln(1+|x|)`),
 *   utilisation `BILL_AMTk / LIMIT_BAL` clipped to [−1, 3] for each month, and the payment ratio
 *   `PAY_AMTk / BILL_AMT(k+1)` (payment in month k against the statement it pays), clipped to [0, 1.5], where a
 *   non-positive statement counts as fully paid (the denominator is floored at 1 NT$).
 * - `mono`: the repayment-status codes `PAY_*`, only through functions that never decrease as a code grows:
 *   step indicators "status ≥ −1, ≥ 0, ≥ 1 (late), ≥ 2, ≥ 3", the months of delay beyond 3, and the worst delay
 *   over the six months. The network only lets this block raise the PD (non-negative weights), which is what
 *   makes the score monotone in payment delays.
 *
 * Prohibited bases (`SEX`, `MARRIAGE`) and `AGE` and `EDUCATION` are not inputs (see the model card).
 */

export const PAY_STATUS_COLUMNS = ["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"] as const;
export const BILL_COLUMNS = ["BILL_AMT1", "BILL_AMT2", "BILL_AMT3", "BILL_AMT4", "BILL_AMT5", "BILL_AMT6"] as const;
export const PAYMENT_COLUMNS = ["PAY_AMT1", "PAY_AMT2", "PAY_AMT3", "PAY_AMT4", "PAY_AMT5", "PAY_AMT6"] as const;

/** The model's `features` input, in this order (the ONNX metadata `feature_names`). */
export const FEATURE_NAMES: readonly string[] = ["LIMIT_BAL", ...PAY_STATUS_COLUMNS, ...BILL_COLUMNS, ...PAYMENT_COLUMNS];

export type FeatureOp =
  /** Columns of the raw `features` input, by name. */
  | { kind: "gather"; out: string; columns: readonly string[] }
  /** sign(x) · ln(1 + |x|). */
  | { kind: "signedLog"; out: string; x: string }
  /** num / max(den, floor); `den` is `[N, k]` like `num` or `[N, 1]` (broadcast). */
  | { kind: "safeDiv"; out: string; num: string; den: string; floor: number }
  /** clip(x + offset, lo, hi): non-decreasing in x. */
  | { kind: "shiftClip"; out: string; x: string; offset: number; lo: number; hi: number }
  /** Row-wise maximum, `[N, k]` → `[N, 1]`. */
  | { kind: "rowMax"; out: string; x: string }
  | { kind: "concat"; out: string; xs: readonly string[] };

const payStatusSteps = [-1, 0, 1, 2, 3].map(
  (level): FeatureOp => ({ kind: "shiftClip", out: `pay_ge_${level}`.replace("-", "m"), x: "pay_status", offset: 1 - level, lo: 0, hi: 1 }),
);

export const FEATURE_OPS: readonly FeatureOp[] = [
  { kind: "gather", out: "amounts", columns: ["LIMIT_BAL", ...BILL_COLUMNS, ...PAYMENT_COLUMNS] },
  { kind: "signedLog", out: "log_amounts", x: "amounts" },
  { kind: "gather", out: "limit", columns: ["LIMIT_BAL"] },
  { kind: "gather", out: "bills", columns: BILL_COLUMNS },
  { kind: "safeDiv", out: "utilisation_raw", num: "bills", den: "limit", floor: 1 },
  { kind: "shiftClip", out: "utilisation", x: "utilisation_raw", offset: 0, lo: -1, hi: 3 },
  { kind: "gather", out: "payments", columns: PAYMENT_COLUMNS.slice(0, 5) },
  { kind: "gather", out: "paid_bills", columns: BILL_COLUMNS.slice(1) },
  { kind: "safeDiv", out: "payment_ratio_raw", num: "payments", den: "paid_bills", floor: 1 },
  { kind: "shiftClip", out: "payment_ratio", x: "payment_ratio_raw", offset: 0, lo: 0, hi: 1.5 },
  { kind: "concat", out: "free", xs: ["log_amounts", "utilisation", "payment_ratio"] },
  { kind: "gather", out: "pay_status", columns: PAY_STATUS_COLUMNS },
  ...payStatusSteps,
  { kind: "shiftClip", out: "delay_tail", x: "pay_status", offset: -3, lo: 0, hi: 6 },
  { kind: "shiftClip", out: "delay_months", x: "pay_status", offset: 0, lo: 0, hi: 9 },
  { kind: "rowMax", out: "max_delay", x: "delay_months" },
  { kind: "concat", out: "mono", xs: [...payStatusSteps.map((op) => op.out), "delay_tail", "max_delay"] },
];

/** Human-readable names of the engineered columns, for the model card. */
export function engineeredColumnNames(): { free: string[]; mono: string[] } {
  const slog = ["LIMIT_BAL", ...BILL_COLUMNS, ...PAYMENT_COLUMNS].map((c) => `slog(${c})`);
  const util = BILL_COLUMNS.map((c) => `${c}/LIMIT_BAL`);
  const ratio = PAYMENT_COLUMNS.slice(0, 5).map((c, i) => `${c}/${BILL_COLUMNS[i + 1]}`);
  const steps = payStatusSteps.flatMap((op) =>
    PAY_STATUS_COLUMNS.map((c) => `${c}>=${op.kind === "shiftClip" ? 1 - op.offset : ""}`),
  );
  const tail = PAY_STATUS_COLUMNS.map((c) => `max(${c}-3,0)`);
  return { free: [...slog, ...util, ...ratio], mono: [...steps, ...tail, "max_delay"] };
}

export interface Block {
  rows: number;
  cols: number;
  /** Row-major values. */
  data: Float32Array;
}

const f32 = Math.fround;

/** Evaluates the feature ops on a raw `[N, F]` matrix (columns in `featureNames` order), with float32 rounding. */
export function evaluateFeatureOps(
  raw: Float32Array,
  featureNames: readonly string[] = FEATURE_NAMES,
  ops: readonly FeatureOp[] = FEATURE_OPS,
): Map<string, Block> {
  const rows = raw.length / featureNames.length;
  if (!Number.isInteger(rows)) throw new Error(`raw matrix of ${raw.length} values is not [N, ${featureNames.length}]`);
  const blocks = new Map<string, Block>();
  const get = (name: string): Block => {
    const block = blocks.get(name);
    if (block === undefined) throw new Error(`feature op input ${name} is not defined before use`);
    return block;
  };
  const map = (x: Block, fn: (v: number) => number): Block => ({ rows, cols: x.cols, data: x.data.map(fn) });
  for (const op of ops) {
    let out: Block;
    switch (op.kind) {
      case "gather": {
        const positions = op.columns.map((name) => {
          const j = featureNames.indexOf(name);
          if (j < 0) throw new Error(`feature ${name} is not among the model inputs`);
          return j;
        });
        const data = new Float32Array(rows * positions.length);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < positions.length; c++) data[r * positions.length + c] = raw[r * featureNames.length + (positions[c] as number)] as number;
        }
        out = { rows, cols: positions.length, data };
        break;
      }
      case "signedLog":
        out = map(get(op.x), (v) => f32(Math.sign(v) * f32(Math.log(f32(Math.abs(v) + 1)))));
        break;
      case "safeDiv": {
        const num = get(op.num);
        const den = get(op.den);
        if (den.cols !== num.cols && den.cols !== 1) throw new Error(`safeDiv ${op.out}: shapes do not broadcast`);
        const data = new Float32Array(rows * num.cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < num.cols; c++) {
            const d = den.data[r * den.cols + (den.cols === 1 ? 0 : c)] as number;
            data[r * num.cols + c] = (num.data[r * num.cols + c] as number) / Math.max(d, op.floor);
          }
        }
        out = { rows, cols: num.cols, data };
        break;
      }
      case "shiftClip":
        out = map(get(op.x), (v) => Math.min(Math.max(f32(v + op.offset), op.lo), op.hi));
        break;
      case "rowMax": {
        const x = get(op.x);
        const data = new Float32Array(rows);
        for (let r = 0; r < rows; r++) {
          let best = -Infinity;
          for (let c = 0; c < x.cols; c++) best = Math.max(best, x.data[r * x.cols + c] as number);
          data[r] = best;
        }
        out = { rows, cols: 1, data };
        break;
      }
      case "concat": {
        const parts = op.xs.map(get);
        const cols = parts.reduce((sum, p) => sum + p.cols, 0);
        const data = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          let offset = r * cols;
          for (const p of parts) {
            data.set(p.data.subarray(r * p.cols, (r + 1) * p.cols), offset);
            offset += p.cols;
          }
        }
        out = { rows, cols, data };
        break;
      }
    }
    blocks.set(op.out, out);
  }
  return blocks;
}

/** The two network inputs (`free`, `mono`) for raw rows. */
export function networkInputs(
  raw: Float32Array,
  featureNames: readonly string[] = FEATURE_NAMES,
  ops: readonly FeatureOp[] = FEATURE_OPS,
): { free: Block; mono: Block } {
  const blocks = evaluateFeatureOps(raw, featureNames, ops);
  return { free: blocks.get("free") as Block, mono: blocks.get("mono") as Block };
}

export interface Standardiser {
  mean: Float32Array;
  std: Float32Array;
}

/** Column means and standard deviations on the training rows (std floored so constant columns stay finite). */
export function fitStandardiser(block: Block): Standardiser {
  const mean = new Float64Array(block.cols);
  const sq = new Float64Array(block.cols);
  for (let r = 0; r < block.rows; r++) {
    for (let c = 0; c < block.cols; c++) mean[c] = (mean[c] as number) + (block.data[r * block.cols + c] as number);
  }
  for (let c = 0; c < block.cols; c++) mean[c] = (mean[c] as number) / block.rows;
  for (let r = 0; r < block.rows; r++) {
    for (let c = 0; c < block.cols; c++) {
      const d = (block.data[r * block.cols + c] as number) - (mean[c] as number);
      sq[c] = (sq[c] as number) + d * d;
    }
  }
  const std = Float32Array.from(sq, (s) => Math.max(Math.sqrt(s / block.rows), 1e-3));
  return { mean: Float32Array.from(mean), std };
}

/** (x − mean) / std, float32; the exported graph does the same with Sub and Div. */
export function standardise(block: Block, s: Standardiser): Block {
  const data = new Float32Array(block.data.length);
  for (let r = 0; r < block.rows; r++) {
    for (let c = 0; c < block.cols; c++) {
      const i = r * block.cols + c;
      data[i] = f32((block.data[i] as number) - (s.mean[c] as number)) / (s.std[c] as number);
    }
  }
  return { rows: block.rows, cols: block.cols, data };
}

/** Inputs of the textbook logistic baseline: the same raw fields, only standardised (no engineered features). */
export const RAW_BASELINE_OPS: readonly FeatureOp[] = [
  { kind: "gather", out: "free", columns: ["LIMIT_BAL", ...BILL_COLUMNS, ...PAYMENT_COLUMNS] },
  { kind: "gather", out: "mono", columns: PAY_STATUS_COLUMNS },
];
