/**
 * The compliance events from a Verity indexer (indexer/, a Ponder app) over HTTP instead of a chain scan,
 * browser-safe (fetch and zod): it checks that the indexer follows the same deployment and has indexed far enough,
 * then pages through `/compliance-events` in chain order and decodes each stored log with the same topic lookup as
 * the chain reader, so both give the same `ComplianceEvent`s. The report (scripts/report/indexer-source.ts) and the
 * supervisor dashboard (app/src/supervisor) read through it.
 *
 * The wire (indexer/src/api serves it; every answer is validated here, a bad one is an error naming the field):
 *
 *   GET /deployment          -> IndexedDeployment (what this indexer follows, by address-book name)
 *   GET /compliance-events?  -> EventPage (chain order, keyset-paged)
 *       fromBlock, toBlock (inclusive), sources=pool,policy,… (INDEXER_SOURCES), after=<block>:<logIndex>,
 *       limit (≤ MAX_PAGE)
 *   GET /status              -> Ponder's own: { <chain name>: { id, block: { number, timestamp } } }
 *   POST /graphql            -> Ponder's GraphQL over the same table, for ad-hoc queries
 */
import { z } from "zod";

import { COMPLIANCE_CONTRACTS, type ComplianceContract } from "./catalogue.js";
import { complianceDecoder } from "./decode.js";
import type { ComplianceEvent, ComplianceTargets } from "./types.js";

/** The indexer's short name of each emitting contract (its `source` column and the `sources` filter). */
export const INDEXER_SOURCES = {
  lendingPool: "pool",
  supervisionPolicy: "policy",
  creditScoreOracle: "oracle",
  savingsVault: "savings",
  pegStabilityModule: "psm",
  complianceReportRegistry: "registry",
} as const satisfies Record<ComplianceContract, string>;

export type IndexerSource = (typeof INDEXER_SOURCES)[ComplianceContract];

/** The most events one page may hold. */
export const MAX_PAGE = 10_000;

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, "not 0x hex");
const blockNumber = z.number().int().nonnegative();

export const indexedDeploymentSchema = z.object({
  chainId: z.number().int().positive(),
  deployedAtBlock: blockNumber,
  /** Address-book name -> lower-case address, for each contract the indexer follows. */
  contracts: z.record(z.string(), z.string()),
});
export type IndexedDeployment = z.infer<typeof indexedDeploymentSchema>;

export const indexedLogSchema = z.object({
  source: z.string(),
  name: z.string(),
  contract: hex,
  blockNumber,
  logIndex: z.number().int().nonnegative(),
  timestamp: z.number().int().nonnegative(),
  txHash: hex,
  topics: z.array(hex),
  data: hex,
});
export type IndexedLog = z.infer<typeof indexedLogSchema>;

export const eventPageSchema = z.object({
  events: z.array(indexedLogSchema),
  /** Pass as `after` for the next page; null on the last one. */
  next: z
    .string()
    .regex(/^\d+:\d+$/)
    .nullable(),
});
export type EventPage = z.infer<typeof eventPageSchema>;

const statusSchema = z.record(
  z.string(),
  z.object({ id: z.number().int(), block: z.object({ number: blockNumber, timestamp: z.number() }) }),
);

export interface IndexerReaderOptions {
  /** One request's time limit (default 60 s). */
  attemptTimeoutMs?: number;
  /** Retries of a request that failed or timed out (default 3), with `backoffMs * n` pauses (default 500). */
  retries?: number;
  backoffMs?: number;
  /** Events per page asked for (default and most: MAX_PAGE). */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface IndexerStreamOptions {
  fromBlock: number;
  toBlock: number;
  /** The contracts to read; default: every one of `targets`. */
  contracts?: readonly ComplianceContract[];
  /** Called once each page has been consumed, with the last block it reached and the events read so far. */
  onPage?: (progress: { reachedBlock: number; events: number }) => void;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(new Error("indexer read aborted"));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new Error("indexer read aborted"));
      },
      { once: true },
    );
  });
}

