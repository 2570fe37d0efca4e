/**
 * Formatting shared by the Markdown, CSV and chart renderers: one place decides how a wad or a bps reads. Wads and
 * durations read as the SDK's sentences read them (`sdk/src/units.ts`); the report's own forms (a bps without the
 * space, CSV amounts without grouping) are here.
 */
import { formatUnits } from "ethers";

import type { RuleUnit } from "../../sdk/src/rules.js";
import { formatDuration, formatWad } from "../../sdk/src/units.js";

export { formatDuration, type RuleUnit };

/** Wad limits use type(uint128).max for "no limit" (`contracts/types/PolicyTypes.sol`). */
const NO_LIMIT_WAD = (1n << 128n) - 1n;

/** A wad amount as vUSD: `1,234.56` (two decimals, rounded half up) or, `exact`, every significant digit. */
export function formatVusd(wad: bigint, options: { exact?: boolean; grouping?: boolean } = {}): string {
  if (options.exact === true) return formatWad(wad, { exact: true });
  const grouped = formatWad(wad);
  return options.grouping === false ? grouped.replaceAll(",", "") : grouped;
}

/** A token amount in its own decimals, every significant digit. */
export function formatTokenAmount(amount: bigint, decimals: number): string {
  return trimZeros(formatUnits(amount, decimals));
}

function trimZeros(decimal: string): string {
  return decimal.includes(".") ? decimal.replace(/\.?0+$/, "") : decimal;
}

/** Basis points as a percentage with two decimals: 550 -> "5.50%". */
export function formatBps(bps: number | bigint): string {
  return `${(Number(bps) / 100).toFixed(2)}%`;
}

/** A fraction as a percentage with two decimals: 0.125 -> "12.50%". */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}

/** Unix seconds as UTC: "2025-01-31 12:00:00 UTC" (or ISO 8601 for CSV). */
export function formatTime(seconds: number, style: "human" | "iso" = "human"): string {
  const iso = new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
  return style === "iso" ? iso : `${iso.replace("T", " ").replace("Z", "")} UTC`;
}

/** A rule value in its unit: "250,000.00 vUSD", "80.00%", "2 d 0 h (172800 s)", "yes", "no limit". */
export function formatRuleValue(value: bigint, unit: RuleUnit | undefined): string {
  switch (unit) {
    case "vusd":
      return value === NO_LIMIT_WAD ? "no limit" : `${formatVusd(value)} vUSD`;
    case "bps":
      return formatBps(value);
    case "seconds":
      return `${formatDuration(Number(value))} (${value} s)`;
    case "flag":
      return value === 0n ? "no" : "yes";
    default:
      return value.toString();
  }
}

/** `0x1234…cdef`: enough of a hash or address to tell it apart in a table. */
export function shortHex(hex: string, keep = 6): string {
  return hex.length <= 2 + 2 * keep ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep + 2)}`;
}
