/**
 * Group fairness of the approval decision "approve when PD ≤ threshold", each group against a reference group:
 * the group with the highest approval rate (the four-fifths rule compares every group with the most favoured one).
 * - Disparate-impact ratio (DIR) of a group: its approval rate / the reference group's (≥ 0.8 under the rule).
 * - Equal-opportunity difference (EOD) of a group: its approval rate among non-defaulters minus the reference
 *   group's; 0 means creditworthy applicants are approved equally often.
 * The attribute's DIR is the lowest group DIR and its EOD the group EOD of largest magnitude. Uncertainty: a
 * seeded row bootstrap of the split (`bootstrap.ts`), with the reference group held fixed.
 */
import {
  DEFAULT_BOOTSTRAP,
  percentileInterval,
  resampleWeights,
  type BootstrapOptions,
  type Interval,
} from "./bootstrap.js";

export interface GroupStats {
  group: string;
  count: number;
  defaultRate: number;
  approvalRate: number;
  /** Approval rate among applicants who did not default (true negative rate). */
  approvalRateNonDefaulters: number;
  meanPd: number;
  /** Against the reference group (1 and 0 for the reference itself), with bootstrap 95 % intervals. */
  dir: Interval;
  eod: Interval;
}

export interface FairnessReport {
  attribute: string;
  reference: string;
  groups: GroupStats[];
  /** Lowest group DIR, with the bootstrap interval of that minimum. */
  disparateImpactRatio: Interval;
  /** The group EOD of largest magnitude (signed), with the bootstrap interval of that statistic. */
  equalOpportunityDifference: Interval;
}

interface Tally {
  n: number;
  bad: number;
  approved: number;
  good: number;
  goodApproved: number;
  pdSum: number;
}

function tally(
  groupIndex: Int32Array,
  groups: number,
  pd: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
  weights?: ArrayLike<number>,
): Tally[] {
  const t = Array.from({ length: groups }, (): Tally => ({
    n: 0,
    bad: 0,
    approved: 0,
    good: 0,
    goodApproved: 0,
    pdSum: 0,
  }));
  for (let i = 0; i < groupIndex.length; i++) {
    const g = groupIndex[i] as number;
    if (g < 0) continue;
    const w = weights ? (weights[i] as number) : 1;
    if (w === 0) continue;
    const a = t[g] as Tally;
    const approved = (pd[i] as number) <= threshold;
    a.n += w;
    a.pdSum += w * (pd[i] as number);
    if (approved) a.approved += w;
    if (labels[i] === 1) a.bad += w;
    else {
      a.good += w;
      if (approved) a.goodApproved += w;
    }
  }
  return t;
}

const rate = (x: number, n: number) => (n > 0 ? x / n : Number.NaN);

/** Group DIR and EOD against `ref`, plus the attribute-level min DIR and largest-magnitude EOD. */
function ratios(t: Tally[], ref: number): { dir: number[]; eod: number[]; minDir: number; worstEod: number } {
  const refRate = rate((t[ref] as Tally).approved, (t[ref] as Tally).n);
  const refTnr = rate((t[ref] as Tally).goodApproved, (t[ref] as Tally).good);
  const dir = t.map((a) => rate(a.approved, a.n) / refRate);
  const eod = t.map((a) => rate(a.goodApproved, a.good) - refTnr);
  const worstEod = eod.reduce((w, e) => (Math.abs(e) > Math.abs(w) ? e : w), 0);
  return { dir, eod, minDir: dir.reduce((min, d) => Math.min(min, d), Infinity), worstEod };
}

/** Point estimates only (threshold scans); `fairnessReport` adds intervals. */
export function fairnessPoint(
  groupOf: (i: number) => string,
  groupOrder: readonly string[],
  pd: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
) {
  const index = Int32Array.from({ length: pd.length }, (_, i) => groupOrder.indexOf(groupOf(i)));
  const t = tally(index, groupOrder.length, pd, labels, threshold);
  const ref = referenceGroup(t);
  return ratios(t, ref);
}

function referenceGroup(t: Tally[]): number {
  let best = 0;
  t.forEach((a, g) => {
    if (a.n > 0 && rate(a.approved, a.n) > rate((t[best] as Tally).approved, (t[best] as Tally).n)) best = g;
  });
  return best;
}

