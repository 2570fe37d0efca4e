/**
 * SVG charts for the report. A plotting library would be one more dependency to install, audit and pin for five
 * simple charts (bars, horizontal bars, a histogram, a timeline and a step line); none is installed here, and SVG is text, so a
 * few functions that write it keep the charts reviewable and the output byte-for-byte deterministic.
 * Every chart has a title, labelled axes and a <title> per bar with its exact value (shown as a tooltip).
 */

const FONT = "font-family=\"Helvetica, Arial, sans-serif\"";
const BAR_COLOUR = "#3b6ea5";
const ALERT_COLOUR = "#c0392b";
const GRID_COLOUR = "#dddddd";
/** Rough width of one character at 12 px, to size label margins without measuring text. */
const CHAR_PX = 6.6;

export interface Bar {
  label: string;
  value: number;
  /** Drawn in the alert colour (e.g. bins above the approval threshold). */
  alert?: boolean;
}

export interface BarChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  bars: readonly Bar[];
  formatValue?: (value: number) => string;
  /** A vertical line at a fractional bar position (0 = left edge of the first bar), e.g. a threshold. */
  marker?: { position: number; label: string };
  /** Print each bar's value above it (off for dense histograms). */
  showValues?: boolean;
  /** Values are counts: integer ticks. */
  counts?: boolean;
}

