/**
 * What every command-line tool that works on a deployed system starts with: the network's address book, a
 * connection through Hardhat's network config, and the check that both name the same chain. Each failure is a
 * one-line message naming the tool and what to do, then exit code 1.
 */
import { InvalidArgumentError } from "commander";
import { network } from "hardhat";

import { assertAddressBookChain, readNetworkAddressBook, type AddressBook } from "../../oracle/src/protocol/address-book.js";

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
export async function openDeployment(networkName: string, fail: (message: string) => never): Promise<DeploymentContext> {
  const { addressBook, bookPath } = await readNetworkAddressBook(networkName).catch((error: Error) => fail(error.message));
  const connection = await network.create({ network: networkName }).catch((error: Error) =>
    fail(`cannot connect to network "${networkName}": ${error.message}`),
  );
  const { chainId } = await connection.ethers.provider.getNetwork();
  try {
    assertAddressBookChain(addressBook, bookPath, chainId, networkName);
  } catch (error) {
    fail((error as Error).message);
  }
  return { addressBook, bookPath, connection };
}
