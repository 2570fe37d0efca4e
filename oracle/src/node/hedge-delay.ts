/**
 * How long a leader lets an asked peer stay silent before it asks the next one as well. A fixed delay hedges every
 * request once the whole cluster is slower than it (under load every peer queues; at n = 7, k = 5 a leader then
 * asked all six peers for every report, 50 % more inferences on cores that were already the bottleneck), while a
 * hedge only helps when one peer is slower than its peers. So the delay follows the peers' recent answers, as
 * "The Tail at Scale" (Dean and Barroso) and Finagle's backup requests do: the configured `quorum.hedgeDelayMs`, or
 * `HEDGE_P95_FACTOR` × the p95 of the last `HEDGE_WINDOW` co-sign round trips that got an answer, whichever is
 * longer. A silent or failing peer never answers, so it cannot raise the delay it is hedged by; a cluster that is
 * slow as a whole raises it for every peer alike, and its hedges stay a few per cent of the asks.
 */

/** Answers remembered: enough for a stable p95, few enough to follow a change of load within seconds. */
export const HEDGE_WINDOW = 200;
/** Below this many answers the configured delay alone applies. */
export const HEDGE_MIN_SAMPLES = 20;
/** A peer is hedged once silent for this many times the recent p95: clearly slower than its peers, not at the edge. */
export const HEDGE_P95_FACTOR = 2;

export class AdaptiveHedgeDelay {
  private readonly roundTripsMs: number[] = [];
  private next = 0;

  /** Records one co-sign round trip that got an answer (a signature or a refusal), in ms. */
  record(roundTripMs: number): void {
    if (!Number.isFinite(roundTripMs) || roundTripMs < 0)
      throw new RangeError(`a round trip must be a non-negative number of ms, got ${roundTripMs}`);
    if (this.roundTripsMs.length < HEDGE_WINDOW) this.roundTripsMs.push(roundTripMs);
    else this.roundTripsMs[this.next] = roundTripMs;
    this.next = (this.next + 1) % HEDGE_WINDOW;
  }

  /** The nearest-rank p95 of the remembered round trips, or undefined below `HEDGE_MIN_SAMPLES`. */
  p95Ms(): number | undefined {
    if (this.roundTripsMs.length < HEDGE_MIN_SAMPLES) return undefined;
    const sorted = this.roundTripsMs.slice().sort((a, b) => a - b);
    return sorted[Math.ceil(0.95 * sorted.length) - 1];
  }

  /** The delay for the next round: `floorMs` (the configured one), or longer when the peers answer slower lately. */
  delayMs(floorMs: number): number {
    const p95 = this.p95Ms();
    return p95 === undefined ? floorMs : Math.max(floorMs, Math.ceil(HEDGE_P95_FACTOR * p95));
  }
}
