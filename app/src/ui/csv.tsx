/** CSV export: RFC 4180 quoting, downloaded as a file from the browser. */
export type CsvCell = string | number | bigint | boolean | undefined;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const cell = (value: CsvCell) => {
    const text = value === undefined ? "" : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function downloadCsv(fileName: string, header: readonly string[], rows: readonly (readonly CsvCell[])[]): void {
  const blob = new Blob([toCsv(header, rows)], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export function CsvButton(props: {
  fileName: string;
  header: readonly string[];
  rows: () => readonly (readonly CsvCell[])[];
}) {
  return (
    <button type="button" className="csv" onClick={() => downloadCsv(props.fileName, props.header, props.rows())}>
      Export CSV
    </button>
  );
}
