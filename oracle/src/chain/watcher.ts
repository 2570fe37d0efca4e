/**
 * Push flow: finds `ScoreRequested` events and records them in the store. It polls `queryFilter` over bounded
 * block ranges from the stored cursor up to the newest block with `confirmations` confirmations (`head − confirmations + 1`), and records each range's requests together with
 * the cursor in one transaction; after a restart it resumes from the cursor, so no request is lost (a re-read
 * range is harmless: known requests are left as they are).
 */
import type { Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import type { OracleStore, ScoreRequest } from "../store/index.js";
import type { ClockDriftMonitor } from "./clock-drift.js";
import type { ChainContext } from "./connect.js";
import { backoffDelay, confirmedHead, sleep, withTimeout, type BackoffPolicy } from "./rpc.js";

export const SCORE_REQUESTED_STREAM = "ScoreRequested";

export interface WatcherOptions {
  chain: ChainContext;
  store: OracleStore;
  log: Logger;
  metrics?: OracleMetrics;
  /** Confirmations a request needs before it is recorded (reorg safety), counted as ethers does: its own block is 1. */
  confirmations: number;
  pollIntervalMs: number;
  /** First block to read when the store has no cursor (default: the deployment's block). */
  startBlock?: number;
  /** Largest block range per `eth_getLogs` (providers cap it; 2,000 is a common limit). */
  maxBlockRange?: number;
  /** Backoff after a failed poll. */
  backoff?: BackoffPolicy;
  /** Measures this node's clock against the chain's on every new head the watcher sees (for /health). */
  clockDrift?: ClockDriftMonitor;
}

export class ScoreRequestWatcher {
  private readonly maxBlockRange: number;
  private readonly backoff: BackoffPolicy;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  /** Chain head at the last successful poll, for /health. */
  headBlock: number | undefined;

  constructor(private readonly options: WatcherOptions) {
    this.maxBlockRange = options.maxBlockRange ?? 2_000;
    this.backoff = options.backoff ?? { baseDelayMs: options.pollIntervalMs, maxDelayMs: 30_000 };
  }

  get lastProcessedBlock(): number | undefined {
    return this.options.store.getCursor(SCORE_REQUESTED_STREAM);
  }

  /**
   * Reads every complete range up to the confirmed head (at most `maxRanges` ranges per call, so one call stays
   * bounded); returns the requests recorded.
   */
  async poll(maxRanges = 50): Promise<ScoreRequest[]> {
    const { chain, store, confirmations } = this.options;
    const clock = this.options.clockDrift;
    const askedAtSec = clock?.now();
    const head = await withTimeout(chain.provider.getBlockNumber(), chain.rpcTimeoutMs, "getBlockNumber");
    this.headBlock = head;
    if (clock !== undefined && askedAtSec !== undefined) {
      await clock.onHeadPolled({ head, askedAtSec, answeredAtSec: clock.now() }, (block) =>
        blockTimestamp(chain, block),
      );
    }
    const safeHead = confirmedHead(head, confirmations);
    const found: ScoreRequest[] = [];
    for (let i = 0; i < maxRanges; i++) {
      const cursor = store.getCursor(SCORE_REQUESTED_STREAM);
      const from = cursor === undefined ? (this.options.startBlock ?? chain.deployedAtBlock) : cursor + 1;
      if (from > safeHead) break;
      const to = Math.min(safeHead, from + this.maxBlockRange - 1);
      const events = await withTimeout(
        chain.oracle.queryFilter(chain.oracle.filters.ScoreRequested(), from, to),
        chain.rpcTimeoutMs,
        `queryFilter ScoreRequested ${from}..${to}`,
      );
      const requests = events.map((event) => ({
        requestId: event.args.requestId,
        borrower: event.args.borrower,
        applicationHash: event.args.applicationHash,
        blockNumber: event.blockNumber,
      }));
      store.recordScoreRequests(SCORE_REQUESTED_STREAM, requests, to);
      if (requests.length > 0)
        this.options.log.info(
          { from, to, requests: requests.map((r) => r.requestId.toString()) },
          "score requests recorded",
        );
      for (const request of requests) found.push(request);
    }
    return found;
  }

  /** Polls every `pollIntervalMs` until `stop()`. The loop never dies: a failed poll is logged, counted, backed off. */
  start(onRequests?: (requests: ScoreRequest[]) => void): void {
    if (this.loop !== undefined) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.loop = (async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          const requests = await this.poll();
          failures = 0;
          if (requests.length > 0) onRequests?.(requests);
          await sleep(this.options.pollIntervalMs, signal);
        } catch (error) {
          failures += 1;
          this.options.metrics?.errorsTotal.inc({ code: "watcher_poll_failed" });
          const delay = backoffDelay(failures, this.backoff);
          this.options.log.warn({ err: error, failures, retryInMs: delay }, "watcher poll failed");
          await sleep(delay, signal);
        }
      }
    })();
  }

  /** Stops the loop; resolves once the current poll (itself bounded by RPC timeouts) has finished. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }
}

async function blockTimestamp(chain: ChainContext, block: number): Promise<number> {
  const found = await withTimeout(chain.provider.getBlock(block), chain.rpcTimeoutMs, `getBlock ${block}`);
  if (found === null) throw new Error(`block ${block} not found (reorg?)`);
  return found.timestamp;
}