/** Vertical bars over categories: exposure by tier, the PD histogram. */
export function barChart(spec: BarChartSpec): string {
  const format = spec.formatValue ?? formatNumber;
  const width = Math.max(560, 90 + spec.bars.length * 48);
  const height = 380;
  const plot = { left: 80, right: width - 20, top: 50, bottom: height - 90 };
  const { max, ticks } = niceAxis(spec.bars.reduce((max, b) => Math.max(max, b.value), 0), spec.counts === true);
  const y = (v: number) => plot.bottom - (v / max) * (plot.bottom - plot.top);
  const slot = (plot.right - plot.left) / Math.max(1, spec.bars.length);
  const rotate = spec.bars.some((b) => b.label.length * CHAR_PX > slot - 4);

  const parts = [svgOpen(width, height), title(width, spec.title)];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${plot.left}" y1="${r(y(tick))}" x2="${plot.right}" y2="${r(y(tick))}" stroke="${GRID_COLOUR}"/>`,
      `<text x="${plot.left - 6}" y="${r(y(tick) + 4)}" text-anchor="end" font-size="11" ${FONT}>${escapeXml(format(tick))}</text>`,
    );
  }
  spec.bars.forEach((bar, i) => {
    const x = plot.left + i * slot + slot * 0.12;
    const w = slot * 0.76;
    const top = y(bar.value);
    parts.push(
      `<rect x="${r(x)}" y="${r(top)}" width="${r(w)}" height="${r(plot.bottom - top)}" fill="${bar.alert === true ? ALERT_COLOUR : BAR_COLOUR}">` +
        `<title>${escapeXml(`${bar.label}: ${format(bar.value)}`)}</title></rect>`,
    );
    if (spec.showValues !== false && bar.value > 0) {
      parts.push(`<text x="${r(x + w / 2)}" y="${r(top - 4)}" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(format(bar.value))}</text>`);
    }
    const cx = r(plot.left + (i + 0.5) * slot);
    parts.push(
      rotate
        ? `<text x="${cx}" y="${plot.bottom + 14}" text-anchor="end" font-size="11" ${FONT} transform="rotate(-40 ${cx} ${plot.bottom + 14})">${escapeXml(bar.label)}</text>`
        : `<text x="${cx}" y="${plot.bottom + 16}" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(bar.label)}</text>`,
    );
  });
  if (spec.marker !== undefined) {
    const mx = r(plot.left + spec.marker.position * slot);
    parts.push(
      `<line x1="${mx}" y1="${plot.top - 6}" x2="${mx}" y2="${plot.bottom}" stroke="${ALERT_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>`,
      `<text x="${mx + 4}" y="${plot.top + 6}" font-size="11" fill="${ALERT_COLOUR}" ${FONT}>${escapeXml(spec.marker.label)}</text>`,
    );
  }
  parts.push(
    axes(plot),
    `<text x="${r((plot.left + plot.right) / 2)}" y="${height - 12}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(spec.xLabel)}</text>`,
    `<text x="16" y="${r((plot.top + plot.bottom) / 2)}" text-anchor="middle" font-size="12" ${FONT} transform="rotate(-90 16 ${r((plot.top + plot.bottom) / 2)})">${escapeXml(spec.yLabel)}</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

/** Horizontal bars are counts (integer ticks). */
export interface HorizontalBarChartSpec {
  title: string;
  xLabel: string;
  bars: readonly Bar[];
  formatValue?: (value: number) => string;
}

/** Horizontal bars with long labels: reason-code counts with their adverse-action text. */
export function horizontalBarChart(spec: HorizontalBarChartSpec): string {
  const format = spec.formatValue ?? formatNumber;
  const labels = spec.bars.map((b) => truncate(b.label, 64));
  const labelWidth = Math.min(440, 12 + labels.reduce((max, l) => Math.max(max, l.length * CHAR_PX), 40));
  const rowHeight = 26;
  const width = labelWidth + 420;
  const plot = { left: labelWidth, right: width - 50, top: 50, bottom: 50 + Math.max(1, spec.bars.length) * rowHeight };
  const height = plot.bottom + 50;
  const { max, ticks } = niceAxis(spec.bars.reduce((max, b) => Math.max(max, b.value), 0), true);
  const x = (v: number) => plot.left + (v / max) * (plot.right - plot.left);

  const parts = [svgOpen(width, height), title(width, spec.title)];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${r(x(tick))}" y1="${plot.top}" x2="${r(x(tick))}" y2="${plot.bottom}" stroke="${GRID_COLOUR}"/>`,
      `<text x="${r(x(tick))}" y="${plot.bottom + 16}" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(format(tick))}</text>`,
    );
  }
  if (spec.bars.length === 0) {
    parts.push(`<text x="${r((plot.left + plot.right) / 2)}" y="${plot.top + 18}" text-anchor="middle" font-size="12" ${FONT}>none in the period</text>`);
  }
  spec.bars.forEach((bar, i) => {
    const top = plot.top + i * rowHeight + 4;
    parts.push(
      `<rect x="${plot.left}" y="${top}" width="${r(x(bar.value) - plot.left)}" height="${rowHeight - 8}" fill="${bar.alert === true ? ALERT_COLOUR : BAR_COLOUR}">` +
        `<title>${escapeXml(`${bar.label}: ${format(bar.value)}`)}</title></rect>`,
      `<text x="${plot.left - 6}" y="${top + rowHeight / 2}" text-anchor="end" font-size="11" ${FONT}>${escapeXml(labels[i]!)}</text>`,
      `<text x="${r(x(bar.value) + 4)}" y="${top + rowHeight / 2}" font-size="11" ${FONT}>${escapeXml(format(bar.value))}</text>`,
    );
  });
  parts.push(
    axes(plot),
    `<text x="${r((plot.left + plot.right) / 2)}" y="${height - 12}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(spec.xLabel)}</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

export interface TimelineSpec {
  title: string;
  /** Period, unix seconds. */
  start: number;
  end: number;
  /** Shaded spans (paused), labelled. */
  spans: readonly { from: number; to: number; label: string }[];
  /** Points in time (trips, resets). */
  markers: readonly { at: number; label: string; alert?: boolean }[];
  formatTime: (seconds: number) => string;
}

/** State over time: the circuit breaker's running / paused bands with trip and reset markers. */
export function timelineChart(spec: TimelineSpec): string {
  const width = 760;
  const plot = { left: 90, right: width - 30, top: 60, bottom: 150 };
  const height = 250 + (Math.min(spec.markers.length, MARKERS_LISTED) + 1) * 16;
  const span = Math.max(1, spec.end - spec.start);
  const x = (t: number) => plot.left + ((Math.min(spec.end, Math.max(spec.start, t)) - spec.start) / span) * (plot.right - plot.left);
  const lane = { runningY: plot.top + 10, pausedY: plot.top + 50, h: 30 };

  const parts = [svgOpen(width, height), title(width, spec.title)];
  parts.push(
    `<text x="${plot.left - 8}" y="${lane.runningY + 20}" text-anchor="end" font-size="12" ${FONT}>running</text>`,
    `<text x="${plot.left - 8}" y="${lane.pausedY + 20}" text-anchor="end" font-size="12" ${FONT}>paused</text>`,
    `<rect x="${plot.left}" y="${lane.runningY}" width="${plot.right - plot.left}" height="${lane.h}" fill="#d5e8d4"/>`,
  );
  for (const s of spec.spans) {
    const x0 = x(s.from);
    const w = Math.max(2, x(s.to) - x0);
    parts.push(
      `<rect x="${r(x0)}" y="${lane.runningY}" width="${r(w)}" height="${lane.h}" fill="#ffffff"/>`,
      `<rect x="${r(x0)}" y="${lane.pausedY}" width="${r(w)}" height="${lane.h}" fill="${ALERT_COLOUR}" opacity="0.8">` +
        `<title>${escapeXml(s.label)}</title></rect>`,
    );
  }
  spec.markers.forEach((m) => {
    const mx = r(x(m.at));
    const colour = m.alert === true ? ALERT_COLOUR : "#333333";
    parts.push(`<line x1="${mx}" y1="${plot.top}" x2="${mx}" y2="${plot.bottom}" stroke="${colour}" stroke-dasharray="3 3"/>`);
  });
  // One number label per group of markers too close to tell apart.
  for (const g of groupMarkers(spec.markers.map((m) => x(m.at)), 18)) {
    const text = g.first === g.last ? String(g.first) : `${g.first}–${g.last}`;
    parts.push(`<text x="${r(g.x)}" y="${plot.top - 4}" text-anchor="middle" font-size="10" fill="#333333" ${FONT}>${text}</text>`);
  }
  spec.markers.slice(0, MARKERS_LISTED).forEach((m, i) => {
    const colour = m.alert === true ? ALERT_COLOUR : "#333333";
    parts.push(
      `<text x="${plot.left}" y="${plot.bottom + 62 + i * 16}" font-size="11" fill="${colour}" ${FONT}>${escapeXml(`${i + 1}: ${spec.formatTime(m.at)} — ${m.label}`)}</text>`,
    );
  });
  if (spec.markers.length > MARKERS_LISTED) {
    parts.push(
      `<text x="${plot.left}" y="${plot.bottom + 62 + MARKERS_LISTED * 16}" font-size="11" ${FONT}>${escapeXml(`… and ${spec.markers.length - MARKERS_LISTED} more (see the table)`)}</text>`,
    );
  }
  parts.push(`<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}" stroke="#333333"/>`);
  parts.push(timeAxis(plot, spec.start, spec.end, x));
  parts.push(
    `<text x="${r((plot.left + plot.right) / 2)}" y="${plot.bottom + 36}" text-anchor="middle" font-size="12" ${FONT}>time (UTC)</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

/** Markers listed under the timeline; the rest are counted (the table lists them all). */
const MARKERS_LISTED = 20;

/** Tick marks and labels along a time axis, spaced for the span (labels ~110 px apart, never overlapping). */
function timeAxis(plot: { left: number; right: number; bottom: number }, start: number, end: number, x: (t: number) => number): string {
  const maxTicks = Math.max(2, Math.floor((plot.right - plot.left) / 110));
  return timeTicks(start, end, maxTicks)
    .map((t) => {
      const tx = r(x(t.at));
      return (
        `<line x1="${tx}" y1="${plot.bottom}" x2="${tx}" y2="${plot.bottom + 5}" stroke="#333333"/>` +
        `<text x="${tx}" y="${plot.bottom + 18}" text-anchor="middle" font-size="10" ${FONT}>${escapeXml(t.label)}</text>`
      );
    })
    .join("\n");
}

export interface LineChartSpec {
  title: string;
  yLabel: string;
  /** Period, unix seconds. */
  start: number;
  end: number;
  /** Values in time order; the line holds each value until the next (a step line) and to the period's end. */
  points: readonly { at: number; value: number }[];
  formatValue: (value: number) => string;
  formatTime: (seconds: number) => string;
}

/** A value over time as a step line with a dot per change: the savings vault's share price. */
export function lineChart(spec: LineChartSpec): string {
  const width = 760;
  const height = 360;
  const plot = { left: 90, right: width - 30, top: 50, bottom: height - 70 };
  const values = spec.points.map((p) => p.value);
  const low = values.reduce((min, v) => Math.min(min, v), 1);
  const high = values.reduce((max, v) => Math.max(max, v), 1);
  // The axis spans the values with a margin, so a price moving by a fraction of a percent is still visible.
  const margin = Math.max((high - low) * 0.1, high * 0.001);
  const [min, max] = [Math.max(0, low - margin), high + margin];
  const span = Math.max(1, spec.end - spec.start);
  const x = (t: number) => plot.left + ((Math.min(spec.end, Math.max(spec.start, t)) - spec.start) / span) * (plot.right - plot.left);
  const y = (v: number) => plot.bottom - ((v - min) / (max - min)) * (plot.bottom - plot.top);

  const parts = [svgOpen(width, height), title(width, spec.title)];
  for (let i = 0; i <= 4; ++i) {
    const v = min + ((max - min) * i) / 4;
    parts.push(
      `<line x1="${plot.left}" y1="${r(y(v))}" x2="${plot.right}" y2="${r(y(v))}" stroke="${GRID_COLOUR}"/>`,
      `<text x="${plot.left - 6}" y="${r(y(v) + 4)}" text-anchor="end" font-size="11" ${FONT}>${escapeXml(spec.formatValue(v))}</text>`,
    );
  }
  const path: string[] = [];
  spec.points.forEach((p, i) => {
    const next = spec.points[i + 1]?.at ?? spec.end;
    path.push(`${i === 0 ? "M" : "L"}${r(x(p.at))},${r(y(p.value))}`, `L${r(x(next))},${r(y(p.value))}`);
    parts.push(
      `<circle cx="${r(x(p.at))}" cy="${r(y(p.value))}" r="3" fill="${BAR_COLOUR}">` +
        `<title>${escapeXml(`${spec.formatTime(p.at)}: ${spec.formatValue(p.value)}`)}</title></circle>`,
    );
  });
  if (path.length > 0) parts.push(`<path d="${path.join(" ")}" fill="none" stroke="${BAR_COLOUR}" stroke-width="2"/>`);
  parts.push(
    axes(plot),
    timeAxis(plot, spec.start, spec.end, x),
    `<text x="${r((plot.left + plot.right) / 2)}" y="${height - 20}" text-anchor="middle" font-size="12" ${FONT}>time (UTC)</text>`,
    `<text x="16" y="${r((plot.top + plot.bottom) / 2)}" text-anchor="middle" font-size="12" ${FONT} transform="rotate(-90 16 ${r((plot.top + plot.bottom) / 2)})">${escapeXml(spec.yLabel)}</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

/** Escapes the five XML special characters (labels come from chain data and free text). */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * An axis from 0 to a round maximum with about five round ticks (1, 2, 2.5 or 5 × 10^n); `integer` for counts, so
 * no tick reads "0.5 scores".
 */
export function niceAxis(maxValue: number, integer = false): { max: number; ticks: number[] } {
  if (!(maxValue > 0)) return { max: 1, ticks: [0, 1] };
  const rough = maxValue / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const candidates = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).filter((s) => !integer || (s >= 1 && Number.isInteger(s)));
  const step = candidates.find((s) => s >= rough) ?? (integer ? Math.max(1, Math.ceil(rough)) : rough);
  const max = Math.ceil(maxValue / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { max, ticks };
}

function svgOpen(width: number, height: number): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`
  );
}

/** Bold 16 px characters are ~1.4 x the 12 px estimate. */
const TITLE_CHAR_PX = CHAR_PX * 1.4;

/**
 * The chart's title, fitted to `width`: shrunk down to 12 px, then cut at a word with an ellipsis (the full title
 * stays in a <title> tooltip and in the Markdown's alt text).
 */
export function title(width: number, text: string): string {
  const room = width - 20;
  let size = 16;
  while (size > 12 && text.length * TITLE_CHAR_PX * (size / 16) > room) size -= 1;
  const maxChars = Math.floor(room / (TITLE_CHAR_PX * (size / 16)));
  let shown = text;
  if (text.length > maxChars) {
    const cut = text.slice(0, maxChars - 1);
    const space = cut.lastIndexOf(" ");
    shown = `${space > maxChars / 2 ? cut.slice(0, space) : cut}…`;
  }
  return (
    `<g><title>${escapeXml(text)}</title>` +
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="${size}" font-weight="bold" ${FONT}>${escapeXml(shown)}</text></g>`
  );
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
/** Tick steps from a second to a year, each with how its labels are written. */
const TIME_STEPS: { seconds: number; label: (d: Date) => string }[] = (() => {
  const iso = (d: Date) => d.toISOString();
  const hms = (d: Date) => iso(d).slice(11, 19);
  const hm = (d: Date) => iso(d).slice(11, 16);
  const dayHm = (d: Date) => `${iso(d).slice(5, 10)} ${hm(d)}`;
  const day = (d: Date) => iso(d).slice(0, 10);
  const steps: [number, (d: Date) => string][] = [
    [1, hms], [5, hms], [15, hms], [30, hms],
    [MINUTE, hm], [5 * MINUTE, hm], [15 * MINUTE, hm], [30 * MINUTE, hm],
    [HOUR, dayHm], [3 * HOUR, dayHm], [6 * HOUR, dayHm], [12 * HOUR, dayHm],
    [DAY, day], [2 * DAY, day], [7 * DAY, day], [14 * DAY, day], [30 * DAY, day], [91 * DAY, day], [365 * DAY, day],
  ];
  return steps.map(([seconds, label]) => ({ seconds, label }));
})();

