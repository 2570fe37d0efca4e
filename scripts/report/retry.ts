/** Every RPC call of the report has a timeout and bounded retries (Airnode's `go` pattern, kept small). */
import { sleep, withTimeout } from "../../oracle/src/chain/rpc.js";

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  attemptTimeoutMs: number;
  /** Pause before retry n is `backoffMs * n`. */
  backoffMs?: number;
  /** Names the call in the final error. */
  label: string;
}

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await sleep((options.backoffMs ?? 250) * attempt);
    try {
      return await withTimeout(call(), options.attemptTimeoutMs, options.label);
    } catch (error) {
      lastError = error;
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`${options.label} failed after ${options.retries + 1} attempts: ${reason}`);
}

/** Maps `items` through `task` with at most `concurrency` calls in flight, keeping order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
