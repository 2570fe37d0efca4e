/**
 * Drift monitor: bins every scored application as the reference does and keeps two windows —
 * `rolling`: the last `windowApplications` applications; `day`: the applications since 00:00 UTC of the current
 * day (it restarts at each UTC midnight). A window is evaluated once it holds `minApplications`; its PSI per
 * quantity (score, utilisation per month, payment ratio per month, `PAY_*` mix per month, `LIMIT_BAL`) is compared
 * with the thresholds, and its median `LIMIT_BAL` with the reference median (units check: a ratio beyond
 * `unitsCriticalRatio` either way is critical, beyond `unitsWarnRatio` a warning).
 * Pure: no I/O; the clock is injected.
 */
import { keccak256, toUtf8Bytes } from "ethers";
import { z } from "zod";

import { DRIFT_LEVELS, psiFromCounts, psiLevel, worseLevel, type DriftLevel, type PsiThresholds } from "./psi.js";
import {
  binIndex,
  medianOfSorted,
  paymentRatio,
  payStatusCategory,
  statementPaidBy,
  utilisation,
  type ReferenceDistributions,
} from "./quantities.js";

export interface DriftMonitorOptions extends PsiThresholds {
  reference: ReferenceDistributions;
  /** The model's input order. */
  featureNames: readonly string[];
  windowApplications: number;
  minApplications: number;
  unitsWarnRatio: number;
  unitsCriticalRatio: number;
  /** Seconds since the epoch (default: the system clock). */
  now?: () => number;
}

export const windowNameSchema = z.enum(["rolling", "day"]);
export type WindowName = z.infer<typeof windowNameSchema>;

const driftLevelSchema = z.enum(DRIFT_LEVELS as [DriftLevel, ...DriftLevel[]]);

/** One window's drift, as `/v1/monitoring/drift` serves it (and its `summaryHash` goes on chain). */
export const windowReportSchema = z.strictObject({
  window: windowNameSchema,
  /** First and last application's time in the window (s), 0 when empty. */
  start: z.number(),
  end: z.number(),
  applications: z.int(),
  /** False until the window holds `minApplications`: no PSI is judged on fewer. */
  evaluated: z.boolean(),
  psi: z.record(z.string(), z.number()),
  maxPsi: z.number(),
  maxPsiQuantity: z.string().nullable(),
  limitBal: z.strictObject({
    median: z.number().nullable(),
    referenceMedian: z.number(),
    ratio: z.number().nullable(),
    level: driftLevelSchema,
  }),
  level: driftLevelSchema,
  /** keccak256 of the report's canonical JSON (this field excluded): what goes on chain. */
  summaryHash: z.string().regex(/^0x[0-9a-f]{64}$/),
});
export type WindowReport = z.infer<typeof windowReportSchema>;

export const driftSnapshotSchema = z.strictObject({
  level: driftLevelSchema,
  windows: z.strictObject({ rolling: windowReportSchema, day: windowReportSchema }),
});
export type DriftSnapshot = z.infer<typeof driftSnapshotSchema>;

interface Quantity {
  name: string;
  shares: readonly number[];
  bin(row: readonly number[]): number;
}

interface Observation {
  at: number;
  bins: number[];
  limit: number;
}

class WindowCounts {
  readonly counts: number[][];
  readonly limits: number[] = [];
  start = 0;
  end = 0;
  constructor(quantities: readonly Quantity[]) {
    this.counts = quantities.map((q) => new Array<number>(q.shares.length).fill(0));
  }
  add(o: Observation, sign: 1 | -1): void {
    o.bins.forEach((bin, q) => {
      const row = this.counts[q] as number[];
      row[bin] = (row[bin] as number) + sign;
    });
  }
}

const SECONDS_PER_DAY = 86_400;

export class DriftMonitor {
  private readonly quantities: Quantity[];
  private readonly limitColumn: number;
  private readonly rollingBuffer: Observation[] = [];
  private rolling: WindowCounts;
  private day: WindowCounts;
  private dayIndex = -1;
  private readonly now: () => number;

