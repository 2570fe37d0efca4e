/**
 * The report's tables, built once from the analysis and rendered twice: Markdown for people, CSV for tools.
 * Cells keep raw values (wad bigint, bps number, unix seconds) and a column kind; each renderer formats them.
 */
import type { ComplianceReport } from "./types.js";
import { formatRuleValue, formatTokenAmount } from "./format.js";
import { decodeBytes32String } from "ethers";

import { tierDisplayName } from "../../oracle/src/protocol/tiers.js";

import { ruleUnit } from "./analyse.js";
import { positionsAtRisk } from "./supervision.js";

export type ColumnKind =
  | "text"
  | "int"
  /** wad bigint, shown as vUSD */
  | "vusd"
  /** basis points */
  | "bps"
  /** fraction 0..1 */
  | "share"
  /** unix seconds */
  | "time"
  /** seconds */
  | "duration"
  /** an address or hash: shortened in Markdown, full in CSV */
  | "hex";

export interface Column {
  header: string;
  kind: ColumnKind;
  /** Only in the CSV (raw values a tool needs, too noisy for a page). */
  csvOnly?: boolean;
}

export type Cell = string | number | bigint | null;

export interface ReportTable {
  /** File name of the CSV, without extension. */
  id: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
}

/** "Tier A (PD ≤ 5.00%)": the one tier naming (`oracle/src/protocol/tiers.ts`) with the tier's PD bound. */
export function tierLabel(tier: number | null, tierMaxPdBps: readonly number[]): string {
  if (tier === null) return "unknown (loan before the period)";
  const name = `Tier ${tierDisplayName(tier, tierMaxPdBps.length)}`;
  const bound = tierMaxPdBps[tier];
  return bound === undefined ? name : `${name} (PD ≤ ${(bound / 100).toFixed(2)}%)`;
}

/** A bytes32 rule id that is a short name (PRICE_STALE, ...), else the hex. */
function ruleIdText(id: string): string {
  if (id === "") return "";
  try {
    return decodeBytes32String(id);
  } catch {
    return id;
  }
}

