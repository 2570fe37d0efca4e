import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

import { z } from "zod";

import type { DeployedSystem, RoleHolders, ShippedModel } from "./deploy-system.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

/** `deployments/<network>.json`: the single source of addresses for scripts, the oracle node and reports. */
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

export function addressBookPath(networkName: string): string {
  return `deployments/${networkName}.json`;
}

export interface AddressBookInput {
  chainId: bigint;
  system: DeployedSystem;
  roles: RoleHolders;
  model: ShippedModel;
  modelApproved: boolean;
}

/** The address book of a deployed system (what `writeAddressBook` stores; tests use it in memory). */
export async function buildAddressBook(networkName: string, input: AddressBookInput): Promise<AddressBook> {
  const { system, roles } = input;
  return {
    network: networkName,
    chainId: Number(input.chainId),
    deployedAtBlock: system.deployedAtBlock,
    deployedAt: new Date().toISOString(),
    contracts: {
      vusd: await system.vusd.getAddress(),
      creditScoreOracle: await system.oracle.getAddress(),
      supervisionPolicy: await system.policy.getAddress(),
      lendingPool: await system.pool.getAddress(),
      weth: system.wethAddress,
      wethUsdPriceFeed: system.priceFeedAddress,
      wethUsdFallbackPriceFeed: system.fallbackPriceFeedAddress,
      pegStabilityModule: await system.psm.getAddress(),
      psmStablecoin: system.psmStablecoinAddress,
      psmStablecoinUsdPriceFeed: system.psmPriceFeedAddress,
    },
    roles: {
      deployer: roles.deployer.address,
      governance: roles.governance.address,
      regulator: roles.regulator.address,
      guardian: roles.guardian.address,
      attester: roles.attester.address,
    },
    model: { ...input.model, approved: input.modelApproved },
  };
}

export async function writeAddressBook(networkName: string, input: AddressBookInput): Promise<string> {
  const book = await buildAddressBook(networkName, input);
  const path = addressBookPath(networkName);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(book, null, 2)}\n`);
  return path;
}

/** Reads and validates an address book; errors name the file and the bad field. */
export async function readAddressBook(path: string): Promise<AddressBook> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read address book ${path}: ${(error as Error).message}`);
  }
  const parsed = addressBookSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`address book ${path}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}
