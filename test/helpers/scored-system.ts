/**
 * The start of every compliance history the tests build (test/indexer/history.ts, test/sdk/events.test.ts,
 * test/scripts/report.test.ts): the system deployed with the deploy code and the default parameters, the shipped
 * model and the data providers approved by the regulator, and three random operator keys registered with k = 2 that
 * sign score reports here, with no oracle node; then helpers to post a score and to deposit WETH.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { MaxUint256, Wallet, id, parseEther, type ContractTransactionResponse } from "ethers";

import {
  approveDataProviders,
  approveModel,
  deploySystem,
  shippedFeatureNames,
  shippedModel,
  type RoleHolders,
} from "../../scripts/deploy/deploy-system.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";
import {
  packSignatures,
  scoreReportDomain,
  signScoreReport,
  type ScoreReport,
} from "../../oracle/src/signing/index.js";

/** Waits for a transaction's receipt. */
export async function mined(tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("not mined");
  return receipt;
}

/**
 * Deploys and approves as above. The node's accounts 0–4 hold the roles; `accounts` are the others (borrowers,
 * liquidators, savers), in order.
 */
export async function deployScoredSystem(ethers: HardhatEthers) {
  const [deployer, governance, regulator, guardian, attester, ...accounts] = await ethers.getSigners();
  if (attester === undefined) throw new Error("the network needs at least 5 accounts");
  const roles: RoleHolders = {
    deployer: deployer!,
    governance: governance!,
    regulator: regulator!,
    guardian: guardian!,
    attester,
  };
  const deployed = await deploySystem(ethers, roles, defaultParameters);
  const model = await shippedModel();
  await approveModel(deployed.oracle, roles.regulator, model);
  await approveDataProviders(
    deployed.oracle,
    roles.regulator,
    defaultParameters.dataProviders,
    await shippedFeatureNames(),
  );
  const { oracle, pool, vusd, weth, priceFeed, fallbackPriceFeed } = deployed;
  if (weth === undefined || priceFeed === undefined || fallbackPriceFeed === undefined)
    throw new Error("a local deployment has the WETH and price-feed mocks");
  const system = { ...deployed, weth, priceFeed, fallbackPriceFeed };
  const poolAddress = await pool.getAddress();

  // Three operators, two signatures required.
  const operators = Array.from({ length: 3 }, () => Wallet.createRandom());
  await mined(
    oracle.connect(roles.governance).setOperators(
      operators.map((o) => o.address),
      2,
    ),
  );
  const [version] = await oracle.operatorSet();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const domain = scoreReportDomain(chainId, await oracle.getAddress());

  /** Posts `borrower`'s score, signed by two operators, issued at the latest block's time and valid for 90 days. */
  async function score(borrower: string, pdBps: number, reasonCodes: ScoreReport["reasonCodes"]) {
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const report: ScoreReport = {
      borrower,
      pdBps,
      reasonCodes,
      modelId: model.modelId,
      operatorSetVersion: version,
      issuedAt: now,
      validUntil: now + 90n * 86_400n,
      creditFileHash: id(`credit file of ${borrower} at ${now}`),
      provider: DEMO_PROVIDER.id,
    };
    const signatures = packSignatures(
      await Promise.all(operators.slice(0, 2).map((o) => signScoreReport(o, domain, report))),
    );
    await mined(oracle.submitScore(report, signatures));
  }

  /** Wraps `ether` ETH into WETH and deposits it as `who`'s collateral; approves the pool for WETH and vUSD. */
  async function depositWeth(who: HardhatEthersSigner, ether: string) {
    await mined(system.weth.connect(who).deposit({ value: parseEther(ether) }));
    await mined(system.weth.connect(who).approve(poolAddress, MaxUint256));
    await mined(vusd.connect(who).approve(poolAddress, MaxUint256));
    await mined(pool.connect(who).deposit(system.wethAddress, parseEther(ether), who.address));
  }

  return { system, roles, accounts, model, chainId, poolAddress, score, depositWeth };
}
