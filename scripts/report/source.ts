/**
 * Where the report's events come from: the one seam between the report and its data. `chainEventSource` scans
 * the chain with `eth_getLogs` (collect.ts); `indexerEventSource` (indexer-source.ts) reads a Verity indexer.
 * Both return the same decoded events, so everything downstream is the same code.
 */
import type { Provider } from "ethers";

import { collectEvents, type CollectProgress, type ReportContracts } from "./collect.js";
import type { ComplianceEvent } from "./events.js";
import type { RetryOptions } from "./retry.js";

export interface EventQuery {
  chainId: number;
  contracts: ReportContracts;
  fromBlock: number;
  toBlock: number;
  onProgress?: (progress: CollectProgress) => void;
}

export interface ComplianceEventSource {
  /** Names the source in messages and in the report's metadata, e.g. "chain" or "indexer http://…". */
  readonly description: string;
  /**
   * Every compliance event of the pool, policy, oracle, savings vault and report registry in [fromBlock, toBlock],
   * in chain order, with block times.
   */
  collect(query: EventQuery): Promise<ComplianceEvent[]>;
}

export function chainEventSource(
  provider: Provider,
  options: { chunkBlocks?: number; retry?: Omit<RetryOptions, "label"> } = {},
): ComplianceEventSource {
  return {
    description: "chain",
    collect: (query) =>
      collectEvents({
        provider,
        contracts: query.contracts,
        fromBlock: query.fromBlock,
        toBlock: query.toBlock,
        chunkBlocks: options.chunkBlocks,
        retry: options.retry,
        onProgress: query.onProgress,
      }),
  };
}
