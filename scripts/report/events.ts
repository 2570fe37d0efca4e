/**
 * The compliance events a report reads, as plain values (bigint amounts, number bps and tiers, 0x strings), so
 * the analysis is a pure function of a list that a test can write by hand. Names and fields mirror
 * `contracts/interfaces/IComplianceEvents.sol`; `DebtRebased` (from `ILendingPool`) is read as well, because it
 * is the only record of a borrower's debt moving to another tier.
 */

/** Which contract of the address book emitted the event. */
export type EventSource = "pool" | "policy" | "oracle" | "savings" | "registry";

export interface EventMeta {
  source: EventSource;
  blockNumber: number;
  /** Block time, seconds since the epoch. */
  timestamp: number;
  txHash: string;
  logIndex: number;
}

export interface EventArgs {
  LoanOriginated: { borrower: string; amountWad: bigint; tier: number; pdBps: number; modelId: string; ltvBps: bigint };
  LoanRepaid: { borrower: string; payer: string; amountWad: bigint; interestWad: bigint; debtLeftWad: bigint };
  PositionLiquidated: {
    borrower: string;
    liquidator: string;
    collateralAsset: string;
    debtRepaidWad: bigint;
    collateralSeized: bigint;
    badDebtWad: bigint;
  };
  DebtRebased: { borrower: string; oldTier: number; newTier: number; debtWad: bigint };
  ScorePosted: {
    borrower: string;
    modelId: string;
    pdBps: number;
    reasonCodes: number[];
    issuedAt: number;
    validUntil: number;
    operatorSetVersion: bigint;
    /** The data provider whose signed credit file was scored, and that file's EIP-712 digest. */
    provider: string;
    creditFileHash: string;
  };
  AdverseAction: { borrower: string; modelId: string; pdBps: number; reasonCodes: number[] };
  RuleChangeScheduled: { changeId: string; rule: string; oldValue: bigint; newValue: bigint; executableAt: number };
  RuleChangeCancelled: { changeId: string; rule: string };
  RuleChanged: { changeId: string; rule: string; oldValue: bigint; newValue: bigint };
  ModelProposed: { modelId: string; validationReportHash: string; modelIndex: number };
  ModelApproved: { modelId: string };
  ModelRetired: { modelId: string };
  DataProviderApproved: {
    provider: string;
    name: string;
    signingKeys: string[];
    schemaHash: string;
    dataQualityHash: string;
  };
  DataProviderRetired: { provider: string };
  CircuitBreakerTripped: { reason: string; by: string; detail: bigint };
  CircuitBreakerReset: { by: string; liquidationsResumeAt: number };
  OperatorSetChanged: { version: bigint; operators: string[]; threshold: number };
  ExposureSnapshot: {
    totalDebtWad: bigint;
    totalCollateralValueWad: bigint;
    vusdSupplyWad: bigint;
    debtByTierWad: bigint[];
  };
  FairnessReportPublished: {
    modelId: string;
    periodStart: number;
    periodEnd: number;
    eodBps: number;
    dirBps: number;
    reportHash: string;
  };
  /** The savings vault paid savers from surplus (IComplianceEvents). */
  SavingsYieldPaid: {
    paidWad: bigint;
    interestBasisWad: bigint;
    shareBps: number;
    owedWad: bigint;
    sharePriceWad: bigint;
  };
  /** ERC-4626 `Deposit` and `Withdraw` of the savings vault: vUSD in or out, sVUSD shares (24 decimals) minted or burnt. */
  Deposit: { sender: string; owner: string; assets: bigint; shares: bigint };
  Withdraw: { sender: string; receiver: string; owner: string; assets: bigint; shares: bigint };
  /** The pool froze a collateral asset (its price sources disagree) and lifted the freeze. */
  AssetFrozen: {
    asset: string;
    reason: string;
    primaryPriceWad: bigint;
    fallbackPriceWad: bigint;
    lastAgreedPriceWad: bigint;
  };
  AssetUnfrozen: { asset: string; priceWad: bigint };
  /** A borrower's score expired: their debt keeps `tier` until `noticeEndsAt`. */
  ScoreExpiring: { borrower: string; tier: number; expiredAt: number; noticeEndsAt: number };
  /** The regulator attested a compliance report's sha256 and the blocks it covers (ComplianceReportRegistry). */
  ComplianceReportAttested: { reportSha256: string; attester: string; fromBlock: number; toBlock: number; uri: string };
  MonitoringReportPublished: {
    modelId: string;
    operator: string;
    windowStart: number;
    windowEnd: number;
    applications: number;
    maxPsiBps: number;
    summaryHash: string;
  };
}

export type EventName = keyof EventArgs;

export const EVENT_NAMES = [
  "LoanOriginated",
  "LoanRepaid",
  "PositionLiquidated",
  "DebtRebased",
  "ScorePosted",
  "AdverseAction",
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
  "OperatorSetChanged",
  "ExposureSnapshot",
  "FairnessReportPublished",
  "MonitoringReportPublished",
  "SavingsYieldPaid",
  "Deposit",
  "Withdraw",
  "AssetFrozen",
  "AssetUnfrozen",
  "ScoreExpiring",
  "ComplianceReportAttested",
] as const satisfies readonly EventName[];

/** Which contract emits which event: a log of a known name from another contract is not part of the record. */
export const EMITTER: Record<EventName, EventSource> = {
  LoanOriginated: "pool",
  LoanRepaid: "pool",
  PositionLiquidated: "pool",
  DebtRebased: "pool",
  ExposureSnapshot: "pool",
  AssetFrozen: "pool",
  AssetUnfrozen: "pool",
  ScoreExpiring: "pool",
  RuleChangeScheduled: "policy",
  RuleChangeCancelled: "policy",
  RuleChanged: "policy",
  CircuitBreakerTripped: "policy",
  CircuitBreakerReset: "policy",
  ScorePosted: "oracle",
  AdverseAction: "oracle",
  ModelProposed: "oracle",
  ModelApproved: "oracle",
  ModelRetired: "oracle",
  DataProviderApproved: "oracle",
  DataProviderRetired: "oracle",
  OperatorSetChanged: "oracle",
  FairnessReportPublished: "oracle",
  MonitoringReportPublished: "oracle",
  SavingsYieldPaid: "savings",
  Deposit: "savings",
  Withdraw: "savings",
  ComplianceReportAttested: "registry",
};

/** One decoded event: `name` narrows `args`. */
export type ComplianceEvent = { [N in EventName]: EventMeta & { name: N; args: EventArgs[N] } }[EventName];

/** One event of kind `N`. */
export type EventOf<N extends EventName> = Extract<ComplianceEvent, { name: N }>;

/** The events named `name`, typed. */
export function eventsNamed<N extends EventName>(events: readonly ComplianceEvent[], name: N): EventOf<N>[] {
  return events.filter((e): e is EventOf<N> => e.name === name);
}
