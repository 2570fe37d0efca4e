/**
 * Values in their units, as the SDK's sentences print them: vUSD amounts (wad), percentages (bps), dates (unix
 * seconds), durations, health factors. The same forms as the compliance report (`scripts/report/format.ts`).
 */
import { formatUnits } from "ethers";

import { ruleUnit } from "./rules.js";

/** The largest wad limit a global rule can hold (`PolicyTypes.sol`: stored in 96 bits); it stands for "no limit". */
export const NO_LIMIT_WAD = 2n ** 96n - 1n;
/** type(uint128).max, the other "no limit" a wad limit may hold. */
const NO_LIMIT_WAD_128 = (1n << 128n) - 1n;

function trimZeros(decimal: string): string {
  return decimal.includes(".") ? decimal.replace(/\.?0+$/, "") : decimal;
}

/** A wad amount: `1,234.56` (two decimals, rounded half up) or, `exact`, every significant digit. */
export function formatWad(wad: bigint, options: { exact?: boolean } = {}): string {
  if (options.exact === true) return trimZeros(formatUnits(wad, 18));
  const negative = wad < 0n;
  const abs = negative ? -wad : wad;
  const cents = (abs + 5n * 10n ** 15n) / 10n ** 16n;
  const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${whole}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** "1,234.56 vUSD"; a "no limit" sentinel as "no limit". */
export function formatVusd(wad: bigint): string {
  if (wad === NO_LIMIT_WAD || wad === NO_LIMIT_WAD_128) return "no limit";
  return `${formatWad(wad)} vUSD`;
}

/** As `formatVusd`, with every digit added when cents would round: a limit and the value that broke it may differ by 1 wei. */
export function formatVusdPrecise(wad: bigint): string {
  if (wad === NO_LIMIT_WAD || wad === NO_LIMIT_WAD_128 || wad % 10n ** 16n === 0n) return formatVusd(wad);
  return `${formatVusd(wad)} (exactly ${formatWad(wad, { exact: true })})`;
}

/** Basis points as a percentage with two decimals: 7000 → "70.00 %". */
export function formatBps(bps: number | bigint): string {
  return `${(Number(bps) / 100).toFixed(2)} %`;
}

/** Unix seconds as ISO 8601 ("2026-11-30T12:00:00Z"); 0 as "never". */
export function formatTimestamp(seconds: number | bigint): string {
  if (BigInt(seconds) === 0n) return "never";
  if (BigInt(seconds) > 253_402_300_799n) return `${seconds} (beyond year 9999)`;
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** A duration: "2 d 3 h", "1 h 05 min", "42 s". */
export function formatDuration(seconds: number | bigint): string {
  const s = Math.max(0, Math.round(Number(seconds)));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes > 0) return `${minutes} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

/** A health factor (wad) to two decimals; "∞" for a position without debt. */
export function formatHealthFactor(wad: bigint): string {
  if (wad >= 2n ** 255n || wad >= 10n ** 36n) return "∞ (no debt)";
  return Number(formatUnits(wad, 18)).toFixed(2);
}

/** A rule's value (or a violation's limit or actual) in the rule's unit. */
export function formatRuleValue(ruleName: string, value: bigint, options: { precise?: boolean } = {}): string {
  switch (ruleUnit(ruleName)) {
    case "vusd":
      return options.precise === true ? formatVusdPrecise(value) : formatVusd(value);
    case "bps":
      return formatBps(value);
    case "seconds":
      return `${formatDuration(value)} (${value} s)`;
    case "flag":
      return value === 0n ? "no" : "yes";
    default:
      return value.toString();
  }
}

export { tierLabel } from "./tiers.js";
