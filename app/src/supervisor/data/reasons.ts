/**
 * The adverse-action texts of the shipped model's reason codes (`oracle/model/reason-codes.json`, bundled at build
 * time: the chain stores only the codes). A model registered later with another table would need its own; codes
 * the table lacks show as numbers.
 */
import table from "../../../../oracle/model/reason-codes.json";

const TEXTS = new Map<number, string>(table.codes.map((c) => [c.code, c.text]));

export const REASON_TABLE_VERSION: number = table.version;

export function reasonText(code: number): string | undefined {
  return TEXTS.get(code);
}
