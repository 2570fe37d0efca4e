/** The report as Markdown: a summary first, then one section per question a supervisor asks, with charts. */
import {
  formatBps,
  formatDuration,
  formatShare,
  formatTime,
  formatTokenAmount,
  formatVusd,
  shortHex,
} from "./format.js";
import type { ComplianceReport } from "./types.js";
import type { RenderedChart } from "./render-charts.js";
import type { Cell, Column, ReportTable } from "./tables.js";

export function renderMarkdown(
  report: ComplianceReport,
  tables: readonly ReportTable[],
  charts: readonly RenderedChart[],
): string {
  const { meta, state, analysis: a } = report;
  const table = (id: string) => {
    const t = tables.find((x) => x.id === id);
    return t === undefined ? "" : markdownTable(t);
  };
  const chart = (id: string) => {
    const c = charts.find((x) => x.id === id);
    return c === undefined ? "" : `![${c.title}](charts/${c.id}.svg)\n`;
  };
  const csv = (id: string) => `CSV: [\`csv/${id}.csv\`](csv/${id}.csv)`;
  const periodSec = meta.endTimestamp - meta.startTimestamp;
  const scores = a.scores.models.reduce((s, m) => s + m.scores, 0);
  const executed = a.ruleChanges.filter((c) => c.status === "executed").length;
  const cancelled = a.ruleChanges.filter((c) => c.status === "cancelled").length;
  const waiting = a.ruleChanges.filter((c) => c.status === "pending" || c.status === "ready").length;
  const snapshot = a.exposure.snapshot;
  const breaker = a.circuitBreaker;
  const seized = a.liquidations.seizedByAsset
    .map((s) => {
      const asset = meta.assets[s.asset.toLowerCase()];
      return asset === undefined
        ? `${s.amount} units of ${s.asset}`
        : `${formatTokenAmount(s.amount, asset.decimals)} ${asset.symbol}`;
    })
    .join(", ");
  const out: string[] = [];

  out.push(
    `# Verity compliance report: ${meta.network}`,
    "",
    `- **Period:** blocks ${meta.fromBlock} to ${meta.toBlock}, ${formatTime(meta.startTimestamp)} to ${formatTime(meta.endTimestamp)} (${formatDuration(periodSec)})`,
    `- **Chain id:** ${meta.chainId}`,
    `- **Generated:** ${meta.generatedAt}`,
    `- **Contracts:** lending pool \`${meta.contracts.lendingPool}\`, supervision policy \`${meta.contracts.supervisionPolicy}\`, credit score oracle \`${meta.contracts.creditScoreOracle}\`, vUSD \`${meta.contracts.vusd}\``,
    "",
    "Every figure comes from the compliance events these contracts emitted in the period (each CSV row names its block),",
    `except where a section says it reads the state at block ${meta.toBlock}. Amounts are in vUSD (1 vUSD = 10^18 wad),`,
    "rates and PDs in percent, times in UTC.",
    "",
    "## Summary",
    "",
    `- **Lending:** ${a.exposure.totals.loans} loan origination(s) for ${formatVusd(a.exposure.totals.originatedWad)} vUSD; ` +
      `outstanding principal at block ${meta.toBlock}: ${formatVusd(state.totalPrincipalWad)} vUSD across ${a.concentration.borrowers} borrower(s).`,
    snapshot === undefined
      ? "- **Exposure:** no exposure snapshot was published in the period."
      : `- **Exposure (snapshot, block ${snapshot.blockNumber}):** debt ${formatVusd(snapshot.totalDebtWad)} vUSD against collateral worth ` +
          `${formatVusd(snapshot.totalCollateralValueWad)} vUSD; vUSD supply ${formatVusd(snapshot.vusdSupplyWad)}.`,
    `- **Concentration:** largest borrower ${formatShare(a.concentration.largestShare)} of principal, five largest ` +
      `${formatShare(a.concentration.top5Share)}, HHI ${a.concentration.hhi.toFixed(0)}.`,
    `- **Scores:** ${scores} posted by ${a.scores.models.length} model(s); ${a.adverseActions.count} adverse action(s) ` +
      `(${formatShare(scores === 0 ? 0 : a.adverseActions.count / scores)} of scores) for ${a.adverseActions.borrowers} borrower(s).`,
    `- **Rule changes:** ${a.ruleChanges.length} (${executed} executed, ${waiting} waiting, ${cancelled} cancelled).`,
    `- **Liquidations:** ${a.liquidations.count}, repaying ${formatVusd(a.liquidations.debtRepaidWad)} vUSD of debt` +
      `${seized === "" ? "" : `, seizing ${seized}`}; bad debt ${formatVusd(a.liquidations.badDebtWad)} vUSD.`,
    `- **Circuit breaker:** ${breaker.trips} trip(s), ${breaker.resets} reset(s), paused ${formatDuration(breaker.pausedSec)} ` +
      `(${formatShare(breaker.periodSec === 0 ? 0 : breaker.pausedSec / breaker.periodSec)} of the period); ` +
      `${state.paused ? "**paused**" : "running"} at block ${meta.toBlock}.`,
    `- **Pool accounts at block ${meta.toBlock}:** surplus ${formatVusd(state.surplusWad)} vUSD, deficit ${formatVusd(state.deficitWad)} vUSD.`,
    `- **Savings (sVUSD):** ${a.savings.deposits} deposit(s) of ${formatVusd(a.savings.depositedWad)} vUSD, ` +
      `${a.savings.withdrawals} withdrawal(s) of ${formatVusd(a.savings.withdrawnWad)} vUSD; ${a.savings.payouts} payout(s) of ` +
      `${formatVusd(a.savings.paidWad)} vUSD from surplus on ${formatVusd(a.savings.interestBasisWad)} vUSD of interest received.`,
  );
  for (const line of stablecoinModulesLine(state, meta.toBlock)) out.push(line);
  const atRisk = tables.find((t) => t.id === "positions_at_risk")?.rows.length ?? 0;
  const pendingCount = tables.find((t) => t.id === "pending_changes")?.rows.length ?? 0;
  const stillFrozen = a.freezes.filter((f) => f.unfrozenAt === null).length;
  out.push(
    `- **Positions at risk (health factor below 1.1 at block ${meta.toBlock}):** ${atRisk}.`,
    `- **Pending rule changes:** ${pendingCount} (section 11).`,
    `- **Fairness:** ${a.fairness.length === 0 ? "nothing was published in the period" : `${a.fairness.length} report(s) published`}.`,
    `- **Asset freezes:** ${a.freezes.length} (${stillFrozen} still frozen at the end); expired-score notices: ${a.scoreNotices.length}.`,
  );
  out.push("");

  out.push("## 1. Exposure by tier", "");
  out.push(
    `Tiers as set at block ${meta.toBlock}: ` +
      state.tierMaxPdBps.map((pd, t) => `tier ${t} up to PD ${formatBps(pd)}`).join(", ") +
      `; above ${formatBps(state.approvalThresholdBps)} credit is declined. Tier ${state.tierCount - 1} also holds unscored borrowers.`,
    "",
  );
  if (snapshot !== undefined) {
    out.push(
      `The pool's own figure, published by \`publishExposureSnapshot\` at ${formatTime(snapshot.timestamp)}:`,
      "",
      table("exposure_snapshot"),
      csv("exposure_snapshot"),
      "",
    );
  }
  if (snapshot === undefined) {
    const se = state.stateExposure;
    out.push(
      `No exposure snapshot was published in the period, so exposure is read from state at block ${meta.toBlock}: the debt ` +
        `(with interest) of every borrower with a loan in the period (\`LendingPool.positionOf\`), by the tier it is in. Total ` +
        `${formatVusd(se.totalDebtWad)} vUSD against collateral worth ${formatVusd(se.totalCollateralValueWad)} vUSD` +
        (se.vusdSupplyWad === undefined ? "." : `; vUSD supply ${formatVusd(se.vusdSupplyWad)}.`),
      "",
      table("exposure_state"),
      csv("exposure_state"),
      "",
    );
  }
  out.push(chart("exposure_by_tier"));
  out.push(
    "Flows in the period, booked to the tier the borrower's debt was in at the time. Principal and interest repaid are",
    "exact; liquidators' repayments and re-basings are stated with interest (the events do not split them), so the net is",
    "an estimate of principal; the snapshot above and the pool's accounts are the reference.",
    "",
    table("exposure_flows"),
    csv("exposure_flows"),
    "",
  );
  out.push(
    `Reconciliation: net outstanding from events ${formatVusd(a.exposure.totals.netWad)} vUSD; the pool's total principal at ` +
      `block ${meta.toBlock} is ${formatVusd(state.totalPrincipalWad)} vUSD (any difference: interest inside liquidations and ` +
      "re-basings, and loans from before the period).",
    "",
  );

  out.push("## 2. Concentration", "");
  out.push(
    `Outstanding principal per borrower read at block ${meta.toBlock} (\`LendingPool.principalOf\`) for every borrower with a`,
    `loan in the period. Total ${formatVusd(a.concentration.totalPrincipalWad)} vUSD across ${a.concentration.borrowers} borrower(s);`,
    `largest share ${formatShare(a.concentration.largestShare)}, five largest ${formatShare(a.concentration.top5Share)}.`,
    `Herfindahl–Hirschman index: **${a.concentration.hhi.toFixed(2)}** on a 0–10,000 scale (10,000 = one borrower; the US`,
    "2023 Merger Guidelines call a market above 1,800 highly concentrated).",
    "",
    table("concentration"),
    csv("concentration"),
    "",
  );

  out.push("## 3. Scores by model", "");
  out.push(
    `Every \`ScorePosted\` in the period. Tier columns count scores by the tier bounds at block ${meta.toBlock};`,
    `"Declined" counts scores above the approval threshold (${formatBps(a.scores.approvalThresholdBps)}).`,
    "",
    table("scores_by_model"),
    csv("scores_by_model"),
    "",
    chart("pd_histogram"),
    table("pd_distribution"),
    csv("pd_distribution"),
    "",
  );
  if (a.scores.models.length > 0) {
    out.push("Models (full ids: sha256 of the ONNX file):", "");
    for (const m of a.scores.models) out.push(`- \`${m.modelId}\``);
    out.push("");
  }

  out.push("## 4. Adverse actions", "");
  out.push(
    `${a.adverseActions.count} adverse action(s) for ${a.adverseActions.borrowers} borrower(s): a score above the approval`,
    "threshold, posted with up to four principal reasons (Regulation B). Reason texts from",
    `\`${meta.reasonCodeSource.replace(/^.*?(oracle\/model\/)/, "$1")}\`.`,
    "",
    table("adverse_action_reasons"),
    csv("adverse_action_reasons"),
    "",
    chart("adverse_action_reasons"),
    table("adverse_actions"),
    csv("adverse_actions"),
    "",
  );

  out.push("## 5. Rule changes", "");
  out.push(
    "Each change is scheduled (`RuleChangeScheduled`, with the value then and the new value) and executes after the",
    'timelock (`RuleChanged`) or is cancelled. "waiting" changes are still pending at the end of the period: "pending" before',
    'their executable time, "ready" after it.',
    "",
    table("rule_changes"),
    csv("rule_changes"),
    "",
  );

  out.push("## 6. Liquidations", "");
  out.push(
    `${a.liquidations.count} liquidation(s) of ${a.liquidations.borrowers} borrower(s): debt repaid ${formatVusd(a.liquidations.debtRepaidWad)} vUSD,` +
      ` collateral seized ${seized === "" ? "none" : seized}, bad debt ${formatVusd(a.liquidations.badDebtWad)} vUSD` +
      ".",
    "",
    table("liquidations"),
    csv("liquidations"),
    "",
  );

  out.push("## 7. Circuit breaker", "");
  out.push(
    `${breaker.trips} trip(s) (${breaker.byReason.map((r) => `${r.reason}: ${r.count}`).join(", ") || "none"}), ${breaker.resets} reset(s);` +
      ` paused for ${formatDuration(breaker.pausedSec)} of ${formatDuration(breaker.periodSec)}.` +
      (breaker.pausedAtEnd ? " **Still paused at the end of the period.**" : ""),
    "",
    chart("circuit_breaker_timeline"),
    table("circuit_breaker"),
    csv("circuit_breaker"),
    "",
  );

  out.push("## 8. Model registry, operators, fairness and attested reports", "");
  out.push(
    `Operator set at block ${meta.toBlock}: version ${state.operatorSet.version}, ${state.operatorSet.threshold} of ` +
      `${state.operatorSet.operators.length} signatures required.`,
    "",
    table("governance"),
    csv("governance"),
    "",
  );

  const lastPrice = a.savings.sharePrices.at(-1);
  out.push("## 9. Savings vault (sVUSD)", "");
  out.push(
    "Savers earn SAVINGS_SHARE of the interest borrowers actually paid that became surplus, minted from surplus into the " +
      "vault (no promised rate; nothing is paid while the pool has a deficit). Each payout row names the interest it " +
      "was paid on and the share in force.",
    "",
    `Paid ${formatVusd(a.savings.paidWad)} vUSD on ${formatVusd(a.savings.interestBasisWad)} vUSD of interest; still owed after ` +
      `the last check: ${formatVusd(a.savings.owedWad)} vUSD` +
      (lastPrice === undefined
        ? "."
        : `; share price ${formatVusd(lastPrice.sharePriceWad)} vUSD per sVUSD at ${formatTime(lastPrice.timestamp)}.`),
    "",
    chart("savings_share_price"),
    table("savings"),
    csv("savings"),
    "",
  );

  out.push("## 10. Data providers", "");
  out.push(
    "The providers the regulator approved or retired (`DataProviderApproved`, `DataProviderRetired`) and the scores " +
      "posted from each one's signed credit files (every `ScorePosted` names its provider and the file's digest).",
    "",
    table("data_providers"),
    csv("data_providers"),
    "",
  );

  out.push("## 11. Rules in force and pending changes", "");
  out.push(
    `The rulebook as in force at block ${meta.toBlock} (\`SupervisionPolicy.ruleValue\`, \`termsOf\`, \`capsOf\`; names as in ` +
      "`oracle/src/protocol/rules.ts`), then the changes scheduled in the period and neither executed nor cancelled, with " +
      "when each can execute.",
    "",
    table("rules_global"),
    csv("rules_global"),
    "",
    table("rules_tiers"),
    csv("rules_tiers"),
    "",
    `Credit is declined above PD ${formatBps(state.approvalThresholdBps)}.`,
    "",
    table("pending_changes"),
    csv("pending_changes"),
    "",
  );

  out.push("## 12. Positions at risk", "");
  out.push(
    `Positions with debt whose health factor is below 1.1 at block ${meta.toBlock} (\`LendingPool.positionOf\` for every ` +
      "borrower with a loan in the period), the weakest first; below 1.0 a position can be liquidated.",
    "",
    table("positions_at_risk"),
    csv("positions_at_risk"),
    "",
  );

  out.push("## 13. Fairness", "");
  out.push(
    a.fairness.length === 0
      ? "**Nothing was published:** no `FairnessReportPublished` event in the period."
      : "Fairness reports published in the period (`CreditScoreOracle.publishFairnessReport`): metrics in percent, the report by hash.",
    "",
  );
  if (a.fairness.length > 0) out.push(table("fairness_reports"), csv("fairness_reports"), "");

  out.push("## 14. Asset freezes and expired-score notices", "");
  out.push(
    "A collateral asset is frozen while its price sources disagree (`AssetFrozen`, `AssetUnfrozen`): no credit against " +
      "it and no withdrawal that needs its price. A borrower whose score expired keeps their tier until the notice ends " +
      "(`ScoreExpiring`), then moves to the last tier unless a fresh score is posted.",
    "",
    table("asset_freezes"),
    csv("asset_freezes"),
    "",
    table("score_notices"),
    csv("score_notices"),
    "",
  );

  out.push("## Event counts", "", table("event_counts"), csv("event_counts"), "");
  return out.join("\n");
}

