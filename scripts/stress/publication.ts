/**
 * Chainlink-like publication: a feed publishes a new round when the price it observes moved by at least its
 * deviation threshold from its last answer, or when its heartbeat is due; nothing inside an outage window. The two
 * ETH/USD sources differ in threshold and in latency (the fallback observes the market `--fallback-lag` seconds late, 60 by default), so in a fast
 * fall they can disagree beyond PRICE_SOURCE_TOLERANCE, as independent providers do.
 */
import { parseUnits } from "ethers";

import type { MockAggregatorV3 } from "../../types/ethers-contracts/index.js";

export interface FeedSpec {
  label: string;
  deviationBps: number;
  heartbeatSec: number;
  /** Observes the market price this many seconds late (a provider's latency). */
  lagSec: number;
}

/** The stated publication rules (ETH/USD on Chainlink: 0.5 % / 1 h; heartbeats kept inside the pool's 1 h max age). */
export const PRIMARY_FEED: FeedSpec = { label: "primary", deviationBps: 50, heartbeatSec: 3000, lagSec: 0 };
export const FALLBACK_FEED: FeedSpec = { label: "fallback", deviationBps: 100, heartbeatSec: 3000, lagSec: 60 };
export const STABLECOIN_FEED: FeedSpec = {
  label: "stablecoin",
  deviationBps: 25,
  heartbeatSec: 12 * 3600,
  lagSec: 0,
};

const FEED_DECIMALS = 8;
/** A feed answer (8 decimals) times this is wad. */
export const FEED_TO_WAD = 10n ** BigInt(18 - FEED_DECIMALS);
/** A fixed gas limit spares each transaction an `eth_estimateGas` round trip (the simulation's hot path). */
export const TX = { gasLimit: 3_000_000n };

export class FeedPublisher {
  lastAnswerUsd: number;
  lastPublishedAt: number;
  rounds = 0;

  constructor(
    readonly spec: FeedSpec,
    private readonly feed: MockAggregatorV3,
    startUsd: number,
    startAt: number,
  ) {
    this.lastAnswerUsd = startUsd;
    this.lastPublishedAt = startAt;
  }

  /** Whether the feed's latest round is at most `maxAgeSec` old at `now` (what the pool checks). */
  isFresh(now: number, maxAgeSec: number): boolean {
    return now <= this.lastPublishedAt + maxAgeSec;
  }

  /** Publishes `observedUsd` at `now` if the rules say so (and `down` is false); returns whether it did. */
  async maybePublish(now: number, observedUsd: number, down: boolean): Promise<boolean> {
    if (down) return false;
    const moved = Math.abs(observedUsd / this.lastAnswerUsd - 1) * 10_000 >= this.spec.deviationBps;
    const due = now - this.lastPublishedAt >= this.spec.heartbeatSec;
    if (!moved && !due) return false;
    await (await this.feed.setAnswer(parseUnits(observedUsd.toFixed(FEED_DECIMALS), FEED_DECIMALS), TX)).wait();
    this.lastAnswerUsd = observedUsd;
    this.lastPublishedAt = now;
    this.rounds++;
    return true;
  }

  /** Publishes unconditionally (setup: after a clock jump). */
  async publish(now: number, usd: number): Promise<void> {
    await (await this.feed.setAnswer(parseUnits(usd.toFixed(FEED_DECIMALS), FEED_DECIMALS), TX)).wait();
    this.lastAnswerUsd = usd;
    this.lastPublishedAt = now;
  }
}

/**
 * The market price `lagSec` before step `i` (history holds one price a step): geometric interpolation between the
 * two steps around it, the first step's price before the start.
 */
export function laggedPrice(history: readonly number[], i: number, stepSec: number, lagSec: number): number {
  const back = lagSec / stepSec;
  const k = Math.floor(back);
  const f = back - k;
  const at = (j: number) => history[Math.max(0, j)]!;
  return Math.pow(at(i - k), 1 - f) * Math.pow(at(i - k - 1), f);
}
