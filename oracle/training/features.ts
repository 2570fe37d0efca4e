/**
 * Feature engineering, written once as a list of block operations.
 *
 * The same list is evaluated here in JavaScript (float32 semantics, to train on) and turned into ONNX nodes by
 * `onnx-export.ts` (so the shipped graph takes raw application fields). A "block" is an `[N, k]` matrix.
 *
 * Every raw input has an intended direction (`INPUT_DIRECTIONS`): the PD may only rise with a payment delay
 * (`PAY_*`), and may only fall with a higher credit limit (`LIMIT_BAL`) or a larger payment (`PAY_AMT*`). Bill
 * statements (`BILL_AMT*`) get no direction of their own (see the model card). Two blocks leave the pipeline:
 * - `free`: columns that depend on bill statements only, so the network may use them in any direction:
 *   `slog(BILL_AMTk / 1000)` for the six months.
 * - `mono`: "risk" columns, each non-decreasing in every input whose PD must not fall as it grows and
 *   non-increasing in every input whose PD must not rise (free to depend on bills either way):
 *   the repayment-status steps and delays (as before), `−slog(LIMIT_BAL / 1000)`, utilisation
 *   `max(BILL_AMTk, 0) / LIMIT_BAL` clipped to [0, 3] (the positive part keeps it non-increasing in the limit:
 *   a credit balance divided by a larger limit would move towards 0, i.e. up), the worst utilisation,
 *   `−ln(1 + PAY_AMTk / 100000)` (almost linear over the payments seen: no steep region between no payment and a
 *   token one) and the payment shortfall `−min(PAY_AMTk / max(BILL_AMT(k+1), 20000), 1.5)` (payment against the
 *   statement it pays, with a NT$20,000 floor so a small payment on a tiny statement barely moves it).
 * The network gives the `mono` block non-negative weights through monotone activations (`network.ts`), so the
 * directions hold by construction; `columnDirections` proves the first half (the features) from the op list.
 *
 * Prohibited bases (`SEX`, `MARRIAGE`) and `AGE` and `EDUCATION` are not inputs (see the model card).
 */

export const PAY_STATUS_COLUMNS = ["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"] as const;
export const BILL_COLUMNS = ["BILL_AMT1", "BILL_AMT2", "BILL_AMT3", "BILL_AMT4", "BILL_AMT5", "BILL_AMT6"] as const;
export const PAYMENT_COLUMNS = ["PAY_AMT1", "PAY_AMT2", "PAY_AMT3", "PAY_AMT4", "PAY_AMT5", "PAY_AMT6"] as const;

/** The model's `features` input, in this order (the ONNX metadata `feature_names`). */
export const FEATURE_NAMES: readonly string[] = [
  "LIMIT_BAL",
  ...PAY_STATUS_COLUMNS,
  ...BILL_COLUMNS,
  ...PAYMENT_COLUMNS,
];

/** +1: PD non-decreasing in the input; −1: non-increasing; 0: no direction enforced. */
export type Direction = 1 | -1 | 0;

/** The intended direction of every input (the model card's table; enforced where it is not 0). */
export const INPUT_DIRECTIONS: Readonly<Record<string, Direction>> = Object.freeze({
  LIMIT_BAL: -1,
  ...Object.fromEntries(PAY_STATUS_COLUMNS.map((c) => [c, 1])),
  ...Object.fromEntries(BILL_COLUMNS.map((c) => [c, 0])),
  ...Object.fromEntries(PAYMENT_COLUMNS.map((c) => [c, -1])),
}) as Record<string, Direction>;

/** Scales of the amount transforms (NT$). */
export const AMOUNT_SCALES = { bill: 1000, limit: 1000, payment: 100_000, shortfallFloor: 20_000 } as const;

export type FeatureOp =
  /** Columns of the raw `features` input, by name. */
  | { kind: "gather"; out: string; columns: readonly string[] }
  /** sign(x) · ln(1 + |x| / scale): increasing, slope 1/scale at 0. */
  | { kind: "signedLog"; out: string; x: string; scale: number }
  /** −x. */
  | { kind: "negate"; out: string; x: string }
  /** num / max(den, floor), floor > 0; `den` is `[N, k]` like `num` or `[N, 1]` (broadcast). */
  | { kind: "safeDiv"; out: string; num: string; den: string; floor: number }
  /** clip(x + offset, lo, hi): non-decreasing in x. */
  | { kind: "shiftClip"; out: string; x: string; offset: number; lo: number; hi: number }
  /** Row-wise maximum, `[N, k]` → `[N, 1]`. */
  | { kind: "rowMax"; out: string; x: string }
  | { kind: "concat"; out: string; xs: readonly string[] };

