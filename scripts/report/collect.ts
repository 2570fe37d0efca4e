/**
 * Reads the compliance events of the pool, the policy and the oracle from the chain, in bounded block ranges,
 * decoded with the TypeChain interfaces, each with its block number, block time and transaction hash; and the few
 * facts at the report block that events cannot give (tier bounds, approval threshold, principal per borrower).
 */
import { getAddress, type Interface, type Log, type Provider, type Result } from "ethers";

import {
  CreditScoreOracle__factory,
  ICreditScoreOracle__factory,
  PegStabilityModule__factory,
  VusdFlashMinter__factory,
  ILendingPool__factory,
  ISavingsVault__factory,
  ISupervisionPolicy__factory,
  LendingPool__factory,
  SupervisionPolicy__factory,
} from "../../types/ethers-contracts/index.js";
import type {
  AdverseActionEvent,
  DataProviderApprovedEvent,
  DataProviderRetiredEvent,
  CircuitBreakerResetEvent,
  CircuitBreakerTrippedEvent,
  DebtRebasedEvent,
  ExposureSnapshotEvent,
  FairnessReportPublishedEvent,
  MonitoringReportPublishedEvent,
  LoanOriginatedEvent,
  LoanRepaidEvent,
  ModelApprovedEvent,
  ModelProposedEvent,
  ModelRetiredEvent,
  OperatorSetChangedEvent,
  PositionLiquidatedEvent,
  RuleChangeCancelledEvent,
  RuleChangedEvent,
  RuleChangeScheduledEvent,
  ScorePostedEvent,
} from "../../types/ethers-contracts/interfaces/ILendingPool.js";
import type { AddressBook } from "../../oracle/src/protocol/address-book.js";

import { byChainOrder } from "./analyse.js";
import { EMITTER, type ComplianceEvent, type EventArgs, type EventMeta, type EventName, type EventSource } from "./events.js";
import { mapBounded, withRetry, type RetryOptions } from "./retry.js";

export interface CollectOptions {
  provider: Provider;
  contracts: Pick<AddressBook["contracts"], "lendingPool" | "supervisionPolicy" | "creditScoreOracle" | "savingsVault">;
  fromBlock: number;
  toBlock: number;
  /** Blocks per `eth_getLogs` call (providers cap the range; 5,000 suits most). */
  chunkBlocks?: number;
  retry?: Partial<Omit<RetryOptions, "label">>;
  onProgress?: (progress: CollectProgress) => void;
}

export interface CollectProgress {
  phase: "logs" | "timestamps" | "state";
  done: number;
  total: number;
  events: number;
}

const DEFAULT_RETRY = { retries: 3, attemptTimeoutMs: 30_000, backoffMs: 500 };
const READ_CONCURRENCY = 8;

/** ethers decodes uintN as bigint; tiers, bps and timestamps fit a number. */
const num = (value: bigint) => Number(value);

