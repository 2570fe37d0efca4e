/**
 * Which borrower address each CSV row belongs to (`--assign`):
 *
 * - `column:<name>` — the row's own address, from the named column (`column` alone: the column `address`). This is
 *   how a real bureau imports: its files are keyed by the customer's registered wallet.
 * - `mnemonic:<ENV_VAR>` — for demos and tests on public data, which has no addresses: data row i (0-based, in file
 *   order) belongs to the account at m/44'/60'/0'/0/i of the BIP-39 mnemonic in that environment variable (never
 *   on the command line, where the process list shows it). With Hardhat's test mnemonic row i is Hardhat's
 *   account i, so a local demo's borrowers hold their files.
 */
import { getAddress, HDNodeWallet, isAddress, Mnemonic } from "ethers";

import { CsvError } from "./csv.js";

export type Assignment = { kind: "column"; column: string } | { kind: "mnemonic"; envVar: string };

export const DEFAULT_ADDRESS_COLUMN = "address";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses the `--assign` option; throws naming the accepted forms. */
export function parseAssignment(text: string): Assignment {
  const [kind, arg, ...rest] = text.split(":");
  if (kind === "column" && rest.length === 0) {
    const column = arg ?? DEFAULT_ADDRESS_COLUMN;
    if (column.trim() === "") throw new CsvError(`--assign ${text}: the column name is empty`);
    return { kind: "column", column };
  }
  if (kind === "mnemonic" && arg !== undefined && rest.length === 0 && ENV_NAME.test(arg))
    return { kind: "mnemonic", envVar: arg };
  throw new CsvError(`--assign "${text}": expected column[:<name>] or mnemonic:<ENV_VAR>`);
}

export function describeAssignment(assignment: Assignment): string {
  return assignment.kind === "column" ? `column:${assignment.column}` : `mnemonic:${assignment.envVar}`;
}

/** The HD path prefix of `mnemonic:` assignment; the row index is the last component. */
export const ASSIGNMENT_HD_PATH = "m/44'/60'/0'/0";

/**
 * Returns a function giving the address of data row `index` with its cells; throws naming the row and column
 * when the address column is missing or holds no valid address.
 */
export function addressAssigner(
  assignment: Assignment,
  header: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): (index: number, cells: readonly string[], line: number) => string {
  if (assignment.kind === "column") {
    const at = header.indexOf(assignment.column);
    if (at < 0)
      throw new CsvError(
        `CSV header: no column ${assignment.column} to take borrower addresses from (--assign column:${assignment.column})`,
      );
    return (_index, cells, line) => {
      const value: string = (cells[at] ?? "").trim();
      if (!isAddress(value)) {
        throw new CsvError(
          `line ${line}, column ${assignment.column}: "${String(value).slice(0, 50)}" is not a 20-byte hex address (mixed case must be a valid EIP-55 checksum)`,
        );
      }
      return getAddress(value);
    };
  }
  const phrase = env[assignment.envVar];
  if (phrase === undefined || phrase.trim() === "")
    throw new CsvError(
      `--assign mnemonic:${assignment.envVar}: environment variable ${assignment.envVar} is not set or empty`,
    );
  let root: HDNodeWallet;
  try {
    root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(phrase.trim()), ASSIGNMENT_HD_PATH);
  } catch (error) {
    // The phrase itself is never echoed.
    throw new CsvError(`--assign mnemonic:${assignment.envVar}: the variable does not hold a valid BIP-39 mnemonic`, {
      cause: error,
    });
  }
  return (index) => root.deriveChild(index).address;
}
