/**
 * The protocol's hot paths, measured on the in-process network: `npm run bench:gas` prints them against their
 * targets, `npm run snapshot` writes them to `snapshots/gas.json` and `--check` compares them with it.
 *
 * Each figure is a transaction's `gasUsed` (intrinsic 21,000 + calldata + execution), measured in the state a
 * user meets first: a first deposit, a first borrow with the score already stored, a first score for a borrower;
 * `depositAgain` and `borrowAgain` are the same borrower's next deposit and, a day later, next borrow. Keys are
 * fixed and every step is the same on each run, so the figures are deterministic.
 */
import { network } from "hardhat";
import { Wallet, id, parseEther, parseUnits, type ContractTransactionResponse } from "ethers";

import type { MockAggregatorV3, MockUSDC } from "../../types/ethers-contracts/index.js";
import { defaultParameters } from "../deploy/parameters.js";
import { approveDataProviders, approveModel, deploySystem, openPsm, shippedFeatureNames, shippedModel } from "../deploy/deploy-system.js";
import { DEMO_PROVIDER } from "../lib/attested-application.js";
import {
  packSignatures,
  scoreReportDomain,
  signScoreReport,
  type ScoreReport,
} from "../../oracle/src/signing/index.js";

/** The measured paths, in the order tables and snapshots list them. */
export const GAS_PATHS = [
  "deposit",
  "depositAgain",
  "borrow",
  "borrowAgain",
  "borrowWithReport_k1",
  "borrowWithReport_k3",
  "borrowWithReport_k5",
  "repayPartial",
  "repayFull",
  "withdraw",
  "submitScore_k1",
  "submitScore_k3",
  "submitScore_k5",
  "liquidate",
  "psmSwapIn",
  "psmSwapOut",
  "savingsDeposit",
  "savingsDrip",
  "savingsRedeem",
  "flashLiquidate",
  "borrow_1asset",
  "borrow_4assets",
  "withdraw_1asset",
  "withdraw_4assets",
  "liquidate_1asset",
  "liquidate_4assets",
] as const;
export type GasPath = (typeof GAS_PATHS)[number];

/** Where the chain's clock starts (2065-01-24, a minute boundary later than any wall clock this code will meet). */
const CLOCK_START = 3_000_000_000;