const payStatusSteps = [-1, 0, 1, 2, 3].map((level): FeatureOp => ({
  kind: "shiftClip",
  out: `pay_ge_${level}`.replace("-", "m"),
  x: "pay_status",
  offset: 1 - level,
  lo: 0,
  hi: 1,
}));

/** Upper clip of amounts' positive part (NT$ 10 billion: far above any plausible field, finite in float32). */
const NO_UPPER_BOUND = 1e10;

export type AmountScales = { readonly [K in keyof typeof AMOUNT_SCALES]: number };

/** The feature ops for given amount scales (`FEATURE_OPS` uses `AMOUNT_SCALES`). */
export function featureOps(scales: AmountScales = AMOUNT_SCALES): readonly FeatureOp[] {
  return [
    // Unconstrained: bill statements only.
    { kind: "gather", out: "bills", columns: BILL_COLUMNS },
    { kind: "signedLog", out: "log_bills", x: "bills", scale: scales.bill },
    { kind: "concat", out: "free", xs: ["log_bills"] },
    // Risk columns, oriented so that each can only raise the PD.
    { kind: "gather", out: "pay_status", columns: PAY_STATUS_COLUMNS },
    ...payStatusSteps,
    { kind: "shiftClip", out: "delay_tail", x: "pay_status", offset: -3, lo: 0, hi: 6 },
    { kind: "shiftClip", out: "delay_months", x: "pay_status", offset: 0, lo: 0, hi: 9 },
    { kind: "rowMax", out: "max_delay", x: "delay_months" },
    { kind: "gather", out: "limit", columns: ["LIMIT_BAL"] },
    { kind: "signedLog", out: "log_limit", x: "limit", scale: scales.limit },
    { kind: "negate", out: "limit_risk", x: "log_limit" },
    { kind: "shiftClip", out: "owed", x: "bills", offset: 0, lo: 0, hi: NO_UPPER_BOUND },
    { kind: "safeDiv", out: "utilisation_raw", num: "owed", den: "limit", floor: 1 },
    { kind: "shiftClip", out: "utilisation", x: "utilisation_raw", offset: 0, lo: 0, hi: 3 },
    { kind: "rowMax", out: "max_utilisation", x: "utilisation" },
    { kind: "gather", out: "payments", columns: PAYMENT_COLUMNS },
    { kind: "signedLog", out: "log_payments", x: "payments", scale: scales.payment },
    { kind: "negate", out: "payment_risk", x: "log_payments" },
    { kind: "gather", out: "paying_payments", columns: PAYMENT_COLUMNS.slice(0, 5) },
    { kind: "gather", out: "paid_bills", columns: BILL_COLUMNS.slice(1) },
    { kind: "safeDiv", out: "coverage_raw", num: "paying_payments", den: "paid_bills", floor: scales.shortfallFloor },
    { kind: "shiftClip", out: "coverage", x: "coverage_raw", offset: 0, lo: 0, hi: 1.5 },
    { kind: "negate", out: "shortfall", x: "coverage" },
    {
      kind: "concat",
      out: "mono",
      xs: [
        ...payStatusSteps.map((op) => op.out),
        "delay_tail",
        "max_delay",
        "limit_risk",
        "utilisation",
        "max_utilisation",
        "payment_risk",
        "shortfall",
      ],
    },
  ];
}

export const FEATURE_OPS: readonly FeatureOp[] = featureOps();

/** Human-readable names of the engineered columns, for the model card. */
export function engineeredColumnNames(): { free: string[]; mono: string[] } {
  const free = BILL_COLUMNS.map((c) => `slog(${c}/${AMOUNT_SCALES.bill})`);
  const steps = payStatusSteps.flatMap((op) =>
    PAY_STATUS_COLUMNS.map((c) => `${c}>=${op.kind === "shiftClip" ? 1 - op.offset : ""}`),
  );
  const tail = PAY_STATUS_COLUMNS.map((c) => `max(${c}-3,0)`);
  const util = BILL_COLUMNS.map((c) => `max(${c},0)/LIMIT_BAL`);
  const payments = PAYMENT_COLUMNS.map((c) => `-ln(1+${c}/${AMOUNT_SCALES.payment})`);
  const shortfall = PAYMENT_COLUMNS.slice(0, 5).map(
    (c, i) => `-min(${c}/max(${BILL_COLUMNS[i + 1]},${AMOUNT_SCALES.shortfallFloor}),1.5)`,
  );
  return {
    free,
    mono: [
      ...steps,
      ...tail,
      "max_delay",
      `-slog(LIMIT_BAL/${AMOUNT_SCALES.limit})`,
      ...util,
      "max_utilisation",
      ...payments,
      ...shortfall,
    ],
  };
}

