// Deployment of the whole lending system for the pool tests: the real VUSD and CreditScoreOracle, scores posted
// with reports co-signed by two operators through the oracle's own EIP-712 signing module.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import {
  packSignatures,
  scoreReportDomain,
  signScoreReport,
  type ScoreReport,
} from "../../oracle/src/signing/index.js";
import { deployLendingPool } from "../../scripts/deploy/deploy-system.js";

import {
  DAY,
  FEED_DECIMALS,
  MAX_PRICE_AGE,
  MODEL_ID,
  POOL_PARAMS,
  WAD,
  WETH_PRICE,
  deployPolicy,
  roleId,
} from "./fixtures.js";
import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";

export const mulDivUp = (a: bigint, b: bigint, d: bigint) => (a * b + d - 1n) / d;
export const RAY = 10n ** 27n;
const YEAR = 365n * DAY;
export const accrue = (indexRay: bigint, aprBps: bigint, dt: bigint) =>
  dt === 0n || aprBps === 0n ? indexRay : indexRay + mulDivUp(indexRay * aprBps, dt, 10_000n * YEAR);
export const debtOf = (scaled: bigint, indexRay: bigint) => mulDivUp(scaled, indexRay, RAY);
export const price8 = (usd: bigint) => usd * 10n ** FEED_DECIMALS;

export async function deploySystem(ethers: HardhatEthers) {
  const f = await deployPolicy(ethers);
  const signers = await ethers.getSigners();
  const operators = [signers[9]!, signers[10]!];
  const vusd = await ethers.deployContract("VUSD", [f.governance.address]);
  const oracle = await ethers.deployContract("CreditScoreOracle", [f.governance.address, f.regulator.address]);
  await oracle.connect(f.governance).setOperators(
    operators.map((o) => o.address),
    2,
  );
  await f.policy.connect(f.regulator).setScoreOracle(await oracle.getAddress());
  await oracle.connect(f.governance).setPolicy(await f.policy.getAddress());
  await oracle.connect(f.regulator).proposeModel(MODEL_ID, ethers.ZeroHash);
  await oracle.connect(f.regulator).approveModel(MODEL_ID);
  await oracle
    .connect(f.regulator)
    .approveProvider(
      DEMO_PROVIDER.id,
      DEMO_PROVIDER.name,
      [DEMO_PROVIDER.signer.address],
      ethers.id("schema"),
      DEMO_PROVIDER.dataQualityHash,
    );
  const domain = scoreReportDomain((await ethers.provider.getNetwork()).chainId, await oracle.getAddress());
  const pool = await deployLendingPool(ethers, f.governance, {
    vusd: await vusd.getAddress(),
    oracle: await oracle.getAddress(),
    policy: await f.policy.getAddress(),
    ...POOL_PARAMS,
  });
  const poolAddress = await pool.getAddress();
  await f.policy.connect(f.regulator).grantRole(roleId(ethers, "POOL"), poolAddress);
  await vusd.connect(f.governance).setMinterCap(poolAddress, 10n ** 30n);

  const weth = await ethers.deployContract("WETH9");
  const feed = await ethers.deployContract("MockAggregatorV3", [
    Number(FEED_DECIMALS),
    "ETH / USD",
    price8(WETH_PRICE),
  ]);
  await pool.connect(f.governance).listCollateral(await weth.getAddress(), await feed.getAddress(), MAX_PRICE_AGE);
  // The second, independent source: consulted for a move beyond MAX_PRICE_DEVIATION, a bad primary, a frozen asset.
  const fallbackFeed = await ethers.deployContract("MockAggregatorV3", [
    Number(FEED_DECIMALS),
    "ETH / USD (fallback)",
    price8(WETH_PRICE),
  ]);
  await pool
    .connect(f.governance)
    .setFallbackFeed(await weth.getAddress(), await fallbackFeed.getAddress(), MAX_PRICE_AGE);
  /** Both sources publish `answer8` (a move they confirm). */
  async function setBothAnswers(answer8: bigint) {
    await feed.setAnswer(answer8);
    await fallbackFeed.setAnswer(answer8);
  }

  async function fund(signer: any, eth: bigint) {
    await weth.connect(signer).deposit({ value: eth * WAD });
    await weth.connect(signer).approve(poolAddress, ethers.MaxUint256);
    await vusd.connect(signer).approve(poolAddress, ethers.MaxUint256);
  }
  for (const s of [f.alice, f.bob, f.carol, f.liquidator]) await fund(s, 200n);

  /** A report for `borrower` issued at the latest block's time, co-signed by both operators. */
  async function signedReport(borrower: string, pdBps: number) {
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const [version] = await oracle.operatorSet();
    const report: ScoreReport = {
      borrower,
      pdBps,
      reasonCodes: [1, 2, 0, 0],
      modelId: MODEL_ID,
      operatorSetVersion: version,
      issuedAt: now,
      validUntil: now + 90n * DAY,
      creditFileHash: ethers.id(`credit file of ${borrower} at ${now}`),
      provider: DEMO_PROVIDER.id,
    };
    const signatures = packSignatures(await Promise.all(operators.map((o) => signScoreReport(o, domain, report))));
    return { report, signatures };
  }
  /** Posts a fresh score for `borrower` (push flow, submitted by anyone). */
  async function score(borrower: string, pdBps: number) {
    const { report, signatures } = await signedReport(borrower, pdBps);
    await oracle.submitScore(report, signatures);
  }
  return { ...f, vusd, oracle, pool, poolAddress, weth, feed, fallbackFeed, setBothAnswers, fund, score, signedReport };
}

/** vUSD.totalSupply() + surplus == totalPrincipal + deficit */
export async function identityHolds(pool: any, vusd: any) {
  const [principal, surplus, deficit] = await pool.accounts();
  const supply = await vusd.totalSupply();
  return { lhs: supply + surplus, rhs: principal + deficit };
}

/** vUSD each of alice, bob and carol holds to pay interest with. */
export const SPARE = 5000n * WAD;

/**
 * Shared pool scenarios, built per test file (`loadFixture` caches by function identity):
 * - `deposited`: Alice (scored, tier 0) and Bob (unscored, tier 3) each with 10 WETH ($20,000); the liquidator
 *   holds vUSD from 60,000 borrowed unscored against 100 WETH; alice, bob and carol get `SPARE` vUSD each.
 * - `underwater`: Alice borrows 16,000 (tier 0 max LTV), then ETH falls 9% to $1820 (both sources): health factor 0.967.
 */
export function poolScenarios(ethers: HardhatEthers) {
  async function deposited() {
    const s = await deploySystem(ethers);
    const wethAddress = await s.weth.getAddress();
    await s.pool.connect(s.alice).deposit(wethAddress, 10n * WAD, s.alice.address);
    await s.pool.connect(s.bob).deposit(wethAddress, 10n * WAD, s.bob.address);
    await s.score(s.alice.address, 100);
    await s.pool.connect(s.liquidator).deposit(wethAddress, 100n * WAD, s.liquidator.address);
    await s.pool.connect(s.liquidator).borrow(60_000n * WAD);
    for (const who of [s.alice, s.bob, s.carol]) await s.vusd.connect(s.liquidator).transfer(who.address, SPARE);
    return { ...s, wethAddress };
  }
  async function underwater() {
    const s = await deposited();
    await s.pool.connect(s.alice).borrow(16_000n * WAD);
    await s.setBothAnswers(price8(1820n));
    return s;
  }
  return { deposited, underwater };
}