/**
 * Time-axis ticks for [start, end] at a step chosen for the span (seconds apart to years), at most `maxTicks`,
 * aligned to whole steps in UTC, each labelled at the step's precision.
 */
export function timeTicks(start: number, end: number, maxTicks: number): { at: number; label: string }[] {
  const span = Math.max(1, end - start);
  const step = TIME_STEPS.find((s) => span / s.seconds <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: { at: number; label: string }[] = [];
  for (let t = Math.ceil(start / step.seconds) * step.seconds; t <= end && ticks.length < maxTicks + 1; t += step.seconds) {
    ticks.push({ at: t, label: step.label(new Date(t * 1000)) });
  }
  return ticks;
}

/**
 * Markers closer than `minPx` on the axis share one label (e.g. "3–7"), so numbers never overlap when events are
 * seconds apart in a long period. Returns each group's first x and the 1-based numbers it holds.
 */
export function groupMarkers(xs: readonly number[], minPx: number): { x: number; first: number; last: number }[] {
  const groups: { x: number; first: number; last: number }[] = [];
  xs.forEach((x, i) => {
    const last = groups[groups.length - 1];
    if (last !== undefined && x - last.x < minPx) last.last = i + 1;
    else groups.push({ x, first: i + 1, last: i + 1 });
  });
  return groups;
}

function axes(plot: { left: number; right: number; top: number; bottom: number }): string {
  return (
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.bottom}" stroke="#333333"/>\n` +
    `<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}" stroke="#333333"/>`
  );
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const r = (v: number) => Math.round(v * 10) / 10;
