/**
 * `deployments/<network>.json`, the address book: the single source of addresses for the oracle node, scripts and
 * reports. Its schema and reader live here, beside the other protocol facts, so that library code reads it without
 * importing from `scripts/`; the deploy script builds and writes it (`scripts/deploy/address-book.ts`).
 */
import { access, readFile } from "node:fs/promises";

import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

export const addressBookSchema = z.strictObject({
  network: z.string(),
  chainId: z.number().int().positive(),
  deployedAtBlock: z.number().int().min(0),
  deployedAt: z.string(),
  contracts: z.strictObject({
    vusd: address,
    creditScoreOracle: address,
    supervisionPolicy: address,
    lendingPool: address,
    weth: address,
    wethUsdPriceFeed: address,
    /** WETH's second price source; absent in address books written before it. */
    wethUsdFallbackPriceFeed: address.optional(),
    /** Absent in address books written before the PSM. */
    pegStabilityModule: address.optional(),
    psmStablecoin: address.optional(),
    psmStablecoinUsdPriceFeed: address.optional(),
    /** Absent in address books written before the savings vault. */
    savingsVault: address.optional(),
    /** Absent in address books written before the flash minter. */
    vusdFlashMinter: address.optional(),
    /** The router FlashLiquidator sells on (the mock DEX on a local chain); absent without one, and in older books. */
    dexRouter: address.optional(),
    /** The no-capital liquidation helper; absent without a router, and in older books. */
    flashLiquidator: address.optional(),
  }),
  roles: z.strictObject({
    deployer: address,
    governance: address,
    regulator: address,
    guardian: address,
    attester: address,
  }),
  model: z.strictObject({ modelId: z.string(), validationReportHash: z.string(), approved: z.boolean() }),
});

export type AddressBook = z.infer<typeof addressBookSchema>;

/** Where a network's address book is, relative to the repository root. */
export function addressBookPath(networkName: string): string {
  return `deployments/${networkName}.json`;
}

/** Reads and validates an address book; errors name the file and the bad field. */
export async function readAddressBook(path: string): Promise<AddressBook> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read address book ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = addressBookSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`address book ${path}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
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

/** Throws unless the chain a connection reaches is the one the address book was written for. */
export function assertAddressBookChain(
  addressBook: AddressBook,
  bookPath: string,
  chainId: bigint | number,
  networkName: string,
): void {
  if (Number(chainId) !== addressBook.chainId) {
    throw new Error(
      `network "${networkName}" is chain ${chainId}, but ${bookPath} was written for chain ${addressBook.chainId}`,
    );
  }
}
