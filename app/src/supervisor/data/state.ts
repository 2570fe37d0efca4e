/**
 * The dashboard's view of the chain at one block: what events cannot tell or tell only piecemeal (rules in force,
 * tier terms, the breaker, each asset's price status, positions with their health factors, the registries), read
 * with the contracts' view functions at the head block, plus what the events give (who has borrowed, which
 * models, providers, assets and scheduled changes exist).
 */
import { GLOBAL_RULE_NAMES, describeRule, ruleId } from "../../../../oracle/src/protocol/rules.js";
import type { ReadHandles } from "./contracts.js";
import type { ComplianceEvent } from "./events.js";

export interface TierRow {
  tier: number;
  maxLtvBps: bigint;
  liquidationThresholdBps: bigint;
  aprBps: bigint;
  creditLimitWad: bigint;
  maxPdBps: bigint;
}

export interface PositionRow {
  borrower: string;
  debtWad: bigint;
  tier: number;
  collateralValueWad: bigint;
  healthFactorWad: bigint;
}

export interface PendingChange {
  changeId: string;
  rule: string;
  ruleName: string;
  tier?: number;
  oldValue: bigint;
  newValue: bigint;
  executableAt: number;
  scheduledBlock: number;
}

export interface AssetStatus {
  asset: string;
  label: string;
  lastAgreedPriceWad: bigint;
  frozen: boolean;
  fallbackFeed: string;
}

export interface ModelRow {
  modelId: string;
  status: string;
  validationReportHash: string;
}

export interface ProviderRow {
  provider: string;
  status: string;
  name: string;
  signingKeys: string[];
  schemaHash: string;
}

export interface ChainState {
  blockNumber: number;
  /** The head block's time (unix seconds) and when it was read (ms, this browser's clock): countdowns run from it. */
  blockTimestamp: number;
  readAtMs: number;
  paused: boolean;
  liquidationsResumeAt: number;
  rules: { name: string; value: bigint }[];
  tiers: TierRow[];
  positions: PositionRow[];
  pendingChanges: PendingChange[];
  assets: AssetStatus[];
  models: ModelRow[];
  providers: ProviderRow[];
  operators: { version: bigint; threshold: number; addresses: string[] };
  accounts: { totalPrincipalWad: bigint; surplusWad: bigint; deficitWad: bigint };
}

const MODEL_STATUS = ["none", "proposed", "approved", "retired"];
const PROVIDER_STATUS = ["none", "approved", "retired"];

const str = (value: unknown) => String(value);

export async function readState(
  handles: ReadHandles,
  events: readonly ComplianceEvent[],
  head: number,
): Promise<ChainState> {
  const { pool, policy, oracle, provider, addressBook } = handles;
  const at = { blockTag: head };
  const borrowers = new Set<string>();
  const models = new Set<string>([addressBook.model.modelId]);
  const providers = new Set<string>();
  const assets = new Set<string>([addressBook.contracts.weth]);
  const scheduled = new Map<string, ComplianceEvent>();
  for (const event of events) {
    const a = event.args;
    if (event.name === "LoanOriginated") borrowers.add(str(a.borrower));
    else if (event.name === "ModelProposed") models.add(str(a.modelId));
    else if (event.name === "DataProviderApproved") providers.add(str(a.provider));
    else if (event.name === "AssetFrozen" || event.name === "AssetUnfrozen") assets.add(str(a.asset));
    else if (event.name === "RuleChangeScheduled") scheduled.set(str(a.changeId), event);
    else if (event.name === "RuleChanged" || event.name === "RuleChangeCancelled") scheduled.delete(str(a.changeId));
  }

  const [block, breaker, tierCount, ruleValues, operatorSet, accounts] = await Promise.all([
    provider.getBlock(head),
    policy.breakerState(at),
    policy.tierCount(at),
    Promise.all(GLOBAL_RULE_NAMES.map((name) => policy.ruleValue(ruleId(name), at))),
    oracle.operatorSet(at),
    pool.accounts(at),
  ]);
  if (block === null) throw new Error(`block ${head} is missing from the node`);
  const tierIndexes = Array.from({ length: Number(tierCount) }, (_, i) => i);
  const [tiers, positions, pendingChanges, assetRows, modelRows, providerRows] = await Promise.all([
    Promise.all(
      tierIndexes.map(async (tier): Promise<TierRow> => {
        const terms = await policy.termsOf(tier, at);
        return {
          tier,
          maxLtvBps: terms.maxLtvBps,
          liquidationThresholdBps: terms.liquidationThresholdBps,
          aprBps: terms.aprBps,
          creditLimitWad: terms.creditLimitWad,
          maxPdBps: terms.maxPdBps,
        };
      }),
    ),
    Promise.all(
      [...borrowers].map(async (borrower): Promise<PositionRow> => {
        const [debtWad, tier, collateralValueWad, healthFactorWad] = await pool.positionOf(borrower, at);
        return { borrower, debtWad, tier: Number(tier), collateralValueWad, healthFactorWad };
      }),
    ),
    Promise.all(
      [...scheduled.values()].map(async (event): Promise<PendingChange | undefined> => {
        const changeId = str(event.args.changeId);
        const [rule, newValue, executableAt] = await policy.pendingChange(changeId, at);
        if (executableAt === 0n) return undefined;
        const described = describeRule(rule);
        return {
          changeId,
          rule,
          ruleName: described.name,
          ...(described.tier === undefined ? {} : { tier: described.tier }),
          oldValue: event.args.oldValue as bigint,
          newValue,
          executableAt: Number(executableAt),
          scheduledBlock: event.blockNumber,
        };
      }),
    ),
    Promise.all(
      [...assets].map(async (asset): Promise<AssetStatus> => {
        const [lastAgreedPriceWad, frozen, fallbackFeed] = await pool.priceStatusOf(asset, at);
        const label = asset === addressBook.contracts.weth ? "WETH" : asset;
        return { asset, label, lastAgreedPriceWad, frozen, fallbackFeed };
      }),
    ),
    Promise.all(
      [...models].map(async (modelId): Promise<ModelRow> => {
        const [status, validationReportHash] = await oracle.modelInfo(modelId, at);
        return { modelId, status: MODEL_STATUS[Number(status)] ?? `status ${status}`, validationReportHash };
      }),
    ),
    Promise.all(
      [...providers].map(async (id): Promise<ProviderRow> => {
        const [status, name, signingKeys, schemaHash] = await oracle.providerInfo(id, at);
        return {
          provider: id,
          status: PROVIDER_STATUS[Number(status)] ?? `status ${status}`,
          name,
          signingKeys: [...signingKeys],
          schemaHash,
        };
      }),
    ),
  ]);
  return {
    blockNumber: head,
    blockTimestamp: block.timestamp,
    readAtMs: Date.now(),
    paused: breaker[0],
    liquidationsResumeAt: Number(breaker[1]),
    rules: GLOBAL_RULE_NAMES.map((name, i) => ({ name, value: ruleValues[i]! })),
    tiers,
    positions,
    pendingChanges: pendingChanges
      .filter((c): c is PendingChange => c !== undefined)
      .sort((a, b) => a.executableAt - b.executableAt),
    assets: assetRows,
    models: modelRows,
    providers: providerRows,
    operators: { version: operatorSet[0], threshold: Number(operatorSet[1]), addresses: [...operatorSet[2]] },
    accounts: { totalPrincipalWad: accounts[0], surplusWad: accounts[1], deficitWad: accounts[2] },
  };
}
