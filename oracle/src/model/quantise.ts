/** PD → integer basis points, identical on every node. */

export const BPS_SCALE = 10_000;

/**
 * Rounds `pd · 10000` (float64 product of the model's float32 PD) half up to an integer and clamps it to
 * [0, 10000]. Throws on NaN or a non-number, which signals a broken model rather than a score.
 */
export function pdToBps(pd: number): number {
  if (typeof pd !== "number" || Number.isNaN(pd)) throw new Error(`pdToBps: PD must be a number, got ${String(pd)}`);
  const bps = Math.floor(pd * BPS_SCALE + 0.5);
  return Math.min(Math.max(bps, 0), BPS_SCALE);
}
