/**
 * Streams the compliance events of a block range, one chunk of blocks at a time, adapting the chunk to what the
 * provider accepts: a range it refuses (too many results, range too large, a limit exceeded, a timeout) is
 * halved and retried, and the chunk grows back slowly after successes; a single block still refused is an error
 * naming it. Block times are fetched once per block that has events, with bounded concurrency, and cached.
 * Providers with `send` (JsonRpcProvider, BrowserProvider, Hardhat's) are asked raw JSON-RPC, which skips ethers'
 * per-log formatting; others through `getLogs`/`getBlock`.
 */
import type { Provider } from "ethers";

import { complianceDecoder, type RawLog } from "./decode.js";
import type { ComplianceEvent, ComplianceTargets } from "./types.js";

/** What the reader needs of a provider. */
export type EventsProvider = Pick<Provider, "getLogs" | "getBlock"> & {
  send?: (method: string, params: unknown[]) => Promise<unknown>;
};

export interface StreamOptions {
  /** First and last block, inclusive. */
  fromBlock: number;
  toBlock: number;
  /** Blocks per `eth_getLogs` to start with, and the most it grows back to (default 5,000). */
  chunkBlocks?: number;
  signal?: AbortSignal;
  /** Retries of a call that fails for another reason than the range (default 3), with `backoffMs * n` pauses. */
  retries?: number;
  backoffMs?: number;
  /** One call's time limit (default 30 s); a `eth_getLogs` past it counts as a refused range. */
  attemptTimeoutMs?: number;
  /** Block-time requests in flight (default 16). */
  timestampConcurrency?: number;
  /** A cache of block times to share between reads (block number -> seconds); one per read otherwise. */
  timestampCache?: Map<number, number>;
  /** Called after each chunk read, with the range read and the chunk size that will be tried next. */
  onChunk?: (progress: ChunkProgress) => void;
}

export interface ChunkProgress {
  fromBlock: number;
  toBlock: number;
  events: number;
  nextChunkBlocks: number;
  /** Ranges refused so far (each halved the chunk). */
  refusals: number;
}

const RANGE_REFUSAL =
  /more than \d+ (results|logs)|too many (results|logs|blocks)|(block )?range (is )?too (large|wide|big)|block range|range limit|limit exceeded|exceeds? .*limit|response size|response too (large|big)|query timeout|timed? ?out|time limit|-32005/i;

/** The text of an error and of the JSON-RPC error ethers wraps in it (`info.error`, `error`), for matching. */
export function errorText(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const e = error as {
    message?: unknown;
    shortMessage?: unknown;
    code?: unknown;
    error?: { message?: unknown; code?: unknown };
    info?: { error?: { message?: unknown; code?: unknown } };
  };
  const parts = [
    e.message,
    e.shortMessage,
    e.code,
    e.error?.message,
    e.error?.code,
    e.info?.error?.message,
    e.info?.error?.code,
  ];
  return parts.filter((part) => part !== undefined && part !== null).join(" | ");
}

/** Whether a provider refused an `eth_getLogs` for its range or result size (so a smaller range may pass). */
export function isRangeRefusal(error: unknown): boolean {
  return error instanceof TimeoutError || RANGE_REFUSAL.test(errorText(error));
}