  constructor(private readonly options: DriftMonitorOptions) {
    const { reference, featureNames } = options;
    const column = (name: string) => {
      const index = featureNames.indexOf(name);
      if (index < 0)
        throw new Error(`drift monitor: the model has no input "${name}" that the reference distributions use`);
      return index;
    };
    this.limitColumn = column("LIMIT_BAL");
    const limit = this.limitColumn;
    this.quantities = [
      {
        name: "score",
        shares: reference.score.shares,
        bin: (row) => binIndex(reference.score.edges, row[featureNames.length] as number),
      },
      ...Object.entries(reference.utilisation).map(([bill, d]): Quantity => {
        const b = column(bill);
        return {
          name: `utilisation.${bill}`,
          shares: d.shares,
          bin: (row) => binIndex(d.edges, utilisation(row[b] as number, row[limit] as number)),
        };
      }),
      ...Object.entries(reference.paymentRatio).map(([pay, d]): Quantity => {
        const p = column(pay);
        const s = column(statementPaidBy(pay));
        return {
          name: `paymentRatio.${pay}`,
          shares: d.shares,
          bin: (row) => binIndex(d.edges, paymentRatio(row[p] as number, row[s] as number)),
        };
      }),
      ...Object.entries(reference.payStatus.shares).map(([status, shares]): Quantity => {
        const c = column(status);
        return { name: `payStatus.${status}`, shares, bin: (row) => payStatusCategory(row[c] as number) };
      }),
      {
        name: "limitBal",
        shares: reference.limitBal.shares,
        bin: (row) => binIndex(reference.limitBal.edges, row[limit] as number),
      },
    ];
    this.rolling = new WindowCounts(this.quantities);
    this.day = new WindowCounts(this.quantities);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Quantity names, in report order. */
  get quantityNames(): string[] {
    return this.quantities.map((q) => q.name);
  }

  /** Records one scored application: raw features in the model's order and its PD (0…1). */
  observe(features: readonly number[], pd: number): void {
    const at = this.now();
    const row = [...features, pd];
    const observation: Observation = {
      at,
      bins: this.quantities.map((q) => q.bin(row)),
      limit: features[this.limitColumn] as number,
    };

    this.rollingBuffer.push(observation);
    this.rolling.add(observation, 1);
    insertSorted(this.rolling.limits, observation.limit);
    if (this.rollingBuffer.length > this.options.windowApplications) {
      const evicted = this.rollingBuffer.shift() as Observation;
      this.rolling.add(evicted, -1);
      this.rolling.limits.splice(lowerBound(this.rolling.limits, evicted.limit), 1);
    }
    this.rolling.start = (this.rollingBuffer[0] as Observation).at;
    this.rolling.end = at;

    const dayIndex = Math.floor(at / SECONDS_PER_DAY);
    if (dayIndex !== this.dayIndex) {
      this.dayIndex = dayIndex;
      this.day = new WindowCounts(this.quantities);
      this.day.start = at;
    }
    this.day.add(observation, 1);
    insertSorted(this.day.limits, observation.limit);
    this.day.end = at;
  }

  snapshot(): DriftSnapshot {
    // A day window whose day is over is empty now, whether or not an application has come since.
    const today = Math.floor(this.now() / SECONDS_PER_DAY);
    const day = today === this.dayIndex ? this.day : new WindowCounts(this.quantities);
    const rolling = this.report("rolling", this.rolling);
    const dayReport = this.report("day", day);
    return { level: worseLevel(rolling.level, dayReport.level), windows: { rolling, day: dayReport } };
  }

  private report(window: WindowName, counts: WindowCounts): WindowReport {
    const applications = counts.limits.length;
    const evaluated = applications > 0 && applications >= this.options.minApplications;
    const psi: Record<string, number> = {};
    let maxPsi = 0;
    let maxPsiQuantity: string | null = null;
    this.quantities.forEach((q, i) => {
      const value = round(psiFromCounts(q.shares, counts.counts[i] as number[]));
      psi[q.name] = value;
      if (maxPsiQuantity === null || value > maxPsi) [maxPsi, maxPsiQuantity] = [value, q.name];
    });
    const referenceMedian = this.options.reference.limitBal.median;
    const median = applications === 0 ? null : medianOfSorted(counts.limits);
    const ratio = median === null ? null : round(median / referenceMedian);
    const unitsLevel = !evaluated || ratio === null ? "ok" : unitsCheck(ratio, this.options);
    const level = evaluated ? worseLevel(psiLevel(maxPsi, this.options), unitsLevel) : "ok";
    const body = {
      window,
      start: counts.start,
      end: counts.end,
      applications,
      evaluated,
      psi,
      maxPsi,
      maxPsiQuantity,
      limitBal: { median, referenceMedian, ratio, level: unitsLevel },
      level,
    };
    return { ...body, summaryHash: keccak256(toUtf8Bytes(JSON.stringify(body))) };
  }
}

function unitsCheck(
  ratio: number,
  options: Pick<DriftMonitorOptions, "unitsWarnRatio" | "unitsCriticalRatio">,
): DriftLevel {
  const off = ratio > 0 ? Math.max(ratio, 1 / ratio) : Number.POSITIVE_INFINITY;
  return off >= options.unitsCriticalRatio ? "critical" : off >= options.unitsWarnRatio ? "warn" : "ok";
}

/** Six significant digits: reports and hashes do not depend on the last bits of floating-point sums. */
const round = (v: number) => Number(v.toPrecision(6));

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value);
}