export function buildTables(report: ComplianceReport): ReportTable[] {
  const { analysis: a, state } = report;
  const tier = (t: number | null) => tierLabel(t, state.tierMaxPdBps);
  const asset = (address: string) => report.meta.assets[address.toLowerCase()];
  const tables: ReportTable[] = [];

  tables.push({
    id: "event_counts",
    title: "Compliance events in the period",
    columns: [
      { header: "Event", kind: "text" },
      { header: "Count", kind: "int" },
    ],
    rows: a.eventCounts.map((c) => [c.name, c.count]),
  });

  const snapshot = a.exposure.snapshot;
  if (snapshot !== undefined) {
    tables.push({
      id: "exposure_snapshot",
      title: `Exposure by tier: latest snapshot (block ${snapshot.blockNumber})`,
      columns: [
        { header: "Tier", kind: "text" },
        { header: "Debt with interest (vUSD)", kind: "vusd" },
        { header: "Share of debt", kind: "share" },
      ],
      rows: [
        ...snapshot.debtByTierWad.map((debt, t) => [
          tier(t),
          debt,
          snapshot.totalDebtWad === 0n ? 0 : Number((debt * 1_000_000n) / snapshot.totalDebtWad) / 1e6,
        ]),
        ["Total", snapshot.totalDebtWad, snapshot.totalDebtWad === 0n ? 0 : 1],
      ],
    });
  }

  tables.push({
    id: "exposure_flows",
    title: "Exposure by tier: flows in the period (from events)",
    columns: [
      { header: "Tier", kind: "text" },
      { header: "Loans", kind: "int" },
      { header: "Originated (vUSD)", kind: "vusd" },
      { header: "Principal repaid", kind: "vusd" },
      { header: "Interest repaid", kind: "vusd" },
      { header: "Repaid by liquidators", kind: "vusd" },
      { header: "Bad debt", kind: "vusd" },
      { header: "Re-based in", kind: "vusd" },
      { header: "Re-based out", kind: "vusd" },
      { header: "Net outstanding", kind: "vusd" },
    ],
    rows: [
      ...a.exposure.flows.map((f) => [
        tier(f.tier),
        f.loans,
        f.originatedWad,
        f.principalRepaidWad,
        f.interestRepaidWad,
        f.liquidatedWad,
        f.badDebtWad,
        f.rebasedInWad,
        f.rebasedOutWad,
        f.netWad,
      ]),
      (() => {
        const t = a.exposure.totals;
        return [
          "Total",
          t.loans,
          t.originatedWad,
          t.principalRepaidWad,
          t.interestRepaidWad,
          t.liquidatedWad,
          t.badDebtWad,
          t.rebasedInWad,
          t.rebasedOutWad,
          t.netWad,
        ];
      })(),
    ],
  });

  tables.push({
    id: "concentration",
    title: "Largest borrowers by outstanding principal",
    columns: [
      { header: "Rank", kind: "int" },
      { header: "Borrower", kind: "text" },
      { header: "Principal (vUSD)", kind: "vusd" },
      { header: "Share of principal", kind: "share" },
    ],
    rows: a.concentration.top.map((t) => [t.rank, t.borrower, t.principalWad, t.share]),
  });

  tables.push({
    id: "scores_by_model",
    title: "Scores by model",
    columns: [
      { header: "Model", kind: "hex" },
      { header: "Scores", kind: "int" },
      { header: "Borrowers", kind: "int" },
      { header: "Mean PD", kind: "bps" },
      { header: "Median PD", kind: "bps" },
      { header: "Min PD", kind: "bps" },
      { header: "Max PD", kind: "bps" },
      ...state.tierMaxPdBps.map((_, t): Column => ({ header: `Tier ${t}`, kind: "int" })),
      { header: "Declined", kind: "int" },
    ],
    rows: a.scores.models.map((m) => [
      m.modelId,
      m.scores,
      m.borrowers,
      m.meanPdBps,
      m.medianPdBps,
      m.minPdBps,
      m.maxPdBps,
      ...m.tierMix,
      m.declined,
    ]),
  });

  tables.push({
    id: "pd_distribution",
    title: "PD distribution of posted scores",
    columns: [
      { header: "PD from", kind: "bps" },
      { header: "PD to (exclusive)", kind: "bps" },
      { header: "Scores", kind: "int" },
    ],
    rows: a.scores.histogram.map((b) => [b.fromBps, b.toBps, b.count]),
  });

  tables.push({
    id: "adverse_action_reasons",
    title: "Adverse actions: principal reasons",
    columns: [
      { header: "Code", kind: "int" },
      { header: "Reason (adverse-action text)", kind: "text" },
      { header: "Actions citing it", kind: "int" },
      { header: "Share of actions", kind: "share" },
    ],
    rows: a.adverseActions.reasons.map((r) => [r.code, r.text, r.count, r.share]),
  });

  tables.push({
    id: "adverse_actions",
    title: "Adverse actions",
    columns: [
      { header: "Block", kind: "int" },
      { header: "Time", kind: "time" },
      { header: "Borrower", kind: "text" },
      { header: "Model", kind: "hex" },
      { header: "PD", kind: "bps" },
      { header: "Reason codes", kind: "text" },
      { header: "Transaction", kind: "hex", csvOnly: true },
    ],
    rows: a.adverseActions.actions.map((x) => [
      x.blockNumber,
      x.timestamp,
      x.borrower,
      x.modelId,
      x.pdBps,
      x.reasonCodes.join(" "),
      x.txHash,
    ]),
  });

  tables.push({
    id: "rule_changes",
    title: "Rule changes",
    columns: [
      { header: "Rule", kind: "text" },
      { header: "Tier", kind: "text" },
      { header: "Status", kind: "text" },
      { header: "Old value", kind: "text" },
      { header: "New value", kind: "text" },
      { header: "Scheduled", kind: "time" },
      { header: "Executable from", kind: "time" },
      { header: "Executed / cancelled", kind: "time" },
      { header: "Old value (raw)", kind: "text", csvOnly: true },
      { header: "New value (raw)", kind: "text", csvOnly: true },
      { header: "Change id", kind: "hex", csvOnly: true },
    ],
    rows: a.ruleChanges.map((c) => [
      c.rule,
      c.tier === undefined ? "" : tier(c.tier),
      c.status,
      c.oldValue === undefined
        ? ""
        : formatRuleValue(c.oldValue, c.unit) +
          (c.oldValueAtExecution === undefined
            ? ""
            : ` (was ${formatRuleValue(c.oldValueAtExecution, c.unit)} at execution)`),
      c.newValue === undefined ? "" : formatRuleValue(c.newValue, c.unit),
      c.scheduledAt?.timestamp ?? null,
      c.executableAt ?? null,
      c.resolvedAt?.timestamp ?? null,
      c.oldValue?.toString() ?? "",
      c.newValue?.toString() ?? "",
      c.changeId,
    ]),
  });

  tables.push({
    id: "liquidations",
    title: "Liquidations",
    columns: [
      { header: "Block", kind: "int" },
      { header: "Time", kind: "time" },
      { header: "Borrower", kind: "text" },
      { header: "Liquidator", kind: "text" },
      { header: "Debt repaid (vUSD)", kind: "vusd" },
      { header: "Collateral seized", kind: "text" },
      { header: "Bad debt (vUSD)", kind: "vusd" },
      { header: "Transaction", kind: "hex", csvOnly: true },
    ],
    rows: a.liquidations.rows.map((l) => {
      const meta = asset(l.collateralAsset);
      return [
        l.blockNumber,
        l.timestamp,
        l.borrower,
        l.liquidator,
        l.debtRepaidWad,
        meta === undefined
          ? `${l.collateralSeized} units of ${l.collateralAsset}`
          : `${formatTokenAmount(l.collateralSeized, meta.decimals)} ${meta.symbol}`,
        l.badDebtWad,
        l.txHash,
      ];
    }),
  });

  tables.push({
    id: "circuit_breaker",
    title: "Circuit-breaker history",
    columns: [
      { header: "#", kind: "int" },
      { header: "Tripped", kind: "time" },
      { header: "Reason", kind: "text" },
      { header: "Detail", kind: "text" },
      { header: "Tripped by", kind: "text" },
      { header: "Reset", kind: "time" },
      { header: "Reset by", kind: "text" },
      { header: "Paused for", kind: "duration" },
      { header: "Liquidations resume", kind: "time" },
    ],
    rows: a.circuitBreaker.intervals.map((i, n) => [
      n + 1,
      i.trippedAt.timestamp,
      i.reason,
      breakerDetail(i.reason, i.detail) + (i.repeatedTrips > 0 ? `; ${i.repeatedTrips} more trip(s) while paused` : ""),
      roleName(i.by, report),
      i.resetAt?.timestamp ?? null,
      i.resetAt === undefined ? "still paused" : roleName(i.resetAt.by, report),
      i.durationSec,
      i.resetAt?.liquidationsResumeAt ?? null,
    ]),
  });

  tables.push({
    id: "savings",
    title: "Savings vault (sVUSD): deposits, withdrawals and payouts from surplus",
    columns: [
      { header: "Block", kind: "int" },
      { header: "Time", kind: "time" },
      { header: "Event", kind: "text" },
      { header: "vUSD", kind: "vusd" },
      { header: "sVUSD shares (24 decimals)", kind: "int", csvOnly: true },
      { header: "Interest basis", kind: "vusd" },
      { header: "Share", kind: "bps" },
      { header: "Share price after (vUSD per sVUSD)", kind: "vusd" },
      { header: "Transaction", kind: "hex", csvOnly: true },
    ],
    rows: a.savings.rows.map((row) => [
      row.blockNumber,
      row.timestamp,
      row.event === "SavingsYieldPaid" ? "payout" : row.event === "Deposit" ? "deposit" : "withdrawal",
      row.amountWad,
      row.shares,
      row.interestBasisWad,
      row.shareBps,
      row.sharePriceWad,
      row.txHash,
    ]),
  });

  tables.push({
    id: "governance",
    title: "Model registry, operator set, fairness and monitoring reports, report attestations",
    columns: [
      { header: "Block", kind: "int" },
      { header: "Time", kind: "time" },
      { header: "Event", kind: "text" },
      { header: "Detail", kind: "text" },
    ],
    rows: a.governance.map((g) => [g.blockNumber, g.timestamp, g.event, g.detail]),
  });

  tables.push({
    id: "data_providers",
    title: "Data providers: registry status and scores computed from their credit files",
    columns: [
      { header: "Provider", kind: "text" },
      { header: "Name", kind: "text" },
      { header: "Status", kind: "text" },
      { header: "Approved at block", kind: "int" },
      { header: "Retired at block", kind: "int" },
      { header: "Signing keys", kind: "text" },
      { header: "Feature schema", kind: "text" },
      { header: "Data-quality assessment", kind: "text" },
      { header: "Scores", kind: "int" },
      { header: "Borrowers", kind: "int" },
    ],
    rows: a.providers.map((p) => [
      p.provider,
      p.name,
      p.status,
      p.approvedAtBlock === 0 ? null : p.approvedAtBlock,
      p.retiredAtBlock,
      p.signingKeys.join(" "),
      p.schemaHash,
      p.dataQualityHash,
      p.scores,
      p.borrowers,
    ]),
  });

  return tables.concat(supervisionTables(report, tier, asset));
}

