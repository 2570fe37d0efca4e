/** Pure views over the events and the state: what the dashboard's panels and charts show. */
import type { ComplianceEvent } from "./events.js";
import type { ChainState, PositionRow } from "./state.js";

export const AT_RISK_HF_WAD = 11n * 10n ** 17n; // 1.1

export interface EventFilter {
  borrower: string;
  model: string;
  rule: string;
  name: string;
}

export const NO_FILTER: EventFilter = { borrower: "", model: "", rule: "", name: "" };

export function matches(event: ComplianceEvent, filter: EventFilter): boolean {
  const a = event.args;
  if (filter.name !== "" && event.name !== filter.name) return false;
  if (filter.borrower.trim() !== "") {
    const borrower = typeof a.borrower === "string" ? a.borrower.toLowerCase() : "";
    if (!borrower.includes(filter.borrower.trim().toLowerCase())) return false;
  }
  if (filter.model !== "" && a.modelId !== filter.model) return false;
  if (filter.rule !== "" && a.rule !== filter.rule && a.reason !== filter.rule) return false;
  return true;
}

/** Distinct values of an argument across the events (for the filters' choices). */
export function distinctArg(events: readonly ComplianceEvent[], ...names: string[]): string[] {
  const seen = new Set<string>();
  for (const event of events)
    for (const name of names) {
      const value = event.args[name];
      if (typeof value === "string") seen.add(value);
    }
  return [...seen].sort();
}

export function positionsAtRisk(state: ChainState): PositionRow[] {
  return state.positions
    .filter((p) => p.debtWad > 0n && p.healthFactorWad < AT_RISK_HF_WAD)
    .sort((a, b) => (a.healthFactorWad < b.healthFactorWad ? -1 : 1));
}

/** Live debt per tier, summed over the positions (every tier listed, zero included). */
export function exposureByTier(state: ChainState): { tier: number; debtWad: bigint; positions: number }[] {
  return state.tiers.map(({ tier }) => {
    const inTier = state.positions.filter((p) => p.tier === tier && p.debtWad > 0n);
    return { tier, debtWad: inTier.reduce((sum, p) => sum + p.debtWad, 0n), positions: inTier.length };
  });
}

/** How often each reason code appears in the adverse actions. */
export function reasonCounts(events: readonly ComplianceEvent[]): { code: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const event of events) {
    if (event.name !== "AdverseAction") continue;
    for (const code of event.args.reasonCodes as bigint[]) {
      const n = Number(code);
      if (n !== 0) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code - b.code);
}

/** Compliance events per block range: `buckets` columns over the blocks since the deployment. */
export function eventsOverBlocks(events: readonly ComplianceEvent[], fromBlock: number, toBlock: number, buckets = 30) {
  const span = Math.max(1, toBlock - fromBlock + 1);
  const size = Math.max(1, Math.ceil(span / buckets));
  const columns = Array.from({ length: Math.ceil(span / size) }, (_, i) => ({
    label: `#${fromBlock + i * size}`,
    value: 0,
  }));
  for (const event of events) {
    const column = columns[Math.floor((event.blockNumber - fromBlock) / size)];
    if (column !== undefined) column.value += 1;
  }
  return columns;
}

/** Seconds left before a change can execute, on the chain's clock extrapolated from the last read. */
export function secondsUntil(state: ChainState, executableAt: number, nowMs: number): number {
  const chainNow = state.blockTimestamp + Math.max(0, (nowMs - state.readAtMs) / 1000);
  return executableAt - chainNow;
}
