/**
 * The stress report: Markdown (README.md), CSV (per scenario: steps and borrowers; a summary) and SVG charts, in
 * one directory. Line and bar charts come from the compliance report's helpers (scripts/report/charts.ts); the
 * health-factor distribution over time is a stacked chart drawn here.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { barChart, escapeXml, lineChart } from "../report/charts.js";
import { defaultParameters } from "../deploy/parameters.js";
import { headline, STATED_MODEL, type StressResult } from "./index.js";
import { HF_BUCKETS, type StepSample } from "./metrics.js";
import type { RunResult } from "./simulate.js";

const HOUR = 3600;
const WAIT_LIMIT_SEC = 3600;
const fmt = (x: number, digits = 2) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const hoursLabel = (t: number) => `h${(t / HOUR).toFixed(t % HOUR === 0 ? 0 : 1)}`;
const tierName = (tier: number) => defaultParameters.tiers[tier]?.name.split(" ")[0] ?? `tier ${tier}`;

/** Health-factor distribution over time: one stacked column per sample bucket (share of positions with debt). */
export function hfDistributionChart(title: string, samples: readonly StepSample[], everySteps: number): string {
  const columns = samples.filter((_, i) => i % everySteps === 0);
  const width = Math.max(640, 100 + columns.length * 8);
  const height = 380;
  const plot = { left: 60, right: width - 150, top: 40, bottom: height - 50 };
  const colours = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"];
  const slot = (plot.right - plot.left) / Math.max(1, columns.length);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  columns.forEach((s, i) => {
    const total = s.hfCounts.reduce((a, b) => a + b, 0);
    let y = plot.bottom;
    s.hfCounts.forEach((count, b) => {
      const h = total === 0 ? 0 : (count / total) * (plot.bottom - plot.top);
      y -= h;
      if (h > 0)
        parts.push(
          `<rect x="${(plot.left + i * slot).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, slot - 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${colours[b]}"><title>${escapeXml(`${hoursLabel(s.t)} ${HF_BUCKETS[b]!.label}: ${count}`)}</title></rect>`,
        );
    });
  });
  for (const share of [0, 0.5, 1]) {
    const y = plot.bottom - share * (plot.bottom - plot.top);
    parts.push(`<text x="${plot.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${share * 100} %</text>`);
  }
  const last = columns[columns.length - 1];
  parts.push(`<text x="${plot.left}" y="${plot.bottom + 18}" font-size="11">${hoursLabel(columns[0]?.t ?? 0)}</text>`);
  parts.push(
    `<text x="${plot.right}" y="${plot.bottom + 18}" text-anchor="end" font-size="11">${hoursLabel(last?.t ?? 0)}</text>`,
  );
  parts.push(
    `<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 36}" text-anchor="middle" font-size="12">simulated time; share of open positions by health factor at the market price</text>`,
  );
  HF_BUCKETS.forEach((b, i) => {
    parts.push(
      `<rect x="${plot.right + 16}" y="${plot.top + i * 22}" width="14" height="14" fill="${colours[i]}"/>`,
      `<text x="${plot.right + 36}" y="${plot.top + i * 22 + 12}" font-size="12">HF ${escapeXml(b.label)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function csv(rows: (string | number | boolean)[][]): string {
  return (
    rows
      .map((row) =>
        row
          .map((cell) =>
            typeof cell === "string" && /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : String(cell),
          )
          .join(","),
      )
      .join("\n") + "\n"
  );
}

interface Loss {
  label: string;
  borrowers: number;
  startDebt: number;
  badDebt: number;
  liquidated: number;
}

function lossesBy(run: RunResult, key: (index: number, tier: number) => string, labels: string[]): Loss[] {
  const rows = new Map(
    labels.map((label) => [label, { label, borrowers: 0, startDebt: 0, badDebt: 0, liquidated: 0 }]),
  );
  for (const o of run.outcomes) {
    const row = rows.get(key(o.index, o.tier))!;
    row.borrowers++;
    row.startDebt += o.startDebtVusd;
    row.badDebt += o.badDebtVusd;
    row.liquidated += o.liquidations > 0 ? 1 : 0;
  }
  return [...rows.values()];
}

function lossTable(title: string, rows: Loss[]): string[] {
  return [
    `| ${title} | borrowers | start debt (vUSD) | liquidated | bad debt (vUSD) | bad debt % of its debt |`,
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.borrowers} | ${fmt(r.startDebt)} | ${r.liquidated} | ${fmt(r.badDebt)} | ${r.startDebt > 0 ? fmt((r.badDebt / r.startDebt) * 100, 3) : "-"} % |`,
    ),
  ];
}

export async function writeStressReport(
  result: StressResult,
  dir: string,
): Promise<{ dir: string; markdownPath: string; files: string[] }> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const put = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    files.push(name);
  };
  const { population } = result;
  const decileOf = new Map(population.borrowers.map((b) => [b.index, b.pdDecile]));
  const md: string[] = [
    `# Stress test: ${Object.keys(result.scenarios).join(", ")}`,
    "",
    `${population.size} borrowers (rows of the model's training data, seed ${result.options.seed}), DEX depth ${result.options.depthWeth} WETH per side, fire-sale impact half-life ${result.options.resilienceHalfLifeSec / HOUR} h, keepers ${result.options.keepers ? "on" : "OFF"}. Real contracts on Hardhat's in-process network; scores from the shipped ONNX model, posted with the operators' EIP-712 signatures (2 of 3) through \`borrowWithReport\`. Total runtime ${fmt(result.runtimeSec, 1)} s.`,
    "",
    "## Summary",
    "",
    "Done when: no position below HF 0.95 (at the market price) waits more than 1 h for a liquidation while both price sources are live.",
    "",
    "| scenario | start debt (vUSD) | bad debt (vUSD) | % of start debt | max wait below HF 0.95 | done-when | hours frozen | hours paused | hours a source not live | liquidations | liquidated (vUSD) | min vUSD DEX price | runtime (s) | borrowers/s |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const summaryRows: (string | number | boolean)[][] = [
    [
      "scenario",
      "terms",
      ...Object.keys(headline(Object.values(result.scenarios)[0]!.scored)).filter((k) => k !== "failedLiquidations"),
    ],
  ];
  for (const [name, outcome] of Object.entries(result.scenarios)) {
    const s = outcome.scored;
    md.push(
      `| ${name} | ${fmt(s.startDebtVusd)} | ${fmt(s.badDebtVusd)} | ${fmt(s.badDebtPctOfStartDebt, 3)} % | ${s.maxUnderwaterWaitSec} s | ${s.maxUnderwaterWaitSec <= WAIT_LIMIT_SEC ? "met" : "**VIOLATED**"} | ${fmt(s.hoursFrozen)} | ${fmt(s.hoursPaused)} | ${fmt(s.hoursNotLive)} | ${s.liquidations} | ${fmt(s.liquidatedVusd)} | ${s.minVusdDexUsd.toFixed(4)} | ${fmt(s.runtimeSec, 1)} | ${fmt(s.positions / s.runtimeSec, 1)} |`,
    );
    for (const run of [outcome.scored, outcome.unscored]) {
      if (run === undefined) continue;
      const h = headline(run) as Record<string, unknown>;
      summaryRows.push([
        name,
        run.mode,
        ...Object.keys(h)
          .filter((k) => k !== "failedLiquidations")
          .map((k) => h[k] as string | number),
      ]);
    }
  }
  await put("summary.csv", csv(summaryRows));
  md.push(
    "",
    "## The stated model",
    "",
    `- Population: ${population.size} training rows drawn without replacement (seeded), scored in one ORT batch (${fmt(population.batchInferenceMs, 1)} ms); ${population.approved} approved, by tier ${population.byTier.map((n, t) => `${tierName(t)} ${n}`).join(", ")} (tier D includes the declined).`,
    `- Collateral: ${STATED_MODEL.population.collateral}.`,
    `- Leverage: ${STATED_MODEL.population.leverage}.`,
    `- Declined applicants: ${STATED_MODEL.population.declined}.`,
    `- Feeds (Chainlink-like: a round when the observed price moves by the deviation threshold, or at the heartbeat): primary ${STATED_MODEL.feeds.primary.deviationBps / 100} % / ${STATED_MODEL.feeds.primary.heartbeatSec / 60} min, observes the market price; fallback ${STATED_MODEL.feeds.fallback.deviationBps / 100} % / ${STATED_MODEL.feeds.fallback.heartbeatSec / 60} min, observes it ${result.options.fallbackLagSec} s late (an independent provider's latency); the PSM's stablecoin feed ${STATED_MODEL.feeds.stablecoin.deviationBps / 100} % / ${STATED_MODEL.feeds.stablecoin.heartbeatSec / HOUR} h. The pool's rules are the defaults: PRICE_SOURCE_TOLERANCE 2 %, FROZEN_LIQUIDATION_HEALTH 0.95, max price age 1 h.`,
    `- Fire sales: ${STATED_MODEL.fireSale}`,
    "- Keepers: every step, every position the pool would liquidate (HF < 1 at the last agreed price; while WETH is frozen, < 0.95 at the price the pool seizes it at: the higher of the two sources when both are live, never above the last agreed price, else the last agreed price), worst first, through `FlashLiquidator` (vUSD flash loan, liquidate, sell the seized WETH on the pool, repay); a liquidation whose sale would not cover the flash loan is not sent (or reverts) and the position waits.",
    "- Metric `maxUnderwaterWaitSec`: per position, live time (both sources fresh) spent below HF 0.95 at the market price without a liquidation; resolution one step.",
    "- Bad debt: the pool's own `PositionLiquidated.badDebtWad` (debt left when the last collateral is seized). The pool writes it off against surplus first, so the deficit (`accounts()`) grows by bad debt less the surplus absorbed; both are shown.",
    "",
  );

  for (const [name, outcome] of Object.entries(result.scenarios)) {
    const s = outcome.scored;
    const u = outcome.unscored;
    md.push(
      `## ${name}`,
      "",
      `${outcome.description}. ${s.samples.length - 1} steps of ${outcome.stepSec / 60} min.`,
      "",
    );
    md.push(
      `- Bad debt ${fmt(s.badDebtVusd)} vUSD (${fmt(s.badDebtPctOfStartDebt, 3)} % of ${fmt(s.startDebtVusd)} vUSD start debt); the pool's deficit grew by ${fmt(s.deficitChangeVusd)} vUSD (surplus ${fmt(s.surplusBeforeVusd)} → ${fmt(s.surplusAfterVusd)}).`,
      `- Longest wait below HF 0.95 while both sources were live: ${s.maxUnderwaterWaitSec} s${s.worstWait === undefined ? "" : ` (borrower #${s.worstWait.borrower}, at ${hoursLabel(s.worstWait.atSec)})`}: ${s.maxUnderwaterWaitSec <= WAIT_LIMIT_SEC ? "within the 1 h limit" : "**exceeds the 1 h limit: a finding**"}.`,
      `- WETH frozen ${fmt(s.hoursFrozen)} h; protocol paused ${fmt(s.hoursPaused)} h; a price source not live ${fmt(s.hoursNotLive)} h; PSM frozen ${fmt(s.hoursPsmFrozen)} h.`,
      `- ${s.liquidations} liquidations, ${fmt(s.liquidatedVusd)} vUSD repaid; lowest market price $${fmt(s.minMarketUsd)}; fire-sale impact at the end ${fmt((1 - s.finalImpact) * 100, 3)} %; vUSD on the DEX between $${s.minVusdDexUsd.toFixed(4)} and $${s.maxVusdDexUsd.toFixed(4)}.`,
      `- Failed liquidation attempts: ${
        Object.keys(s.failedLiquidations).length === 0
          ? "none"
          : Object.entries(s.failedLiquidations)
              .map(([k, v]) => `${k} × ${v}`)
              .join(", ")
      }.`,
      `- At the end, ${s.positionsStillUnderwater} positions below HF 1 (shortfall not yet realised ${fmt(s.unrealisedShortfallVusd)} vUSD).`,
      "",
    );
    const tiers = lossTable(
      "tier",
      lossesBy(
        s,
        (_, tier) => tierName(tier),
        defaultParameters.tiers.map((_, t) => tierName(t)),
      ),
    );
    for (const line of tiers) md.push(line);
    md.push("");
    const deciles = lossesBy(
      s,
      (index) => `decile ${decileOf.get(index)}`,
      Array.from({ length: 10 }, (_, d) => `decile ${d + 1}`),
    );
    md.push(
      "Does the score predict who costs the protocol money? Losses by the model's PD decile (1 = lowest PD):",
      "",
    );
    for (const line of lossTable("PD decile", deciles)) md.push(line);
    md.push("");
    if (u !== undefined) {
      md.push(
        "Side by side: the same population and path with every borrower on the unscored tier's terms.",
        "",
        "| | with the score | everyone unscored | difference |",
        "|---|---:|---:|---:|",
        `| credit extended (vUSD) | ${fmt(s.startDebtVusd)} | ${fmt(u.startDebtVusd)} | ${fmt(s.startDebtVusd - u.startDebtVusd)} |`,
        `| bad debt (vUSD) | ${fmt(s.badDebtVusd)} | ${fmt(u.badDebtVusd)} | ${fmt(s.badDebtVusd - u.badDebtVusd)} |`,
        `| bad debt, % of credit | ${fmt(s.badDebtPctOfStartDebt, 3)} % | ${fmt(u.badDebtPctOfStartDebt, 3)} % | |`,
        `| liquidations | ${s.liquidations} | ${u.liquidations} | ${s.liquidations - u.liquidations} |`,
        `| max wait below HF 0.95 (s) | ${s.maxUnderwaterWaitSec} | ${u.maxUnderwaterWaitSec} | |`,
        "",
      );
    }
    // CSVs
    await put(
      `${name}-steps.csv`,
      csv([
        [
          "t_sec",
          "exogenous_usd",
          "market_usd",
          "agreed_usd",
          "frozen",
          "paused",
          "both_sources_live",
          "psm_frozen",
          "impact",
          "vusd_dex_usd",
          "liquidations",
          "liquidated_vusd",
          "bad_debt_vusd",
          "failed_liquidations",
          "underwater_095",
          ...HF_BUCKETS.map((b) => `hf ${b.label}`),
        ],
        ...s.samples.map((x) => [
          x.t,
          x.exogenousUsd.toFixed(4),
          x.marketUsd.toFixed(4),
          x.agreedUsd.toFixed(4),
          x.frozen,
          x.paused,
          x.live,
          x.psmFrozen,
          x.impact.toFixed(6),
          x.vusdDexUsd.toFixed(6),
          x.liquidations,
          x.liquidatedVusd.toFixed(2),
          x.badDebtVusd.toFixed(2),
          x.failedLiquidations,
          x.underwater,
          ...x.hfCounts,
        ]),
      ]),
    );
    const byIndex = new Map(population.borrowers.map((b) => [b.index, b]));
    await put(
      `${name}-borrowers.csv`,
      csv([
        [
          "index",
          "row_id",
          "pd",
          "pd_decile",
          "approved",
          "tier",
          "collateral_weth",
          "utilisation",
          "start_debt_vusd",
          "liquidations",
          "repaid_vusd",
          "bad_debt_vusd",
          "unscored_start_debt_vusd",
          "unscored_bad_debt_vusd",
        ],
        ...s.outcomes.map((o) => {
          const b = byIndex.get(o.index)!;
          const uo = u?.outcomes[o.index];
          return [
            o.index,
            b.rowId,
            b.pd.toFixed(6),
            b.pdDecile,
            b.approved,
            tierName(o.tier),
            b.collateralWeth,
            b.utilisation.toFixed(4),
            o.startDebtVusd.toFixed(2),
            o.liquidations,
            o.repaidVusd.toFixed(2),
            o.badDebtVusd.toFixed(2),
            uo?.startDebtVusd.toFixed(2) ?? "",
            uo?.badDebtVusd.toFixed(2) ?? "",
          ];
        }),
      ]),
    );
    // Charts
    const end = s.samples[s.samples.length - 1]?.t ?? 0;
    const hourly = (value: (x: StepSample) => number) => {
      const buckets = Math.max(1, Math.ceil((end + 1) / HOUR));
      const width = buckets > 48 ? 24 : 1;
      const bars = Array.from({ length: Math.ceil(buckets / width) }, (_, i) => ({
        label: width === 1 ? `h${i}` : `d${i}`,
        value: 0,
      }));
      for (const x of s.samples) bars[Math.floor(x.t / HOUR / width)]!.value += value(x);
      return { bars, unit: width === 1 ? "hour" : "day" };
    };
    const charts: { id: string; title: string; svg: string }[] = [];
    charts.push({
      id: "price",
      title: "ETH/USD: market price (exogenous path x fire-sale impact)",
      svg: lineChart({
        title: `${name}: ETH/USD market price`,
        yLabel: "USD",
        start: 0,
        end,
        points: s.samples.map((x) => ({ at: x.t, value: x.marketUsd })),
        formatValue: (v) => `$${fmt(v, 0)}`,
        formatTime: hoursLabel,
      }),
    });
    const liq = hourly((x) => x.liquidations);
    charts.push({
      id: "liquidations",
      title: `Liquidations per ${liq.unit}`,
      svg: barChart({
        title: `${name}: liquidations per ${liq.unit}`,
        xLabel: liq.unit,
        yLabel: "liquidations",
        bars: liq.bars,
        counts: true,
      }),
    });
    const vol = hourly((x) => x.liquidatedVusd);
    charts.push({
      id: "liquidated-volume",
      title: `Liquidated debt per ${vol.unit} (vUSD)`,
      svg: barChart({
        title: `${name}: debt repaid by liquidations per ${vol.unit}`,
        xLabel: vol.unit,
        yLabel: "vUSD",
        bars: vol.bars,
        formatValue: (v) => fmt(v, 0),
      }),
    });
    charts.push({
      id: "vusd-dex",
      title: "vUSD's DEX price (USD)",
      svg: lineChart({
        title: `${name}: vUSD on the DEX after each step's fire sales`,
        yLabel: "USD",
        start: 0,
        end,
        points: s.samples.map((x) => ({ at: x.t, value: x.vusdDexUsd })),
        formatValue: (v) => `$${v.toFixed(3)}`,
        formatTime: hoursLabel,
      }),
    });
    charts.push({
      id: "frozen",
      title: "WETH frozen (1) or not (0)",
      svg: lineChart({
        title: `${name}: WETH frozen (1) / trading (0)`,
        yLabel: "frozen",
        start: 0,
        end,
        points: s.samples.map((x) => ({ at: x.t, value: x.frozen ? 1 : 0 })),
        formatValue: (v) => v.toFixed(0),
        formatTime: hoursLabel,
      }),
    });
    charts.push({
      id: "hf",
      title: "Health-factor distribution over time",
      svg: hfDistributionChart(
        `${name}: health factors at the market price`,
        s.samples,
        Math.max(1, Math.ceil(s.samples.length / 120)),
      ),
    });
    charts.push({
      id: "pd-decile",
      title: "Bad debt by PD decile (vUSD)",
      svg: barChart({
        title: `${name}: bad debt by PD decile`,
        xLabel: "PD decile (1 = lowest PD)",
        yLabel: "vUSD",
        bars: deciles.map((d, i) => ({ label: String(i + 1), value: d.badDebt })),
        formatValue: (v) => fmt(v, 0),
        showValues: true,
      }),
    });
    for (const chart of charts) {
      await put(`${name}-${chart.id}.svg`, chart.svg);
      md.push(`![${chart.title}](${name}-${chart.id}.svg)`, "");
    }
    md.push(`Data: [${name}-steps.csv](${name}-steps.csv), [${name}-borrowers.csv](${name}-borrowers.csv).`, "");
  }
  const markdownPath = join(dir, "README.md");
  await writeFile(markdownPath, md.join("\n"));
  files.push("README.md");
  return { dir, markdownPath, files };
}
