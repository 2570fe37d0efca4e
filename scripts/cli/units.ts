/**
 * Values in their units, both ways: what an operator types (vUSD amounts, percentages, durations, dates,
 * addresses, hashes) and what the CLI prints. Every parser throws a `CliError` naming the option and the problem.
 * The printed forms are the compliance report's (`scripts/report/format.ts`), so a figure reads the same in both.
 */
import { formatEther, formatUnits, getAddress, isAddress, isHexString, parseUnits } from "ethers";

import { formatBps, formatDuration, formatRuleValue, formatVusd } from "../report/format.js";
import { ruleUnit } from "../report/analyse.js";
import type { RuleUnit } from "../report/format.js";
import { describeRule } from "../../oracle/src/protocol/rules.js";

/** A problem with what the user asked for: printed as one line, exit code 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/** The largest wad limit a global rule can hold (`PolicyTypes.sol`: stored in 96 bits); it stands for "no limit". */
export const NO_LIMIT_WAD = 2n ** 96n - 1n;

export function parseAddress(value: string, what: string): string {
  if (!isAddress(value)) throw new CliError(`${what}: "${value}" is not an address (0x and 40 hex digits)`);
  return getAddress(value);
}

export function parseBytes32(value: string, what: string): string {
  if (!isHexString(value, 32))
    throw new CliError(`${what}: "${value}" is not a 32-byte hex value (0x and 64 hex digits)`);
  return value.toLowerCase();
}

/** A decimal vUSD amount ("250000", "1,250.5") to wad; "no limit" / "max" to the largest limit a rule holds. */
export function parseVusd(value: string, what: string, options: { allowNoLimit?: boolean } = {}): bigint {
  const text = value
    .trim()
    .replace(/_/g, "")
    .replace(/,/g, "")
    .replace(/\s*vusd$/i, "");
  if (options.allowNoLimit === true && /^(no limit|none|max|unlimited)$/i.test(text)) return NO_LIMIT_WAD;
  if (!/^\d+(\.\d{1,18})?$/.test(text)) {
    throw new CliError(
      `${what}: "${value}" is not a vUSD amount (a non-negative decimal with at most 18 decimals, e.g. 250000 or 1250.5)`,
    );
  }
  return parseUnits(text, 18);
}

/** A percentage ("12.5%", "12.5") to basis points; at most two decimals; at most 100 % unless `max` says otherwise. */
export function parsePercent(value: string, what: string, options: { maxBps?: number } = {}): number {
  const text = value.trim().replace(/%$/, "");
  if (!/^\d+(\.\d{1,2})?$/.test(text)) {
    throw new CliError(`${what}: "${value}" is not a percentage with at most two decimals (e.g. 12.5%; 1 bp = 0.01%)`);
  }
  const bps = Number(parseUnits(text, 2));
  const maxBps = options.maxBps ?? 10_000;
  if (bps > maxBps) throw new CliError(`${what}: ${value} is above ${formatBps(maxBps)}`);
  return bps;
}

const DURATION_UNITS: Record<string, number> = { d: 86_400, h: 3600, m: 60, min: 60, s: 1 };

/** A duration ("2d", "36h", "1h30m", "300s", or plain seconds) to seconds. */
export function parseDuration(value: string, what: string): number {
  const text = value.trim().replace(/\s+/g, "");
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)(d|h|min|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new CliError(`${what}: "${value}" is not a duration (e.g. 2d, 36h, 1h30m, 300s, or seconds)`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}

/** An ISO 8601 date ("2026-11-30", "2026-11-30T12:00:00Z") or unix seconds, to unix seconds. */
export function parseDate(value: string, what: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new CliError(`${what}: "${value}" is not a date (ISO 8601, e.g. 2026-11-30T12:00:00Z, or unix seconds)`);
  return Math.floor(ms / 1000);
}

export function parseInteger(value: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CliError(`${what}: "${value}" is not an integer in ${min}..${max}`);
  }
  return Number(value);
}

/** A rule's new value, typed in the rule's unit. */
export function parseRuleValue(value: string, ruleName: string): bigint {
  const what = `value of ${ruleName}`;
  switch (ruleUnit(ruleName)) {
    case "vusd":
      return parseVusd(value, what, { allowNoLimit: !ruleName.startsWith("TIER_") });
    case "bps":
      return BigInt(parsePercent(value, what));
    case "seconds":
      return BigInt(parseDuration(value, what));
    case "flag":
      if (/^(yes|true|on|1)$/i.test(value)) return 1n;
      if (/^(no|false|off|0)$/i.test(value)) return 0n;
      throw new CliError(`${what}: "${value}" is not yes or no`);
    default:
      throw new CliError(`${ruleName} has no unit the CLI knows`);
  }
}

// ---------------------------------------------------------------- output

export const vusd = (wad: bigint): string => (wad === NO_LIMIT_WAD ? "no limit" : `${formatVusd(wad)} vUSD`);

/** As `vusd`, with every digit added when cents would round: a limit and the value that broke it may differ by 1 wei. */
export function vusdPrecise(wad: bigint): string {
  if (wad === NO_LIMIT_WAD || wad % 10n ** 16n === 0n) return vusd(wad);
  return `${vusd(wad)} (exactly ${formatVusd(wad, { exact: true })})`;
}
export const percent = (bps: number | bigint): string => formatBps(bps);
export const eth = (wei: bigint): string => `${formatEther(wei)} ETH`;

/** Unix seconds as an ISO 8601 date ("2026-11-30T12:00:00Z"); 0 as "never". */
export function isoDate(seconds: number | bigint): string {
  if (BigInt(seconds) === 0n) return "never";
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

export function duration(seconds: number | bigint): string {
  return formatDuration(Number(seconds));
}

/** "in 2 d 0 h" or "3 h 05 min ago" from `now`. */
export function relative(at: number | bigint, now: number | bigint): string {
  const delta = Number(at) - Number(now);
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

/** A health factor (wad) to two decimals; the pool's maximum for a position without debt. */
export function healthFactor(wad: bigint): string {
  if (wad >= 2n ** 255n) return "∞ (no debt)";
  return Number(formatUnits(wad, 18)).toFixed(2);
}

/** A rule value in its unit (`precise`: vUSD amounts with every digit when cents would round). */
export function ruleValueText(ruleName: string, value: bigint, options: { precise?: boolean } = {}): string {
  const unit: RuleUnit | undefined = ruleUnit(ruleName);
  if (unit === "vusd") return options.precise === true ? vusdPrecise(value) : vusd(value);
  return formatRuleValue(value, unit);
}

/** A rule id as its name, with the tier for tier-scoped rules: "TIER_APR (tier 2)". */
export function ruleLabel(id: string): string {
  const { name, tier } = describeRule(id);
  return tier === undefined ? name : `${name} (tier ${tier})`;
}

/** Rows of label/value pairs, the labels padded to one column. */
export function table(rows: ReadonlyArray<readonly [string, string]>, indent = "  "): string[] {
  const width = rows.reduce((widest, [label]) => Math.max(widest, label.length), 0);
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}
