/**
 * Pure analysis of a list of compliance events: no chain, no I/O, so every number in a report can be checked
 * against a hand-built list. Amounts stay in wad (bigint) and rates in bps until rendering.
 */
import { describeRule, ruleUnit } from "../../oracle/src/protocol/rules.js";

import { eventsNamed, type ComplianceEvent, type EventArgs, type EventMeta } from "./events.js";
import { formatBps, formatTime, type RuleUnit } from "./format.js";
import {
  fairnessPublications,
  freezePeriods,
  scoreNotices,
  type FairnessPublication,
  type FreezePeriod,
  type ScoreNotice,
} from "./supervision.js";

/** What the events alone cannot tell: the rulebook and positions at the report block, and reason-code texts. */
export interface AnalysisContext {
  /** Number of risk tiers (tier `tierCount - 1` is the most conservative one). */
  tierCount: number;
  /** Each tier's upper PD bound (inclusive) at the report block, in bps. */
  tierMaxPdBps: readonly number[];
  /** PD above which credit is declined (adverse action), in bps, at the report block. */
  approvalThresholdBps: number;
  /** Outstanding principal per borrower at the report block (`LendingPool.principalOf`), one key per borrower. */
  principalByBorrower: ReadonlyMap<string, bigint>;
  /** Time of the first and last block of the period (seconds). */
  startTimestamp: number;
  endTimestamp: number;
  /** Reason code -> adverse-action text. */
  reasonTexts: ReadonlyMap<number, string>;
  /** How many borrowers the concentration table lists (default 10). */
  topBorrowers?: number;
  /** Width of a PD histogram bin in bps (default 250). */
  pdBinBps?: number;
}

export interface ComplianceAnalysis {
  eventCounts: { name: string; count: number }[];
  exposure: ExposureAnalysis;
  concentration: ConcentrationAnalysis;
  scores: ScoreAnalysis;
  adverseActions: AdverseActionAnalysis;
  ruleChanges: RuleChangeRow[];
  liquidations: LiquidationAnalysis;
  circuitBreaker: CircuitBreakerAnalysis;
  governance: GovernanceRow[];
  savings: SavingsAnalysis;
  providers: ProviderRow[];
  freezes: FreezePeriod[];
  scoreNotices: ScoreNotice[];
  fairness: FairnessPublication[];
}

export function analyse(events: readonly ComplianceEvent[], context: AnalysisContext): ComplianceAnalysis {
  const ordered = [...events].sort(byChainOrder);
  const counts = new Map<string, number>();
  for (const e of ordered) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  return {
    eventCounts: [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => a.name.localeCompare(b.name)),
    exposure: exposureByTier(ordered, context.tierCount),
    concentration: concentration(context.principalByBorrower, context.topBorrowers ?? 10),
    scores: scoresByModel(ordered, context),
    adverseActions: adverseActions(ordered, context.reasonTexts),
    ruleChanges: ruleChanges(ordered, context.endTimestamp),
    liquidations: liquidations(ordered),
    circuitBreaker: circuitBreakerHistory(ordered, context.startTimestamp, context.endTimestamp),
    governance: governance(ordered),
    savings: savings(ordered),
    providers: dataProviders(ordered),
    freezes: freezePeriods(ordered, context.startTimestamp, context.endTimestamp),
    scoreNotices: scoreNotices(ordered, context.endTimestamp),
    fairness: fairnessPublications(ordered),
  };
}

export interface ProviderRow {
  provider: string;
  name: string;
  /** At the end of the period: approved, or retired (final). */
  status: "approved" | "retired";
  signingKeys: string[];
  schemaHash: string;
  dataQualityHash: string;
  /** Block of the latest approval (a re-approval rotates keys) and of the retirement, if any. */
  approvedAtBlock: number;
  retiredAtBlock: number | null;
  /** Scores posted in the period from this provider's credit files, and the distinct borrowers scored. */
  scores: number;
  borrowers: number;
}

/**
 * The data-provider registry as its events tell it, with the scores posted from each provider's files. A score
 * naming a provider with no approval in the period (approved earlier) still counts, under a row named as unknown.
 */