/** Plain values from the decoded arguments, typed by TypeChain's output objects. */
const DECODERS: { [N in EventName]: (args: Result) => EventArgs[N] } = {
  LoanOriginated: (r) => {
    const a = r as unknown as LoanOriginatedEvent.OutputObject;
    return { borrower: a.borrower, amountWad: a.amountWad, tier: num(a.tier), pdBps: num(a.pdBps), modelId: a.modelId, ltvBps: a.ltvBps };
  },
  LoanRepaid: (r) => {
    const a = r as unknown as LoanRepaidEvent.OutputObject;
    return { borrower: a.borrower, payer: a.payer, amountWad: a.amountWad, interestWad: a.interestWad, debtLeftWad: a.debtLeftWad };
  },
  PositionLiquidated: (r) => {
    const a = r as unknown as PositionLiquidatedEvent.OutputObject;
    return {
      borrower: a.borrower,
      liquidator: a.liquidator,
      collateralAsset: a.collateralAsset,
      debtRepaidWad: a.debtRepaidWad,
      collateralSeized: a.collateralSeized,
      badDebtWad: a.badDebtWad,
    };
  },
  DebtRebased: (r) => {
    const a = r as unknown as DebtRebasedEvent.OutputObject;
    return { borrower: a.borrower, oldTier: num(a.oldTier), newTier: num(a.newTier), debtWad: a.debtWad };
  },
  ScorePosted: (r) => {
    const a = r as unknown as ScorePostedEvent.OutputObject;
    return {
      borrower: a.borrower,
      modelId: a.modelId,
      pdBps: num(a.pdBps),
      reasonCodes: [...a.reasonCodes].map(num),
      issuedAt: num(a.issuedAt),
      validUntil: num(a.validUntil),
      operatorSetVersion: a.operatorSetVersion,
      provider: a.provider,
      creditFileHash: a.creditFileHash,
    };
  },
  AdverseAction: (r) => {
    const a = r as unknown as AdverseActionEvent.OutputObject;
    return { borrower: a.borrower, modelId: a.modelId, pdBps: num(a.pdBps), reasonCodes: [...a.reasonCodes].map(num) };
  },
  RuleChangeScheduled: (r) => {
    const a = r as unknown as RuleChangeScheduledEvent.OutputObject;
    return { changeId: a.changeId, rule: a.rule, oldValue: a.oldValue, newValue: a.newValue, executableAt: num(a.executableAt) };
  },
  RuleChangeCancelled: (r) => {
    const a = r as unknown as RuleChangeCancelledEvent.OutputObject;
    return { changeId: a.changeId, rule: a.rule };
  },
  RuleChanged: (r) => {
    const a = r as unknown as RuleChangedEvent.OutputObject;
    return { changeId: a.changeId, rule: a.rule, oldValue: a.oldValue, newValue: a.newValue };
  },
  ModelProposed: (r) => {
    const a = r as unknown as ModelProposedEvent.OutputObject;
    return { modelId: a.modelId, validationReportHash: a.validationReportHash, modelIndex: num(a.modelIndex) };
  },
  ModelApproved: (r) => ({ modelId: (r as unknown as ModelApprovedEvent.OutputObject).modelId }),
  ModelRetired: (r) => ({ modelId: (r as unknown as ModelRetiredEvent.OutputObject).modelId }),
  DataProviderApproved: (r) => {
    const a = r as unknown as DataProviderApprovedEvent.OutputObject;
    return { provider: a.provider, name: a.name, signingKeys: [...a.signingKeys], schemaHash: a.schemaHash, dataQualityHash: a.dataQualityHash };
  },
  DataProviderRetired: (r) => ({ provider: (r as unknown as DataProviderRetiredEvent.OutputObject).provider }),
  CircuitBreakerTripped: (r) => {
    const a = r as unknown as CircuitBreakerTrippedEvent.OutputObject;
    return { reason: a.reason, by: a.by, detail: a.detail };
  },
  CircuitBreakerReset: (r) => {
    const a = r as unknown as CircuitBreakerResetEvent.OutputObject;
    return { by: a.by, liquidationsResumeAt: num(a.liquidationsResumeAt) };
  },
  OperatorSetChanged: (r) => {
    const a = r as unknown as OperatorSetChangedEvent.OutputObject;
    return { version: a.version, operators: [...a.operators], threshold: num(a.threshold) };
  },
  ExposureSnapshot: (r) => {
    const a = r as unknown as ExposureSnapshotEvent.OutputObject;
    return {
      totalDebtWad: a.totalDebtWad,
      totalCollateralValueWad: a.totalCollateralValueWad,
      vusdSupplyWad: a.vusdSupplyWad,
      debtByTierWad: [...a.debtByTierWad],
    };
  },
  FairnessReportPublished: (r) => {
    const a = r as unknown as FairnessReportPublishedEvent.OutputObject;
    return {
      modelId: a.modelId,
      periodStart: num(a.periodStart),
      periodEnd: num(a.periodEnd),
      eodBps: num(a.eodBps),
      dirBps: num(a.dirBps),
      reportHash: a.reportHash,
    };
  },
  SavingsYieldPaid: (r) => {
    const a = r as unknown as EventArgs["SavingsYieldPaid"] & { shareBps: bigint };
    return { paidWad: a.paidWad, interestBasisWad: a.interestBasisWad, shareBps: num(a.shareBps), owedWad: a.owedWad, sharePriceWad: a.sharePriceWad };
  },
  Deposit: (r) => {
    const a = r as unknown as EventArgs["Deposit"];
    return { sender: a.sender, owner: a.owner, assets: a.assets, shares: a.shares };
  },
  Withdraw: (r) => {
    const a = r as unknown as EventArgs["Withdraw"];
    return { sender: a.sender, receiver: a.receiver, owner: a.owner, assets: a.assets, shares: a.shares };
  },
  MonitoringReportPublished: (r) => {
    const a = r as unknown as MonitoringReportPublishedEvent.OutputObject;
    return {
      modelId: a.modelId,
      operator: a.operator,
      windowStart: num(a.windowStart),
      windowEnd: num(a.windowEnd),
      applications: num(a.applications),
      maxPsiBps: num(a.maxPsiBps),
      summaryHash: a.summaryHash,
    };
  },
};

