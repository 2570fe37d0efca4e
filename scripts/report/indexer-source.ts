/**
 * Compliance events from a Verity indexer (indexer/, a Ponder app) over HTTP instead of a chain scan, through the
 * SDK's `indexerReader`: it checks that the indexer follows the same deployment and has indexed up to the report
 * block, then pages through `/compliance-events` and decodes each stored log with the same decoder as the chain
 * scan, so everything downstream is the same.
 */
import { indexerReader } from "../../sdk/src/events/index.js";

import { byChainOrder } from "./analyse.js";
import { reportTargets, toReportEvent } from "./collect.js";
import type { ComplianceEvent } from "./events.js";
import type { RetryOptions } from "./retry.js";
import type { ComplianceEventSource, EventQuery } from "./source.js";

const DEFAULT_RETRY = { retries: 3, attemptTimeoutMs: 60_000, backoffMs: 500 };

export function indexerEventSource(
  url: string,
  retryOptions: Partial<Omit<RetryOptions, "label">> = {},
): ComplianceEventSource {
  const reader = indexerReader(url, { ...DEFAULT_RETRY, ...retryOptions });
  return {
    description: `indexer ${new URL(reader.url).origin}`,
    async collect(query: EventQuery): Promise<ComplianceEvent[]> {
      const targets = reportTargets(query.contracts);
      await reader.checkFollows(query.chainId, targets);
      const indexed = await reader.indexedBlock(query.chainId);
      if (indexed < query.toBlock) {
        throw new Error(
          `the indexer at ${reader.url} has indexed up to block ${indexed}, the report needs block ${query.toBlock}: wait for it to catch up or pass --to-block ${indexed}`,
        );
      }
      const events: ComplianceEvent[] = [];
      const pages = reader.stream(targets, {
        fromBlock: query.fromBlock,
        toBlock: query.toBlock,
        onPage: ({ reachedBlock }) =>
          query.onProgress?.({
            phase: "logs",
            done: reachedBlock - query.fromBlock + 1,
            total: query.toBlock - query.fromBlock + 1,
            events: events.length,
          }),
      });
      for await (const page of pages) {
        for (const event of page) {
          const converted = toReportEvent(event);
          if (converted !== null) events.push(converted);
        }
      }
      return events.sort(byChainOrder);
    },
  };
}
