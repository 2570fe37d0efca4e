/** A small SVG writer for the model card's plots: line charts on [0, 1]² and grouped bar charts. */

const WIDTH = 480;
const HEIGHT = 360;
const MARGIN = { left: 56, right: 16, top: 36, bottom: 48 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

export interface Series {
  label: string;
  points: { x: number; y: number }[];
  /** Draw markers instead of a line. */
  markers?: boolean;
  dashed?: boolean;
}

/** Tick marks and labels at 0, 0.2, …, 1 on the y axis, and on the x axis too when `withX`. */
function unitTicks(withX: boolean): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  return [0, 0.2, 0.4, 0.6, 0.8, 1]
    .map((t) => {
      const x = MARGIN.left + t * plotW;
      const y = MARGIN.top + (1 - t) * plotH;
      const xTick = withX
        ? `<line x1="${x}" y1="${MARGIN.top + plotH}" x2="${x}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>` +
          `<text x="${x}" y="${MARGIN.top + plotH + 16}" font-size="11" text-anchor="middle">${t}</text>`
        : "";
      return (
        xTick +
        `<line x1="${MARGIN.left - 4}" y1="${y}" x2="${MARGIN.left}" y2="${y}" stroke="#333"/>` +
        `<text x="${MARGIN.left - 8}" y="${y + 4}" font-size="11" text-anchor="end">${t}</text>`
      );
    })
    .join("");
}

/** The chart's document: title, plot frame, `ticks`, axis labels (no x label when `xLabel` is undefined), `body`. */
function svgDocument(title: string, yLabel: string, ticks: string, body: string, xLabel?: string): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xLabelText =
    xLabel === undefined
      ? ""
      : `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" font-size="12" text-anchor="middle">${esc(xLabel)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${WIDTH / 2}" y="20" font-size="14" text-anchor="middle">${esc(title)}</text>` +
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>` +
    ticks +
    xLabelText +
    `<text x="14" y="${MARGIN.top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${MARGIN.top + plotH / 2})">${esc(yLabel)}</text>` +
    body +
    `</svg>\n`
  );
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => (MARGIN.left + Math.min(Math.max(x, 0), 1) * plotW).toFixed(1);
  const py = (y: number) => (MARGIN.top + (1 - Math.min(Math.max(y, 0), 1)) * plotH).toFixed(1);
  const body = series
    .map((s, i) => {
      const colour = COLOURS[i % COLOURS.length] as string;
      const legendY = MARGIN.top + 16 + i * 16;
      const legend =
        `<rect x="${MARGIN.left + plotW - 190}" y="${legendY - 9}" width="10" height="10" fill="${colour}"/>` +
        `<text x="${MARGIN.left + plotW - 175}" y="${legendY}" font-size="11">${esc(s.label)}</text>`;
      if (s.markers) {
        return (
          s.points.map((p) => `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3.5" fill="${colour}"/>`).join("") +
          `<polyline fill="none" stroke="${colour}" stroke-width="1" points="${s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(" ")}"/>` +
          legend
        );
      }
      const dash = s.dashed ? ` stroke-dasharray="5,4"` : "";
      return (
        `<polyline fill="none" stroke="${colour}" stroke-width="1.8"${dash} points="${s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(" ")}"/>` +
        legend
      );
    })
    .join("");
  return svgDocument(title, yLabel, unitTicks(true), body, xLabel);
}

