/** Node-only: reading an address book from a file (the browser fetches it: `fetchAddressBook`). */
import { access, readFile } from "node:fs/promises";

import { addressBookPath, parseAddressBook, type AddressBook } from "../address-book.js";

/** Reads and validates an address book; errors name the file and the bad field. */
export async function readAddressBook(path: string): Promise<AddressBook> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read address book ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseAddressBook(json, path);
}

/** A network's address book; a missing one is an error that says to deploy first. */
export async function readNetworkAddressBook(
  networkName: string,
): Promise<{ addressBook: AddressBook; bookPath: string }> {
  const bookPath = addressBookPath(networkName);
  try {
    await access(bookPath);
  } catch {
    throw new Error(
      `no address book for network "${networkName}": ${bookPath} does not exist (deploy first: npm run deploy -- --network ${networkName})`,
    );
  }
  return { addressBook: await readAddressBook(bookPath), bookPath };
}
