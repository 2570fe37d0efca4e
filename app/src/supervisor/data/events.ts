/**
 * The dashboard's compliance events: every log of the pool, the policy, the oracle and the savings vault since the
 * deployment block, decoded with their ABIs, read in bounded block ranges and then incrementally (only the new
 * blocks on each refresh), each with its block time. The one module that reads events: the SDK's events reader
 * replaces it when it lands.
 */
import { Interface, type Log, type LogDescription } from "ethers";

import type { ReadHandles } from "./contracts.js";

/** A decoded event, its arguments as plain values (bigint for integers). */
export interface ComplianceEvent {
  /** `${blockNumber}-${logIndex}`: unique and in chain order. */
  key: string;
  name: string;
  contract: "pool" | "policy" | "oracle" | "savingsVault";
  blockNumber: number;
  logIndex: number;
  txHash: string;
  /** Block time, unix seconds. */
  timestamp: number;
  args: Record<string, unknown>;
}

/** The compliance vocabulary the list shows (the rest, e.g. PriceAccepted, only feeds the state views). */
export const COMPLIANCE_EVENTS = [
  "LoanOriginated",
  "LoanRepaid",
  "PositionLiquidated",
  "ScorePosted",
  "AdverseAction",
  "ScoreExpiring",
  "RuleChangeScheduled",
  "RuleChangeCancelled",
  "RuleChanged",
  "ModelProposed",
  "ModelApproved",
  "ModelRetired",
  "DataProviderApproved",
  "DataProviderRetired",
  "CircuitBreakerTripped",
  "CircuitBreakerReset",
  "AssetFrozen",
  "AssetUnfrozen",
  "OperatorSetChanged",
  "ExposureSnapshot",
  "FairnessReportPublished",
  "MonitoringReportPublished",
  "SavingsYieldPaid",
  "DebtRebased",
  "BadDebtWrittenOff",
] as const;

const CHUNK_BLOCKS = 5_000;

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

function argsOf(parsed: LogDescription): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    const value: unknown = parsed.args[i];
    out[input.name] = plain(value instanceof Array ? [...(value as unknown[])] : value);
  });
  return out;
}

export class EventReader {
  private readonly sources: { address: string; contract: ComplianceEvent["contract"]; iface: Interface }[];
  private readonly blockTimes = new Map<number, number>();
  private nextBlock: number;
  readonly events: ComplianceEvent[] = [];

  constructor(private readonly handles: ReadHandles) {
    const { addressBook } = handles;
    this.nextBlock = addressBook.deployedAtBlock;
    this.sources = [
      { address: addressBook.contracts.lendingPool, contract: "pool", iface: handles.pool.interface },
      { address: addressBook.contracts.supervisionPolicy, contract: "policy", iface: handles.policy.interface },
      { address: addressBook.contracts.creditScoreOracle, contract: "oracle", iface: handles.oracle.interface },
    ];
    if (handles.savingsVault !== undefined && addressBook.contracts.savingsVault !== undefined)
      this.sources.push({
        address: addressBook.contracts.savingsVault,
        contract: "savingsVault",
        iface: handles.savingsVault.interface,
      });
  }

  /** Reads the blocks after the last read up to `head`; returns the new events (also appended to `events`). */
  async readTo(head: number): Promise<ComplianceEvent[]> {
    const fresh: ComplianceEvent[] = [];
    while (this.nextBlock <= head) {
      const toBlock = Math.min(head, this.nextBlock + CHUNK_BLOCKS - 1);
      const logs = await this.handles.provider.getLogs({
        address: this.sources.map((s) => s.address),
        fromBlock: this.nextBlock,
        toBlock,
      });
      for (const log of logs) {
        const decoded = this.decode(log);
        if (decoded !== undefined) fresh.push(decoded);
      }
      this.nextBlock = toBlock + 1;
    }
    await this.stampTimes(fresh);
    for (const event of fresh) this.events.push(event);
    return fresh;
  }

  private decode(log: Log): ComplianceEvent | undefined {
    const source = this.sources.find((s) => s.address.toLowerCase() === log.address.toLowerCase());
    if (source === undefined) return undefined;
    const parsed = source.iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) return undefined;
    return {
      key: `${log.blockNumber}-${log.index}`,
      name: parsed.name,
      contract: source.contract,
      blockNumber: log.blockNumber,
      logIndex: log.index,
      txHash: log.transactionHash,
      timestamp: 0,
      args: argsOf(parsed),
    };
  }

  private async stampTimes(events: ComplianceEvent[]): Promise<void> {
    const missing = [...new Set(events.map((e) => e.blockNumber))].filter((n) => !this.blockTimes.has(n));
    for (let i = 0; i < missing.length; i += 20) {
      const blocks = await Promise.all(missing.slice(i, i + 20).map((n) => this.handles.provider.getBlock(n)));
      blocks.forEach((block, j) => {
        if (block === null) throw new Error(`block ${missing[i + j]} is missing from the node`);
        this.blockTimes.set(block.number, block.timestamp);
      });
    }
    for (const event of events) event.timestamp = this.blockTimes.get(event.blockNumber) ?? 0;
  }
}
