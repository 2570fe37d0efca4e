/**
 * Reference distributions of the training split, shipped inside the model (metadata `reference_distributions`)
 * so that a node can compare what it scores with what the model learnt from (population stability index).
 *
 * Continuous quantities are binned at their training deciles (duplicates removed, so a bin may hold more than
 * 10 %); `shares` are the training shares under the stated bin rule, so they sum to 1 whatever the ties.
 */
import {
  BIN_RULE,
  binIndex,
  medianOfSorted,
  PAY_CATEGORIES,
  paymentRatio as paymentRatioOf,
  payStatusCategory,
  utilisation as utilisationOf,
  type BinnedDistribution,
  type ReferenceDistributions,
} from "../src/monitoring/quantities.js";
import { BILL_COLUMNS, FEATURE_NAMES, PAY_STATUS_COLUMNS, PAYMENT_COLUMNS } from "./features.js";

export { BIN_RULE, type BinnedDistribution, type ReferenceDistributions };

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
    const bin = binIndex(edges, v);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { definition, edges, shares: counts.map((c) => round(c / values.length)) };
}

export function referenceDistributions(raw: Float32Array, pd: ArrayLike<number>): ReferenceDistributions {
  const width = FEATURE_NAMES.length;
  const rows = raw.length / width;
  const col = (name: string) =>
    Float64Array.from({ length: rows }, (_, r) => raw[r * width + FEATURE_NAMES.indexOf(name)] as number);
  const limit = col("LIMIT_BAL");
  const utilisation = Object.fromEntries(
    BILL_COLUMNS.map((bill) => {
      const b = col(bill);
      return [
        bill,
        binAtDeciles(
          b.map((v, r) => utilisationOf(v, limit[r] as number)),
          `max(${bill}, 0) / LIMIT_BAL`,
        ),
      ];
    }),
  );
  const paymentRatio = Object.fromEntries(
    PAYMENT_COLUMNS.slice(0, 5).map((pay, k) => {
      const p = col(pay);
      const b = col(BILL_COLUMNS[k + 1] as string);
      return [
        pay,
        binAtDeciles(
          p.map((v, r) => paymentRatioOf(v, b[r] as number)),
          `min(${pay} / max(${BILL_COLUMNS[k + 1]}, 1), 1.5)`,
        ),
      ];
    }),
  );
  const payStatus = Object.fromEntries(
    PAY_STATUS_COLUMNS.map((status) => {
      const counts = new Array<number>(PAY_CATEGORIES.length).fill(0);
      for (const v of col(status)) {
        const i = payStatusCategory(v);
        counts[i] = (counts[i] as number) + 1;
      }
      return [status, counts.map((c) => round(c / rows))];
    }),
  );
  const sortedLimit = Float64Array.from(limit).sort();
  const median = medianOfSorted(sortedLimit);
  return {
    version: 1,
    source: `training split (${rows} rows)`,
    rows,
    binRule: BIN_RULE,
    score: binAtDeciles(Float64Array.from(pd), "model PD"),
    utilisation,
    paymentRatio,
    payStatus: { categories: [...PAY_CATEGORIES], shares: payStatus },
    limitBal: { median, ...binAtDeciles(limit, "LIMIT_BAL (NT$)") },
  };
}
