/**
 * Builds and writes a deployment's address book; its schema and reader are protocol facts shared with the oracle
 * node (`oracle/src/protocol/address-book.ts`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

import { addressBookPath, type AddressBook } from "../../oracle/src/protocol/address-book.js";
import type { DeployedSystem, RoleHolders, ShippedModel } from "./deploy-system.js";

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
      savingsVault: await system.savingsVault.getAddress(),
      vusdFlashMinter: await system.flashMinter.getAddress(),
      ...(system.dexRouterAddress === undefined ? {} : { dexRouter: system.dexRouterAddress }),
      ...(system.flashLiquidator === undefined ? {} : { flashLiquidator: await system.flashLiquidator.getAddress() }),
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
