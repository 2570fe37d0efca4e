/**
 * Group fairness of the approval decision "approve when PD ≤ threshold".
 * - Disparate-impact ratio (DIR): lowest group approval rate / highest (the "four-fifths rule" asks ≥ 0.8).
 * - Equal-opportunity difference (EOD): approval rate among non-defaulters, group A minus group B (for more than
 *   two groups: largest minus smallest); 0 means creditworthy applicants are approved equally often.
 */

export interface GroupStats {
  group: string;
  count: number;
  defaultRate: number;
  approvalRate: number;
  /** Approval rate among applicants who did not default (true negative rate). */
  approvalRateNonDefaulters: number;
  meanPd: number;
}

export interface FairnessReport {
  attribute: string;
  groups: GroupStats[];
  disparateImpactRatio: number;
  /** max − min approval rate among non-defaulters (two groups: first − second, signed). */
  equalOpportunityDifference: number;
}

export function fairnessReport(
  attribute: string,
  groupOf: (i: number) => string,
  groupOrder: readonly string[],
  pd: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): FairnessReport {
  const acc = new Map<string, { n: number; bad: number; approved: number; good: number; goodApproved: number; pdSum: number }>();
  for (const g of groupOrder) acc.set(g, { n: 0, bad: 0, approved: 0, good: 0, goodApproved: 0, pdSum: 0 });
  for (let i = 0; i < pd.length; i++) {
    const a = acc.get(groupOf(i));
    if (a === undefined) continue;
    const approved = (pd[i] as number) <= threshold;
    a.n++;
    a.pdSum += pd[i] as number;
    if (approved) a.approved++;
    if (labels[i] === 1) a.bad++;
    else {
      a.good++;
      if (approved) a.goodApproved++;
    }
  }
  const groups = groupOrder.map((group): GroupStats => {
    const a = acc.get(group) as { n: number; bad: number; approved: number; good: number; goodApproved: number; pdSum: number };
    return {
      group,
      count: a.n,
      defaultRate: a.bad / a.n,
      approvalRate: a.approved / a.n,
      approvalRateNonDefaulters: a.goodApproved / a.good,
      meanPd: a.pdSum / a.n,
    };
  }).filter((g) => g.count > 0);
  const rates = groups.map((g) => g.approvalRate);
  const tnr = groups.map((g) => g.approvalRateNonDefaulters);
  const eod = groups.length === 2 ? (tnr[0] as number) - (tnr[1] as number) : Math.max(...tnr) - Math.min(...tnr);
  return { attribute, groups, disparateImpactRatio: Math.min(...rates) / Math.max(...rates), equalOpportunityDifference: eod };
}

export const AGE_BANDS = ["<25", "25-39", "40-59", ">=60"] as const;

export function ageBand(age: number): string {
  if (age < 25) return "<25";
  if (age < 40) return "25-39";
  if (age < 60) return "40-59";
  return ">=60";
}

export const SEX_GROUPS = ["male", "female"] as const;

export function sexGroup(code: number): string {
  return code === 1 ? "male" : code === 2 ? "female" : "unknown";
}
