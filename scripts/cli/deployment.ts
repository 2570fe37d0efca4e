/**
 * What every command-line tool that works on a deployed system starts with: the network's address book, a
 * connection through Hardhat's network config, and the check that both name the same chain. Each failure is a
 * one-line message naming the tool and what to do, then exit code 1.
 */
import { access } from "node:fs/promises";

import { InvalidArgumentError } from "commander";
import { network } from "hardhat";

import {
  addressBookPath,
  assertAddressBookChain,
  readAddressBook,
  type AddressBook,
} from "../../oracle/src/protocol/address-book.js";

export { addressBookPath, type AddressBook };

/**
 * Reads the address book at `bookPath` (default `deployments/<networkName>.json`); throws an Error naming the file
 * and what to do when it is missing or invalid.
 */
export async function loadAddressBook(
  networkName: string,
  bookPath: string = addressBookPath(networkName),
): Promise<AddressBook> {
  try {
    await access(bookPath);
  } catch {
    throw new Error(
      `no address book for network "${networkName}": ${bookPath} does not exist (deploy first: npm run deploy -- --network ${networkName}, or pass --deployment <file>)`,
    );
  }
  return readAddressBook(bookPath);
}

/** Throws unless the connected chain is the one the address book was written for. */
export function checkChainId(
  networkName: string,
  chainId: bigint | number,
  addressBook: AddressBook,
  bookPath: string,
): void {
  assertAddressBookChain(addressBook, bookPath, BigInt(chainId), networkName);
}

/** Prints `<tool>: <message>` to stderr and exits 1. */
export function failWith(tool: string): (message: string) => never {
  return (message: string): never => {
    console.error(`${tool}: ${message}`);
    process.exit(1);
  };
}

/** commander parser for a block-number option: a non-negative safe integer. */
export function blockNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a block number (a non-negative integer)`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is too large for a block number`);
  return n;
}

type Connection = Awaited<ReturnType<typeof network.create>>;

export interface DeploymentContext {
  addressBook: AddressBook;
  bookPath: string;
  connection: Connection;
}

/** Reads `deployments/<networkName>.json`, connects to the network and checks that the chain ids agree. */
export async function openDeployment(
  networkName: string,
  fail: (message: string) => never,
): Promise<DeploymentContext> {
  const bookPath = addressBookPath(networkName);
  const addressBook = await loadAddressBook(networkName, bookPath).catch((error: Error) => fail(error.message));
  const connection = await network
    .create({ network: networkName })
    .catch((error: Error) => fail(`cannot connect to network "${networkName}": ${error.message}`));
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  try {
    checkChainId(networkName, chainId, addressBook, bookPath);
  } catch (error) {
    fail((error as Error).message);
  }
  return { addressBook, bookPath, connection };
}
