/**
 * The dashboard's compliance events, read with the SDK's events reader (sdk/src/events: adaptive chunked
 * `eth_getLogs`, topic lookup, block times cached): everything since the deployment block on the first read, then
 * only the new blocks on each refresh, with one block-time cache across reads. Each event is kept as a row the
 * panels can render generically (arguments by name).
 */
import { streamComplianceEvents, type ComplianceEvent as SdkEvent } from "../../../../sdk/src/events/index.js";
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

export class EventReader {
  private readonly blockTimes = new Map<number, number>();
  private nextBlock: number;
  readonly events: ComplianceEvent[] = [];

  constructor(private readonly handles: ReadHandles) {
    this.nextBlock = handles.addressBook.deployedAtBlock;
  }

  /** Reads the blocks after the last read up to `head`; returns the new events (also appended to `events`). */
  async readTo(head: number, signal?: AbortSignal): Promise<ComplianceEvent[]> {
    if (head < this.nextBlock) return [];
    const fresh: ComplianceEvent[] = [];
    const chunks = streamComplianceEvents(this.handles.provider, this.handles.addressBook.contracts, {
      fromBlock: this.nextBlock,
      toBlock: head,
      timestampCache: this.blockTimes,
      attemptTimeoutMs: 15_000,
      ...(signal === undefined ? {} : { signal }),
    });
    for await (const chunk of chunks) for (const event of chunk) fresh.push(row(event));
    this.nextBlock = head + 1;
    for (const event of fresh) this.events.push(event);
    return fresh;
  }
}
