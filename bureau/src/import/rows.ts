/**
 * Validation of imported rows against the feature schema: every schema column present, every value a plain
 * integer within its documented range. Columns outside the schema (ID, SEX, MARRIAGE, the target…) are never
 * read, so the bureau stores nothing the model does not use.
 */
import type { FeatureSchema } from "../schema/feature-schema.js";
import { CsvError, type CsvTable } from "./csv.js";

/** At most this many problems are listed; the count of the rest follows. */
export const MAX_LISTED_PROBLEMS = 20;
/**
 * A plain decimal number, optionally in scientific notation: the data set's own file writes round amounts as
 * R does ("5e+05"). The value must still be an exact integer; "1.5" or "1e-3" is refused, never rounded.
 */
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** The import was refused; `problems` name each row and column (nothing was written). */
export class ImportError extends Error {
  override readonly name = "ImportError";

  constructor(
    readonly problems: readonly string[],
    source: string,
  ) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const more = problems.length > listed.length ? `\n… and ${problems.length - listed.length} more` : "";
    super(
      `import of ${source} refused, nothing was written (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${listed.join("\n")}${more}`,
    );
  }
}

export interface ImportedFile {
  borrower: string;
  line: number;
  fields: number[];
}

/**
 * Validates every row (all problems are collected, so one run shows them all) and assigns it its borrower.
 * Throws an ImportError listing each bad row and column, or when two rows belong to one borrower.
 */
export function validateRows(
  table: CsvTable,
  schema: FeatureSchema,
  assign: (index: number, cells: readonly string[], line: number) => string,
  source: string,
): ImportedFile[] {
  const missing = schema.featureNames.filter((name) => !table.header.includes(name));
  if (missing.length > 0)
    throw new ImportError(
      missing.map((name) => `header: column ${name} (a schema feature) is missing`),
      source,
    );
  if (table.rows.length === 0) throw new ImportError(["the file has a header but no data rows"], source);
  const columns = schema.featureNames.map((name) => table.header.indexOf(name));
  const problems: string[] = [];
  const files: ImportedFile[] = [];
  const lineOf = new Map<string, number>();
  table.rows.forEach(({ line, cells }, index) => {
    const fields: number[] = [];
    schema.featureNames.forEach((name, i) => {
      const text = (cells[columns[i] as number] ?? "").trim();
      const range = schema.ranges[i];
      if (text === "") return void problems.push(`line ${line}, column ${name}: empty`);
      const value = Number(text);
      if (!NUMBER.test(text) || !Number.isInteger(value)) {
        return void problems.push(`line ${line}, column ${name}: "${text.slice(0, 30)}" is not an integer`);
      }
      if (range === undefined || value < range.min || value > range.max) {
        return void problems.push(
          `line ${line}, column ${name}: ${text.slice(0, 30)} is outside [${range?.min}, ${range?.max}] (${range?.description})`,
        );
      }
      fields.push(value);
    });
    let borrower: string;
    try {
      borrower = assign(index, cells, line);
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      return void problems.push(error.message);
    }
    const earlier = lineOf.get(borrower);
    if (earlier !== undefined)
      return void problems.push(`line ${line}: borrower ${borrower} already has a row (line ${earlier})`);
    lineOf.set(borrower, line);
    if (fields.length === schema.featureNames.length) files.push({ borrower, line, fields });
  });
  if (problems.length > 0) throw new ImportError(problems, source);
  return files;
}
