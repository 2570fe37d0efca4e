/**
 * Reads the compliance events of the pool, the policy, the oracle and the savings vault from the chain through
 * the sdk's reader (`sdk/src/events`: a topic lookup built once, chunks that adapt to what the provider accepts,
 * block times fetched once per block), converted chunk by chunk to the report's plain values; and the few facts
 * at the report block that events cannot give (tier bounds, approval threshold, principal per borrower, ...).
 */
import { getAddress, type Provider } from "ethers";

import {
  CreditScoreOracle__factory,
  PegStabilityModule__factory,
  VusdFlashMinter__factory,
  LendingPool__factory,
  SupervisionPolicy__factory,
  VUSD__factory,
} from "../../types/ethers-contracts/index.js";
import { GLOBAL_RULE_NAMES, ruleId } from "../../oracle/src/protocol/rules.js";
import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import {
  streamComplianceEvents,
  type ComplianceContract,
  type ComplianceEvent as SdkEvent,
  type ComplianceEventArgs as SdkArgs,
  type ComplianceTargets,
} from "../../sdk/src/events/index.js";

import { type ComplianceEvent, type EventArgs, type EventName, type EventSource } from "./events.js";
import { mapBounded, withRetry, type RetryOptions } from "./retry.js";

/** The contracts whose events the report reads (the savings vault and the report registry when deployed). */
export type ReportContracts = Pick<
  AddressBook["contracts"],
  "lendingPool" | "supervisionPolicy" | "creditScoreOracle" | "savingsVault" | "complianceReportRegistry"
>;

/** Only the contracts the report reads, as the SDK's readers take them: an address book's `contracts` also names the PSM. */
export function reportTargets(contracts: ReportContracts): ComplianceTargets {
  return {
    lendingPool: contracts.lendingPool,
    supervisionPolicy: contracts.supervisionPolicy,
    creditScoreOracle: contracts.creditScoreOracle,
    ...(contracts.savingsVault === undefined ? {} : { savingsVault: contracts.savingsVault }),
    ...(contracts.complianceReportRegistry === undefined
      ? {}
      : { complianceReportRegistry: contracts.complianceReportRegistry }),
  };
}

