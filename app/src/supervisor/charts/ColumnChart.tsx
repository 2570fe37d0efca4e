/** Columns over a sequence (events per block range), plain SVG with a title for screen readers. */
export function ColumnChart(props: { title: string; columns: { label: string; value: number }[] }) {
  const width = 520;
  const height = 140;
  const { columns } = props;
  const max = columns.reduce((m, c) => Math.max(m, c.value), 0) || 1;
  const step = columns.length === 0 ? 0 : width / columns.length;
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={props.title}>
      <title>{props.title}</title>
      {columns.map((column, i) => {
        const h = (column.value / max) * height;
        return (
          <g key={column.label}>
            <rect x={i * step + 1} y={height - h} width={Math.max(1, step - 2)} height={h} className="bar ok">
              <title>{`${column.label}: ${column.value}`}</title>
            </rect>
            {(i === 0 || i === columns.length - 1) && (
              <text x={i * step + step / 2} y={height + 14} textAnchor="middle" className="muted">
                {column.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