export class TimeoutError extends Error {}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("compliance events read aborted");
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function withTimeout<T>(call: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${label} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

const toHex = (n: number) => "0x" + n.toString(16);

function parseRawLog(raw: unknown): RawLog | null {
  const log = raw as {
    address: string;
    topics: string[];
    data: string;
    blockNumber: string;
    logIndex: string;
    transactionHash: string;
    removed?: boolean;
  };
  if (log.removed === true) return null;
  return {
    address: log.address,
    topics: log.topics,
    data: log.data,
    blockNumber: Number.parseInt(log.blockNumber, 16),
    logIndex: Number.parseInt(log.logIndex, 16),
    transactionHash: log.transactionHash,
  };
}

async function getLogs(provider: EventsProvider, addresses: string[], from: number, to: number): Promise<RawLog[]> {
  if (typeof provider.send === "function") {
    const raw = await provider.send("eth_getLogs", [
      { address: addresses, fromBlock: toHex(from), toBlock: toHex(to) },
    ]);
    if (!Array.isArray(raw)) throw new Error(`eth_getLogs ${from}–${to} answered ${typeof raw}, not an array`);
    const logs: RawLog[] = [];
    for (const item of raw) {
      const log = parseRawLog(item);
      if (log !== null) logs.push(log);
    }
    return logs;
  }
  const logs = await provider.getLogs({ address: addresses, fromBlock: from, toBlock: to });
  return logs
    .filter((log) => !log.removed)
    .map((log) => ({
      address: log.address,
      topics: log.topics,
      data: log.data,
      blockNumber: log.blockNumber,
      logIndex: log.index,
      transactionHash: log.transactionHash,
    }));
}

async function getBlockTime(provider: EventsProvider, blockNumber: number): Promise<number> {
  if (typeof provider.send === "function") {
    const block = (await provider.send("eth_getBlockByNumber", [toHex(blockNumber), false])) as {
      timestamp?: string;
    } | null;
    if (block === null || typeof block.timestamp !== "string") throw new Error(`block ${blockNumber} not found`);
    return Number.parseInt(block.timestamp, 16);
  }
  const block = await provider.getBlock(blockNumber);
  if (block === null) throw new Error(`block ${blockNumber} not found`);
  return block.timestamp;
}

interface CallPolicy {
  retries: number;
  backoffMs: number;
  attemptTimeoutMs: number;
  signal: AbortSignal | undefined;
}

/** A call with a time limit and bounded retries; `giveUpOn` errors are thrown at once (the caller handles them). */
async function attempt<T>(
  call: () => Promise<T>,
  policy: CallPolicy,
  label: string,
  giveUpOn: (error: unknown) => boolean,
): Promise<T> {
  let lastError: unknown;
  for (let n = 0; n <= policy.retries; n++) {
    if (policy.signal?.aborted === true) throw abortError(policy.signal);
    if (n > 0) await sleep(policy.backoffMs * n, policy.signal);
    try {
      return await withTimeout(call(), policy.attemptTimeoutMs, label);
    } catch (error) {
      if (giveUpOn(error)) throw error;
      lastError = error;
    }
  }
  throw new Error(`${label} failed after ${policy.retries + 1} attempts: ${errorText(lastError)}`, {
    cause: lastError,
  });
}

/** Fills in the block time of each event, fetching each block not yet in `cache` once. */
async function stampTimes(
  provider: EventsProvider,
  events: ComplianceEvent[],
  cache: Map<number, number>,
  concurrency: number,
  policy: CallPolicy,
): Promise<void> {
  const missing: number[] = [];
  const seen = new Set<number>();
  for (const event of events) {
    if (!cache.has(event.blockNumber) && !seen.has(event.blockNumber)) {
      seen.add(event.blockNumber);
      missing.push(event.blockNumber);
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const blockNumber = missing[next++]!;
      const time = await attempt(
        () => getBlockTime(provider, blockNumber),
        policy,
        `eth_getBlockByNumber ${blockNumber}`,
        () => false,
      );
      cache.set(blockNumber, time);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, missing.length) }, worker));
  for (const event of events) event.timestamp = cache.get(event.blockNumber)!;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * The compliance events of `targets` in [fromBlock, toBlock], in chain order, yielded one array per chunk of
 * blocks read (an empty chunk yields nothing).
 */