export function dataProviders(events: readonly ComplianceEvent[]): ProviderRow[] {
  const rows = new Map<string, ProviderRow>();
  const rowOf = (provider: string): ProviderRow => {
    const key = provider.toLowerCase();
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        provider,
        name: "(approved before the period)",
        status: "approved",
        signingKeys: [],
        schemaHash: "",
        dataQualityHash: "",
        approvedAtBlock: 0,
        retiredAtBlock: null,
        scores: 0,
        borrowers: 0,
      };
      rows.set(key, row);
    }
    return row;
  };
  const borrowers = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.name === "DataProviderApproved") {
      Object.assign(rowOf(e.args.provider), {
        name: e.args.name,
        status: "approved",
        signingKeys: e.args.signingKeys,
        schemaHash: e.args.schemaHash,
        dataQualityHash: e.args.dataQualityHash,
        approvedAtBlock: e.blockNumber,
      });
    } else if (e.name === "DataProviderRetired") {
      Object.assign(rowOf(e.args.provider), { status: "retired", retiredAtBlock: e.blockNumber });
    } else if (e.name === "ScorePosted") {
      const row = rowOf(e.args.provider);
      row.scores += 1;
      const seen = borrowers.get(row.provider.toLowerCase()) ?? new Set<string>();
      seen.add(e.args.borrower.toLowerCase());
      borrowers.set(row.provider.toLowerCase(), seen);
      row.borrowers = seen.size;
    }
  }
  return [...rows.values()].sort((a, b) => b.scores - a.scores || a.provider.localeCompare(b.provider));
}

export function byChainOrder(a: ComplianceEvent, b: ComplianceEvent): number {
  return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
}

// ---------------------------------------------------------------- exposure

export interface TierFlows {
  /** Tier index, or null for debt of borrowers whose loans began before the period (tier unknown). */
  tier: number | null;
  loans: number;
  originatedWad: bigint;
  principalRepaidWad: bigint;
  interestRepaidWad: bigint;
  /** Debt repaid by liquidators (principal and interest: the event does not split them). */
  liquidatedWad: bigint;
  badDebtWad: bigint;
  /** Debt (with interest) moved in from / out to another tier by a re-basing. */
  rebasedInWad: bigint;
  rebasedOutWad: bigint;
  /** originated + rebased in − rebased out − principal repaid − liquidated − bad debt. */
  netWad: bigint;
}

export interface ExposureAnalysis {
  snapshot?: {
    blockNumber: number;
    timestamp: number;
    totalDebtWad: bigint;
    totalCollateralValueWad: bigint;
    vusdSupplyWad: bigint;
    debtByTierWad: bigint[];
  };
  flows: TierFlows[];
  totals: Omit<TierFlows, "tier">;
}

const emptyFlows = (tier: number | null): TierFlows => ({
  tier,
  loans: 0,
  originatedWad: 0n,
  principalRepaidWad: 0n,
  interestRepaidWad: 0n,
  liquidatedWad: 0n,
  badDebtWad: 0n,
  rebasedInWad: 0n,
  rebasedOutWad: 0n,
  netWad: 0n,
});

/**
 * Exposure by tier two ways: the pool's latest `ExposureSnapshot` (debt with interest, the authoritative figure),
 * and the flows of the period per tier. Repayments and liquidations are booked to the tier the borrower's debt
 * was in at that moment (their last `LoanOriginated` or `DebtRebased`).
 */
