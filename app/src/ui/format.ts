/** Display formats for on-chain units (wad = 18 decimals, bps = 1/100 %), and short forms of ids. */
import { formatUnits } from "ethers";

import { describeRule } from "../../../oracle/src/protocol/rules.js";

const grouped = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtWad = (wad: bigint) => grouped.format(Number(formatUnits(wad, 18)));
export const fmtBps = (bps: bigint | number) => `${(Number(bps) / 100).toFixed(2)} %`;
export const fmtHf = (hfWad: bigint) => (hfWad > 10n ** 30n ? "∞" : Number(formatUnits(hfWad, 18)).toFixed(3));
export const short = (hex: string) => (hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex);
export const fmtTime = (unixSec: number) => new Date(unixSec * 1000).toISOString().replace("T", " ").slice(0, 19);
export const tierLabel = (tier: number) => `${String.fromCharCode(65 + tier)} (tier ${tier})`;

/** "1d 23h 59m 12s" for a duration in seconds (0 and less: "now"). */
export function fmtDuration(seconds: number): string {
  if (seconds <= 0) return "now";
  const s = Math.floor(seconds);
  const parts = [
    [Math.floor(s / 86_400), "d"],
    [Math.floor((s % 86_400) / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ] as const;
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first)
    .map(([n, unit]) => `${n}${unit}`)
    .join(" ");
}

/** A rule id (bytes32) as its name, with the tier for tier rules. */
export function ruleLabel(id: string): string {
  const { name, tier } = describeRule(id);
  return tier === undefined ? name : `${name}[${tier}]`;
}

/** One argument of an event as text: units by the argument's name (…Wad, …Bps), rule ids by name. */
export function fmtArg(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => fmtArg(name, v)).join(" ");
  if (typeof value === "bigint") {
    if (name.endsWith("Wad")) return fmtWad(value);
    if (name.endsWith("Bps")) return fmtBps(value);
    if (name === "executableAt" || name.endsWith("At")) return fmtTime(Number(value));
    return value.toString();
  }
  if (typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value) && (name === "rule" || name === "reason"))
    return ruleLabel(value);
  return String(value);
}

/** Each global rule's unit (contracts/libraries/Rules.sol). */
const RULE_UNITS: Record<string, "wad" | "bps" | "seconds" | "flag"> = {
  DEBT_CEILING: "wad",
  BORROWER_CAP: "wad",
  CONCENTRATION_CAP: "bps",
  CONCENTRATION_FLOOR: "wad",
  DAILY_ORIGINATION_LIMIT: "wad",
  MAX_SCORE_AGE: "seconds",
  ATTESTATION_REQUIRED: "flag",
  MAX_PRICE_DEVIATION: "bps",
  LIQUIDATION_GRACE_PERIOD: "seconds",
  TIMELOCK_DELAY: "seconds",
  PULL_REPORT_MAX_AGE: "seconds",
  SCORE_NOTICE_PERIOD: "seconds",
  PRICE_SOURCE_TOLERANCE: "bps",
  FROZEN_LIQUIDATION_HEALTH: "bps",
  PSM_FEE_IN: "bps",
  PSM_FEE_OUT: "bps",
  PSM_FEE_CAP: "bps",
  PSM_PRICE_BAND: "bps",
  PSM_EXPOSURE_LIMIT: "wad",
  FLASH_FEE: "bps",
  SAVINGS_SHARE: "bps",
};

/** The value of a rule in its unit. */
export function fmtRuleValue(name: string, value: bigint): string {
  switch (RULE_UNITS[name]) {
    case "wad":
      return `${fmtWad(value)} vUSD`;
    case "bps":
      return fmtBps(value);
    case "seconds":
      return fmtDuration(Number(value));
    case "flag":
      return value === 0n ? "off" : "on";
    default:
      return value.toString();
  }
}