/** What a zod failure says, with the path of the first bad field. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join(".") || "(root)"}: ${issue.message}`;
}

/** The targets an indexer must follow, by address-book name (the contracts the caller gave an address for). */
function targetAddresses(targets: ComplianceTargets): [ComplianceContract, string][] {
  return COMPLIANCE_CONTRACTS.flatMap((contract) => {
    const address = targets[contract];
    return address === undefined ? [] : [[contract, address] as [ComplianceContract, string]];
  });
}

/** (block, log index) order. */
function isAfter([blockA, logA]: readonly [number, number], [blockB, logB]: readonly [number, number]): boolean {
  return blockA > blockB || (blockA === blockB && logA > logB);
}

/**
 * Refuses a page that breaks the wire's promises (an indexer with a bug, or a hostile one, must not make a reader
 * loop or return events out of range): at most `limit` rows, inside the range, in strict chain order after what was
 * read, and a `next` cursor that is the last row's position, given only on a full page.
 */
function checkPage(
  page: EventPage,
  range: { fromBlock: number; toBlock: number },
  previous: readonly [number, number],
  limit: number,
): void {
  const problem = (why: string) => new Error(`the indexer's page of compliance events is inconsistent: ${why}`);
  if (page.events.length > limit) throw problem(`${page.events.length} events, more than the ${limit} asked for`);
  let position = previous;
  for (const row of page.events) {
    if (row.blockNumber < range.fromBlock || row.blockNumber > range.toBlock)
      throw problem(`block ${row.blockNumber} is outside ${range.fromBlock}–${range.toBlock}`);
    const here: [number, number] = [row.blockNumber, row.logIndex];
    if (!isAfter(here, position))
      throw problem(
        `block ${row.blockNumber} log ${row.logIndex} does not come after block ${position[0]} log ${position[1]}`,
      );
    position = here;
  }
  if (page.next !== null) {
    const last = page.events.at(-1);
    if (last === undefined || page.events.length < limit || page.next !== `${last.blockNumber}:${last.logIndex}`)
      throw problem(`cursor "${page.next}" is not the position of a full page's last event`);
  }
}

