/**
 * A horizontal bar chart in plain SVG: one labelled bar per row, optional reference lines (e.g. HF 1.0 and 1.1).
 * Accessible: the SVG has a title and each bar's value is in its text.
 */
export interface Bar {
  label: string;
  value: number;
  /** Shown at the bar's end (default: the value). */
  text?: string;
  tone?: "ok" | "warn" | "bad";
}

export function BarChart(props: { title: string; bars: Bar[]; lines?: { at: number; label: string }[]; max?: number }) {
  const { bars } = props;
  const rowHeight = 26;
  const labelWidth = 150;
  const width = 520;
  const plot = width - labelWidth - 90;
  const values = bars.map((b) => b.value).concat((props.lines ?? []).map((l) => l.at));
  const max = values.reduce((m, v) => Math.max(m, v), props.max ?? 0) || 1;
  const height = Math.max(1, bars.length) * rowHeight + 22;
  const x = (v: number) => labelWidth + (Math.max(0, v) / max) * plot;
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
      <title>{props.title}</title>
      {bars.length === 0 && (
        <text x={8} y={18} className="muted">
          nothing yet
        </text>
      )}
      {bars.map((bar, i) => (
        <g key={bar.label} transform={`translate(0, ${i * rowHeight + 4})`}>
          <text x={labelWidth - 6} y={15} textAnchor="end">
            {bar.label}
          </text>
          <rect
            x={labelWidth}
            y={2}
            width={x(bar.value) - labelWidth}
            height={rowHeight - 8}
            className={`bar ${bar.tone ?? "ok"}`}
          />
          <text x={x(bar.value) + 4} y={15}>
            {bar.text ?? bar.value}
          </text>
        </g>
      ))}
      {(props.lines ?? []).map((line, i) => (
        <g key={line.label}>
          <line x1={x(line.at)} x2={x(line.at)} y1={0} y2={height - 16} className="ref" />
          {/* Neighbouring lines' labels sit on alternate sides so close values stay readable. */}
          <text x={x(line.at)} y={height - 4} textAnchor={i % 2 === 0 ? "end" : "start"} className="muted">
            {line.label}
          </text>
        </g>
      ))}
    </svg>
  );
}
