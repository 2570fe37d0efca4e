/**
 * One naming of the risk tiers for the deploy parameters, the demo, the report and the app: tier 0 is "A", tier 1
 * "B", and so on; the last tier, the most conservative, also holds unscored borrowers ("D (unscored)" with four).
 */

/** The letter of tier `tier` ("A" for 0). */
export function tierName(tier: number): string {
  if (!Number.isInteger(tier) || tier < 0 || tier > 25) throw new Error(`tier must be 0..25, got ${tier}`);
  return String.fromCharCode(65 + tier);
}

/** The tier's name for a reader: its letter, and "(unscored)" on the last of `tierCount` tiers. */
export function tierDisplayName(tier: number, tierCount: number): string {
  return tier === tierCount - 1 ? `${tierName(tier)} (unscored)` : tierName(tier);
}
