/**
 * The dashboard's compliance events, from one of two sources with the same output: the chain, read with the SDK's
 * events reader (adaptive chunked `eth_getLogs`, topic lookup, block times cached), or a Verity indexer (the
 * SDK's `indexerReader`: the same events, decoded by the same lookup, out of its database) when the config names
 * one. Everything since the deployment block on the first read, then only the new blocks on each refresh. Each
 * event is kept as a row the panels can render generically (arguments by name).
 */
import {
  indexerReader,
  streamComplianceEvents,
  type ComplianceEvent as SdkEvent,
  type ComplianceTargets,
} from "../../../../sdk/src/events/index.js";
import type { ReadHandles } from "./contracts.js";

/** A decoded event as the dashboard shows it: its arguments by name (bigint for integers). */
export interface ComplianceEvent {
  /** `${blockNumber}-${logIndex}`: unique and in chain order. */
  key: string;
  name: SdkEvent["name"];
  contract: SdkEvent["contract"];
  blockNumber: number;
  logIndex: number;
  txHash: string;
  /** Block time, unix seconds. */
  timestamp: number;
  args: Readonly<Record<string, unknown>>;
}

function row(event: SdkEvent): ComplianceEvent {
  return {
    key: `${event.blockNumber}-${event.logIndex}`,
    name: event.name,
    contract: event.contract,
    blockNumber: event.blockNumber,
    logIndex: event.logIndex,
    txHash: event.transactionHash,
    timestamp: event.timestamp,
    args: event.args as unknown as Record<string, unknown>,
  };
}

/** Where the dashboard's events come from. */
export interface DashboardEventSource {
  /** "the chain" or "the indexer at <url>": shown on the page. */
  readonly description: string;
  /** The newest block whose events this source can give (the state is read at the same block). */
  head(): Promise<number>;
  /** The events of [fromBlock, toBlock], in chain order, a chunk at a time. */
  read(fromBlock: number, toBlock: number, signal?: AbortSignal): AsyncIterable<SdkEvent[]>;
}

/** The compliance contracts of the deployment (every one the address book names). */
function targetsOf(handles: ReadHandles): ComplianceTargets {
  return handles.addressBook.contracts;
}

/** Events from `eth_getLogs`, with one block-time cache across reads. */
export function chainEventSource(handles: ReadHandles): DashboardEventSource {
  const blockTimes = new Map<number, number>();
  return {
    description: "the chain",
    head: () => handles.provider.getBlockNumber(),
    read: (fromBlock, toBlock, signal) =>
      streamComplianceEvents(handles.provider, targetsOf(handles), {
        fromBlock,
        toBlock,
        timestampCache: blockTimes,
        attemptTimeoutMs: 15_000,
        ...(signal === undefined ? {} : { signal }),
      }),
  };
}

/**
 * Events from a Verity indexer. Its head is the block it has indexed (never past the chain's); on the first call
 * it must prove it follows this deployment (same chain, every contract at the book's address), or the dashboard
 * says why it cannot use it.
 */
export function indexerEventSource(handles: ReadHandles, url: string): DashboardEventSource {
  const reader = indexerReader(url, { retries: 1, attemptTimeoutMs: 15_000 });
  const { chainId } = handles.addressBook;
  let checked: Promise<unknown> | undefined;
  return {
    description: `the indexer at ${reader.url}`,
    async head() {
      checked ??= reader.checkFollows(chainId, targetsOf(handles)).catch((error: unknown) => {
        checked = undefined; // ask again on the next refresh
        throw error;
      });
      await checked;
      const [indexed, chainHead] = await Promise.all([reader.indexedBlock(chainId), handles.provider.getBlockNumber()]);
      return Math.min(indexed, chainHead);
    },
    read: (fromBlock, toBlock) => reader.stream(targetsOf(handles), { fromBlock, toBlock }),
  };
}

/** The source the config asks for: the indexer when it names one, else the chain. */
export function eventSourceFor(handles: ReadHandles, indexerUrl: string | undefined): DashboardEventSource {
  return indexerUrl === undefined ? chainEventSource(handles) : indexerEventSource(handles, indexerUrl);
}

export class EventReader {
  private nextBlock: number;
  readonly events: ComplianceEvent[] = [];

  constructor(
    handles: ReadHandles,
    readonly source: DashboardEventSource,
  ) {
    this.nextBlock = handles.addressBook.deployedAtBlock;
  }

  /** Reads the blocks after the last read up to `head`; returns the new events (also appended to `events`). */
  async readTo(head: number, signal?: AbortSignal): Promise<ComplianceEvent[]> {
    if (head < this.nextBlock) return [];
    const fresh: ComplianceEvent[] = [];
    for await (const chunk of this.source.read(this.nextBlock, head, signal))
      for (const event of chunk) fresh.push(row(event));
    this.nextBlock = head + 1;
    for (const event of fresh) this.events.push(event);
    return fresh;
  }
}
