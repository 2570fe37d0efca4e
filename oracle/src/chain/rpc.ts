/**
 * Bounds for every call that leaves the process: a timeout per attempt, and exponential backoff between
 * attempts. An RPC that hangs must cost the node a bounded wait, never a stuck loop (Airnode's `go()` habit).
 */

/** A call did not finish within its bound. `code` matches ethers' so one classifier handles both. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  readonly code = "TIMEOUT";
}

/** Rejects with a TimeoutError naming `what` when `promise` takes longer than `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (so a stopping loop does not sit out its backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before retry number `attempt` (1-based): base · 2^(attempt−1), capped. No jitter: tests stay exact. */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * The newest block whose contents have at least `confirmations` confirmations, in ethers' sense: a block has 1
 * confirmation once it is the head, 2 once another block is on top. 0 and 1 both mean "mined" (logs of unmined
 * transactions cannot be read), so an automining chain, which makes no block until the next transaction, works
 * with either.
 */
export function confirmedHead(head: number, confirmations: number): number {
  return head - Math.max(confirmations - 1, 0);
}