export function exposureByTier(events: readonly ComplianceEvent[], tierCount: number): ExposureAnalysis {
  const byTier = new Map<number | null, TierFlows>();
  for (let t = 0; t < tierCount; t++) byTier.set(t, emptyFlows(t));
  const flowsOf = (tier: number | null) => {
    let flows = byTier.get(tier);
    if (flows === undefined) byTier.set(tier, (flows = emptyFlows(tier)));
    return flows;
  };
  const tierOfBorrower = new Map<string, number>();
  const currentTier = (borrower: string) => tierOfBorrower.get(borrower.toLowerCase()) ?? null;
  let snapshot: ExposureAnalysis["snapshot"];

  for (const e of events) {
    switch (e.name) {
      case "DebtRebased": {
        flowsOf(e.args.oldTier).rebasedOutWad += e.args.debtWad;
        flowsOf(e.args.newTier).rebasedInWad += e.args.debtWad;
        tierOfBorrower.set(e.args.borrower.toLowerCase(), e.args.newTier);
        break;
      }
      case "LoanOriginated": {
        const flows = flowsOf(e.args.tier);
        flows.loans += 1;
        flows.originatedWad += e.args.amountWad;
        tierOfBorrower.set(e.args.borrower.toLowerCase(), e.args.tier);
        break;
      }
      case "LoanRepaid": {
        const flows = flowsOf(currentTier(e.args.borrower));
        flows.principalRepaidWad += e.args.amountWad - e.args.interestWad;
        flows.interestRepaidWad += e.args.interestWad;
        break;
      }
      case "PositionLiquidated": {
        const flows = flowsOf(currentTier(e.args.borrower));
        flows.liquidatedWad += e.args.debtRepaidWad;
        flows.badDebtWad += e.args.badDebtWad;
        break;
      }
      case "ExposureSnapshot":
        snapshot = {
          blockNumber: e.blockNumber,
          timestamp: e.timestamp,
          ...e.args,
          debtByTierWad: [...e.args.debtByTierWad],
        };
        break;
      default:
        break;
    }
  }

  const flows = [...byTier.values()].sort((a, b) => (a.tier ?? Infinity) - (b.tier ?? Infinity));
  for (const f of flows) {
    f.netWad =
      f.originatedWad + f.rebasedInWad - f.rebasedOutWad - f.principalRepaidWad - f.liquidatedWad - f.badDebtWad;
  }
  const totals = emptyFlows(null);
  for (const f of flows) {
    totals.loans += f.loans;
    totals.originatedWad += f.originatedWad;
    totals.principalRepaidWad += f.principalRepaidWad;
    totals.interestRepaidWad += f.interestRepaidWad;
    totals.liquidatedWad += f.liquidatedWad;
    totals.badDebtWad += f.badDebtWad;
    totals.rebasedInWad += f.rebasedInWad;
    totals.rebasedOutWad += f.rebasedOutWad;
    totals.netWad += f.netWad;
  }
  const { tier: _unused, ...totalsWithoutTier } = totals;
  return { snapshot, flows, totals: totalsWithoutTier };
}

// ---------------------------------------------------------------- concentration

export interface ConcentrationAnalysis {
  borrowers: number;
  totalPrincipalWad: bigint;
  /** The largest borrowers, largest first; `share` is a fraction of total principal. */
  top: { rank: number; borrower: string; principalWad: bigint; share: number }[];
  /** Share of the largest borrower and of the five largest. */
  largestShare: number;
  top5Share: number;
  /** Herfindahl–Hirschman index on the 0–10,000 scale (shares in percent, squared, summed). */
  hhi: number;
}

/** Top borrowers' share of outstanding principal and the HHI, from principal per borrower. */
export function concentration(principalByBorrower: ReadonlyMap<string, bigint>, topN: number): ConcentrationAnalysis {
  const positions = [...principalByBorrower]
    .filter(([, principal]) => principal > 0n)
    .sort(([a, pa], [b, pb]) => (pb > pa ? 1 : pb < pa ? -1 : a.localeCompare(b)));
  const total = positions.reduce((sum, [, p]) => sum + p, 0n);
  const share = (part: bigint) => ratio(part, total);
  const sumOfSquares = positions.reduce((sum, [, p]) => sum + p * p, 0n);
  return {
    borrowers: positions.length,
    totalPrincipalWad: total,
    top: positions.slice(0, topN).map(([borrower, principalWad], i) => ({
      rank: i + 1,
      borrower,
      principalWad,
      share: share(principalWad),
    })),
    largestShare: share(positions[0]?.[1] ?? 0n),
    top5Share: share(positions.slice(0, 5).reduce((sum, [, p]) => sum + p, 0n)),
    // 10,000 × Σ share² computed exactly in bigint, kept to two decimals.
    hhi: total === 0n ? 0 : Number((sumOfSquares * 1_000_000n) / (total * total)) / 100,
  };
}

/** part / whole as a float, computed in bigint to 1e-12 so wad amounts do not lose precision first. */
function ratio(part: bigint, whole: bigint): number {
  if (whole === 0n) return 0;
  return Number((part * 1_000_000_000_000n) / whole) / 1e12;
}

// ---------------------------------------------------------------- scores

export interface PdBin {
  fromBps: number;
  /** Exclusive upper bound, except the last bin which includes it. */
  toBps: number;
  count: number;
}

export interface ModelScores {
  modelId: string;
  scores: number;
  borrowers: number;
  meanPdBps: number;
  medianPdBps: number;
  minPdBps: number;
  maxPdBps: number;
  /** Scores per tier (index = tier) under the tier bounds at the report block. */
  tierMix: number[];
  /** Scores above the approval threshold. */
  declined: number;
}

