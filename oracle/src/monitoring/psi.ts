/**
 * Population stability index: PSI = Σ over bins (a − e) · ln(a / e), with `e` the reference share and `a` the
 * window's share of each bin. An empty bin (either side) counts as `PSI_EPSILON`, so one empty bin adds a bounded
 * term instead of an infinite one.
 */

/** Share that stands in for an empty bin (0.01 %). */
export const PSI_EPSILON = 1e-4;

/** PSI of bin `counts` (the window) against reference `expectedShares`; 0 when the window is empty. */
export function psiFromCounts(expectedShares: readonly number[], counts: readonly number[]): number {
  if (expectedShares.length !== counts.length)
    throw new Error(`psi: ${counts.length} bins against ${expectedShares.length} reference bins`);
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total === 0) return 0;
  let psi = 0;
  expectedShares.forEach((share, bin) => {
    const e = Math.max(share, PSI_EPSILON);
    const a = Math.max((counts[bin] as number) / total, PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  });
  return psi;
}

export type DriftLevel = "ok" | "warn" | "critical";

export const DRIFT_LEVELS: readonly DriftLevel[] = ["ok", "warn", "critical"];

export interface PsiThresholds {
  warnPsi: number;
  criticalPsi: number;
}

export function psiLevel(psi: number, thresholds: PsiThresholds): DriftLevel {
  return psi >= thresholds.criticalPsi ? "critical" : psi >= thresholds.warnPsi ? "warn" : "ok";
}

/** The worse of two levels. */
export const worseLevel = (a: DriftLevel, b: DriftLevel): DriftLevel =>
  DRIFT_LEVELS.indexOf(a) >= DRIFT_LEVELS.indexOf(b) ? a : b;
