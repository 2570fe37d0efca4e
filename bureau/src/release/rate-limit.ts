/**
 * Per-address token buckets: `requests` per `windowSec`, refilled evenly, so a borrower may burst up to the
 * limit and then gets one request per windowSec/requests. Keys whose bucket has refilled are dropped, so memory
 * follows the addresses active within one window.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly refillPerMs: number;

  constructor(
    private readonly requests: number,
    windowSec: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.refillPerMs = requests / (windowSec * 1000);
  }

  /** Takes one token for `key`; when there is none, how many whole seconds until there will be. */
  take(key: string): { ok: true } | { ok: false; retryAfterSec: number } {
    const now = this.nowMs();
    if (this.buckets.size >= 10_000) this.prune(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.requests, at: now };
    const tokens = Math.min(this.requests, bucket.tokens + (now - bucket.at) * this.refillPerMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - tokens) / this.refillPerMs / 1000)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return { ok: true };
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets)
      if (bucket.tokens + (now - bucket.at) * this.refillPerMs >= this.requests) this.buckets.delete(key);
  }
}