export function fairnessReport(
  attribute: string,
  groupOf: (i: number) => string,
  groupOrder: readonly string[],
  pd: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): FairnessReport {
  const index = Int32Array.from({ length: pd.length }, (_, i) => groupOrder.indexOf(groupOf(i)));
  const t = tally(index, groupOrder.length, pd, labels, threshold);
  const ref = referenceGroup(t);
  const point = ratios(t, ref);
  const dirSamples: number[][] = groupOrder.map(() => []);
  const eodSamples: number[][] = groupOrder.map(() => []);
  const minDirSamples: number[] = [];
  const worstEodSamples: number[] = [];
  for (const w of resampleWeights(pd.length, options)) {
    const r = ratios(tally(index, groupOrder.length, pd, labels, threshold, w), ref);
    r.dir.forEach((d, g) => dirSamples[g]?.push(d));
    r.eod.forEach((e, g) => eodSamples[g]?.push(e));
    minDirSamples.push(r.minDir);
    worstEodSamples.push(r.worstEod);
  }
  const groups = groupOrder
    .map((group, g): GroupStats => {
      const a = t[g] as Tally;
      return {
        group,
        count: a.n,
        defaultRate: rate(a.bad, a.n),
        approvalRate: rate(a.approved, a.n),
        approvalRateNonDefaulters: rate(a.goodApproved, a.good),
        meanPd: rate(a.pdSum, a.n),
        dir: percentileInterval(point.dir[g] as number, dirSamples[g] as number[]),
        eod: percentileInterval(point.eod[g] as number, eodSamples[g] as number[]),
      };
    })
    .filter((g) => g.count > 0);
  return {
    attribute,
    reference: groupOrder[ref] as string,
    groups,
    disparateImpactRatio: percentileInterval(point.minDir, minDirSamples),
    equalOpportunityDifference: percentileInterval(point.worstEod, worstEodSamples),
  };
}

export const SEX_GROUPS = ["male", "female"] as const;

export function sexGroup(code: number): string {
  return code === 1 ? "male" : code === 2 ? "female" : "unknown";
}

/** Age bands as [from, to) in years; `to` null = open. */
export interface AgeBand {
  label: string;
  from: number;
  to: number | null;
}

export const BASE_AGE_BANDS: readonly AgeBand[] = [
  { label: "<25", from: 0, to: 25 },
  { label: "25-39", from: 25, to: 40 },
  { label: "40-59", from: 40, to: 60 },
  { label: ">=60", from: 60, to: null },
];

const bandLabel = (from: number, to: number | null) =>
  from === 0 ? `<${to}` : to === null ? `>=${from}` : `${from}-${to - 1}`;

/**
 * Merges every band with fewer than `minCount` people into its neighbour (the younger one, or the older one for
 * the first band), smallest first, until all bands are large enough or one is left.
 */
export function mergeSmallBands(
  ages: ArrayLike<number>,
  minCount: number,
  bands: readonly AgeBand[] = BASE_AGE_BANDS,
): { bands: AgeBand[]; merged: string[] } {
  let current = [...bands];
  const merged: string[] = [];
  const count = (b: AgeBand) => {
    let n = 0;
    for (let i = 0; i < ages.length; i++)
      if ((ages[i] as number) >= b.from && (b.to === null || (ages[i] as number) < b.to)) n++;
    return n;
  };
  while (current.length > 1) {
    const counts = current.map(count);
    const smallest = counts.indexOf(counts.reduce((min, c) => Math.min(min, c), Infinity));
    if ((counts[smallest] as number) >= minCount) break;
    const other = smallest === 0 ? 1 : smallest - 1;
    const [lo, hi] = [Math.min(smallest, other), Math.max(smallest, other)];
    const a = current[lo] as AgeBand;
    const b = current[hi] as AgeBand;
    merged.push(
      `${(current[smallest] as AgeBand).label} (${counts[smallest]} people) into ${(current[other] as AgeBand).label}`,
    );
    current = [
      ...current.slice(0, lo),
      { label: bandLabel(a.from, b.to), from: a.from, to: b.to },
      ...current.slice(hi + 1),
    ];
  }
  return { bands: current, merged };
}

export function ageBandOf(bands: readonly AgeBand[], age: number): string {
  const band = bands.find((b) => age >= b.from && (b.to === null || age < b.to));
  return band ? band.label : "unknown";
}