export async function* streamComplianceEvents(
  provider: EventsProvider,
  targets: ComplianceTargets,
  options: StreamOptions,
): AsyncGenerator<ComplianceEvent[], void, undefined> {
  const { fromBlock, toBlock, signal } = options;
  if (!Number.isSafeInteger(fromBlock) || fromBlock < 0)
    throw new Error(`fromBlock must be a block number, got ${fromBlock}`);
  if (!Number.isSafeInteger(toBlock) || toBlock < fromBlock) {
    throw new Error(`toBlock must be a block number >= fromBlock (${fromBlock}), got ${toBlock}`);
  }
  const maxChunk = positiveInteger(options.chunkBlocks ?? 5_000, "chunkBlocks");
  const concurrency = positiveInteger(options.timestampConcurrency ?? 16, "timestampConcurrency");
  const policy: CallPolicy = {
    retries: options.retries ?? 3,
    backoffMs: options.backoffMs ?? 250,
    attemptTimeoutMs: positiveInteger(options.attemptTimeoutMs ?? 30_000, "attemptTimeoutMs"),
    signal,
  };
  const decoder = complianceDecoder(targets);
  const shared = options.timestampCache;
  const cache = shared ?? new Map<number, number>();

  let chunk = maxChunk;
  // After a refusal, the chunk grows back past the refused size only after a run of successes.
  let refusedAt = Infinity;
  let successes = 0;
  let refusals = 0;
  const fetchRange = (from: number, to: number) => {
    const promise = attempt(
      () => getLogs(provider, decoder.addresses, from, to),
      policy,
      `eth_getLogs blocks ${from}–${to}`,
      isRangeRefusal,
    );
    // Awaited later (or dropped if the reader stops early): no unhandled rejection meanwhile.
    promise.catch(() => undefined);
    return { from, to, promise };
  };
  // The next range's logs are requested while this one's are decoded, stamped and consumed.
  let next: { from: number; to: number; promise: Promise<RawLog[]> } | null = null;
  let start = fromBlock;
  while (start <= toBlock) {
    if (signal?.aborted === true) throw abortError(signal);
    const end = Math.min(toBlock, start + chunk - 1);
    const request: { from: number; to: number; promise: Promise<RawLog[]> } =
      next !== null && next.from === start && next.to === end ? next : fetchRange(start, end);
    next = null;
    let logs: RawLog[];
    try {
      logs = await request.promise;
    } catch (error) {
      if (!isRangeRefusal(error)) throw error;
      if (end === start) {
        throw new Error(`eth_getLogs refused block ${start} even alone: ${errorText(error)}`, { cause: error });
      }
      refusals++;
      refusedAt = end - start + 1;
      chunk = Math.max(1, Math.floor(refusedAt / 2));
      successes = 0;
      continue;
    }
    successes++;
    const grown = Math.min(maxChunk, chunk + Math.max(1, Math.floor(chunk / 4)));
    chunk = grown >= refusedAt && successes < 8 ? Math.max(chunk, refusedAt - 1) : grown;
    if (successes >= 8) refusedAt = Infinity;
    if (end < toBlock) next = fetchRange(end + 1, Math.min(toBlock, end + chunk));
    const events: ComplianceEvent[] = [];
    for (const log of logs) {
      const event = decoder.decode(log);
      if (event !== null) events.push(event);
    }
    await stampTimes(provider, events, cache, concurrency, policy);
    // Blocks only move forward: a private cache need not keep the blocks behind.
    if (shared === undefined) cache.clear();
    options.onChunk?.({ fromBlock: start, toBlock: end, events: events.length, nextChunkBlocks: chunk, refusals });
    start = end + 1;
    if (events.length > 0) yield events;
  }
}

/** Every compliance event of `targets` in [fromBlock, toBlock], in chain order. */
export async function readComplianceEvents(
  provider: EventsProvider,
  targets: ComplianceTargets,
  options: StreamOptions,
): Promise<ComplianceEvent[]> {
  const all: ComplianceEvent[] = [];
  for await (const chunk of streamComplianceEvents(provider, targets, options)) {
    for (const event of chunk) all.push(event);
  }
  return all;
}
