/**
 * Deploys the whole Verity system to the network Hardhat is pointed at and writes the address book to
 * `deployments/<network>.json`.
 *
 *   npx hardhat run scripts/deploy.ts                      # in-process network
 *   npx hardhat run scripts/deploy.ts --network localhost  # a running `npx hardhat node --hostname 127.0.0.1`
 *
 * Parameters: `deployments/params/<network>.json` overrides the defaults in scripts/deploy/parameters.ts.
 * On a local chain the first five accounts hold deployer, governance, regulator, guardian and attester, mocks
 * stand in for WETH and the Chainlink feed, and the shipped model is proposed and approved; on the in-process chain the PSM is
 * opened and the mock DEX (for the FlashLiquidator) seeded (`dex.seedWeth`, 200 WETH by default, at the ETH feed's
 * price); a `hardhat node`'s clock is not moved past the timelock, so there the PSM stays closed. Elsewhere the role
 * holders and external addresses come from the parameters file and the deployer key from Hardhat's
 * configuration variables / keystore.
 */
import { formatUnits } from "ethers";
import { network } from "hardhat";

import {
  approveDataProviders,
  deploySystem,
  openPsm,
  seedLocalDex,
  shippedFeatureNames,
  shippedModel,
  approveModel,
} from "./deploy/deploy-system.js";
import { loadDeploymentParameters } from "./deploy/parameters.js";
import { writeAddressBook } from "./deploy/address-book.js";

const connection = await network.create();
const { ethers, networkName } = connection;
const chainId = (await ethers.provider.getNetwork()).chainId;
const isLocal = chainId === 31337n;

const params = await loadDeploymentParameters(`deployments/params/${networkName}.json`);
if (!isLocal) {
  // Mocks stand in for WETH and its two price feeds only on a local chain; elsewhere the real ones are required.
  for (const field of ["weth", "priceFeed", "fallbackPriceFeed"] as const) {
    if (params.collateral[field] === undefined) {
      throw new Error(`deployments/params/${networkName}.json: collateral.${field} is required off a local chain`);
    }
  }
}
const signers = await ethers.getSigners();
if (signers.length < (isLocal ? 5 : 1)) throw new Error(`network ${networkName} has ${signers.length} accounts`);
const [deployer] = signers as [(typeof signers)[number]];
const pick = async (configured: string | undefined, localIndex: number, role: string) => {
  if (configured !== undefined) return ethers.getSigner(configured);
  if (!isLocal) throw new Error(`deployments/params/${networkName}.json: roles.${role} is required off a local chain`);
  return signers[localIndex]!;
};
const roles = {
  deployer,
  governance: await pick(params.roles.governance, 1, "governance"),
  regulator: await pick(params.roles.regulator, 2, "regulator"),
  guardian: await pick(params.roles.guardian, 3, "guardian"),
  attester: await pick(params.roles.attester, 4, "attester"),
};

console.log(`Deploying Verity to ${networkName} (chain ${chainId}) from ${deployer.address}…`);
const system = await deploySystem(ethers, roles, params);
const model = await shippedModel();
if (isLocal) {
  await approveModel(system.oracle, roles.regulator, model);
  console.log(`Approved the shipped model ${model.modelId}`);
  await approveDataProviders(system.oracle, roles.regulator, params.dataProviders, await shippedFeatureNames());
  for (const provider of params.dataProviders) console.log(`Approved data provider ${provider.name} (${provider.id})`);
}
// Opening the PSM takes the timelock's wait (the chain's clock moves on two days). Only Hardhat's in-process chain
// is ours alone to move; a `hardhat node` is shared with oracle nodes and a bureau that check its clock against
// theirs, so there the PSM and the DEX are left for the regulator to open through the timelock.
const inProcess = connection.networkConfig.type === "edr-simulated";
if (isLocal && !inProcess) {
  console.log(
    "The PSM stays closed and the mock DEX unseeded: moving a shared chain's clock past the timelock would put it " +
      "days ahead of the oracle nodes' and the bureau's. Open it with `npm run verity -- rules schedule " +
      "PSM_EXPOSURE_LIMIT <vUSD>` and `rules execute` once the timelock has passed.",
  );
}
if (isLocal && inProcess) {
  // The PSM opens (the regulator's exposure limit, after the timelock: the chain's clock moves on), the mock feeds
  // are refreshed after the wait, and the mock DEX's WETH/vUSD pool is seeded at the ETH feed's price.
  await openPsm(system, roles.regulator, params, connection.networkHelpers.time);
  for (const feed of [system.priceFeed, system.fallbackPriceFeed]) {
    if (feed !== undefined) await (await feed.setAnswer((await feed.latestRoundData())[1])).wait();
  }
  const seeded = await seedLocalDex(system, deployer, params);
  console.log(
    `Opened the PSM; seeded the mock DEX's WETH/vUSD pool with ${formatUnits(seeded.wethWei, 18)} WETH and ${formatUnits(seeded.vusdWad, 18)} vUSD`,
  );
}
const path = await writeAddressBook(networkName, { chainId, system, roles, model, modelApproved: isLocal });
console.log(`Address book written to ${path}:`);
console.log(JSON.stringify(JSON.parse(await (await import("node:fs/promises")).readFile(path, "utf8")), null, 2));
