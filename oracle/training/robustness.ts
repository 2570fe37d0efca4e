/**
 * Behavioural checks of a scoring function on real applicants, used by the pipeline (on the freshly exported
 * file, through onnxruntime), the model tests and `npm run bench:gaming`:
 * - direction sweeps: each constrained input moved over a grid on every applicant; a violation is a step that
 *   moves the PD against the input's stated direction by more than a tolerance;
 * - the payment cliff: the PD change when a `PAY_AMT*` goes from 0 to a small amount;
 * - gaming: how often an applicant just above the approval threshold gets below it with a small extra payment.
 * The scoring function takes raw rows (`FEATURE_NAMES` order, row-major) and returns one PD per row.
 */
import { FEATURE_NAMES, INPUT_DIRECTIONS, PAYMENT_COLUMNS } from "./features.js";

export type Scorer = (raw: Float32Array) => Promise<Float32Array>;

const WIDTH = FEATURE_NAMES.length;
const column = (name: string) => FEATURE_NAMES.indexOf(name);

/** Grid of each constrained input, in increasing order (NT$ amounts span the intake's accepted range). */
export const SWEEP_GRIDS: Readonly<Record<string, readonly number[]>> = Object.freeze({
  LIMIT_BAL: [
    1, 1_000, 10_000, 20_000, 30_000, 50_000, 80_000, 100_000, 140_000, 200_000, 300_000, 500_000, 750_000, 1_000_000,
    10_000_000,
  ],
  ...Object.fromEntries(
    FEATURE_NAMES.filter((f) => f.startsWith("PAY_AMT")).map((f) => [
      f,
      [0, 1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 300_000, 1_000_000, 10_000_000],
    ]),
  ),
  ...Object.fromEntries(
    FEATURE_NAMES.filter((f) => /^PAY_\d$/.test(f)).map((f) => [f, Array.from({ length: 12 }, (_, i) => i - 2)]),
  ),
});

/** Scores `variants` edited copies of every applicant in bounded batches; `fill(row, a, v)` edits copy v of applicant a. */
async function scoreVariants(
  score: Scorer,
  raw: Float32Array,
  variants: number,
  fill: (row: Float32Array, applicant: number, variant: number) => void,
): Promise<Float32Array> {
  const applicants = raw.length / WIDTH;
  const out = new Float32Array(applicants * variants);
  const perBatch = Math.max(1, Math.floor(65_536 / variants));
  for (let start = 0; start < applicants; start += perBatch) {
    const end = Math.min(applicants, start + perBatch);
    const batch = new Float32Array((end - start) * variants * WIDTH);
    for (let a = start; a < end; a++) {
      for (let v = 0; v < variants; v++) {
        const offset = ((a - start) * variants + v) * WIDTH;
        batch.set(raw.subarray(a * WIDTH, (a + 1) * WIDTH), offset);
        fill(batch.subarray(offset, offset + WIDTH), a, v);
      }
    }
    out.set(await score(batch), start * variants);
  }
  return out;
}

export interface DirectionSweep {
  column: string;
  direction: number;
  steps: number;
  /** Steps where the PD moved against the direction by more than the tolerance. */
  violations: number;
  /** Largest move against the direction (0 if none). */
  worst: number;
}

/** Every constrained input over its grid on every applicant (the others held at the applicant's values). */
export async function sweepDirections(score: Scorer, raw: Float32Array, tolerance = 1e-6): Promise<DirectionSweep[]> {
  const applicants = raw.length / WIDTH;
  const out: DirectionSweep[] = [];
  for (const [name, grid] of Object.entries(SWEEP_GRIDS)) {
    const direction = INPUT_DIRECTIONS[name] ?? 0;
    const j = column(name);
    const pd = await scoreVariants(score, raw, grid.length, (row, _, v) => {
      row[j] = grid[v] as number;
    });
    const sweep: DirectionSweep = { column: name, direction, steps: 0, violations: 0, worst: 0 };
    for (let a = 0; a < applicants; a++) {
      for (let v = 1; v < grid.length; v++) {
        const against = -direction * ((pd[a * grid.length + v] as number) - (pd[a * grid.length + v - 1] as number));
        sweep.steps++;
        if (against > tolerance) sweep.violations++;
        sweep.worst = Math.max(sweep.worst, against);
      }
    }
    out.push(sweep);
  }
  return out;
}

export interface PaymentCliff {
  /** The small payment compared with none (NT$). */
  amount: number;
  applicants: number;
  /** Largest |PD(amount) − PD(0)| over applicants and `PAY_AMT*` columns. */
  maxAbsChange: number;
  worst: { applicant: number; column: string; pdAtZero: number; pdAtAmount: number } | null;
}

