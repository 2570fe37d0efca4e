/**
 * The whole local stack in this process, for the SDK's tests: Hardhat's in-process chain with the system deployed,
 * the shipped model and the demo bureau approved, three oracle nodes (k = 2) over real HTTP and the bureau service
 * holding one good applicant's file, as `npm run demo` starts them (`scripts/demo/*`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { parseEther } from "ethers";
import { network } from "hardhat";

import type { RunningBureau } from "../../bureau/src/service.js";
import { loadCreditModel } from "../../oracle/src/model/index.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import { buildAddressBook } from "../../scripts/deploy/address-book.js";
import {
  approveDataProviders,
  approveModel,
  deploySystem,
  shippedFeatureNames,
  shippedModel,
} from "../../scripts/deploy/deploy-system.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import { pickApplicants } from "../../scripts/demo/applicants.js";
import { startDemoBureau } from "../../scripts/demo/bureau.js";
import { createOperatorKeystores, startCluster } from "../../scripts/demo/cluster.js";
import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";
import type { AddressBook } from "../../sdk/src/index.js";

const MODEL_PATH = fileURLToPath(new URL("../../oracle/model/credit-model.onnx", import.meta.url));
const MODEL_CARD_PATH = fileURLToPath(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url));

export interface Stack {
  connection: Awaited<ReturnType<typeof network.create>>;
  addressBook: AddressBook;
  nodes: RunningNode[];
  bureau: RunningBureau;
  providerId: string;
  /** Has a good applicant's file at the bureau. */
  borrower: HardhatEthersSigner;
  /** Holds vUSD (borrowed against 40 WETH) to hand out. */
  marketMaker: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  regulator: HardhatEthersSigner;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "verity-sdk-test-"));
  const connection = await network.create();
  const { ethers } = connection;
  const [deployer, governance, regulator, guardian, attester, borrower, marketMaker] = await ethers.getSigners();
  const roles = {
    deployer: deployer!,
    governance: governance!,
    regulator: regulator!,
    guardian: guardian!,
    attester: attester!,
  };
  const system = await deploySystem(ethers, roles, defaultParameters);
  const model = await shippedModel(MODEL_PATH, MODEL_CARD_PATH);
  await approveModel(system.oracle, roles.regulator, model);
  await approveDataProviders(
    system.oracle,
    roles.regulator,
    defaultParameters.dataProviders,
    await shippedFeatureNames(MODEL_CARD_PATH),
  );
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const addressBook = await buildAddressBook("in-process", { chainId, system, roles, model, modelApproved: true });

  const { keystores, env } = await createOperatorKeystores(dir, 3);
  for (const k of keystores) await (await deployer!.sendTransaction({ to: k.address, value: parseEther("10") })).wait();
  await (
    await system.oracle.connect(governance!).setOperators(
      keystores.map((k) => k.address),
      2,
    )
  ).wait();
  const chainNow = () => Math.floor(Date.now() / 1000) + clockOffset;
  let clockOffset = (await connection.networkHelpers.time.latest()) - Math.floor(Date.now() / 1000);
  const nodes = await startCluster({
    dir,
    keystores,
    env,
    modelPath: MODEL_PATH,
    threshold: 2,
    provider: connection.provider,
    addressBook,
    now: chainNow,
  });

  const creditModel = await loadCreditModel(MODEL_PATH);
  const { good } = await pickApplicants(creditModel);
  let bureau: RunningBureau;
  try {
    bureau = await startDemoBureau({
      dir,
      chainId,
      oracle: addressBook.contracts.creditScoreOracle,
      featureNames: creditModel.featureNames,
      nowSec: chainNow,
      files: [{ borrower: borrower!.address, fields: good.features }],
      logLevel: "silent",
    });
  } catch (error) {
    await Promise.all(nodes.map((node) => node.shutdown("test stack failed")));
    throw error;
  }

  // vUSD liquidity, so the borrower can pay interest back.
  const mm = marketMaker!;
  await (await system.weth!.connect(mm).deposit({ value: parseEther("40") })).wait();
  await (await system.weth!.connect(mm).approve(addressBook.contracts.lendingPool, parseEther("40"))).wait();
  await (await system.pool.connect(mm).deposit(addressBook.contracts.weth, parseEther("40"), mm.address)).wait();
  await (await system.pool.connect(mm).borrow(parseEther("20000"))).wait();
  clockOffset = (await connection.networkHelpers.time.latest()) - Math.floor(Date.now() / 1000);

  return {
    connection,
    addressBook,
    nodes,
    bureau,
    providerId: DEMO_PROVIDER.id,
    borrower: borrower!,
    marketMaker: mm,
    guardian: guardian!,
    regulator: regulator!,
    async stop() {
      await Promise.all(nodes.map((node) => node.shutdown("test done")));
      await bureau.shutdown("test done");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