/** Rules in force, pending changes, positions at risk, freezes, score notices, fairness, exposure from state. */
function supervisionTables(
  report: ComplianceReport,
  tier: (t: number | null) => string,
  asset: (address: string) => { symbol: string; decimals: number } | undefined,
): ReportTable[] {
  const { analysis: a, state } = report;
  const assetName = (address: string) => asset(address)?.symbol ?? address;
  const pct = (bps: number) => formatRuleValue(BigInt(bps), "bps");
  const limit = (wad: bigint) => formatRuleValue(wad, "vusd");
  return [
    {
      id: "rules_global",
      title: "Global rules in force",
      columns: [
        { header: "Rule", kind: "text" },
        { header: "Value", kind: "text" },
        { header: "Value (raw)", kind: "text", csvOnly: true },
      ],
      rows: state.rulebook.globals.map((r) => [r.name, formatRuleValue(r.value, ruleUnit(r.name)), r.value.toString()]),
    },
    {
      id: "rules_tiers",
      title: "Tier terms in force (the regulator's cap in brackets)",
      columns: [
        { header: "Tier", kind: "text" },
        { header: "TIER_MAX_PD", kind: "text" },
        { header: "TIER_MAX_LTV (cap)", kind: "text" },
        { header: "TIER_LIQUIDATION_THRESHOLD (cap)", kind: "text" },
        { header: "TIER_APR (cap)", kind: "text" },
        { header: "TIER_CREDIT_LIMIT (cap)", kind: "text" },
      ],
      rows: state.rulebook.tiers.map((t) => [
        tier(t.tier),
        pct(t.terms.maxPdBps),
        `${pct(t.terms.maxLtvBps)} (${pct(t.caps.maxLtvBps)})`,
        `${pct(t.terms.liquidationThresholdBps)} (${pct(t.caps.liquidationThresholdBps)})`,
        `${pct(t.terms.aprBps)} (${pct(t.caps.aprBps)})`,
        `${limit(t.terms.creditLimitWad)} (${limit(t.caps.creditLimitWad)})`,
      ]),
    },
    {
      id: "pending_changes",
      title: "Pending rule changes (scheduled, not executed or cancelled)",
      columns: [
        { header: "Rule", kind: "text" },
        { header: "Tier", kind: "text" },
        { header: "Old value", kind: "text" },
        { header: "New value", kind: "text" },
        { header: "Executable from (ETA)", kind: "time" },
        { header: "Status at the end block", kind: "text" },
        { header: "Change id", kind: "hex", csvOnly: true },
      ],
      rows: a.ruleChanges
        .filter((c) => c.status === "pending" || c.status === "ready")
        .map((c) => [
          c.rule,
          c.tier === undefined ? "" : tier(c.tier),
          c.oldValue === undefined ? "" : formatRuleValue(c.oldValue, c.unit),
          c.newValue === undefined ? "" : formatRuleValue(c.newValue, c.unit),
          c.executableAt ?? null,
          c.status === "ready" ? "executable, not executed" : "in its timelock",
          c.changeId,
        ]),
    },
    {
      id: "positions_at_risk",
      title: "Positions at risk (health factor below 1.1 at the end block)",
      columns: [
        { header: "Borrower", kind: "text" },
        { header: "Tier", kind: "text" },
        { header: "Debt (vUSD)", kind: "vusd" },
        { header: "Collateral value (vUSD)", kind: "vusd" },
        { header: "Health factor", kind: "text" },
      ],
      rows: positionsAtRisk(state.positions).map((p) => [
        p.borrower,
        tier(p.tier),
        p.debtWad,
        p.collateralValueWad,
        (Number(p.healthFactorWad / 10n ** 14n) / 10_000).toFixed(4),
      ]),
    },
    {
      id: "asset_freezes",
      title: "Collateral asset freezes",
      columns: [
        { header: "Asset", kind: "text" },
        { header: "Reason", kind: "text" },
        { header: "Frozen at", kind: "time" },
        { header: "Unfrozen at", kind: "time" },
        { header: "Status at the end", kind: "text" },
        { header: "Frozen for", kind: "duration" },
        { header: "Last agreed price (vUSD)", kind: "vusd" },
        { header: "Price after (vUSD)", kind: "vusd" },
        { header: "Frozen block", kind: "int", csvOnly: true },
        { header: "Unfrozen block", kind: "int", csvOnly: true },
      ],
      rows: a.freezes.map((f) => [
        assetName(f.asset),
        f.frozenBlock < 0 ? "(frozen before the period)" : ruleIdText(f.reason),
        f.frozenAt,
        f.unfrozenAt,
        f.unfrozenAt === null ? "still frozen" : "lifted",
        f.durationSec,
        f.frozenBlock < 0 ? null : f.lastAgreedPriceWad,
        f.priceAfterWad,
        f.frozenBlock < 0 ? null : f.frozenBlock,
        f.unfrozenBlock,
      ]),
    },
    {
      id: "score_notices",
      title: "Expired scores on notice (ScoreExpiring)",
      columns: [
        { header: "Borrower", kind: "text" },
        { header: "Tier kept", kind: "text" },
        { header: "Score expired", kind: "time" },
        { header: "Notice ends", kind: "time" },
        { header: "Notice over by the end", kind: "text" },
        { header: "Block", kind: "int", csvOnly: true },
      ],
      rows: a.scoreNotices.map((n) => [
        n.borrower,
        tier(n.tier),
        n.expiredAt,
        n.noticeEndsAt,
        n.endedByPeriodEnd ? "yes" : "no",
        n.blockNumber,
      ]),
    },
    {
      id: "fairness_reports",
      title: "Fairness reports published",
      columns: [
        { header: "Model", kind: "hex" },
        { header: "From", kind: "time" },
        { header: "To", kind: "time" },
        { header: "Equal-opportunity difference", kind: "bps" },
        { header: "Disparate-impact ratio", kind: "bps" },
        { header: "Report hash", kind: "hex" },
        { header: "Published", kind: "time" },
        { header: "Transaction", kind: "hex", csvOnly: true },
      ],
      rows: a.fairness.map((f) => [
        f.modelId,
        f.periodStart,
        f.periodEnd,
        f.eodBps,
        f.dirBps,
        f.reportHash,
        f.timestamp,
        f.txHash,
      ]),
    },
    {
      id: "exposure_state",
      title: "Exposure read from state at the end block",
      columns: [
        { header: "Tier", kind: "text" },
        { header: "Debt (vUSD)", kind: "vusd" },
      ],
      rows: state.stateExposure.debtByTierWad.map((debt, t) => [tier(t), debt]),
    },
  ];
}

/** What a trip's `detail` means for its reason (manual pauses; PRICE_* trips from deployments before the asset freeze). */
export function breakerDetail(reason: string, detail: bigint): string {
  switch (reason) {
    case "PRICE_DEVIATION":
      return `price moved ${(Number(detail) / 100).toFixed(2)}% from the last accepted price`;
    case "PRICE_STALE":
      return detail === 0n
        ? "feed answer invalid (no update time)"
        : `feed last updated ${new Date(Number(detail) * 1000).toISOString().replace(".000Z", "Z")}`;
    case "MANUAL":
      return "manual pause";
    default:
      return `detail ${detail}`;
  }
}

/** An address with the role it holds in the address book, e.g. "regulator 0xabc…" . */
export function roleName(address: string, report: ComplianceReport): string {
  const lower = address.toLowerCase();
  if (lower === report.meta.contracts.lendingPool.toLowerCase()) return `lending pool (${address})`;
  const role = Object.entries(report.meta.roles).find(([, holder]) => holder.toLowerCase() === lower)?.[0];
  return role === undefined ? address : `${role} (${address})`;
}
