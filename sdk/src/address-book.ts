/**
 * `deployments/<network>.json`, the address book: the single source of addresses for the dApp, the oracle node,
 * scripts and reports. Its schema and a parser (browser-safe); reading it from a file is `@verity/sdk/node`'s
 * `readAddressBook` (`sdk/src/node/address-book-file.ts`). The deploy script builds and writes it
 * (`scripts/deploy/address-book.ts`).
 */
import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "not an address");

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
    /** Where the regulator attests compliance reports; absent in address books written before it. */
    complianceReportRegistry: address.optional(),
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

/** Validates an address book already parsed from JSON (fetched by a dApp, say); errors name `source` and the field. */
export function parseAddressBook(json: unknown, source: string): AddressBook {
  const parsed = addressBookSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`address book ${source}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** Fetches and validates an address book over HTTP (a dApp's `/deployments/localhost.json`). */
export async function fetchAddressBook(url: string, options: { timeoutMs?: number } = {}): Promise<AddressBook> {
  let json: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    json = await response.json();
  } catch (error) {
    throw new Error(`cannot read address book ${url}: ${(error as Error).message}`, { cause: error });
  }
  return parseAddressBook(json, url);
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
