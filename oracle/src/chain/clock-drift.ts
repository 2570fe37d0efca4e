/**
 * Is this node's clock within the tolerated skew of the chain's? Peers refuse reports and envelopes whose times
 * are off by more than the skew, and the contract refuses an issuedAt too far ahead, so a drifting clock makes a
 * node useless as leader and co-signer: /health must say so.
 *
 * A head block's timestamp alone says little (on an idle chain the newest block can be hours old). But when a
 * poll sees a head that the previous poll did not, that block was made between the previous poll's request and
 * this poll's answer, so the offset (node clock − chain clock) at that moment lies in a known interval. Only an
 * interval wholly outside ±tolerance counts as drift: the check never fires on an idle or slow chain.
 *
 * It assumes block timestamps track real time, as on live chains. A local chain that automines one block per
 * transaction, each stamped at least a second after its parent, runs ahead of real time during a burst of
 * transactions; such a chain should allow blocks with the same timestamp (Hardhat's
 * `allowBlocksWithSameTimestamp`), or its nodes read their own clocks as behind.
 */
import { z } from "zod";

/** What `/health` reports as `clock`. */
export const clockDriftStatusSchema = z.strictObject({
  toleranceSec: z.number(),
  /** Block whose arrival gave the latest measurement, if any yet. */
  measuredAtBlock: z.int().nullable(),
  /** Bounds on (node clock − chain clock) in seconds at that block, when measured. */
  offsetSec: z.strictObject({ min: z.number(), max: z.number() }).nullable(),
  /** Set when the node's clock is beyond the tolerance for sure. */
  problem: z.string().optional(),
});
export type ClockDriftStatus = z.infer<typeof clockDriftStatusSchema>;

export class ClockDriftMonitor {
  private previousPoll: { head: number; askedAtSec: number } | undefined;
  private latest: { block: number; min: number; max: number } | undefined;

  constructor(
    private readonly toleranceSec: number,
    /** The node's clock, unix seconds (whole seconds: each bound is widened by one). */
    readonly now: () => number,
  ) {}

  /**
   * Records a head poll asked at `askedAtSec` and answered at `answeredAtSec` (node clock). When the head is new
   * since the previous poll, reads its timestamp (`timestampOf`, one RPC call per new head) and measures.
   */
  async onHeadPolled(
    poll: { head: number; askedAtSec: number; answeredAtSec: number },
    timestampOf: (block: number) => Promise<number>,
  ): Promise<void> {
    const previous = this.previousPoll;
    this.previousPoll = { head: poll.head, askedAtSec: poll.askedAtSec };
    if (previous === undefined || poll.head <= previous.head) return;
    const timestamp = await timestampOf(poll.head);
    // The block did not exist when the previous poll was answered (so it is younger than that poll's request)
    // and did when this one was. Whole seconds on both sides: each reading is floored, so each bound widens by one.
    this.latest = {
      block: poll.head,
      min: previous.askedAtSec - timestamp - 1,
      max: poll.answeredAtSec + 1 - timestamp,
    };
  }

  status(): ClockDriftStatus {
    const latest = this.latest;
    const base = {
      toleranceSec: this.toleranceSec,
      measuredAtBlock: latest?.block ?? null,
      offsetSec: latest === undefined ? null : { min: latest.min, max: latest.max },
    };
    if (latest === undefined) return base;
    if (latest.min > this.toleranceSec) {
      return {
        ...base,
        problem: `this node's clock is at least ${latest.min} s ahead of the chain's (tolerance ${this.toleranceSec} s)`,
      };
    }
    if (latest.max < -this.toleranceSec) {
      return {
        ...base,
        problem: `this node's clock is at least ${-latest.max} s behind the chain's (tolerance ${this.toleranceSec} s)`,
      };
    }
    return base;
  }
}