export function markdownTable(table: ReportTable): string {
  const columns = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.csvOnly !== true);
  if (table.rows.length === 0) return "_None in the period._\n";
  const numeric = (c: Column) => c.kind !== "text" && c.kind !== "hex";
  const lines = [
    `| ${columns.map(({ c }) => escapeMarkdownCell(c.header)).join(" | ")} |`,
    `| ${columns.map(({ c }) => (numeric(c) ? "---:" : "---")).join(" | ")} |`,
    ...table.rows.map(
      (row) => `| ${columns.map(({ c, i }) => escapeMarkdownCell(markdownCell(c, row[i] ?? null))).join(" | ")} |`,
    ),
  ];
  return lines.join("\n") + "\n";
}

function markdownCell(column: Column, cell: Cell): string {
  if (cell === null) return "";
  switch (column.kind) {
    case "vusd":
      return formatVusd(BigInt(cell));
    case "bps":
      return formatBps(Number(cell));
    case "share":
      return formatShare(Number(cell));
    case "time":
      return formatTime(Number(cell));
    case "duration":
      return formatDuration(Number(cell));
    case "hex":
      return shortHex(String(cell));
    case "int":
      return typeof cell === "string" ? cell : cell.toLocaleString("en-US");
    default:
      return String(cell);
  }
}

/** A pipe ends a cell and a newline ends a row: escape the one, flatten the other. */
export function escapeMarkdownCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** The PSM's reserves, minted vUSD and unswept fees, and the flash minter's outstanding loan, read at the report block. */
function stablecoinModulesLine(state: ComplianceReport["state"], toBlock: number): string[] {
  const m = state.stablecoinModules;
  if (m === undefined) return [];
  const flash =
    m.flashOutstandingWad === undefined ? "" : `; flash minter outstanding ${formatVusd(m.flashOutstandingWad)} vUSD`;
  return [
    `- **Stablecoin modules at block ${toBlock}:** PSM reserves ${formatVusd(m.psmReserves * m.psmScale)} (in vUSD terms) ` +
      `backing ${formatVusd(m.psmPaidOutWad)} vUSD it paid out (it minted ${formatVusd(m.psmMintedWad)}, of which ` +
      `${formatVusd(m.psmBufferWad)} is its pre-minted buffer), unswept fees ${formatVusd(m.psmSurplusWad)}${flash}.`,
  ];
}
