/**
 * The approval threshold (deny when PD > threshold) and its scan on the VALIDATION split.
 *
 * The threshold is the protocol's lending policy, not a fitted number: 0.28, the bound of the last (most
 * conservative) tier in `scripts/deploy/parameters.ts`. Model 1.0.0 chose it on validation as the lowest 0.01 step
 * whose decisions met the fairness targets; keeping it across model versions keeps the policy stable, and this
 * model is trained to be fair at it (the equal-opportunity penalty in `pipeline.ts`). The scan below shows, on
 * validation, what every other threshold would do: approval and default rates, DIR and EOD by sex and age band,
 * and whether they meet the targets (DIR ≥ 0.85, |EOD| ≤ 0.03).
 */
import { fairnessPoint } from "./fairness.js";

export const APPROVAL_PD_THRESHOLD = 0.28;
export const THRESHOLD_GRID = { from: 0.1, to: 0.6, step: 0.01 };
export const FAIRNESS_TARGETS = { minDir: 0.85, maxAbsEod: 0.03 };

export interface ThresholdCandidate {
  threshold: number;
  approvalRate: number;
  approvedDefaultRate: number;
  dirSex: number;
  eodSex: number;
  dirAge: number;
  eodAge: number;
  /** DIR and |EOD| meet the targets for sex and every age band. */
  fair: boolean;
}

export interface GroupColumn {
  groupOf: (i: number) => string;
  groups: readonly string[];
}

export function evaluateThreshold(
  threshold: number,
  pd: ArrayLike<number>,
  labels: ArrayLike<number>,
  sex: GroupColumn,
  age: GroupColumn,
): ThresholdCandidate {
  const bySex = fairnessPoint(sex.groupOf, sex.groups, pd, labels, threshold);
  const byAge = fairnessPoint(age.groupOf, age.groups, pd, labels, threshold);
  let approved = 0;
  let approvedBad = 0;
  for (let i = 0; i < pd.length; i++) {
    if ((pd[i] as number) <= threshold) {
      approved++;
      approvedBad += labels[i] as number;
    }
  }
  const c = {
    threshold,
    approvalRate: approved / pd.length,
    approvedDefaultRate: approved > 0 ? approvedBad / approved : 0,
    dirSex: bySex.minDir,
    eodSex: bySex.worstEod,
    dirAge: byAge.minDir,
    eodAge: byAge.worstEod,
  };
  const fair =
    [c.dirSex, c.dirAge].every((d) => d >= FAIRNESS_TARGETS.minDir) &&
    [c.eodSex, c.eodAge].every((e) => Math.abs(e) <= FAIRNESS_TARGETS.maxAbsEod);
  return { ...c, fair };
}

export function scanThresholds(
  pd: ArrayLike<number>,
  labels: ArrayLike<number>,
  sex: GroupColumn,
  age: GroupColumn,
): ThresholdCandidate[] {
  const steps = Math.round((THRESHOLD_GRID.to - THRESHOLD_GRID.from) / THRESHOLD_GRID.step);
  return Array.from({ length: steps + 1 }, (_, k) =>
    evaluateThreshold(Math.round((THRESHOLD_GRID.from + k * THRESHOLD_GRID.step) * 100) / 100, pd, labels, sex, age),
  );
}
