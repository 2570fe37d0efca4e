/**
 * Reference distributions of the training split, shipped inside the model (metadata `reference_distributions`)
 * so that a node can compare what it scores with what the model learnt from (population stability index).
 *
 * Continuous quantities are binned at their training deciles (duplicates removed, so a bin may hold more than
 * 10 %); `shares` are the training shares under the stated bin rule, so they sum to 1 whatever the ties.
 */
import { BILL_COLUMNS, FEATURE_NAMES, PAY_STATUS_COLUMNS, PAYMENT_COLUMNS } from "./features.js";

export const BIN_RULE = "bin 0 holds v < edges[0]; bin i holds edges[i-1] <= v < edges[i]; the last bin holds v >= edges[edges.length-1]";

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
  utilisation: Record<string, BinnedDistribution>;
  paymentRatio: Record<string, BinnedDistribution>;
  payStatus: { categories: string[]; shares: Record<string, number[]> };
  limitBal: { median: number } & BinnedDistribution;
}

/** Rounds to 6 significant digits so the JSON is short and stable. */
const round = (v: number) => Number(v.toPrecision(6));

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

export function binAtDeciles(values: Float64Array, definition: string): BinnedDistribution {
  const sorted = Float64Array.from(values).sort();
  const edges = [...new Set(Array.from({ length: 9 }, (_, k) => round(quantile(sorted, (k + 1) / 10))))];
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let bin = 0;
    while (bin < edges.length && v >= (edges[bin] as number)) bin++;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { definition, edges, shares: counts.map((c) => round(c / values.length)) };
}

const PAY_CATEGORIES = ["-2", "-1", "0", "1", "2", ">=3"];

export function referenceDistributions(raw: Float32Array, pd: ArrayLike<number>): ReferenceDistributions {
  const width = FEATURE_NAMES.length;
  const rows = raw.length / width;
  const col = (name: string) => Float64Array.from({ length: rows }, (_, r) => raw[r * width + FEATURE_NAMES.indexOf(name)] as number);
  const limit = col("LIMIT_BAL");
  const utilisation = Object.fromEntries(
    BILL_COLUMNS.map((bill) => {
      const b = col(bill);
      return [bill, binAtDeciles(b.map((v, r) => Math.max(v, 0) / Math.max(limit[r] as number, 1)), `max(${bill}, 0) / LIMIT_BAL`)];
    }),
  );
  const paymentRatio = Object.fromEntries(
    PAYMENT_COLUMNS.slice(0, 5).map((pay, k) => {
      const p = col(pay);
      const b = col(BILL_COLUMNS[k + 1] as string);
      return [pay, binAtDeciles(p.map((v, r) => Math.min(v / Math.max(b[r] as number, 1), 1.5)), `min(${pay} / max(${BILL_COLUMNS[k + 1]}, 1), 1.5)`)];
    }),
  );
  const payStatus = Object.fromEntries(
    PAY_STATUS_COLUMNS.map((status) => {
      const counts = new Array<number>(PAY_CATEGORIES.length).fill(0);
      for (const v of col(status)) {
        const i = Math.min(Math.max(Math.round(v), -2), 3) + 2;
        counts[i] = (counts[i] as number) + 1;
      }
      return [status, counts.map((c) => round(c / rows))];
    }),
  );
  const sortedLimit = Float64Array.from(limit).sort();
  const median = rows % 2 === 1 ? (sortedLimit[(rows - 1) / 2] as number) : ((sortedLimit[rows / 2 - 1] as number) + (sortedLimit[rows / 2] as number)) / 2;
  return {
    version: 1,
    source: `training split (${rows} rows)`,
    rows,
    binRule: BIN_RULE,
    score: binAtDeciles(Float64Array.from(pd), "model PD"),
    utilisation,
    paymentRatio,
    payStatus: { categories: PAY_CATEGORIES, shares: payStatus },
    limitBal: { median, ...binAtDeciles(limit, "LIMIT_BAL (NT$)") },
  };
}
