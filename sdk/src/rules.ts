import { encodeBytes32String, decodeBytes32String, getBytes, hexlify } from "ethers";

/**
 * Rule ids, mirroring `contracts/libraries/Rules.sol`: the rule's name as ASCII in a bytes32; tier-scoped rules
 * carry the tier index in the last byte.
 */
/** Global rules, the PSM's, the flash minter's and the savings share: one value each (`ruleValue(ruleId(name))`). */
export const GLOBAL_RULE_NAMES = [
  "DEBT_CEILING",
  "BORROWER_CAP",
  "CONCENTRATION_CAP",
  "CONCENTRATION_FLOOR",
  "DAILY_ORIGINATION_LIMIT",
  "MAX_SCORE_AGE",
  "ATTESTATION_REQUIRED",
  "MAX_PRICE_DEVIATION",
  "LIQUIDATION_GRACE_PERIOD",
  "TIMELOCK_DELAY",
  "PULL_REPORT_MAX_AGE",
  "SCORE_NOTICE_PERIOD",
  "PSM_FEE_IN",
  "PSM_FEE_OUT",
  "PSM_FEE_CAP",
  "PSM_PRICE_BAND",
  "PSM_EXPOSURE_LIMIT",
  "PRICE_SOURCE_TOLERANCE",
  "FROZEN_LIQUIDATION_HEALTH",
  "SAVINGS_SHARE",
  "FLASH_FEE",
] as const;

/** The regulator's per-tier caps on the terms. */
export const TIER_CAP_NAMES = [
  "TIER_CAP_MAX_LTV",
  "TIER_CAP_LIQUIDATION_THRESHOLD",
  "TIER_CAP_APR",
  "TIER_CAP_CREDIT_LIMIT",
] as const;

/** Governance's per-tier terms (within the caps). */
export const TIER_TERM_NAMES = [
  "TIER_MAX_PD",
  "TIER_MAX_LTV",
  "TIER_LIQUIDATION_THRESHOLD",
  "TIER_APR",
  "TIER_CREDIT_LIMIT",
] as const;

/**
 * The rules governance schedules (`SupervisionPolicy._requireScheduler`): tier terms and these; every other
 * schedulable rule is the regulator's.
 */
export const GOVERNANCE_GLOBAL_RULES = ["PSM_FEE_IN", "PSM_FEE_OUT", "FLASH_FEE", "SAVINGS_SHARE"] as const;

/** Every rule id the contracts use: the schedulable rules, then the ids that only name a violation or a trip. */
export const RULE_NAMES = [
  ...GLOBAL_RULE_NAMES,
  ...TIER_CAP_NAMES,
  ...TIER_TERM_NAMES,
  "TIER_LTV",
  "CREDIT_DECLINED",
  "ELIGIBILITY",
  "CIRCUIT_BREAKER",
  "PRICE_STALE",
  "PRICE_DEVIATION",
  "MANUAL",
  "PSM_PRICE_STALE",
] as const;

export type RuleName = (typeof RULE_NAMES)[number];

/** The bytes32 id of a global rule. */
export function ruleId(name: RuleName): string {
  return encodeBytes32String(name);
}

/** The bytes32 id of a tier-scoped rule for `tier`. */
export function tierRuleId(name: RuleName, tier: number): string {
  if (!Number.isInteger(tier) || tier < 0 || tier > 255) throw new Error(`tier must be 0..255, got ${tier}`);
  const bytes = getBytes(encodeBytes32String(name));
  bytes[31] = tier;
  return hexlify(bytes);
}

/** Rule names whose id carries a tier index in its last byte (`Rules.tierRule(name, tier)`). */
export const TIER_SCOPED_RULE_NAMES: readonly string[] = [...TIER_CAP_NAMES, ...TIER_TERM_NAMES];

/**
 * Decodes a rule id to `{ name, tier? }` for reports and error messages. Only the tier caps and tier terms are
 * tier-scoped; every other id is global, including those whose name starts with TIER_ (`TIER_LTV`: "a borrow
 * above its tier's max LTV" is one global id, never "tier 0").
 */
export function describeRule(id: string): { name: string; tier?: number } {
  const bytes = getBytes(id);
  if (bytes.length !== 32) throw new Error(`rule id must be 32 bytes, got ${bytes.length}`);
  const name = decodeBytes32String(hexlify(Uint8Array.from([...bytes.slice(0, 31), 0])));
  return TIER_SCOPED_RULE_NAMES.includes(name) ? { name, tier: bytes[31]! } : { name };
}

/** The unit a rule's value is stated in (`contracts/libraries/Rules.sol`). */
export type RuleUnit = "vusd" | "bps" | "seconds" | "flag";

const RULE_UNITS: Partial<Record<string, RuleUnit>> = {
  DEBT_CEILING: "vusd",
  BORROWER_CAP: "vusd",
  CONCENTRATION_FLOOR: "vusd",
  DAILY_ORIGINATION_LIMIT: "vusd",
  TIER_CAP_CREDIT_LIMIT: "vusd",
  TIER_CREDIT_LIMIT: "vusd",
  TIER_LTV: "vusd",
  PSM_EXPOSURE_LIMIT: "vusd",
  CONCENTRATION_CAP: "bps",
  MAX_PRICE_DEVIATION: "bps",
  TIER_CAP_MAX_LTV: "bps",
  TIER_CAP_LIQUIDATION_THRESHOLD: "bps",
  TIER_CAP_APR: "bps",
  TIER_MAX_PD: "bps",
  TIER_MAX_LTV: "bps",
  TIER_LIQUIDATION_THRESHOLD: "bps",
  TIER_APR: "bps",
  CREDIT_DECLINED: "bps",
  PSM_FEE_IN: "bps",
  PSM_FEE_OUT: "bps",
  PSM_FEE_CAP: "bps",
  PSM_PRICE_BAND: "bps",
  FLASH_FEE: "bps",
  SAVINGS_SHARE: "bps",
  PRICE_SOURCE_TOLERANCE: "bps",
  FROZEN_LIQUIDATION_HEALTH: "bps",
  MAX_SCORE_AGE: "seconds",
  LIQUIDATION_GRACE_PERIOD: "seconds",
  TIMELOCK_DELAY: "seconds",
  PULL_REPORT_MAX_AGE: "seconds",
  SCORE_NOTICE_PERIOD: "seconds",
  ATTESTATION_REQUIRED: "flag",
};

/** The unit of a rule's value (and of a violation's limit and actual), or undefined for an unknown rule. */
export function ruleUnit(name: string): RuleUnit | undefined {
  return RULE_UNITS[name];
}

/** A rule id as its name, with the tier only for tier-scoped rules: "TIER_APR (tier 2)", "TIER_LTV". */
export function ruleLabel(id: string): string {
  const { name, tier } = describeRule(id);
  return tier === undefined ? name : `${name} (tier ${tier})`;
}
