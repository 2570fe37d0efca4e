/**
 * An on-chain value every request needs, cached with a bounded staleness, so an RPC outage does not turn into a
 * 10 s wait and a 500 on every application:
 *
 * - fresh (younger than `ttlMs`): served as is;
 * - expired but younger than `maxStaleMs`: served at once while one background read refreshes it. Safe for a
 *   bounded time only for values the contract checks again at submission (the operator set's version, a data
 *   provider's status): a report made from a stale value is at worst refused on chain, never accepted wrongly;
 * - older, or never read: read now (one read shared by concurrent callers). A failed read is a
 *   ChainUnavailableError naming the cause, and for `ttlMs` after it callers fail fast with the same error
 *   instead of each waiting out the RPC timeout again.
 *
 * `OperatorSetCache` (the operator set) and `ProviderRegistry` (data providers, one read per provider) use it.
 */
import { ChainUnavailableError } from "./errors.js";
import type { OperatorSet } from "./checks.js";

export interface CachedChainReadOptions<T> {
  read: () => Promise<T>;
  /** What is read, for the error message ("the operator set"). */
  what: string;
  ttlMs: number;
  maxStaleMs: number;
  /** A background refresh failed while a stale value is being served (log it; nothing else sees the error). */
  onRefreshFailed: (error: unknown, staleForMs: number) => void;
  /** Milliseconds (injectable for tests). */
  nowMs?: () => number;
}

export class CachedChainRead<T> {
  private cached: { value: T; readAtMs: number } | undefined;
  private reading: Promise<T> | undefined;
  private lastFailure: { error: ChainUnavailableError; atMs: number } | undefined;
  private readonly nowMs: () => number;

  constructor(private readonly options: CachedChainReadOptions<T>) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Seeds the cache with a value read elsewhere (the start-up checks read the operator set once already). */
  prime(value: T): void {
    this.cached = { value, readAtMs: this.nowMs() };
  }

  async get(): Promise<T> {
    const now = this.nowMs();
    const cached = this.cached;
    if (cached !== undefined) {
      const age = now - cached.readAtMs;
      if (age < this.options.ttlMs) return cached.value;
      if (age < this.options.maxStaleMs) {
        this.refreshInBackground(cached.readAtMs);
        return cached.value;
      }
    }
    const failure = this.lastFailure;
    if (failure !== undefined && now - failure.atMs < this.options.ttlMs && this.reading === undefined)
      throw failure.error;
    return this.refresh();
  }

  /** One background read at a time, at most one per ttl after a failure: an outage costs one log line per ttl. */
  private refreshInBackground(staleSinceMs: number): void {
    if (this.reading !== undefined) return;
    const failure = this.lastFailure;
    if (failure !== undefined && this.nowMs() - failure.atMs < this.options.ttlMs) return;
    this.refresh().catch((error: unknown) => this.options.onRefreshFailed(error, this.nowMs() - staleSinceMs));
  }

  private refresh(): Promise<T> {
    this.reading ??= this.options
      .read()
      .then(
        (value) => {
          this.cached = { value, readAtMs: this.nowMs() };
          this.lastFailure = undefined;
          return value;
        },
        (error: unknown) => {
          const unavailable = new ChainUnavailableError(
            `cannot read ${this.options.what} from the chain (${error instanceof Error ? error.message : String(error)}); retry shortly`,
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

export type OperatorSetCacheOptions = Omit<CachedChainReadOptions<OperatorSet>, "what">;

/** The on-chain operator set (leader selection, peer authentication, the report's operatorSetVersion). */
export class OperatorSetCache extends CachedChainRead<OperatorSet> {
  constructor(options: OperatorSetCacheOptions) {
    super({ ...options, what: "the operator set" });
  }
}