/** A reader of one indexer. Throws at once for a URL that is not http(s). */
export function indexerReader(url: string, options: IndexerReaderOptions = {}) {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new Error(`indexer URL "${url}" is not a URL (e.g. http://127.0.0.1:42069)`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error(`indexer URL "${url}" must be http(s)`);
  const origin = base.href.replace(/\/$/, "");
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 60_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const pageSize = options.pageSize ?? MAX_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE)
    throw new Error(`pageSize must be 1–${MAX_PAGE}, got ${pageSize}`);

  /** GETs `path` and validates the JSON answer; retries failures that another attempt may cure (not a 4xx). */
  async function getJson<T>(path: string, schema: z.ZodType<T>, params: Record<string, string> = {}): Promise<T> {
    const target = new URL(`${origin}${path}`);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const label = `indexer GET ${target.pathname}${target.search}`;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoffMs * attempt, options.signal);
      let status: number;
      let text: string;
      try {
        const timeout = AbortSignal.timeout(attemptTimeoutMs);
        const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
        const response = await fetch(target, { signal, headers: { accept: "application/json" } });
        status = response.status;
        text = await response.text();
      } catch (error) {
        if (options.signal?.aborted === true) throw error;
        lastError = error;
        continue;
      }
      if (status >= 500) {
        lastError = new Error(`HTTP ${status}: ${text.slice(0, 300)}`);
        continue;
      }
      if (status !== 200) throw new Error(`${label}: HTTP ${status}: ${text.slice(0, 300)}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`${label}: not JSON: ${text.slice(0, 120)}`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new Error(`${label}: unexpected answer: ${firstIssue(parsed.error)}`);
      return parsed.data;
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`${label} failed after ${retries + 1} attempts: ${reason}`);
  }

  return {
    url: origin,

    /** What the indexer follows. */
    deployment: () => getJson("/deployment", indexedDeploymentSchema),

    /** The last block the indexer has indexed on `chainId`; throws if it reports no progress on that chain. */
    async indexedBlock(chainId: number): Promise<number> {
      const status = await getJson("/status", statusSchema);
      const chain = Object.values(status).find((c) => c.id === chainId);
      if (chain === undefined) throw new Error(`the indexer at ${origin} reports no progress on chain ${chainId} yet`);
      return chain.block.number;
    },

    /**
     * Throws, naming the contract and both addresses, unless the indexer follows `chainId` and every contract of
     * `targets` at the same address.
     */
    async checkFollows(chainId: number, targets: ComplianceTargets): Promise<IndexedDeployment> {
      const deployment = await this.deployment();
      if (deployment.chainId !== chainId)
        throw new Error(
          `the indexer at ${origin} follows chain ${deployment.chainId}, the address book is for chain ${chainId}`,
        );
      for (const [contract, address] of targetAddresses(targets)) {
        if (deployment.contracts[contract] !== address.toLowerCase())
          throw new Error(
            `the indexer at ${origin} follows ${contract} ${deployment.contracts[contract] ?? "(none)"}, the address book has ${address}`,
          );
      }
      return deployment;
    },

    /**
     * The compliance events of `targets` in [fromBlock, toBlock], in chain order, one array per page, with block
     * times. Every stored log is decoded again here; one that does not decode as the event the indexer says it is
     * is an error (an indexer of other ABIs, or a corrupt row).
     */
    async *stream(
      targets: ComplianceTargets,
      range: IndexerStreamOptions,
    ): AsyncGenerator<ComplianceEvent[], void, undefined> {
      const decoder = complianceDecoder(targets);
      const wanted = range.contracts ?? targetAddresses(targets).map(([contract]) => contract);
      const missing = wanted.filter((contract) => targets[contract] === undefined);
      if (missing.length > 0) throw new Error(`no address for ${missing.join(", ")} among the targets`);
      if (wanted.length === 0) return;
      const sources = wanted.map((contract) => INDEXER_SOURCES[contract]).join(",");
      let after: string | null = null;
      let total = 0;
      /** The last (block, log index) read: every page must go on strictly after it, so a bad cursor cannot loop. */
      let position: [number, number] = [-1, -1];
      do {
        const params: Record<string, string> = {
          fromBlock: String(range.fromBlock),
          toBlock: String(range.toBlock),
          sources,
          limit: String(pageSize),
        };
        if (after !== null) params.after = after;
        const page: EventPage = await getJson("/compliance-events", eventPageSchema, params);
        checkPage(page, range, position, pageSize);
        const events: ComplianceEvent[] = [];
        for (const row of page.events) {
          const decoded = decoder.decode(
            {
              address: row.contract,
              topics: row.topics,
              data: row.data,
              blockNumber: row.blockNumber,
              transactionHash: row.txHash,
              logIndex: row.logIndex,
            },
            row.timestamp,
          );
          if (decoded === null || decoded.name !== row.name || INDEXER_SOURCES[decoded.contract] !== row.source)
            throw new Error(
              `the indexer's ${row.name} at block ${row.blockNumber} log ${row.logIndex} does not decode as a compliance event of ${row.source}`,
            );
          events.push(decoded);
        }
        total += events.length;
        const last = page.events.at(-1);
        if (last !== undefined) position = [last.blockNumber, last.logIndex];
        after = page.next;
        yield events;
        range.onPage?.({ reachedBlock: page.events.at(-1)?.blockNumber ?? range.toBlock, events: total });
      } while (after !== null);
    },
  };
}

export type IndexerReader = ReturnType<typeof indexerReader>;
