/**
 * One naming of the risk tiers for the deploy parameters, the demo, the report, the CLI and the app: tier 0 is "A",
 * tier 1 "B", and so on; the last tier, the most conservative, also holds unscored borrowers ("D (unscored)" with
 * four).
 */

/** The letter of tier `tier` ("A" for 0). */
export function tierName(tier: number | bigint): string {
  const n = Number(tier);
  if (!Number.isInteger(n) || n < 0 || n > 25) throw new Error(`tier must be 0..25, got ${String(tier)}`);
  return String.fromCharCode(65 + n);
}

/** The tier's name for a reader: its letter, and "(unscored)" on the last of `tierCount` tiers. */
export function tierDisplayName(tier: number | bigint, tierCount: number): string {
  return Number(tier) === tierCount - 1 ? `${tierName(tier)} (unscored)` : tierName(tier);
}

/** "Tier B" for 1, in a sentence; a tier beyond the alphabet keeps its number ("tier 30"). */
export function tierLabel(tier: number | bigint): string {
  const n = Number(tier);
  return Number.isInteger(n) && n >= 0 && n < 26 ? `Tier ${tierName(n)}` : `tier ${String(tier)}`;
}
