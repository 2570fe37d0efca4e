/**
 * The indexer's HTTP answers (indexer/src/api), shared by the API and its reader (scripts/report/indexer-source.ts).
 *
 *   GET /deployment                   -> IndexedDeployment (what this indexer follows)
 *   GET /compliance-events?…          -> EventPage (chain order, keyset-paged)
 *       fromBlock, toBlock (inclusive), sources=pool,policy,oracle,psm, after=<block>:<logIndex>, limit (≤ 10,000)
 *   GET /status                       -> Ponder's own: { chain: { id, block: { number, timestamp } } }
 *   POST /graphql                     -> Ponder's GraphQL over the same table, for ad-hoc queries
 */
export interface IndexedDeployment {
  chainId: number;
  deployedAtBlock: number;
  /** Ponder contract name -> lower-case address. */
  contracts: Record<string, string>;
}

export interface IndexedLog {
  source: string;
  name: string;
  contract: string;
  blockNumber: number;
  logIndex: number;
  timestamp: number;
  txHash: string;
  topics: string[];
  data: string;
}

export interface EventPage {
  events: IndexedLog[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

export const MAX_PAGE = 10_000;
