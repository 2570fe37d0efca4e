/**
 * A small RFC 4180 CSV reader: comma-separated, fields optionally in double quotes ("" inside quotes is one
 * quote), LF or CRLF line ends, a header row. Enough for the data set's files (quoted header, bare numbers)
 * without a dependency; anything it cannot read is an error naming the line, never a silent guess.
 */

export class CsvError extends Error {
  override readonly name = "CsvError";
}

export interface CsvTable {
  header: string[];
  /** Data rows with the line each starts on (1-based, the header being line 1). */
  rows: { line: number; cells: string[] }[];
}

export function parseCsv(text: string, source = "CSV"): CsvTable {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let inQuotes = false;
  let quotedCell = false;
  let line = 1;
  let recordLine = 1;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endCell = () => {
    cells.push(cell);
    cell = "";
    quotedCell = false;
  };
  const endRecord = () => {
    endCell();
    // A blank line (one empty unquoted cell) separates nothing: skip it rather than call it a short row.
    if (!(cells.length === 1 && cells[0] === "")) records.push({ line: recordLine, cells });
    cells = [];
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (inQuotes) {
      if (char === '"') {
        if (body[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else inQuotes = false;
      } else {
        if (char === "\n") line += 1;
        cell += char;
      }
      continue;
    }
    if (char === '"') {
      if (cell !== "" || quotedCell) throw new CsvError(`${source} line ${line}: a quote inside an unquoted field`);
      inQuotes = true;
      quotedCell = true;
    } else if (char === ",") {
      endCell();
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && body[i + 1] === "\n") i += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      if (quotedCell) throw new CsvError(`${source} line ${line}: text after a closing quote`);
      cell += char;
    }
  }
  if (inQuotes) throw new CsvError(`${source} line ${recordLine}: a quoted field is not closed`);
  if (cell !== "" || cells.length > 0 || quotedCell) endRecord();
  const [head, ...rows] = records;
  if (head === undefined) throw new CsvError(`${source}: no header row`);
  const header = head.cells.map((name) => name.trim());
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === "") throw new CsvError(`${source} header: column ${i + 1} has no name`);
    const earlier = seen.get(name);
    if (earlier !== undefined)
      throw new CsvError(`${source} header: column ${name} appears twice (columns ${earlier + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  for (const row of rows) {
    if (row.cells.length !== header.length) {
      throw new CsvError(`${source} line ${row.line}: ${row.cells.length} fields, the header has ${header.length}`);
    }
  }
  return { header, rows };
}
