/**
 * The compliance report's shape, in a module of its own: the builder (`index.ts`) produces it and the renderers
 * read it, so neither imports the other.
 */
import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import type { ComplianceAnalysis } from "./analyse.js";
import type { ChainState } from "./collect.js";
import type { ComplianceEvent } from "./events.js";

export interface ReportMeta {
  network: string;
  chainId: number;
  fromBlock: number;
  toBlock: number;
  startTimestamp: number;
  endTimestamp: number;
  generatedAt: string;
  contracts: AddressBook["contracts"];
  roles: AddressBook["roles"];
  /** Collateral assets the report can name (lower-case address -> symbol, decimals). */
  assets: Record<string, { symbol: string; decimals: number }>;
  /** Where the reason-code texts came from. */
  reasonCodeSource: string;
}

export interface ComplianceReport {
  meta: ReportMeta;
  state: ChainState;
  events: ComplianceEvent[];
  analysis: ComplianceAnalysis;
}
