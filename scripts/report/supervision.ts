/**
 * The report's supervision sections beyond the flows: asset freezes as periods, expired-score notices, fairness
 * publications, and positions at risk at the report block. Each is one pass over its input, no spread.
 */
import type { PositionState } from "./collect.js";
import { eventsNamed, type ComplianceEvent } from "./events.js";

export interface FreezePeriod {
  asset: string;
  /** The rule id that froze it (PRICE_STALE, PRICE_SOURCE_TOLERANCE, PRICE_DEVIATION), as bytes32. */
  reason: string;
  frozenAt: number;
  frozenBlock: number;
  primaryPriceWad: bigint;
  fallbackPriceWad: bigint;
  lastAgreedPriceWad: bigint;
  /** Null when still frozen at the end of the period. */
  unfrozenAt: number | null;
  unfrozenBlock: number | null;
  priceAfterWad: bigint | null;
  /** Until the unfreeze, or until the end of the period. */
  durationSec: number;
}

/**
 * Each asset's freezes paired with the unfreeze that ended them, in order. An unfreeze with no freeze in the period
 * (frozen before it) opens a period at the start; a freeze while frozen (a new reason) keeps the first one open.
 */
export function freezePeriods(
  events: readonly ComplianceEvent[],
  startTimestamp: number,
  endTimestamp: number,
): FreezePeriod[] {
  const periods: FreezePeriod[] = [];
  const open = new Map<string, FreezePeriod>();
  for (const e of events) {
    if (e.name === "AssetFrozen") {
      const key = e.args.asset.toLowerCase();
      if (open.has(key)) continue;
      const period: FreezePeriod = {
        asset: e.args.asset,
        reason: e.args.reason,
        frozenAt: e.timestamp,
        frozenBlock: e.blockNumber,
        primaryPriceWad: e.args.primaryPriceWad,
        fallbackPriceWad: e.args.fallbackPriceWad,
        lastAgreedPriceWad: e.args.lastAgreedPriceWad,
        unfrozenAt: null,
        unfrozenBlock: null,
        priceAfterWad: null,
        durationSec: 0,
      };
      open.set(key, period);
      periods.push(period);
    } else if (e.name === "AssetUnfrozen") {
      const key = e.args.asset.toLowerCase();
      let period = open.get(key);
      if (period === undefined) {
        period = {
          asset: e.args.asset,
          reason: "",
          frozenAt: startTimestamp,
          frozenBlock: -1,
          primaryPriceWad: 0n,
          fallbackPriceWad: 0n,
          lastAgreedPriceWad: 0n,
          unfrozenAt: null,
          unfrozenBlock: null,
          priceAfterWad: null,
          durationSec: 0,
        };
        periods.push(period);
      }
      period.unfrozenAt = e.timestamp;
      period.unfrozenBlock = e.blockNumber;
      period.priceAfterWad = e.args.priceWad;
      open.delete(key);
    }
  }
  for (const p of periods) p.durationSec = (p.unfrozenAt ?? endTimestamp) - p.frozenAt;
  return periods;
}

export interface ScoreNotice {
  borrower: string;
  tier: number;
  expiredAt: number;
  noticeEndsAt: number;
  blockNumber: number;
  /** Whether the notice had ended by the end of the period (the debt then moves to the last tier at its next touch). */
  endedByPeriodEnd: boolean;
}

export function scoreNotices(events: readonly ComplianceEvent[], endTimestamp: number): ScoreNotice[] {
  return eventsNamed(events, "ScoreExpiring").map((e) => ({
    borrower: e.args.borrower,
    tier: e.args.tier,
    expiredAt: e.args.expiredAt,
    noticeEndsAt: e.args.noticeEndsAt,
    blockNumber: e.blockNumber,
    endedByPeriodEnd: e.args.noticeEndsAt <= endTimestamp,
  }));
}

export interface FairnessPublication {
  modelId: string;
  periodStart: number;
  periodEnd: number;
  eodBps: number;
  dirBps: number;
  reportHash: string;
  blockNumber: number;
  timestamp: number;
  txHash: string;
}

export function fairnessPublications(events: readonly ComplianceEvent[]): FairnessPublication[] {
  return eventsNamed(events, "FairnessReportPublished").map((e) => ({
    ...e.args,
    blockNumber: e.blockNumber,
    timestamp: e.timestamp,
    txHash: e.txHash,
  }));
}

/** Health factor below which a position is listed as at risk (1.1). */
export const AT_RISK_HEALTH_WAD = 11n * 10n ** 17n;

/** Positions with debt whose health factor is below `thresholdWad`, the weakest first. */
export function positionsAtRisk(
  positions: readonly PositionState[],
  thresholdWad = AT_RISK_HEALTH_WAD,
): PositionState[] {
  return positions
    .filter((p) => p.debtWad > 0n && p.healthFactorWad < thresholdWad)
    .sort((a, b) => (a.healthFactorWad < b.healthFactorWad ? -1 : a.healthFactorWad > b.healthFactorWad ? 1 : 0));
}