/** Deploys a fresh system on a new in-process network and returns each path's gas used. */
export async function measureGas(): Promise<Record<GasPath, number>> {
  const { ethers, networkHelpers } = await network.create();
  // The chain's clock starts at a fixed time and every report is issued on a minute boundary after it, so the
  // reports' bytes (and with them the calldata's gas) are the same on every run, whenever it runs.
  await networkHelpers.time.increaseTo(CLOCK_START);
  const signers = await ethers.getSigners();
  const [deployer, governance, regulator, guardian, attester, liquidator, ...borrowers] = signers;
  if (deployer === undefined || liquidator === undefined || borrowers.length < 10) {
    throw new Error("the in-process network needs at least 16 accounts");
  }
  const roles = { deployer, governance: governance!, regulator: regulator!, guardian: guardian!, attester: attester! };
  const system = await deploySystem(ethers, roles, defaultParameters);
  // The story starts at a fixed time after the deployment, however many transactions the deployment takes (interest
  // accrues by the second, and a rounding boundary crossed one second earlier or later moves a figure).
  await networkHelpers.time.increaseTo(CLOCK_START + 600);
  const model = await shippedModel();
  await approveModel(system.oracle, roles.regulator, model);
  await approveDataProviders(system.oracle, roles.regulator, defaultParameters.dataProviders, await shippedFeatureNames());
  const { oracle, pool, vusd, weth, priceFeed, fallbackPriceFeed } = system;
  if (weth === undefined || priceFeed === undefined || fallbackPriceFeed === undefined) {
    throw new Error("local deployment must include the mocks");
  }
  /** Both price sources publish `usd` (a move they agree on). */
  const publish = async (usd: string) => {
    await (await priceFeed.setAnswer(parseUnits(usd, 8))).wait();
    await (await fallbackPriceFeed.setAnswer(parseUnits(usd, 8))).wait();
  };

  // Fixed keys and fixed issue times: the signatures' bytes (calldata gas) are the same on every run.
  const operators = Array.from({ length: 5 }, (_, i) => new Wallet(id(`bench:gas operator ${i}`)));
  const domain = scoreReportDomain((await ethers.provider.getNetwork()).chainId, await oracle.getAddress());
  let operatorVersion = 0n;

  async function useThreshold(k: number): Promise<void> {
    await (await oracle.connect(roles.governance).setOperators(operators.map((o) => o.address), k)).wait();
    operatorVersion = (await oracle.operatorSet()).version;
  }

  async function signedReport(borrower: string, k: number, pdBps = 400): Promise<[ScoreReport, string]> {
    const issuedAtSec = Math.ceil(((await networkHelpers.time.latest()) + 1) / 60) * 60;
    await networkHelpers.time.increaseTo(issuedAtSec);
    const now = BigInt(issuedAtSec);
    const report: ScoreReport = {
      borrower,
      pdBps,
      reasonCodes: [3, 1, 0, 0],
      modelId: model.modelId,
      operatorSetVersion: operatorVersion,
      issuedAt: now,
      validUntil: now + 7n * 24n * 3600n,
      // A fixed file digest: its bytes (calldata gas) are the same on every run.
      creditFileHash: id(`bench:gas credit file of ${borrower}`),
      provider: DEMO_PROVIDER.id,
    };
    const signatures = await Promise.all(operators.slice(0, k).map((o) => signScoreReport(o, domain, report)));
    return [report, packSignatures(signatures)];
  }

  async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error("transaction was not mined");
    return Number(receipt.gasUsed);
  }

  type Signer = (typeof borrowers)[number];
  async function fundCollateral(borrower: Signer, ether: string): Promise<void> {
    await (await weth!.connect(borrower).deposit({ value: parseEther(ether) })).wait();
    await (await weth!.connect(borrower).approve(await pool.getAddress(), parseEther(ether))).wait();
  }

  const results: Record<string, number> = {};
  const wethAddress = system.wethAddress;
  const borrowAmount = parseUnits("10000", 18); // 10 ETH at $3,000 = $30,000 collateral; tier A allows 80 %

  // The system already has a loan in it, and has received some interest, as it will for every user after launch:
  // measuring the very first transaction ever would add the one-off cost of creating the protocol's totals (supply,
  // principal, the day's origination, the interest counter), which no user after the first pays.
  {
    const seeder = borrowers[7]!;
    await fundCollateral(seeder, "30");
    await (await pool.connect(seeder).deposit(wethAddress, parseEther("30"), seeder.address)).wait();
    await (await pool.connect(seeder).borrow(parseUnits("5000", 18))).wait();
    await networkHelpers.time.increase(3600);
    await (await vusd.connect(seeder).approve(await pool.getAddress(), ethers.MaxUint256)).wait();
    await (await pool.connect(seeder).repay(seeder.address, parseUnits("0.01", 18))).wait();
    await publish("3000");
  }

  // deposit: a borrower's first deposit of WETH.
  const alice = borrowers[0]!;
  await fundCollateral(alice, "11");
  results.deposit = await gasOf(pool.connect(alice).deposit(wethAddress, parseEther("10"), alice.address));
  results.depositAgain = await gasOf(pool.connect(alice).deposit(wethAddress, parseEther("1"), alice.address));

  // submitScore with k = 1, 3, 5 (a first score for each borrower), then borrow with the score stored.
  for (const k of [1, 3, 5]) {
    await useThreshold(k);
    const [report, signatures] = await signedReport(borrowers[k]!.address, k);
    results[`submitScore_k${k}`] = await gasOf(oracle.submitScore(report, signatures));
  }
  await useThreshold(3);
  {
    const [report, signatures] = await signedReport(alice.address, 3);
    await (await oracle.submitScore(report, signatures)).wait();
  }
  results.borrow = await gasOf(pool.connect(alice).borrow(borrowAmount));
  // borrowAgain: a day later (interest accrued, a new day's origination), the feed still reporting.
  await networkHelpers.time.increase(24 * 3600);
  await publish("3000");
  results.borrowAgain = await gasOf(pool.connect(alice).borrow(parseUnits("1000", 18)));

  // borrowWithReport (pull flow): deposit, then borrow passing a fresh report signed by k operators.
  for (const [k, index] of [[1, 2], [3, 4], [5, 6]] as const) {
    await useThreshold(k);
    const borrower = borrowers[index]!;
    await fundCollateral(borrower, "10");
    await (await pool.connect(borrower).deposit(wethAddress, parseEther("10"), borrower.address)).wait();
    const [report, signatures] = await signedReport(borrower.address, k);
    results[`borrowWithReport_k${k}`] = await gasOf(pool.connect(borrower).borrowWithReport(borrowAmount, report, signatures));
  }

  // savingsDeposit: a saver's deposit into sVUSD that already has a saver (the seeder), with nothing to pay out yet.
  const { savingsVault } = system;
  const saver = borrowers[4]!;
  for (const holder of [borrowers[7]!, saver]) {
    await (await vusd.connect(holder).approve(await savingsVault.getAddress(), ethers.MaxUint256)).wait();
  }
  await (await savingsVault.connect(borrowers[7]).deposit(parseUnits("1000", 18), borrowers[7]!.address)).wait();
  results.savingsDeposit = await gasOf(savingsVault.connect(saver).deposit(parseUnits("5000", 18), saver.address));

  // repay: a month of interest later, half, then the rest (allowance given beforehand, as a wallet would).
  await networkHelpers.time.increase(30 * 24 * 3600);
  await publish("3000"); // keep the feeds fresh after the time jump
  await (await vusd.connect(alice).approve(await pool.getAddress(), ethers.MaxUint256)).wait();
  results.repayPartial = await gasOf(pool.connect(alice).repay(alice.address, borrowAmount / 2n));
  // The interest accrued exceeds what alice borrowed into her wallet: top her up from another borrower.
  await (await vusd.connect(borrowers[2]).transfer(alice.address, parseUnits("1000", 18))).wait();
  results.repayFull = await gasOf(pool.connect(alice).repay(alice.address, ethers.MaxUint256));
  results.withdraw = await gasOf(pool.connect(alice).withdraw(wethAddress, parseEther("5"), alice.address));
  // savingsDrip: the repayments' interest is credited and the savers' share paid from surplus into the vault;
  // savingsRedeem: the saver redeems every share with nothing left to pay out.
  results.savingsDrip = await gasOf(savingsVault.drip());
  results.savingsRedeem = await gasOf(
    savingsVault.connect(saver).redeem(await savingsVault.balanceOf(saver.address), saver.address, saver.address),
  );

  // liquidate: a tier-A borrower at 80 % LTV; the price falls 20 % (inside the deviation bound), half is repaid.
  {
    const victim = borrowers[5]!;
    await useThreshold(3);
    await fundCollateral(victim, "10");
    await (await pool.connect(victim).deposit(wethAddress, parseEther("10"), victim.address)).wait();
    const [report, signatures] = await signedReport(victim.address, 3, 300);
    await (await pool.connect(victim).borrowWithReport(parseUnits("24000", 18), report, signatures)).wait();
    await publish("2400");
    await (await pool.pokePrice(wethAddress)).wait();
    // The liquidator holds vUSD from a loan of their own.
    await fundCollateral(liquidator, "20");
    await (await pool.connect(liquidator).deposit(wethAddress, parseEther("20"), liquidator.address)).wait();
    await (await pool.connect(liquidator).borrow(parseUnits("15000", 18))).wait();
    await (await vusd.connect(liquidator).approve(await pool.getAddress(), ethers.MaxUint256)).wait();
    results.liquidate = await gasOf(pool.connect(liquidator).liquidate(victim.address, wethAddress, parseUnits("12000", 18)));
  }

  // PSM: the regulator's exposure limit executed after the timelock (which fills the PSM's vUSD buffer); the PSM
  // already holds reserves (a first user swapped in). The measured user is a realistic one: it already holds both
  // tokens (it swapped in once before), with both approved to the PSM for good (as a wallet would). It swaps in, then
  // out; every slot is cold at the start of each transaction, as in any transaction of its own.
  {
    await openPsm(system, roles.regulator, defaultParameters, networkHelpers.time);
    const { psm, psmStablecoin } = system;
    if (psmStablecoin === undefined) throw new Error("local deployment must include the mock stablecoin");
    const psmAddress = await psm.getAddress();
    const [first, user] = [borrowers[6]!, borrowers[3]!];
    for (const holder of [first, user]) {
      await (await psmStablecoin.mint(holder.address, parseUnits("10000", 6))).wait();
      await (await psmStablecoin.connect(holder).approve(psmAddress, ethers.MaxUint256)).wait();
      await (await vusd.connect(holder).approve(psmAddress, ethers.MaxUint256)).wait();
    }
    await (await psm.connect(first).swapIn(parseUnits("1000", 6), first.address)).wait();
    await (await psm.connect(user).swapIn(parseUnits("100", 6), user.address)).wait();
    if ((await vusd.balanceOf(user.address)) === 0n || (await psmStablecoin.balanceOf(user.address)) === 0n) {
      throw new Error("the PSM's benchmark user must hold both tokens before the measured swaps");
    }
    results.psmSwapIn = await gasOf(psm.connect(user).swapIn(parseUnits("1000", 6), user.address));
    results.psmSwapOut = await gasOf(psm.connect(user).swapOut(parseUnits("500", 18), user.address));
  }

  // flashLiquidate: a keeper with no vUSD and no collateral liquidates through FlashLiquidator (flash mint, liquidate,
  // sell the seized WETH on a constant-product pool 1,000 WETH deep, repay, keep the profit). A tier-A borrower at
  // 80 % LTV; the price falls 20 % (inside the deviation bound); half the debt is covered.
  {
    const victim = borrowers[8]!;
    const maker = borrowers[9]!;
    await useThreshold(3);
    await publish("2400"); // fresh again after the PSM's timelock wait
    await fundCollateral(victim, "10");
    await (await pool.connect(victim).deposit(wethAddress, parseEther("10"), victim.address)).wait();
    const [report, signatures] = await signedReport(victim.address, 3, 300);
    await (await pool.connect(victim).borrowWithReport(parseUnits("19200", 18), report, signatures)).wait();
    await publish("1920");
    await (await pool.pokePrice(wethAddress)).wait();
    const vusdAddress = await vusd.getAddress();
    const dex = await ethers.deployContract("MockConstantProductDex");
    const dexAddress = await dex.getAddress();
    // The pool's liquidity comes from a market maker that governance made a capped vUSD minter (a local stand-in).
    await (await vusd.connect(roles.governance).setMinterCap(maker.address, parseUnits("1920000", 18))).wait();
    await (await vusd.connect(maker).mint(maker.address, parseUnits("1920000", 18))).wait();
    await (await weth.connect(maker).deposit({ value: parseEther("1000") })).wait();
    await (await weth.connect(maker).approve(dexAddress, ethers.MaxUint256)).wait();
    await (await vusd.connect(maker).approve(dexAddress, ethers.MaxUint256)).wait();
    await (await dex.connect(maker).addLiquidity(wethAddress, vusdAddress, parseEther("1000"), parseUnits("1920000", 18))).wait();
    const flashLiquidator = await ethers.deployContract("FlashLiquidator", [
      await pool.getAddress(),
      await system.flashMinter.getAddress(),
      dexAddress,
      vusdAddress,
    ]);
    const keeper = new Wallet(id("bench:gas keeper"), ethers.provider);
    await (await deployer.sendTransaction({ to: keeper.address, value: parseEther("1") })).wait();
    const deadline = (await networkHelpers.time.latest()) + 3600;
    results.flashLiquidate = await gasOf(
      flashLiquidator
        .connect(keeper)
        .liquidate(victim.address, wethAddress, parseUnits("9600", 18), [wethAddress, vusdAddress], 1n, deadline),
    );
  }

  // Collateral of several assets: two borrowers, one holding WETH only and one holding WETH and three more listed
  // assets (6-decimal tokens at $1, each with a primary and a fallback feed, like WETH), take the same steps in
  // the same state, so `x_4assets - x_1asset` is what three more assets cost: a first borrow (score stored, every
  // price already accepted), a withdrawal of some WETH with debt outstanding, and a liquidation seizing WETH
  // after a 20 % fall both sources confirm (the other assets' prices unchanged).
  {
    await useThreshold(3);
    const extraFeeds: MockAggregatorV3[] = [];
    const extraTokens: MockUSDC[] = [];
    for (let i = 0; i < 3; i++) {
      const token = await ethers.deployContract("MockUSDC");
      const primary = await ethers.deployContract("MockAggregatorV3", [8, `TOKEN${i} / USD`, parseUnits("1", 8)]);
      const fallback = await ethers.deployContract("MockAggregatorV3", [8, `TOKEN${i} / USD (fallback)`, parseUnits("1", 8)]);
      const tokenAddress = await token.getAddress();
      await (await pool.connect(roles.governance).listCollateral(tokenAddress, await primary.getAddress(), 3600)).wait();
      await (await pool.connect(roles.governance).setFallbackFeed(tokenAddress, await fallback.getAddress(), 3600)).wait();
      extraTokens.push(token);
      extraFeeds.push(primary, fallback);
    }
    /** Every feed publishes again (fresh), WETH at `usd`, the others at $1; every price is accepted. */
    const refresh = async (usd: string) => {
      await publish(usd);
      for (const feed of extraFeeds) await (await feed.setAnswer(parseUnits("1", 8))).wait();
      await (await pool.pokePrice(wethAddress)).wait();
      for (const token of extraTokens) await (await pool.pokePrice(await token.getAddress())).wait();
    };
    const poolAddress = await pool.getAddress();
    const wallet = (i: number) => new Wallet(id(`bench:gas collateral borrower ${i}`), ethers.provider);
    const [one, four, warmer] = [wallet(0), wallet(1), wallet(2)];
    for (const holder of [one, four, warmer]) {
      await (await deployer.sendTransaction({ to: holder.address, value: parseEther("20") })).wait();
      await (await weth.connect(holder).deposit({ value: parseEther("10") })).wait();
      await (await weth.connect(holder).approve(poolAddress, ethers.MaxUint256)).wait();
      await (await pool.connect(holder).deposit(wethAddress, parseEther("10"), holder.address)).wait();
      const [report, signatures] = await signedReport(holder.address, 3, 300);
      await (await oracle.submitScore(report, signatures)).wait();
    }
    for (const token of extraTokens) {
      await (await token.mint(four.address, parseUnits("2000", 6))).wait();
      await (await token.connect(four).approve(poolAddress, ethers.MaxUint256)).wait();
      await (await pool.connect(four).deposit(await token.getAddress(), parseUnits("2000", 6), four.address)).wait();
    }
    await refresh("3000");
    // The day's first borrow (the day's origination total) is someone else's: both measured borrows are later ones.
    await (await pool.connect(warmer).borrow(parseUnits("1000", 18))).wait();
    results.borrow_1asset = await gasOf(pool.connect(one).borrow(parseUnits("23000", 18)));
    results.borrow_4assets = await gasOf(pool.connect(four).borrow(parseUnits("27000", 18)));
    results.withdraw_1asset = await gasOf(pool.connect(one).withdraw(wethAddress, parseEther("0.1"), one.address));
    results.withdraw_4assets = await gasOf(pool.connect(four).withdraw(wethAddress, parseEther("0.1"), four.address));
    await refresh("2400");
    // The liquidator (alice's vUSD from other borrowers) repays 10,000 vUSD of each.
    await (await vusd.connect(warmer).transfer(liquidator.address, parseUnits("1000", 18))).wait();
    await (await vusd.connect(one).transfer(liquidator.address, parseUnits("23000", 18))).wait();
    await (await vusd.connect(four).transfer(liquidator.address, parseUnits("27000", 18))).wait();
    results.liquidate_1asset = await gasOf(pool.connect(liquidator).liquidate(one.address, wethAddress, parseUnits("10000", 18)));
    results.liquidate_4assets = await gasOf(pool.connect(liquidator).liquidate(four.address, wethAddress, parseUnits("10000", 18)));
  }

  return Object.fromEntries(GAS_PATHS.map((key) => [key, results[key]!])) as Record<GasPath, number>;
}
