/**
 * What a run measures: per step samples (prices, freeze, liquidations, the health-factor distribution at the market
 * price, vUSD's DEX price) and the done-when metric, `maxUnderwaterWaitSec`: for each position, the time it spends
 * below HF 0.95 (at the market price) without a liquidation, counting only intervals in which both price sources
 * were live (their latest rounds within the pool's max age at both ends of the interval). A liquidation, or the
 * position climbing back above 0.95, ends a wait. Resolution: one step (a position that crosses and is liquidated
 * in the same step waited 0 s).
 */

/** HF buckets of the distribution over time (upper bounds; the last is open). */
export const HF_BUCKETS = [
  { label: "< 0.95", below: 0.95 },
  { label: "0.95-1", below: 1 },
  { label: "1-1.1", below: 1.1 },
  { label: "1.1-1.25", below: 1.25 },
  { label: "1.25-1.5", below: 1.5 },
  { label: ">= 1.5", below: Infinity },
] as const;

export const UNDERWATER_HF = 0.95;

export interface StepSample {
  /** Seconds since the scenario's start. */
  t: number;
  exogenousUsd: number;
  marketUsd: number;
  agreedUsd: number;
  frozen: boolean;
  paused: boolean;
  /** Both price sources live (fresh) at this step. */
  live: boolean;
  psmFrozen: boolean;
  impact: number;
  /** vUSD's USD price on the DEX after the step's fire sales: market ETH/USD over the pool's vUSD per WETH. */
  vusdDexUsd: number;
  liquidations: number;
  liquidatedVusd: number;
  badDebtVusd: number;
  failedLiquidations: number;
  /** Positions with debt per HF bucket (market price). */
  hfCounts: number[];
  underwater: number;
}

export class WaitTracker {
  private readonly waiting = new Map<number, number>();
  maxWaitSec = 0;
  /** The position and time of the longest wait, for the report. */
  worst: { borrower: number; atSec: number } | undefined;

  /** Positions below 0.95 at this step; `liveSec` is the live time since the previous step. */
  observe(underwater: Iterable<number>, liveSec: number, t: number): void {
    const now = new Set(underwater);
    for (const index of [...this.waiting.keys()]) if (!now.has(index)) this.waiting.delete(index);
    for (const index of now) {
      const wait = (this.waiting.get(index) ?? -liveSec) + liveSec;
      this.waiting.set(index, wait);
      if (wait > this.maxWaitSec) {
        this.maxWaitSec = wait;
        this.worst = { borrower: index, atSec: t };
      }
    }
  }

  /** A liquidation ended `index`'s wait. */
  liquidated(index: number): void {
    this.waiting.delete(index);
  }

  /** Positions still waiting at the end. */
  get openWaits(): number {
    return this.waiting.size;
  }
}

export function bucketOf(hf: number): number {
  return HF_BUCKETS.findIndex((b) => hf < b.below);
}