/** Each `PAY_AMT*` of each applicant set to 0 and to `amount`. */
export async function paymentCliff(score: Scorer, raw: Float32Array, amount = 100): Promise<PaymentCliff> {
  const applicants = raw.length / WIDTH;
  const columns = PAYMENT_COLUMNS.map(column);
  const pd = await scoreVariants(score, raw, 2 * columns.length, (row, _, v) => {
    row[columns[v >> 1] as number] = v % 2 === 0 ? 0 : amount;
  });
  const cliff: PaymentCliff = { amount, applicants, maxAbsChange: 0, worst: null };
  for (let a = 0; a < applicants; a++) {
    for (let c = 0; c < columns.length; c++) {
      const atZero = pd[a * 2 * columns.length + 2 * c] as number;
      const atAmount = pd[a * 2 * columns.length + 2 * c + 1] as number;
      if (Math.abs(atAmount - atZero) > cliff.maxAbsChange) {
        cliff.maxAbsChange = Math.abs(atAmount - atZero);
        cliff.worst = { applicant: a, column: PAYMENT_COLUMNS[c] as string, pdAtZero: atZero, pdAtAmount: atAmount };
      }
    }
  }
  return cliff;
}

/** Extra payments tried, NT$: every grid amount up to the cap is tried on every `PAY_AMT*` column. */
const EXTRA_GRID = [1, 10, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

export interface GamingScenario {
  /** Share of near-threshold applicants that some extra payment within the cap brings to PD ≤ threshold. */
  crossShare: number;
  crossed: number;
  /** Median over near-threshold applicants of the largest PD fall within the cap (PD after − before, ≤ 0 if monotone). */
  medianPdChange: number;
}

export type GamingCap = "at100" | "at1000" | "at10pctLimit";

export interface GamingReport {
  threshold: number;
  /** Applicants with threshold < PD ≤ threshold + band. */
  band: number;
  applicants: number;
  /** The extra payment goes into the latest month's payment, `PAY_AMT1` (the one an applicant can still make). */
  latestMonth: Record<GamingCap, GamingScenario>;
  /** Worst case: into whichever single `PAY_AMT*` lowers the PD most. */
  anyMonth: Record<GamingCap, GamingScenario>;
}

const CAPS: Record<GamingCap, (limit: number) => number> = {
  at100: () => 100,
  at1000: () => 1_000,
  at10pctLimit: (limit) => 0.1 * limit,
};

/**
 * For applicants within `band` above the threshold: the share that an extra payment brings to the threshold or
 * below, trying every grid amount up to each cap (NT$100, NT$1,000, 10 % of the applicant's limit, each cap itself
 * included), and the median of the largest PD change it buys.
 */
export async function gamingReport(
  score: Scorer,
  raw: Float32Array,
  threshold: number,
  band = 0.04,
): Promise<GamingReport> {
  const base = await score(raw);
  const chosen: number[] = [];
  for (let a = 0; a < base.length; a++)
    if ((base[a] as number) > threshold && (base[a] as number) <= threshold + band) chosen.push(a);
  const applicants = new Float32Array(chosen.length * WIDTH);
  chosen.forEach((a, i) => applicants.set(raw.subarray(a * WIDTH, (a + 1) * WIDTH), i * WIDTH));
  const limitColumn = column("LIMIT_BAL");
  const columns = PAYMENT_COLUMNS.map(column);
  const perColumn = EXTRA_GRID.length + 1;
  const latestMonth = {} as Record<GamingCap, GamingScenario>;
  const anyMonth = {} as Record<GamingCap, GamingScenario>;
  for (const [cap, capOf] of Object.entries(CAPS) as [GamingCap, (limit: number) => number][]) {
    const pd = await scoreVariants(score, applicants, columns.length * perColumn, (row, _, v) => {
      const limit = capOf(row[limitColumn] as number);
      const amounts = [...EXTRA_GRID.filter((x) => x < limit), limit];
      const j = columns[Math.floor(v / perColumn)] as number;
      row[j] = (row[j] as number) + (amounts[Math.min(v % perColumn, amounts.length - 1)] as number);
    });
    const bestOf = (i: number, from: number, to: number) => {
      let best = Infinity;
      for (let v = from; v < to; v++) best = Math.min(best, pd[i * columns.length * perColumn + v] as number);
      return best;
    };
    const scenario = (best: (i: number) => number): GamingScenario => {
      const changes = chosen.map((a, i) => best(i) - (base[a] as number));
      const crossed = chosen.filter((_, i) => best(i) <= threshold).length;
      return { crossShare: chosen.length > 0 ? crossed / chosen.length : 0, crossed, medianPdChange: median(changes) };
    };
    latestMonth[cap] = scenario((i) => bestOf(i, 0, perColumn));
    anyMonth[cap] = scenario((i) => bestOf(i, 0, columns.length * perColumn));
  }
  return { threshold, band, applicants: chosen.length, latestMonth, anyMonth };
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
