/**
 * The on-chain operator set, cached. Every request needs it (leader selection, peer authentication, the report's
 * operatorSetVersion), so an RPC outage must not turn into a 10 s wait and a 500 on every application:
 *
 * - fresh (younger than `ttlMs`): served as is;
 * - expired but younger than `maxStaleMs`: served at once while one background read refreshes it. Safe for a
 *   bounded time: a report carries the set's version and the contract voids reports of a retired set, so a
 *   report made from a stale set is at worst refused on chain, never accepted under the wrong operators;
 * - older, or never read: read now (one read shared by concurrent callers). A failed read is a
 *   ChainUnavailableError naming the cause, and for `ttlMs` after it callers fail fast with the same error
 *   instead of each waiting out the RPC timeout again.
 */
import { ChainUnavailableError } from "./errors.js";
import type { OperatorSet } from "./checks.js";

export interface OperatorSetCacheOptions {
  read: () => Promise<OperatorSet>;
  ttlMs: number;
  maxStaleMs: number;
  /** A background refresh failed while a stale set is being served (log it; nothing else sees the error). */
  onRefreshFailed: (error: unknown, staleForMs: number) => void;
  /** Milliseconds (injectable for tests). */
  nowMs?: () => number;
}

export class OperatorSetCache {
  private cached: { set: OperatorSet; readAtMs: number } | undefined;
  private reading: Promise<OperatorSet> | undefined;
  private lastFailure: { error: ChainUnavailableError; atMs: number } | undefined;
  private readonly nowMs: () => number;

  constructor(private readonly options: OperatorSetCacheOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Seeds the cache with a set read elsewhere (the start-up checks read it once already). */
  prime(set: OperatorSet): void {
    this.cached = { set, readAtMs: this.nowMs() };
  }

  async get(): Promise<OperatorSet> {
    const now = this.nowMs();
    const cached = this.cached;
    if (cached !== undefined) {
      const age = now - cached.readAtMs;
      if (age < this.options.ttlMs) return cached.set;
      if (age < this.options.maxStaleMs) {
        this.refreshInBackground(cached.readAtMs);
        return cached.set;
      }
    }
    const failure = this.lastFailure;
    if (failure !== undefined && now - failure.atMs < this.options.ttlMs && this.reading === undefined) throw failure.error;
    return this.refresh();
  }

  /** One background read at a time, at most one per ttl after a failure: an outage costs one log line per ttl. */
  private refreshInBackground(staleSinceMs: number): void {
    if (this.reading !== undefined) return;
    const failure = this.lastFailure;
    if (failure !== undefined && this.nowMs() - failure.atMs < this.options.ttlMs) return;
    this.refresh().catch((error: unknown) => this.options.onRefreshFailed(error, this.nowMs() - staleSinceMs));
  }

  private refresh(): Promise<OperatorSet> {
    this.reading ??= this.options
      .read()
      .then(
        (set) => {
          this.cached = { set, readAtMs: this.nowMs() };
          this.lastFailure = undefined;
          return set;
        },
        (error: unknown) => {
          const unavailable = new ChainUnavailableError(
            `cannot read the operator set from the chain (${error instanceof Error ? error.message : String(error)}); retry shortly`,
            { cause: error },
          );
          this.lastFailure = { error: unavailable, atMs: this.nowMs() };
          throw unavailable;
        },
      )
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
