/** One CSV per table (RFC 4180: comma-separated, CRLF line ends, fields quoted when they need it). */
import { formatBps, formatTime, formatVusd } from "./format.js";
import type { Cell, Column, ReportTable } from "./tables.js";

export function renderCsv(table: ReportTable): string {
  const header = table.columns.map((c) => escapeCsvField(csvHeader(c)));
  const rows = table.rows.map((row) => row.map((cell, i) => escapeCsvField(csvCell(table.columns[i]!, cell))));
  return [header, ...rows].map((fields) => fields.join(",")).join("\r\n") + "\r\n";
}

/** Quotes a field containing a comma, quote, CR or LF, doubling its quotes. */
export function escapeCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvHeader(column: Column): string {
  if (column.kind === "duration") return `${column.header} (s)`;
  if (column.kind === "time") return `${column.header} (UTC)`;
  return column.header;
}

/** Values a spreadsheet reads as numbers: exact vUSD decimals, percentages, ISO times, seconds. */
export function csvCell(column: Column, cell: Cell): string {
  if (cell === null) return "";
  switch (column.kind) {
    case "vusd":
      return formatVusd(BigInt(cell), { exact: true });
    case "bps":
      return formatBps(Number(cell));
    case "share":
      return `${(Number(cell) * 100).toFixed(4)}%`;
    case "time":
      return formatTime(Number(cell), "iso");
    case "text":
      return neutraliseFormula(String(cell));
    default:
      return String(cell);
  }
}

/**
 * Text starting with = + - @ (or a tab / CR) is a formula to a spreadsheet (CSV injection, OWASP): such cells get
 * a leading apostrophe. Numbers are not text cells, so negative amounts stay numbers.
 */
function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
