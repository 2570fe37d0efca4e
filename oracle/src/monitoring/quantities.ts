/**
 * The binned quantities of drift monitoring, defined once: training (`oracle/training/reference.ts`) computes the
 * reference distributions with these functions, and the node (`monitor.ts`) bins what it scores with the same ones.
 * Pure: no training or runtime dependencies.
 */

export const BIN_RULE =
  "bin 0 holds v < edges[0]; bin i holds edges[i-1] <= v < edges[i]; the last bin holds v >= edges[edges.length-1]";

/** Repayment-status categories of the `PAY_*` mix: codes −2, −1, 0, 1, 2 and ≥ 3. */
export const PAY_CATEGORIES = ["-2", "-1", "0", "1", "2", ">=3"] as const;

export interface BinnedDistribution {
  definition: string;
  edges: number[];
  shares: number[];
}

export interface ReferenceDistributions {
  version: 1;
  source: string;
  rows: number;
  binRule: string;
  score: BinnedDistribution;
  /** Keyed by bill column (`BILL_AMTk`). */
  utilisation: Record<string, BinnedDistribution>;
  /** Keyed by payment column (`PAY_AMTk`, k = 1…5; it pays the statement `BILL_AMT(k+1)`). */
  paymentRatio: Record<string, BinnedDistribution>;
  payStatus: { categories: string[]; shares: Record<string, number[]> };
  limitBal: { median: number } & BinnedDistribution;
}

/** The bin of `value` under `BIN_RULE`. */
export function binIndex(edges: readonly number[], value: number): number {
  let bin = 0;
  while (bin < edges.length && value >= (edges[bin] as number)) bin++;
  return bin;
}

/** Utilisation of one month: `max(BILL_AMTk, 0) / LIMIT_BAL` (a limit below 1 counts as 1). */
export const utilisation = (bill: number, limit: number): number => Math.max(bill, 0) / Math.max(limit, 1);

/** Payment ratio: `min(PAY_AMTk / max(BILL_AMT(k+1), 1), 1.5)`, the payment against the statement it pays. */
export const paymentRatio = (payment: number, statement: number): number =>
  Math.min(payment / Math.max(statement, 1), 1.5);

/** The statement column a payment column pays: `PAY_AMTk` → `BILL_AMT(k+1)`. */
export const statementPaidBy = (paymentColumn: string): string =>
  `BILL_AMT${Number(paymentColumn.replace("PAY_AMT", "")) + 1}`;

/** Index into `PAY_CATEGORIES` of a repayment status code (rounded, clamped to −2 … 3). */
export const payStatusCategory = (status: number): number => Math.min(Math.max(Math.round(status), -2), 3) + 2;

/** Median of ascending-sorted values (mean of the middle two for an even count); NaN when empty. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1
    ? (sorted[(n - 1) / 2] as number)
    : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
}
