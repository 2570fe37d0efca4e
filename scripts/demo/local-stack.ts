/**
 * The local stack's setup, one for the demo (scripts/demo.ts, on Hardhat's in-process network) and the app's seeded
 * stack (scripts/app/seed.ts, on a `hardhat node`): the system deployed with the default parameters and the local
 * mocks, the shipped model and the data providers approved, the address book; then 3 oracle operators (keystores in
 * the caller's temp dir, 10 ETH each for gas) registered with k = 2, and their nodes (scripts/demo/cluster.ts).
 */
import { fileURLToPath } from "node:url";

import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { parseEther, type TransactionReceipt } from "ethers";

import type { CreditScoreOracle, MockAggregatorV3, WETH9 } from "../../types/ethers-contracts/index.js";
import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import { buildAddressBook } from "../deploy/address-book.js";
import {
  approveDataProviders,
  approveModel,
  deploySystem,
  shippedFeatureNames,
  shippedModel,
  type DeployedSystem,
  type RoleHolders,
  type ShippedModel,
} from "../deploy/deploy-system.js";
import { defaultParameters, type DeploymentParameters } from "../deploy/parameters.js";
import { createOperatorKeystores, startCluster, type ClusterOptions } from "./cluster.js";

export const MODEL_PATH = fileURLToPath(new URL("../../oracle/model/credit-model.onnx", import.meta.url));
const MODEL_CARD_PATH = fileURLToPath(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url));
/** The oracle operators the local stack registers, and how many of their signatures a report needs. */
export const OPERATORS = 3;
export const THRESHOLD = 2;

/** Waits for a transaction; throws unless it was mined and succeeded. */
export async function mined(tx: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("transaction was not mined");
  return receipt;
}

export interface LocalDeployment {
  /** The deployed system, with the mocks a local chain has (WETH and both of its price feeds). */
  system: DeployedSystem & { weth: WETH9; priceFeed: MockAggregatorV3; fallbackPriceFeed: MockAggregatorV3 };
  params: DeploymentParameters;
  model: ShippedModel;
  featureNames: string[];
  chainId: bigint;
  addressBook: AddressBook;
}

/**
 * Deploys the system with the default parameters, has the regulator approve the shipped model and the data
 * providers for its feature schema, and builds the address book under `networkName`.
 */
export async function deployLocalSystem(
  ethers: HardhatEthers,
  roles: RoleHolders,
  networkName: string,
): Promise<LocalDeployment> {
  const params = defaultParameters;
  const system = await deploySystem(ethers, roles, params);
  const { oracle, weth, priceFeed, fallbackPriceFeed } = system;
  if (weth === undefined || priceFeed === undefined || fallbackPriceFeed === undefined) {
    throw new Error("the local deployment must include the WETH and price-feed mocks");
  }
  const model = await shippedModel(MODEL_PATH, MODEL_CARD_PATH);
  await approveModel(oracle, roles.regulator, model);
  const featureNames = await shippedFeatureNames(MODEL_CARD_PATH);
  await approveDataProviders(oracle, roles.regulator, params.dataProviders, featureNames);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const addressBook = await buildAddressBook(networkName, { chainId, system, roles, model, modelApproved: true });
  return {
    system: { ...system, weth, priceFeed, fallbackPriceFeed },
    params,
    model,
    featureNames,
    chainId,
    addressBook,
  };
}

export interface RegisteredOperators {
  keystores: ClusterOptions["keystores"];
  /** The keystores' password, as the environment the nodes read it from. */
  env: ClusterOptions["env"];
  addresses: string[];
  /** `setOperators`'s receipt (its OperatorSetChanged event names the threshold and the set's version). */
  receipt: TransactionReceipt;
}

/**
 * Creates the operators' keystores in `dir`, sends each operator 10 ETH from the deployer, and has governance
 * register them as the operator set with k = THRESHOLD.
 */
export async function registerOperators(input: {
  dir: string;
  oracle: CreditScoreOracle;
  deployer: HardhatEthersSigner;
  governance: HardhatEthersSigner;
}): Promise<RegisteredOperators> {
  const { keystores, env } = await createOperatorKeystores(input.dir, OPERATORS);
  const addresses = keystores.map((keystore) => keystore.address);
  for (const address of addresses)
    await mined(input.deployer.sendTransaction({ to: address, value: parseEther("10") }));
  const receipt = await mined(input.oracle.connect(input.governance).setOperators(addresses, THRESHOLD));
  return { keystores, env, addresses, receipt };
}

/** Starts the registered operators' nodes on the shipped model (scripts/demo/cluster.ts). */
export function startOracleNodes(options: Omit<ClusterOptions, "modelPath" | "threshold">): Promise<RunningNode[]> {
  return startCluster({ ...options, modelPath: MODEL_PATH, threshold: THRESHOLD });
}
