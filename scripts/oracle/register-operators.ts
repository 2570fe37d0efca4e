/**
 * Sets the oracle's operator set (`CreditScoreOracle.setOperators`) as governance: the logic behind
 * `npm run oracle:register`, apart from the CLI so a test can run it on the in-process chain.
 */
import { getAddress, isAddress, type Signer } from "ethers";

import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { CreditScoreOracle__factory } from "../../types/ethers-contracts/index.js";

/** Parses `0xA,0xB,…` into checksummed, distinct addresses; the message names the bad entry. */
export function parseOperatorList(text: string): string[] {
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) throw new Error("--operators: give at least one address (comma-separated)");
  const operators = entries.map((entry) => {
    if (!isAddress(entry)) throw new Error(`--operators: "${entry}" is not an address`);
    return getAddress(entry);
  });
  const duplicate = operators.find((operator, i) => operators.indexOf(operator) !== i);
  if (duplicate !== undefined) throw new Error(`--operators: ${duplicate} is listed twice`);
  return operators;
}

/** Picks the address book's governance account among the network's configured signers. */
export async function governanceSigner(signers: readonly Signer[], addressBook: AddressBook): Promise<Signer> {
  const governance = getAddress(addressBook.roles.governance);
  for (const signer of signers) if ((await signer.getAddress()) === governance) return signer;
  throw new Error(`governance ${governance} (from the address book) is not among the network's configured accounts`);
}

export interface RegisteredSet {
  version: bigint;
  threshold: number;
  operators: string[];
  txHash: string;
}

/** Throws unless `threshold` is a valid k for `operatorCount` operators (1..n), naming the allowed range. */
export function checkThreshold(threshold: number, operatorCount: number): void {
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > operatorCount) {
    throw new Error(
      `--threshold must be an integer in 1..${operatorCount} (the number of operators), got ${threshold}`,
    );
  }
}

/** Replaces the operator set with `operators` and threshold `threshold`, signed by `governance`. */
export async function registerOperators(options: {
  governance: Signer;
  addressBook: AddressBook;
  operators: string[];
  threshold: number;
}): Promise<RegisteredSet> {
  const { operators, threshold } = options;
  checkThreshold(threshold, operators.length);
  const oracle = CreditScoreOracle__factory.connect(
    options.addressBook.contracts.creditScoreOracle,
    options.governance,
  );
  const tx = await oracle.setOperators(operators, threshold);
  await tx.wait();
  const [version, onChainThreshold, onChainOperators] = await oracle.operatorSet();
  return { version, threshold: Number(onChainThreshold), operators: [...onChainOperators], txHash: tx.hash };
}