/**
 * Sign of each column's dependence on each raw input, derived from the op list alone: +1 non-decreasing,
 * −1 non-increasing, 0 independent, NaN neither (mixed). Inputs may be any float; `nonNegative` tracks which
 * columns are provably ≥ 0, which a quotient needs to be non-increasing in its denominator.
 */
export interface ColumnDependence {
  signs: Map<string, number>;
  nonNegative: boolean;
}

function combine(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map(a);
  for (const [input, sign] of b) {
    const prior = out.get(input);
    out.set(input, prior === undefined || prior === sign ? sign : Number.NaN);
  }
  return out;
}

const flip = (signs: Map<string, number>) => new Map([...signs].map(([k, v]) => [k, -v]));

export function columnDirections(ops: readonly FeatureOp[] = FEATURE_OPS): Map<string, ColumnDependence[]> {
  const blocks = new Map<string, ColumnDependence[]>();
  const get = (name: string) => {
    const block = blocks.get(name);
    if (block === undefined) throw new Error(`feature op input ${name} is not defined before use`);
    return block;
  };
  for (const op of ops) {
    let out: ColumnDependence[];
    switch (op.kind) {
      case "gather":
        out = op.columns.map((c) => ({ signs: new Map([[c, 1]]), nonNegative: false }));
        break;
      case "signedLog":
        if (!(op.scale > 0)) throw new Error(`signedLog ${op.out}: scale must be positive`);
        out = get(op.x).map((c) => ({ ...c }));
        break;
      case "negate":
        out = get(op.x).map((c) => ({ signs: flip(c.signs), nonNegative: false }));
        break;
      case "shiftClip":
        out = get(op.x).map((c) => ({ signs: c.signs, nonNegative: op.lo >= 0 || (c.nonNegative && op.offset >= 0) }));
        break;
      case "safeDiv": {
        if (!(op.floor > 0)) throw new Error(`safeDiv ${op.out}: floor must be positive`);
        const num = get(op.num);
        const den = get(op.den);
        out = num.map((n, c) => {
          const d = den[den.length === 1 ? 0 : c] as ColumnDependence;
          // num / max(den, floor): increasing in num; non-increasing in den only while num ≥ 0.
          const denSigns = n.nonNegative ? flip(d.signs) : new Map([...d.signs].map(([k]) => [k, Number.NaN]));
          return { signs: combine(n.signs, denSigns), nonNegative: n.nonNegative };
        });
        break;
      }
      case "rowMax": {
        const x = get(op.x);
        out = [
          {
            signs: x.reduce((acc, c) => combine(acc, c.signs), new Map<string, number>()),
            nonNegative: x.some((c) => c.nonNegative),
          },
        ];
        break;
      }
      case "concat":
        out = op.xs.flatMap(get);
        break;
    }
    blocks.set(op.out, out);
  }
  return blocks;
}

/**
 * Throws unless the op list honours `directions`: no `free` column depends on a constrained input, and every
 * `mono` column moves with each constrained input in its direction (or not at all). With non-negative weights on
 * `mono` through non-decreasing activations, the PD then follows every stated direction.
 */
export function checkFeatureDirections(
  ops: readonly FeatureOp[] = FEATURE_OPS,
  directions: Readonly<Record<string, Direction>> = INPUT_DIRECTIONS,
): void {
  const blocks = columnDirections(ops);
  const names = engineeredColumnNames();
  const check = (block: "free" | "mono") => {
    (blocks.get(block) ?? []).forEach((column, c) => {
      for (const [input, sign] of column.signs) {
        const wanted = directions[input] ?? 0;
        if (wanted === 0) continue;
        const ok = block === "mono" ? sign === wanted : false;
        if (!ok)
          throw new Error(
            `feature ${block}[${c}] (${names[block][c] ?? "?"}) breaks the direction of ${input}: dependence ${sign}, wanted ${block === "mono" ? wanted : "none"}`,
          );
      }
    });
  };
  check("free");
  check("mono");
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
          for (let c = 0; c < positions.length; c++)
            data[r * positions.length + c] = raw[r * featureNames.length + (positions[c] as number)] as number;
        }
        out = { rows, cols: positions.length, data };
        break;
      }
      case "signedLog":
        out = map(get(op.x), (v) => {
          const scaled = f32(v / op.scale);
          return f32(Math.sign(scaled) * f32(Math.log(f32(Math.abs(scaled) + 1))));
        });
        break;
      case "negate":
        out = map(get(op.x), (v) => -v);
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
