/**
 * Compliance events from a Verity indexer (indexer/, a Ponder app) over HTTP instead of a chain scan: it checks
 * that the indexer follows the same deployment and has indexed up to the report block, then pages through
 * `/compliance-events` and decodes each stored log with the same ABI and decoder as the chain scan.
 */
import type { EventPage, IndexedDeployment } from "../../indexer/wire.js";
import { complianceDecoder } from "../../sdk/src/events/index.js";

import { byChainOrder } from "./analyse.js";
import { toReportEvent } from "./collect.js";
import type { ComplianceEvent } from "./events.js";
import { withRetry, type RetryOptions } from "./retry.js";
import type { ComplianceEventSource, EventQuery } from "./source.js";

const DEFAULT_RETRY = { retries: 3, attemptTimeoutMs: 60_000, backoffMs: 500 };
const PAGE = 10_000;

export function indexerEventSource(
  url: string,
  retryOptions: Partial<Omit<RetryOptions, "label">> = {},
): ComplianceEventSource {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new Error(`indexer URL "${url}" is not a URL (e.g. http://127.0.0.1:42069)`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error(`indexer URL "${url}" must be http(s)`);
  const retry = { ...DEFAULT_RETRY, ...retryOptions };

  async function getJson<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const target = new URL(path, base);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const label = `indexer GET ${target.pathname}${target.search}`;
    const { status, text } = await withRetry(
      async () => {
        const response = await fetch(target, { signal: AbortSignal.timeout(retry.attemptTimeoutMs) });
        return { status: response.status, text: await response.text() };
      },
      { ...retry, label },
    );
    if (status !== 200) throw new Error(`${label}: HTTP ${status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${label}: not JSON: ${text.slice(0, 120)}`);
    }
  }

  return {
    description: `indexer ${base.origin}`,
    async collect(query: EventQuery): Promise<ComplianceEvent[]> {
      const deployment = await getJson<IndexedDeployment>("/deployment");
      const expected = {
        LendingPool: query.contracts.lendingPool,
        SupervisionPolicy: query.contracts.supervisionPolicy,
        CreditScoreOracle: query.contracts.creditScoreOracle,
      };
      if (deployment.chainId !== query.chainId) {
        throw new Error(
          `the indexer at ${base.origin} follows chain ${deployment.chainId}, the address book is for chain ${query.chainId}`,
        );
      }
      for (const [name, address] of Object.entries(expected)) {
        if (deployment.contracts[name] !== address.toLowerCase()) {
          throw new Error(
            `the indexer at ${base.origin} follows ${name} ${deployment.contracts[name] ?? "(none)"}, the address book has ${address}`,
          );
        }
      }
      const status = await getJson<Record<string, { id: number; block: { number: number } }>>("/status");
      const chain = Object.values(status).find((c) => c.id === query.chainId);
      if (chain === undefined)
        throw new Error(`the indexer at ${base.origin} reports no progress on chain ${query.chainId} yet`);
      if (chain.block.number < query.toBlock) {
        throw new Error(
          `the indexer at ${base.origin} has indexed up to block ${chain.block.number}, the report needs block ${query.toBlock}: wait for it to catch up or pass --to-block ${chain.block.number}`,
        );
      }

      const decoder = complianceDecoder({
        lendingPool: expected.LendingPool,
        supervisionPolicy: expected.SupervisionPolicy,
        creditScoreOracle: expected.CreditScoreOracle,
      });
      const events: ComplianceEvent[] = [];
      let after: string | null = null;
      do {
        const params: Record<string, string> = {
          fromBlock: String(query.fromBlock),
          toBlock: String(query.toBlock),
          sources: "pool,policy,oracle",
          limit: String(PAGE),
        };
        if (after !== null) params.after = after;
        const page: EventPage = await getJson<EventPage>("/compliance-events", params);
        for (const row of page.events) {
          const log = {
            address: row.contract,
            topics: row.topics,
            data: row.data,
            blockNumber: row.blockNumber,
            transactionHash: row.txHash,
            logIndex: row.logIndex,
          };
          const decoded = decoder.decode(log, row.timestamp);
          const event = decoded === null ? null : toReportEvent(decoded);
          if (event === null || event.name !== row.name || event.source !== row.source) {
            throw new Error(
              `the indexer's ${row.name} at block ${row.blockNumber} log ${row.logIndex} does not decode as a compliance event of ${row.source}`,
            );
          }
          events.push(event);
        }
        after = page.next;
        const reached = page.events.at(-1)?.blockNumber ?? query.toBlock;
        query.onProgress?.({
          phase: "logs",
          done: reached - query.fromBlock + 1,
          total: query.toBlock - query.fromBlock + 1,
          events: events.length,
        });
      } while (after !== null);
      return events.sort(byChainOrder);
    },
  };
}