/** Decodes one log of a known contract; null for events outside the compliance record (deposits, prices, ...). */
export function decodeLog(
  log: Pick<Log, "topics" | "data" | "blockNumber" | "transactionHash" | "index">,
  source: EventSource,
  iface: Interface,
  timestamp: number,
): ComplianceEvent | null {
  const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null || !(parsed.name in DECODERS)) return null;
  const name = parsed.name as EventName;
  if (EMITTER[name] !== source) return null;
  const meta: EventMeta = { source, blockNumber: log.blockNumber, timestamp, txHash: log.transactionHash, logIndex: log.index };
  return { ...meta, name, args: DECODERS[name](parsed.args) } as ComplianceEvent;
}

/** Every compliance event between `fromBlock` and `toBlock` (inclusive), in chain order. */
export async function collectEvents(options: CollectOptions): Promise<ComplianceEvent[]> {
  const { provider, contracts, fromBlock, toBlock } = options;
  const chunk = options.chunkBlocks ?? 5_000;
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`chunkBlocks must be a positive integer, got ${chunk}`);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const sources = new Map<string, { source: EventSource; iface: Interface }>([
    [contracts.lendingPool.toLowerCase(), { source: "pool", iface: ILendingPool__factory.createInterface() }],
    [contracts.supervisionPolicy.toLowerCase(), { source: "policy", iface: ISupervisionPolicy__factory.createInterface() }],
    [contracts.creditScoreOracle.toLowerCase(), { source: "oracle", iface: ICreditScoreOracle__factory.createInterface() }],
  ]);
  // Address books written before the savings vault have none.
  if (contracts.savingsVault !== undefined) {
    sources.set(contracts.savingsVault.toLowerCase(), { source: "savings", iface: ISavingsVault__factory.createInterface() });
  }

  const logs: Log[] = [];
  const ranges: [number, number][] = [];
  for (let start = fromBlock; start <= toBlock; start += chunk) ranges.push([start, Math.min(toBlock, start + chunk - 1)]);
  for (const [index, [start, end]] of ranges.entries()) {
    const found = await withRetry(
      () => provider.getLogs({ address: [...sources.keys()], fromBlock: start, toBlock: end }),
      { ...retry, label: `eth_getLogs blocks ${start}–${end}` },
    );
    for (const log of found) logs.push(log);
    options.onProgress?.({ phase: "logs", done: index + 1, total: ranges.length, events: logs.length });
  }

  // Decode first, so block times are fetched only for blocks with compliance events.
  const decoded = logs.flatMap((log) => {
    const known = sources.get(log.address.toLowerCase());
    const event = known === undefined ? null : decodeLog(log, known.source, known.iface, 0);
    return event === null ? [] : [event];
  });
  const blockNumbers = [...new Set(decoded.map((e) => e.blockNumber))];
  const timestamps = await blockTimestamps(provider, blockNumbers, retry, (done) =>
    options.onProgress?.({ phase: "timestamps", done, total: blockNumbers.length, events: decoded.length }),
  );
  const events = decoded.map((e) => ({ ...e, timestamp: timestamps.get(e.blockNumber)! }));
  return events.sort(byChainOrder);
}

/** Block number -> block time, fetched with bounded concurrency. */
export async function blockTimestamps(
  provider: Provider,
  blockNumbers: readonly number[],
  retry: Omit<RetryOptions, "label">,
  onDone?: (done: number) => void,
): Promise<Map<number, number>> {
  let done = 0;
  const times = await mapBounded(blockNumbers, READ_CONCURRENCY, async (blockNumber) => {
    const block = await withRetry(() => provider.getBlock(blockNumber), { ...retry, label: `eth_getBlockByNumber ${blockNumber}` });
    if (block === null) throw new Error(`block ${blockNumber} not found`);
    onDone?.(++done);
    return block.timestamp;
  });
  return new Map(blockNumbers.map((blockNumber, i) => [blockNumber, times[i]!]));
}

/** What the report needs from state at the report block. */
export interface ChainState {
  tierCount: number;
  tierMaxPdBps: number[];
  approvalThresholdBps: number;
  paused: boolean;
  /** Outstanding principal per borrower (checksummed addresses) of every borrower with a loan in the period. */
  principalByBorrower: Map<string, bigint>;
  /** The pool's own totals, to reconcile with the event-derived figures. */
  totalPrincipalWad: bigint;
  surplusWad: bigint;
  deficitWad: bigint;
  operatorSet: { version: bigint; threshold: number; operators: string[] };
  /** The stablecoin modules at the report block (absent for an address book written before them). */
  stablecoinModules?: StablecoinModulesState;
}

