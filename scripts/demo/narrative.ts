/** Printing for the demo: sections, steps and number formats (vUSD with 2 decimals, PD in %, bps as %). */
import { formatUnits, type Interface } from "ethers";

import { decodeCustomError } from "../../oracle/src/chain/index.js";
import { describeRule } from "../../oracle/src/protocol/rules.js";

const group = (whole: string) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** A wad amount with 2 decimals and thousands separators (rounded half up). */
export function fmtWad(wad: bigint, unit = "vUSD"): string {
  const cents = (wad + 5n * 10n ** 15n) / 10n ** 16n;
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${group((abs / 100n).toString())}.${(abs % 100n).toString().padStart(2, "0")}${unit ? ` ${unit}` : ""}`;
}
export const fmtVusd = (wad: bigint) => fmtWad(wad, "vUSD");
export const fmtUsd = (wad: bigint) => `$${fmtWad(wad, "")}`;
export const fmtEth = (wad: bigint, unit = "WETH") =>
  `${Number(formatUnits(wad, 18)).toLocaleString("en-US", { maximumFractionDigits: 4 })} ${unit}`;
/** Basis points as a percentage, e.g. 415 → "4.15 %". */
export const fmtBps = (bps: bigint | number) => `${(Number(bps) / 100).toFixed(2)} %`;
/** A health factor (wad) with 3 decimals; "∞" without debt. */
export const fmtHf = (wad: bigint) => (wad >= 10n ** 30n ? "∞" : Number(formatUnits(wad, 18)).toFixed(3));
export const fmtTime = (sec: bigint | number) => new Date(Number(sec) * 1000).toISOString().replace(".000Z", "Z");
export const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** A custom error decoded against the system's ABIs, as readable text (rule ids named, wad limits formatted). */
export function describeRevert(
  interfaces: readonly Interface[],
  error: unknown,
): { name: string; text: string } | undefined {
  for (const iface of interfaces) {
    const custom = decodeCustomError(iface, error);
    if (custom === undefined) continue;
    if (custom.name === "SupervisionRuleViolated") {
      const [rule, limit, actual] = custom.args as unknown as [string, bigint, bigint];
      const { name, tier } = describeRule(rule);
      const value = (v: bigint) => (v >= 10n ** 15n ? fmtVusd(v) : /PD|DECLINED/.test(name) ? fmtBps(v) : v.toString());
      return {
        name: custom.name,
        text: `SupervisionRuleViolated(${name}${tier === undefined ? "" : ` tier ${tier}`}, limit ${value(limit)}, actual ${value(actual)})`,
      };
    }
    const args = custom.args.map((arg) => {
      if (typeof arg === "string" && /^0x[0-9a-f]{64}$/i.test(arg) && /^0x[0-9A-Z_]/.test(arg)) return arg;
      return typeof arg === "bigint" && arg > 1_000_000_000n && arg < 10n ** 12n ? fmtTime(arg) : String(arg);
    });
    return { name: custom.name, text: `${custom.name}(${args.join(", ")})` };
  }
  return undefined;
}

export class Narrative {
  private readonly started = Date.now();
  constructor(private readonly quiet: boolean) {}

  private out(line: string) {
    if (!this.quiet) console.log(line);
  }
  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)} s`;
  }
  title(text: string) {
    this.out(`\n${"═".repeat(78)}\n  ${text}\n${"═".repeat(78)}`);
  }
  section(text: string) {
    this.out(`\n── ${text} ${"─".repeat(Math.max(3, 74 - text.length))} [${this.elapsed()}]`);
  }
  step(text: string) {
    this.out(`  • ${text}`);
  }
  detail(text: string) {
    this.out(`      ${text}`);
  }
  ok(text: string) {
    this.out(`  ✔ ${text}`);
  }
  denied(text: string) {
    this.out(`  ✘ ${text}`);
  }
  line(text = "") {
    this.out(text);
  }
}