export interface CollectOptions {
  provider: Provider;
  contracts: ReportContracts;
  fromBlock: number;
  toBlock: number;
  /** Blocks per `eth_getLogs` call to start with (halved where the provider refuses; 5,000 suits most). */
  chunkBlocks?: number;
  retry?: Partial<Omit<RetryOptions, "label">>;
  onProgress?: (progress: CollectProgress) => void;
  signal?: AbortSignal;
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

/** The report's name of each emitting contract (the PSM's events are read from state, not here). */
const SOURCE_OF: Record<ComplianceContract, EventSource | null> = {
  lendingPool: "pool",
  supervisionPolicy: "policy",
  creditScoreOracle: "oracle",
  savingsVault: "savings",
  pegStabilityModule: null,
  complianceReportRegistry: "registry",
};

type Converter<N extends EventName> = N extends keyof SdkArgs ? (a: SdkArgs[N]) => EventArgs[N] : never;

/** The sdk's arguments (every uint a bigint) as the report's plain values (bps, tiers and times as numbers). */
const CONVERT: { [N in EventName]: Converter<N> } = {
  LoanOriginated: (a) => ({
    borrower: a.borrower,
    amountWad: a.amountWad,
    tier: num(a.tier),
    pdBps: num(a.pdBps),
    modelId: a.modelId,
    ltvBps: a.ltvBps,
  }),
  LoanRepaid: (a) => ({
    borrower: a.borrower,
    payer: a.payer,
    amountWad: a.amountWad,
    interestWad: a.interestWad,
    debtLeftWad: a.debtLeftWad,
  }),
  PositionLiquidated: (a) => ({
    borrower: a.borrower,
    liquidator: a.liquidator,
    collateralAsset: a.collateralAsset,
    debtRepaidWad: a.debtRepaidWad,
    collateralSeized: a.collateralSeized,
    badDebtWad: a.badDebtWad,
  }),
  DebtRebased: (a) => ({ borrower: a.borrower, oldTier: num(a.oldTier), newTier: num(a.newTier), debtWad: a.debtWad }),
  ScorePosted: (a) => ({
    borrower: a.borrower,
    modelId: a.modelId,
    pdBps: num(a.pdBps),
    reasonCodes: a.reasonCodes.map(num),
    issuedAt: num(a.issuedAt),
    validUntil: num(a.validUntil),
    operatorSetVersion: a.operatorSetVersion,
    provider: a.provider,
    creditFileHash: a.creditFileHash,
  }),
  AdverseAction: (a) => ({
    borrower: a.borrower,
    modelId: a.modelId,
    pdBps: num(a.pdBps),
    reasonCodes: a.reasonCodes.map(num),
  }),
  RuleChangeScheduled: (a) => ({
    changeId: a.changeId,
    rule: a.rule,
    oldValue: a.oldValue,
    newValue: a.newValue,
    executableAt: num(a.executableAt),
  }),
  RuleChangeCancelled: (a) => ({ changeId: a.changeId, rule: a.rule }),
  RuleChanged: (a) => ({ changeId: a.changeId, rule: a.rule, oldValue: a.oldValue, newValue: a.newValue }),
  ModelProposed: (a) => ({
    modelId: a.modelId,
    validationReportHash: a.validationReportHash,
    modelIndex: num(a.modelIndex),
  }),
  ModelApproved: (a) => ({ modelId: a.modelId }),
  ModelRetired: (a) => ({ modelId: a.modelId }),
  DataProviderApproved: (a) => ({
    provider: a.provider,
    name: a.name,
    signingKeys: a.signingKeys,
    schemaHash: a.schemaHash,
    dataQualityHash: a.dataQualityHash,
  }),
  DataProviderRetired: (a) => ({ provider: a.provider }),
  CircuitBreakerTripped: (a) => ({ reason: a.reason, by: a.by, detail: a.detail }),
  CircuitBreakerReset: (a) => ({ by: a.by, liquidationsResumeAt: num(a.liquidationsResumeAt) }),
  OperatorSetChanged: (a) => ({ version: a.version, operators: a.operators, threshold: num(a.threshold) }),
  ExposureSnapshot: (a) => ({
    totalDebtWad: a.totalDebtWad,
    totalCollateralValueWad: a.totalCollateralValueWad,
    vusdSupplyWad: a.vusdSupplyWad,
    debtByTierWad: a.debtByTierWad,
  }),
  FairnessReportPublished: (a) => ({
    modelId: a.modelId,
    periodStart: num(a.periodStart),
    periodEnd: num(a.periodEnd),
    eodBps: num(a.eodBps),
    dirBps: num(a.dirBps),
    reportHash: a.reportHash,
  }),
  MonitoringReportPublished: (a) => ({
    modelId: a.modelId,
    operator: a.operator,
    windowStart: num(a.windowStart),
    windowEnd: num(a.windowEnd),
    applications: num(a.applications),
    maxPsiBps: num(a.maxPsiBps),
    summaryHash: a.summaryHash,
  }),
  SavingsYieldPaid: (a) => ({
    paidWad: a.paidWad,
    interestBasisWad: a.interestBasisWad,
    shareBps: num(a.shareBps),
    owedWad: a.owedWad,
    sharePriceWad: a.sharePriceWad,
  }),
  Deposit: (a) => ({ sender: a.sender, owner: a.owner, assets: a.assets, shares: a.shares }),
  Withdraw: (a) => ({ sender: a.sender, receiver: a.receiver, owner: a.owner, assets: a.assets, shares: a.shares }),
  AssetFrozen: (a) => ({
    asset: a.asset,
    reason: a.reason,
    primaryPriceWad: a.primaryPriceWad,
    fallbackPriceWad: a.fallbackPriceWad,
    lastAgreedPriceWad: a.lastAgreedPriceWad,
  }),
  AssetUnfrozen: (a) => ({ asset: a.asset, priceWad: a.priceWad }),
  ScoreExpiring: (a) => ({
    borrower: a.borrower,
    tier: num(a.tier),
    expiredAt: num(a.expiredAt),
    noticeEndsAt: num(a.noticeEndsAt),
  }),
  ComplianceReportAttested: (a) => ({
    reportSha256: a.reportSha256,
    attester: a.attester,
    fromBlock: num(a.fromBlock),
    toBlock: num(a.toBlock),
    uri: a.uri,
  }),
};

/** The report's event for one of the sdk's; null for the sdk's events the report does not read (the PSM's). */
export function toReportEvent(event: SdkEvent): ComplianceEvent | null {
  const source = SOURCE_OF[event.contract];
  const convert = (CONVERT as Record<string, ((a: unknown) => unknown) | undefined>)[event.name];
  if (source === null || convert === undefined) return null;
  return {
    name: event.name,
    source,
    blockNumber: event.blockNumber,
    timestamp: event.timestamp,
    txHash: event.transactionHash,
    logIndex: event.logIndex,
    args: convert(event.args),
  } as ComplianceEvent;
}

/**
 * The compliance events between `fromBlock` and `toBlock` (inclusive), in chain order, one array per chunk of
 * blocks read (the chunk adapts to the provider: see `streamComplianceEvents`).
 */
export async function* streamEvents(options: CollectOptions): AsyncGenerator<ComplianceEvent[], void, undefined> {
  const { provider, contracts, fromBlock, toBlock } = options;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  let total = 0;
  for await (const chunk of streamComplianceEvents(provider, reportTargets(contracts), {
    fromBlock,
    toBlock,
    chunkBlocks: options.chunkBlocks,
    retries: retry.retries,
    attemptTimeoutMs: retry.attemptTimeoutMs,
    backoffMs: retry.backoffMs,
    signal: options.signal,
    onChunk: (p) =>
      options.onProgress?.({
        phase: "logs",
        done: p.toBlock - fromBlock + 1,
        total: toBlock - fromBlock + 1,
        events: total,
      }),
  })) {
    const events: ComplianceEvent[] = [];
    for (const event of chunk) {
      const converted = toReportEvent(event);
      if (converted !== null) events.push(converted);
    }
    total += events.length;
    yield events;
  }
}

/** Every compliance event between `fromBlock` and `toBlock` (inclusive), in chain order. */
export async function collectEvents(options: CollectOptions): Promise<ComplianceEvent[]> {
  const all: ComplianceEvent[] = [];
  for await (const chunk of streamEvents(options)) for (const event of chunk) all.push(event);
  return all;
}

/** Block number -> block time, fetched with bounded concurrency. */
export async function blockTimestamps(
  provider: Provider,
  blockNumbers: readonly number[],
  retry: Omit<RetryOptions, "label">,
): Promise<Map<number, number>> {
  const times = await mapBounded(blockNumbers, READ_CONCURRENCY, async (blockNumber) => {
    const block = await withRetry(() => provider.getBlock(blockNumber), {
      ...retry,
      label: `eth_getBlockByNumber ${blockNumber}`,
    });
    if (block === null) throw new Error(`block ${blockNumber} not found`);
    return block.timestamp;
  });
  return new Map(blockNumbers.map((blockNumber, i) => [blockNumber, times[i]!]));
}

/** What the report needs from state at the report block. */
/** A tier's terms (governance's, within the caps) and the regulator's caps at the report block. */
export interface TierRules {
  tier: number;
  terms: {
    maxPdBps: number;
    maxLtvBps: number;
    liquidationThresholdBps: number;
    aprBps: number;
    creditLimitWad: bigint;
  };
  caps: { maxLtvBps: number; liquidationThresholdBps: number; aprBps: number; creditLimitWad: bigint };
}

/** A borrower's position at the report block (`LendingPool.positionOf`). */
export interface PositionState {
  borrower: string;
  debtWad: bigint;
  tier: number;
  collateralValueWad: bigint;
  /** Collateral value times liquidation threshold over debt, in wad (max uint256 with no debt). */
  healthFactorWad: bigint;
}

export interface ChainState {
  /** Every global rule (oracle/src/protocol/rules.ts names) and the tier table, as in force at the report block. */
  rulebook: { globals: { name: string; value: bigint }[]; tiers: TierRules[] };
  /** The position of every borrower with a loan in the period, at the report block. */
  positions: PositionState[];
  /** Exposure read from state (for a period with no snapshot): `positions`' debt per tier, and vUSD's supply. */
  stateExposure: {
    debtByTierWad: bigint[];
    totalDebtWad: bigint;
    totalCollateralValueWad: bigint;
    vusdSupplyWad: bigint | undefined;
  };
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
  contracts: CollectOptions["contracts"] &
    Partial<Pick<AddressBook["contracts"], "pegStabilityModule" | "vusdFlashMinter" | "vusd">>,
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
  const approvalThresholdBps = num(
    await call("SupervisionPolicy.approvalThresholdBps", () => policy.approvalThresholdBps(at)),
  );
  const paused = await call("SupervisionPolicy.paused", () => policy.paused(at));
  const [totalPrincipalWad, surplusWad, deficitWad] = await call("LendingPool.accounts", () => pool.accounts(at));
  const [version, threshold, operators] = await call("CreditScoreOracle.operatorSet", () => oracle.operatorSet(at));
  const unique = [...new Set(borrowers.map((b) => getAddress(b)))];
  const principals = await mapBounded(unique, READ_CONCURRENCY, (borrower) =>
    call(`LendingPool.principalOf(${borrower})`, () => pool.principalOf(borrower, at)),
  );
  const positions: PositionState[] = await mapBounded(unique, READ_CONCURRENCY, async (borrower) => {
    const p = await call(`LendingPool.positionOf(${borrower})`, () => pool.positionOf(borrower, at));
    return {
      borrower,
      debtWad: p.debtWad,
      tier: num(p.tier),
      collateralValueWad: p.collateralValueWad,
      healthFactorWad: p.healthFactorWad,
    };
  });
  const globals = await mapBounded(GLOBAL_RULE_NAMES, READ_CONCURRENCY, async (name) => ({
    name,
    value: await call(`SupervisionPolicy.ruleValue(${name})`, () => policy.ruleValue(ruleId(name), at)),
  }));
  const caps = await mapBounded([...Array(tierCount).keys()], READ_CONCURRENCY, (tier) =>
    call(`SupervisionPolicy.capsOf(${tier})`, () => policy.capsOf(tier, at)),
  );
  const tiers: TierRules[] = terms.map((t, tier) => ({
    tier,
    terms: {
      maxPdBps: num(t.maxPdBps),
      maxLtvBps: num(t.maxLtvBps),
      liquidationThresholdBps: num(t.liquidationThresholdBps),
      aprBps: num(t.aprBps),
      creditLimitWad: t.creditLimitWad,
    },
    caps: {
      maxLtvBps: num(caps[tier]!.maxLtvBps),
      liquidationThresholdBps: num(caps[tier]!.liquidationThresholdBps),
      aprBps: num(caps[tier]!.aprBps),
      creditLimitWad: caps[tier]!.creditLimitWad,
    },
  }));
  const debtByTierWad = Array.from({ length: tierCount }, () => 0n);
  let totalCollateralValueWad = 0n;
  for (const p of positions) {
    if (p.tier < tierCount) debtByTierWad[p.tier] = debtByTierWad[p.tier]! + p.debtWad;
    totalCollateralValueWad += p.collateralValueWad;
  }
  const vusdAddress = contracts.vusd;
  const vusdSupplyWad =
    vusdAddress === undefined
      ? undefined
      : await call("VUSD.totalSupply", () => VUSD__factory.connect(vusdAddress, provider).totalSupply(at));
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
    rulebook: { globals, tiers },
    positions,
    stateExposure: {
      debtByTierWad,
      totalDebtWad: debtByTierWad.reduce((a, b) => a + b, 0n),
      totalCollateralValueWad,
      vusdSupplyWad,
    },
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