/** Grouped bars with values in [0, 1] and an optional horizontal reference line. */
export function barChart(
  title: string,
  yLabel: string,
  bars: { label: string; values: { name: string; value: number }[] }[],
  reference?: number,
): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const groupW = plotW / bars.length;
  const seriesCount = bars.reduce((max, b) => Math.max(max, b.values.length), -Infinity);
  const barW = (groupW * 0.7) / seriesCount;
  let body = bars
    .map((bar, g) => {
      const x0 = MARGIN.left + g * groupW + groupW * 0.15;
      return (
        bar.values
          .map((v, s) => {
            const h = Math.min(Math.max(v.value, 0), 1) * plotH;
            const x = x0 + s * barW;
            return (
              `<rect x="${x.toFixed(1)}" y="${(MARGIN.top + plotH - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[s % COLOURS.length]}"/>` +
              `<text x="${(x + barW / 2).toFixed(1)}" y="${(MARGIN.top + plotH - h - 3).toFixed(1)}" font-size="9" text-anchor="middle">${fmt(v.value)}</text>`
            );
          })
          .join("") +
        `<text x="${(MARGIN.left + g * groupW + groupW / 2).toFixed(1)}" y="${MARGIN.top + plotH + 30}" font-size="11" text-anchor="middle">${esc(bar.label)}</text>`
      );
    })
    .join("");
  const names = bars[0]?.values.map((v) => v.name) ?? [];
  body += names
    .map(
      (n, s) =>
        `<rect x="${MARGIN.left + 8}" y="${MARGIN.top + 8 + s * 16}" width="10" height="10" fill="${COLOURS[s % COLOURS.length]}"/><text x="${MARGIN.left + 22}" y="${MARGIN.top + 17 + s * 16}" font-size="11">${esc(n)}</text>`,
    )
    .join("");
  if (reference !== undefined) {
    const y = (MARGIN.top + (1 - reference) * plotH).toFixed(1);
    body += `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#555" stroke-dasharray="4,3"/>`;
  }
  return svgDocument(title, yLabel, unitTicks(false), body, "");
}

/** Point estimates with interval whiskers on a [lo, hi] y axis, with dashed horizontal reference lines. */
export function intervalChart(
  title: string,
  yLabel: string,
  items: { label: string; estimate: number; lo: number; hi: number }[],
  references: number[],
  range: [number, number],
): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [from, to] = range;
  const py = (v: number) =>
    (MARGIN.top + (1 - (Math.min(Math.max(v, from), to) - from) / (to - from)) * plotH).toFixed(1);
  const slot = plotW / items.length;
  const ticks = Array.from({ length: 7 }, (_, k) => from + (k * (to - from)) / 6)
    .map(
      (t) =>
        `<line x1="${MARGIN.left - 4}" y1="${py(t)}" x2="${MARGIN.left}" y2="${py(t)}" stroke="#333"/><text x="${MARGIN.left - 8}" y="${(Number(py(t)) + 4).toFixed(1)}" font-size="11" text-anchor="end">${fmt(t)}</text>`,
    )
    .join("");
  const refs = references
    .map(
      (v) =>
        `<line x1="${MARGIN.left}" y1="${py(v)}" x2="${MARGIN.left + plotW}" y2="${py(v)}" stroke="#555" stroke-dasharray="4,3"/><text x="${MARGIN.left + plotW - 4}" y="${(Number(py(v)) - 3).toFixed(1)}" font-size="10" text-anchor="end">${fmt(v)}</text>`,
    )
    .join("");
  const marks = items
    .map((item, i) => {
      const x = (MARGIN.left + (i + 0.5) * slot).toFixed(1);
      return (
        `<line x1="${x}" y1="${py(item.lo)}" x2="${x}" y2="${py(item.hi)}" stroke="${COLOURS[0]}" stroke-width="2"/>` +
        `<line x1="${(Number(x) - 6).toFixed(1)}" y1="${py(item.lo)}" x2="${(Number(x) + 6).toFixed(1)}" y2="${py(item.lo)}" stroke="${COLOURS[0]}" stroke-width="2"/>` +
        `<line x1="${(Number(x) - 6).toFixed(1)}" y1="${py(item.hi)}" x2="${(Number(x) + 6).toFixed(1)}" y2="${py(item.hi)}" stroke="${COLOURS[0]}" stroke-width="2"/>` +
        `<circle cx="${x}" cy="${py(item.estimate)}" r="4" fill="${COLOURS[1]}"/>` +
        `<text x="${x}" y="${MARGIN.top + plotH + 30}" font-size="11" text-anchor="middle">${esc(item.label)}</text>`
      );
    })
    .join("");
  return svgDocument(title, yLabel, ticks, refs + marks);
}