export interface ScoreAnalysis {
  models: ModelScores[];
  /** PD distribution of every score in the period. */
  histogram: PdBin[];
  approvalThresholdBps: number;
  tierMaxPdBps: number[];
}

export function scoresByModel(events: readonly ComplianceEvent[], context: AnalysisContext): ScoreAnalysis {
  const posted = eventsNamed(events, "ScorePosted");
  const byModel = new Map<string, { pds: number[]; borrowers: Set<string> }>();
  for (const e of posted) {
    const model = byModel.get(e.args.modelId) ?? { pds: [], borrowers: new Set<string>() };
    model.pds.push(e.args.pdBps);
    model.borrowers.add(e.args.borrower.toLowerCase());
    byModel.set(e.args.modelId, model);
  }
  const models = [...byModel].map(([modelId, { pds, borrowers }]): ModelScores => {
    const sorted = [...pds].sort((a, b) => a - b);
    const tierMix = new Array<number>(context.tierCount).fill(0);
    let declined = 0;
    for (const pd of pds) {
      const tier = context.tierMaxPdBps.findIndex((maxPd) => pd <= maxPd);
      if (tier === -1 || pd > context.approvalThresholdBps) declined += 1;
      else tierMix[tier]! += 1;
    }
    return {
      modelId,
      scores: pds.length,
      borrowers: borrowers.size,
      meanPdBps: pds.reduce((s, pd) => s + pd, 0) / pds.length,
      medianPdBps: median(sorted),
      minPdBps: sorted[0]!,
      maxPdBps: sorted.at(-1)!,
      tierMix,
      declined,
    };
  });
  models.sort((a, b) => b.scores - a.scores || a.modelId.localeCompare(b.modelId));
  return {
    models,
    histogram: pdHistogram(
      posted.map((e) => e.args.pdBps),
      context.pdBinBps ?? 250,
      context.approvalThresholdBps,
    ),
    approvalThresholdBps: context.approvalThresholdBps,
    tierMaxPdBps: [...context.tierMaxPdBps],
  };
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Bins of `binBps` from 0 up to past both the largest PD and `showUpToBps` (so the threshold is on the axis). */
export function pdHistogram(pds: readonly number[], binBps: number, showUpToBps: number): PdBin[] {
  if (!Number.isInteger(binBps) || binBps <= 0)
    throw new Error(`PD bin width must be a positive integer, got ${binBps}`);
  const top = Math.min(
    10_000,
    pds.reduce((max, pd) => Math.max(max, pd + 1), showUpToBps + binBps),
  );
  const binCount = Math.ceil(top / binBps);
  const bins = Array.from({ length: binCount }, (_, i) => ({
    fromBps: i * binBps,
    toBps: Math.min(10_000, (i + 1) * binBps),
    count: 0,
  }));
  for (const pd of pds) bins[Math.min(binCount - 1, Math.floor(pd / binBps))]!.count += 1;
  return bins;
}

// ---------------------------------------------------------------- adverse actions

export interface AdverseActionAnalysis {
  count: number;
  borrowers: number;
  byModel: { modelId: string; count: number }[];
  /** Reason-code frequency, most frequent first; `share` is the fraction of adverse actions citing the code. */
  reasons: { code: number; text: string; count: number; share: number }[];
  actions: {
    blockNumber: number;
    timestamp: number;
    txHash: string;
    borrower: string;
    modelId: string;
    pdBps: number;
    reasonCodes: number[];
  }[];
}

export function adverseActions(
  events: readonly ComplianceEvent[],
  reasonTexts: ReadonlyMap<number, string>,
): AdverseActionAnalysis {
  const actions = eventsNamed(events, "AdverseAction");
  const reasonCounts = new Map<number, number>();
  const modelCounts = new Map<string, number>();
  for (const a of actions) {
    modelCounts.set(a.args.modelId, (modelCounts.get(a.args.modelId) ?? 0) + 1);
    // A code counts once per action (a report lists distinct codes; 0 is "no code").
    for (const code of new Set(a.args.reasonCodes)) {
      if (code !== 0) reasonCounts.set(code, (reasonCounts.get(code) ?? 0) + 1);
    }
  }
  return {
    count: actions.length,
    borrowers: new Set(actions.map((a) => a.args.borrower.toLowerCase())).size,
    byModel: [...modelCounts].map(([modelId, count]) => ({ modelId, count })).sort((a, b) => b.count - a.count),
    reasons: [...reasonCounts]
      .map(([code, count]) => ({
        code,
        text: reasonTexts.get(code) ?? `unknown reason code ${code}`,
        count,
        share: count / actions.length,
      }))
      .sort((a, b) => b.count - a.count || a.code - b.code),
    actions: actions.map((a) => ({
      blockNumber: a.blockNumber,
      timestamp: a.timestamp,
      txHash: a.txHash,
      borrower: a.args.borrower,
      modelId: a.args.modelId,
      pdBps: a.args.pdBps,
      reasonCodes: a.args.reasonCodes.filter((code) => code !== 0),
    })),
  };
}

// ---------------------------------------------------------------- rule changes

/** The unit a rule's value is stated in: the SDK's rule table (`sdk/src/rules.ts`), one for the report, CLI and SDK. */
export { ruleUnit };

export type RuleChangeStatus = "executed" | "cancelled" | "pending" | "ready";

export interface RuleChangeRow {
  changeId: string;
  rule: string;
  tier?: number;
  unit?: RuleUnit;
  /** Value when the change was scheduled (or, for a change scheduled before the period, when it executed). */
  oldValue?: bigint;
  newValue?: bigint;
  scheduledAt?: { blockNumber: number; timestamp: number };
  executableAt?: number;
  /** pending: not executable yet at the end of the period; ready: executable but not executed. */
  status: RuleChangeStatus;
  resolvedAt?: { blockNumber: number; timestamp: number; txHash: string };
  /** The rule's value right before execution, when it differs from the value at scheduling. */
  oldValueAtExecution?: bigint;
}

/** Scheduled changes joined with their execution or cancellation by change id, in scheduling order. */
export function ruleChanges(events: readonly ComplianceEvent[], endTimestamp: number): RuleChangeRow[] {
  const rows = new Map<string, RuleChangeRow>();
  const rowFor = (changeId: string, rule: string): RuleChangeRow => {
    let row = rows.get(changeId);
    if (row === undefined) {
      const { name, tier } = describeRule(rule);
      row = { changeId, rule: name, ...(tier === undefined ? {} : { tier }), unit: ruleUnit(name), status: "pending" };
      rows.set(changeId, row);
    }
    return row;
  };
  for (const e of events) {
    if (e.name === "RuleChangeScheduled") {
      const row = rowFor(e.args.changeId, e.args.rule);
      row.oldValue = e.args.oldValue;
      row.newValue = e.args.newValue;
      row.scheduledAt = { blockNumber: e.blockNumber, timestamp: e.timestamp };
      row.executableAt = e.args.executableAt;
    } else if (e.name === "RuleChanged") {
      const row = rowFor(e.args.changeId, e.args.rule);
      row.status = "executed";
      row.resolvedAt = { blockNumber: e.blockNumber, timestamp: e.timestamp, txHash: e.txHash };
      row.newValue = e.args.newValue;
      if (row.oldValue === undefined) row.oldValue = e.args.oldValue;
      else if (row.oldValue !== e.args.oldValue) row.oldValueAtExecution = e.args.oldValue;
    } else if (e.name === "RuleChangeCancelled") {
      const row = rowFor(e.args.changeId, e.args.rule);
      row.status = "cancelled";
      row.resolvedAt = { blockNumber: e.blockNumber, timestamp: e.timestamp, txHash: e.txHash };
    }
  }
  for (const row of rows.values()) {
    if (row.status === "pending" && row.executableAt !== undefined && row.executableAt <= endTimestamp)
      row.status = "ready";
  }
  return [...rows.values()];
}

// ---------------------------------------------------------------- liquidations

export interface LiquidationAnalysis {
  count: number;
  borrowers: number;
  debtRepaidWad: bigint;
  badDebtWad: bigint;
  /** Collateral seized per asset (token units). */
  seizedByAsset: { asset: string; amount: bigint }[];
  rows: (Pick<EventMeta, "blockNumber" | "timestamp" | "txHash"> & EventArgs["PositionLiquidated"])[];
}

export function liquidations(events: readonly ComplianceEvent[]): LiquidationAnalysis {
  const rows = eventsNamed(events, "PositionLiquidated").map((e) => ({
    blockNumber: e.blockNumber,
    timestamp: e.timestamp,
    txHash: e.txHash,
    ...e.args,
  }));
  const seized = new Map<string, bigint>();
  for (const r of rows) seized.set(r.collateralAsset, (seized.get(r.collateralAsset) ?? 0n) + r.collateralSeized);
  return {
    count: rows.length,
    borrowers: new Set(rows.map((r) => r.borrower.toLowerCase())).size,
    debtRepaidWad: rows.reduce((s, r) => s + r.debtRepaidWad, 0n),
    badDebtWad: rows.reduce((s, r) => s + r.badDebtWad, 0n),
    seizedByAsset: [...seized].map(([asset, amount]) => ({ asset, amount })),
    rows,
  };
}

// ---------------------------------------------------------------- circuit breaker

export interface BreakerInterval {
  trippedAt: { blockNumber: number; timestamp: number; txHash: string };
  /** Decoded rule id: PRICE_STALE, PRICE_DEVIATION or MANUAL. */
  reason: string;
  by: string;
  /** PRICE_DEVIATION: deviation in bps; PRICE_STALE: the feed's updatedAt; MANUAL: 0. */
  detail: bigint;
  resetAt?: { blockNumber: number; timestamp: number; txHash: string; by: string; liquidationsResumeAt: number };
  /** Seconds paused (to the end of the period when still paused). */
  durationSec: number;
  /** Manual pauses recorded while already paused. */
  repeatedTrips: number;
}

export interface CircuitBreakerAnalysis {
  trips: number;
  resets: number;
  intervals: BreakerInterval[];
  pausedSec: number;
  periodSec: number;
  pausedAtEnd: boolean;
  /** Trip counts by reason. */
  byReason: { reason: string; count: number }[];
}

/**
 * Trips and resets paired into paused intervals. A trip while paused does not start a new interval (the pool's
 * automatic trip is a no-op then; a manual `pause` emits again and is counted as a repeated trip).
 */
export function circuitBreakerHistory(
  events: readonly ComplianceEvent[],
  startTimestamp: number,
  endTimestamp: number,
): CircuitBreakerAnalysis {
  const intervals: BreakerInterval[] = [];
  const byReason = new Map<string, number>();
  let open: BreakerInterval | undefined;
  let trips = 0;
  let resets = 0;
  for (const e of events) {
    if (e.name === "CircuitBreakerTripped") {
      trips += 1;
      const reason = describeRule(e.args.reason).name;
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      if (open !== undefined) {
        open.repeatedTrips += 1;
        continue;
      }
      open = {
        trippedAt: { blockNumber: e.blockNumber, timestamp: e.timestamp, txHash: e.txHash },
        reason,
        by: e.args.by,
        detail: e.args.detail,
        durationSec: 0,
        repeatedTrips: 0,
      };
      intervals.push(open);
    } else if (e.name === "CircuitBreakerReset") {
      resets += 1;
      if (open === undefined) continue; // tripped before the period began
      open.resetAt = { blockNumber: e.blockNumber, timestamp: e.timestamp, txHash: e.txHash, ...e.args };
      open.durationSec = e.timestamp - open.trippedAt.timestamp;
      open = undefined;
    }
  }
  if (open !== undefined) open.durationSec = Math.max(0, endTimestamp - open.trippedAt.timestamp);
  return {
    trips,
    resets,
    intervals,
    pausedSec: intervals.reduce((s, i) => s + i.durationSec, 0),
    periodSec: Math.max(0, endTimestamp - startTimestamp),
    pausedAtEnd: open !== undefined,
    byReason: [...byReason].map(([reason, count]) => ({ reason, count })),
  };
}

// ---------------------------------------------------------------- governance

export interface GovernanceRow {
  blockNumber: number;
  timestamp: number;
  txHash: string;
  event: string;
  detail: string;
}

/** Model registry, operator-set, fairness, drift-monitoring and report-attestation events, in order. */
export function governance(events: readonly ComplianceEvent[]): GovernanceRow[] {
  const rows: GovernanceRow[] = [];
  for (const e of events) {
    let detail: string | undefined;
    switch (e.name) {
      case "ModelProposed":
        detail = `model ${e.args.modelId} (index ${e.args.modelIndex}), validation report ${e.args.validationReportHash}`;
        break;
      case "ModelApproved":
      case "ModelRetired":
        detail = `model ${e.args.modelId}`;
        break;
      case "OperatorSetChanged":
        detail = `version ${e.args.version}: ${e.args.threshold} of ${e.args.operators.length} operators (${e.args.operators.join(", ")})`;
        break;
      case "FairnessReportPublished":
        detail =
          `model ${e.args.modelId}, ${formatTime(e.args.periodStart)} to ${formatTime(e.args.periodEnd)}: ` +
          `equal-opportunity difference ${formatBps(e.args.eodBps)}, disparate-impact ratio ${formatBps(e.args.dirBps)}, ` +
          `report ${e.args.reportHash}`;
        break;
      case "MonitoringReportPublished":
        detail =
          `input drift, model ${e.args.modelId}, operator ${e.args.operator}: ${e.args.applications} applications ` +
          `${formatTime(e.args.windowStart)} to ${formatTime(e.args.windowEnd)}, largest PSI ${(e.args.maxPsiBps / 10_000).toFixed(4)}, ` +
          `summary ${e.args.summaryHash}`;
        break;
      case "ComplianceReportAttested":
        detail =
          `report sha256 ${e.args.reportSha256.slice(2)} covering blocks ${e.args.fromBlock}–${e.args.toBlock}, ` +
          `attested by ${e.args.attester}` +
          (e.args.uri === "" ? "" : `, at ${e.args.uri}`);
        break;
      default:
        break;
    }
    if (detail !== undefined) {
      rows.push({ blockNumber: e.blockNumber, timestamp: e.timestamp, txHash: e.txHash, event: e.name, detail });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- savings (sVUSD)

export interface SavingsRow {
  blockNumber: number;
  timestamp: number;
  txHash: string;
  event: "Deposit" | "Withdraw" | "SavingsYieldPaid";
  /** vUSD in (deposit), out (withdrawal) or paid from surplus (payout). */
  amountWad: bigint;
  /** sVUSD share units (24 decimals) minted or burnt; null for a payout. */
  shares: bigint | null;
  /** A payout's interest basis and share; null otherwise. */
  interestBasisWad: bigint | null;
  shareBps: number | null;
  /** A payout's share price after it (vUSD per sVUSD, wad); null otherwise. */
  sharePriceWad: bigint | null;
}

export interface SavingsAnalysis {
  deposits: number;
  depositedWad: bigint;
  withdrawals: number;
  withdrawnWad: bigint;
  payouts: number;
  paidWad: bigint;
  /** Interest received that the payout checks credited (their bases summed). */
  interestBasisWad: bigint;
  /** What savers were still owed after the last payout check. */
  owedWad: bigint;
  /** The share price after each payout, in order (the chart). */
  sharePrices: { timestamp: number; sharePriceWad: bigint }[];
  rows: SavingsRow[];
}

/** Savings deposits, withdrawals and payouts in order, with their totals and the share price after each payout. */
export function savings(events: readonly ComplianceEvent[]): SavingsAnalysis {
  const a: SavingsAnalysis = {
    deposits: 0,
    depositedWad: 0n,
    withdrawals: 0,
    withdrawnWad: 0n,
    payouts: 0,
    paidWad: 0n,
    interestBasisWad: 0n,
    owedWad: 0n,
    sharePrices: [],
    rows: [],
  };
  for (const e of events) {
    const at = { blockNumber: e.blockNumber, timestamp: e.timestamp, txHash: e.txHash };
    const none = { interestBasisWad: null, shareBps: null, sharePriceWad: null };
    if (e.name === "Deposit") {
      a.deposits += 1;
      a.depositedWad += e.args.assets;
      a.rows.push({ ...at, event: e.name, amountWad: e.args.assets, shares: e.args.shares, ...none });
    } else if (e.name === "Withdraw") {
      a.withdrawals += 1;
      a.withdrawnWad += e.args.assets;
      a.rows.push({ ...at, event: e.name, amountWad: e.args.assets, shares: e.args.shares, ...none });
    } else if (e.name === "SavingsYieldPaid") {
      a.payouts += e.args.paidWad > 0n ? 1 : 0;
      a.paidWad += e.args.paidWad;
      a.interestBasisWad += e.args.interestBasisWad;
      a.owedWad = e.args.owedWad;
      a.sharePrices.push({ timestamp: e.timestamp, sharePriceWad: e.args.sharePriceWad });
      a.rows.push({
        ...at,
        event: e.name,
        amountWad: e.args.paidWad,
        shares: null,
        interestBasisWad: e.args.interestBasisWad,
        shareBps: e.args.shareBps,
        sharePriceWad: e.args.sharePriceWad,
      });
    }
  }
  return a;
}
