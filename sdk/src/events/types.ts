/**
 * The decoded compliance events: plain objects, arguments by name with the ABI's own types (every uint a bigint,
 * addresses checksummed, bytes32 as 0x hex, arrays as arrays), each with where and when it happened.
 */
import type {
  AdverseActionEvent,
  AssetFrozenEvent,
  AssetUnfrozenEvent,
  CircuitBreakerResetEvent,
  CircuitBreakerTrippedEvent,
  DataProviderApprovedEvent,
  DataProviderRetiredEvent,
  DebtRebasedEvent,
  ExposureSnapshotEvent,
  FairnessReportPublishedEvent,
  LoanOriginatedEvent,
  LoanRepaidEvent,
  ModelApprovedEvent,
  ModelProposedEvent,
  ModelRetiredEvent,
  MonitoringReportPublishedEvent,
  OperatorSetChangedEvent,
  PositionLiquidatedEvent,
  RuleChangeCancelledEvent,
  RuleChangedEvent,
  RuleChangeScheduledEvent,
  SavingsYieldPaidEvent,
  ScoreExpiringEvent,
  ScorePostedEvent,
} from "../../../types/ethers-contracts/interfaces/ILendingPool.js";
import type { ComplianceReportAttestedEvent } from "../../../types/ethers-contracts/interfaces/IComplianceReportRegistry.js";
import type {
  PsmBufferFilledEvent,
  PsmBufferTrimmedEvent,
  PsmFeesSweptEvent,
  PsmRulesSyncedEvent,
  PsmSwappedInEvent,
  PsmSwappedOutEvent,
  PsmVusdFeesSweptEvent,
} from "../../../types/ethers-contracts/interfaces/IPegStabilityModule.js";
import type { DepositEvent, WithdrawEvent } from "../../../types/ethers-contracts/interfaces/ISavingsVault.js";

import type { ComplianceContract, EVENTS_BY_CONTRACT } from "./catalogue.js";

/** Each event's arguments by name (TypeChain's output objects: uints are bigint). */
export interface ComplianceEventArgs {
  LoanOriginated: LoanOriginatedEvent.OutputObject;
  LoanRepaid: LoanRepaidEvent.OutputObject;
  PositionLiquidated: PositionLiquidatedEvent.OutputObject;
  DebtRebased: DebtRebasedEvent.OutputObject;
  ExposureSnapshot: ExposureSnapshotEvent.OutputObject;
  AssetFrozen: AssetFrozenEvent.OutputObject;
  AssetUnfrozen: AssetUnfrozenEvent.OutputObject;
  ScoreExpiring: ScoreExpiringEvent.OutputObject;
  RuleChangeScheduled: RuleChangeScheduledEvent.OutputObject;
  RuleChangeCancelled: RuleChangeCancelledEvent.OutputObject;
  RuleChanged: RuleChangedEvent.OutputObject;
  CircuitBreakerTripped: CircuitBreakerTrippedEvent.OutputObject;
  CircuitBreakerReset: CircuitBreakerResetEvent.OutputObject;
  ScorePosted: ScorePostedEvent.OutputObject;
  AdverseAction: AdverseActionEvent.OutputObject;
  ModelProposed: ModelProposedEvent.OutputObject;
  ModelApproved: ModelApprovedEvent.OutputObject;
  ModelRetired: ModelRetiredEvent.OutputObject;
  DataProviderApproved: DataProviderApprovedEvent.OutputObject;
  DataProviderRetired: DataProviderRetiredEvent.OutputObject;
  OperatorSetChanged: OperatorSetChangedEvent.OutputObject;
  FairnessReportPublished: FairnessReportPublishedEvent.OutputObject;
  MonitoringReportPublished: MonitoringReportPublishedEvent.OutputObject;
  SavingsYieldPaid: SavingsYieldPaidEvent.OutputObject;
  Deposit: DepositEvent.OutputObject;
  Withdraw: WithdrawEvent.OutputObject;
  PsmSwappedIn: PsmSwappedInEvent.OutputObject;
  PsmSwappedOut: PsmSwappedOutEvent.OutputObject;
  PsmFeesSwept: PsmFeesSweptEvent.OutputObject;
  PsmVusdFeesSwept: PsmVusdFeesSweptEvent.OutputObject;
  PsmBufferFilled: PsmBufferFilledEvent.OutputObject;
  PsmBufferTrimmed: PsmBufferTrimmedEvent.OutputObject;
  PsmRulesSynced: PsmRulesSyncedEvent.OutputObject;
  ComplianceReportAttested: ComplianceReportAttestedEvent.OutputObject;
}

export type ComplianceEventName = keyof ComplianceEventArgs;

// Every catalogued event has its arguments' type, and no type lacks its catalogue entry.
type Catalogued = (typeof EVENTS_BY_CONTRACT)[ComplianceContract][number];
const _catalogued: [Catalogued] extends [ComplianceEventName] ? true : never = true;
const _typed: [ComplianceEventName] extends [Catalogued] ? true : never = true;
void _catalogued;
void _typed;

/** Where and when an event happened. */
export interface ComplianceEventMeta {
  /** The address book's name of the contract that emitted it. */
  contract: ComplianceContract;
  /** That contract's address, checksummed. */
  address: string;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  /** Block time, seconds since the epoch. */
  timestamp: number;
}

/** One decoded event: `name` narrows `args`. */
export type ComplianceEvent = {
  [N in ComplianceEventName]: ComplianceEventMeta & { name: N; args: ComplianceEventArgs[N] };
}[ComplianceEventName];

/** One event named `N`. */
export type ComplianceEventOf<N extends ComplianceEventName> = Extract<ComplianceEvent, { name: N }>;

/** The addresses to read: an address book's `contracts` fits (the savings vault, the PSM and the registry are optional). */
export type ComplianceTargets = Record<"lendingPool" | "supervisionPolicy" | "creditScoreOracle", string> &
  Partial<Record<"savingsVault" | "pegStabilityModule" | "complianceReportRegistry", string>>;
