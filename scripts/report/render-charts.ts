/** The report's five charts, from the analysis. */
import { barChart, horizontalBarChart, lineChart, timelineChart } from "./charts.js";
import { formatTime, formatVusd } from "./format.js";
import type { ComplianceReport } from "./types.js";
import { breakerDetail, tierLabel } from "./tables.js";

export interface RenderedChart {
  id: string;
  title: string;
  svg: string;
}

const WAD = 10n ** 18n;
/** Wad to a float for chart geometry only (tables carry the exact amounts). */
const toVusd = (wad: bigint) => Number(wad / 10n ** 14n) / 1e4;

export function renderCharts(report: ComplianceReport): RenderedChart[] {
  const { analysis: a, state } = report;
  const charts: RenderedChart[] = [];
  const vusdTick = (v: number) => formatVusd(BigInt(Math.round(v * 100)) * (WAD / 100n)).replace(/\.00$/, "");

  const snapshot = a.exposure.snapshot;
  const exposureTitle =
    snapshot === undefined
      ? "Net outstanding by tier (event flows; no exposure snapshot in the period)"
      : `Debt by tier (exposure snapshot, block ${snapshot.blockNumber})`;
  const exposureBars =
    snapshot === undefined
      ? a.exposure.flows.map((f) => ({
          label: tierLabel(f.tier, state.tierMaxPdBps),
          value: Math.max(0, toVusd(f.netWad)),
        }))
      : snapshot.debtByTierWad.map((debt, t) => ({ label: tierLabel(t, state.tierMaxPdBps), value: toVusd(debt) }));
  charts.push({
    id: "exposure_by_tier",
    title: exposureTitle,
    svg: barChart({
      title: exposureTitle,
      xLabel: "risk tier (0 = best)",
      yLabel: "vUSD",
      bars: exposureBars,
      formatValue: vusdTick,
    }),
  });

  const reasonsTitle = `Adverse actions by principal reason (${a.adverseActions.count} actions)`;
  charts.push({
    id: "adverse_action_reasons",
    title: reasonsTitle,
    svg: horizontalBarChart({
      title: reasonsTitle,
      xLabel: "adverse actions citing the reason",
      bars: a.adverseActions.reasons.map((r) => ({ label: `${r.code}: ${r.text}`, value: r.count })),
    }),
  });

  const bins = a.scores.histogram;
  const binBps = bins[0] === undefined ? 1 : bins[0].toBps - bins[0].fromBps;
  const threshold = a.scores.approvalThresholdBps;
  const histogramTitle = `PD of posted scores (${a.scores.models.reduce((s, m) => s + m.scores, 0)} scores)`;
  charts.push({
    id: "pd_histogram",
    title: histogramTitle,
    svg: barChart({
      title: histogramTitle,
      xLabel: "probability of default, bin start (red: above the approval threshold)",
      yLabel: "scores",
      bars: bins.map((b) => ({
        label: `${(b.fromBps / 100).toFixed(1)}%`,
        value: b.count,
        alert: b.fromBps >= threshold,
      })),
      marker: { position: threshold / binBps, label: `approval threshold ${(threshold / 100).toFixed(2)}%` },
      showValues: true,
      counts: true,
    }),
  });

  const breaker = a.circuitBreaker;
  const timelineTitle = `Circuit breaker: ${breaker.trips} trip(s), paused ${(breaker.periodSec === 0 ? 0 : (100 * breaker.pausedSec) / breaker.periodSec).toFixed(1)}% of the period`;
  const markers = breaker.intervals.flatMap((i) => [
    { at: i.trippedAt.timestamp, label: `tripped: ${i.reason}, ${breakerDetail(i.reason, i.detail)}`, alert: true },
    ...(i.resetAt === undefined ? [] : [{ at: i.resetAt.timestamp, label: "reset by the regulator" }]),
  ]);
  charts.push({
    id: "circuit_breaker_timeline",
    title: timelineTitle,
    svg: timelineChart({
      title: timelineTitle,
      start: report.meta.startTimestamp,
      end: report.meta.endTimestamp,
      spans: breaker.intervals.map((i) => ({
        from: i.trippedAt.timestamp,
        to: i.resetAt?.timestamp ?? report.meta.endTimestamp,
        label: `paused (${i.reason})`,
      })),
      markers,
      formatTime: (t) => formatTime(t),
    }),
  });

  const savings = a.savings;
  const savingsTitle = `sVUSD share price (${savings.payouts} payout(s), ${formatVusd(savings.paidWad)} vUSD paid)`;
  charts.push({
    id: "savings_share_price",
    title: savingsTitle,
    svg: lineChart({
      title: savingsTitle,
      yLabel: "vUSD per sVUSD",
      start: report.meta.startTimestamp,
      end: report.meta.endTimestamp,
      // The price starts at 1 vUSD per sVUSD and moves only with payouts (and donations) between them.
      points: [
        { at: report.meta.startTimestamp, value: 1 },
        ...savings.sharePrices.map((p) => ({ at: p.timestamp, value: toVusd(p.sharePriceWad) })),
      ],
      formatValue: (v) => v.toFixed(4),
      formatTime: (t) => formatTime(t),
    }),
  });
  return charts;
}