/** The PSM's books and the flash minter's outstanding loan: the identity's terms besides the pool's. */
export interface StablecoinModulesState {
  /** Stablecoin units the PSM holds as reserves (its balance). */
  psmReserves: bigint;
  /** 10^(18 - stablecoin decimals): vUSD wad per stablecoin unit. */
  psmScale: bigint;
  /** vUSD's minter record for the PSM (the identity's term): its pre-minted buffer plus the vUSD it paid out. */
  psmMintedWad: bigint;
  /** vUSD the PSM holds (pre-minted, not in users' hands). */
  psmBufferWad: bigint;
  /** vUSD the PSM paid out and did not take back: what its reserves back. */
  psmPaidOutWad: bigint;
  /** reserves * scale + buffer - minted: fees not yet swept to the treasury. */
  psmSurplusWad: bigint;
  /** 0 unless the report block is inside a flash loan (never, between transactions). */
  flashOutstandingWad: bigint | undefined;
}

export async function readChainState(
  provider: Provider,
  contracts: CollectOptions["contracts"] & Partial<Pick<AddressBook["contracts"], "pegStabilityModule" | "vusdFlashMinter">>,
  borrowers: readonly string[],
  blockTag: number,
  retryOptions: Partial<Omit<RetryOptions, "label">> = {},
): Promise<ChainState> {
  const retry = { ...DEFAULT_RETRY, ...retryOptions };
  const call = <T>(label: string, fn: () => Promise<T>) => withRetry(fn, { ...retry, label });
  const at = { blockTag };
  const policy = SupervisionPolicy__factory.connect(contracts.supervisionPolicy, provider);
  const pool = LendingPool__factory.connect(contracts.lendingPool, provider);
  const oracle = CreditScoreOracle__factory.connect(contracts.creditScoreOracle, provider);

  const tierCount = num(await call("SupervisionPolicy.tierCount", () => policy.tierCount(at)));
  const terms = await mapBounded([...Array(tierCount).keys()], READ_CONCURRENCY, (tier) =>
    call(`SupervisionPolicy.termsOf(${tier})`, () => policy.termsOf(tier, at)),
  );
  const approvalThresholdBps = num(await call("SupervisionPolicy.approvalThresholdBps", () => policy.approvalThresholdBps(at)));
  const paused = await call("SupervisionPolicy.paused", () => policy.paused(at));
  const [totalPrincipalWad, surplusWad, deficitWad] = await call("LendingPool.accounts", () => pool.accounts(at));
  const [version, threshold, operators] = await call("CreditScoreOracle.operatorSet", () => oracle.operatorSet(at));
  const unique = [...new Set(borrowers.map((b) => getAddress(b)))];
  const principals = await mapBounded(unique, READ_CONCURRENCY, (borrower) =>
    call(`LendingPool.principalOf(${borrower})`, () => pool.principalOf(borrower, at)),
  );
  let stablecoinModules: StablecoinModulesState | undefined;
  if (contracts.pegStabilityModule !== undefined) {
    const psm = PegStabilityModule__factory.connect(contracts.pegStabilityModule, provider);
    const [psmMintedWad, psmReserves] = await call("PegStabilityModule.balances", () => psm.balances(at));
    const psmScale = await call("PegStabilityModule.SCALE", () => psm.SCALE(at));
    const [psmBufferWad, psmPaidOutWad] = await call("PegStabilityModule.buffer", () => psm.buffer(at));
    const flashMinterAddress = contracts.vusdFlashMinter;
    const flashOutstandingWad =
      flashMinterAddress === undefined
        ? undefined
        : await call("VusdFlashMinter.outstandingWad", () =>
            VusdFlashMinter__factory.connect(flashMinterAddress, provider).outstandingWad(at),
          );
    stablecoinModules = {
      psmReserves,
      psmScale,
      psmMintedWad,
      psmBufferWad,
      psmPaidOutWad,
      psmSurplusWad: psmReserves * psmScale + psmBufferWad - psmMintedWad,
      flashOutstandingWad,
    };
  }
  return {
    ...(stablecoinModules === undefined ? {} : { stablecoinModules }),
    tierCount,
    tierMaxPdBps: terms.map((t) => num(t.maxPdBps)),
    approvalThresholdBps,
    paused,
    principalByBorrower: new Map(unique.map((borrower, i) => [borrower, principals[i]!])),
    totalPrincipalWad,
    surplusWad,
    deficitWad,
    operatorSet: { version, threshold: num(threshold), operators: [...operators] },
  };
}
