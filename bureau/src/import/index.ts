export { importCsv, type ImportSummary } from "./import-csv.js";
export {
  ASSIGNMENT_HD_PATH,
  DEFAULT_ADDRESS_COLUMN,
  parseAssignment,
  addressAssigner,
  describeAssignment,
  type Assignment,
} from "./assign.js";
export { parseCsv, CsvError, type CsvTable } from "./csv.js";
export { validateRows, ImportError, MAX_LISTED_PROBLEMS, type ImportedFile } from "./rows.js";
