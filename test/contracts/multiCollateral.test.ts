// Positions holding several collateral assets: the valuation (CollateralLogic.valueOf) reads only the assets a
// position holds (its bitmap), a withdrawal values assets only until its requirement is covered, the policy's
// MAX_PRICE_DEVIATION is read once per valuation yet applies to every asset, and a 16-asset position is valued in full.
import { expect } from "chai";
import { network } from "hardhat";

import { BPS, MAX_PRICE_AGE, WAD } from "./fixtures.js";
import { poolScenarios, price8 } from "./poolFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;
const { deposited } = poolScenarios(ethers);
const ceilDiv = (a: bigint, d: bigint) => (a + d - 1n) / d;

/** Alice (tier 0, 10 WETH at $2,000) also holds 2,000 of a token at $1 whose only feed can be switched off. */
async function withSwitchableAsset() {
  const s = await deposited();
  const token = await ethers.deployContract("TestERC20", ["Second", "SEC", 18]);
  const feed = await ethers.deployContract("RevertingPriceFeed", [price8(1n)]);
  const ta = await token.getAddress();
  await s.pool.connect(s.governance).listCollateral(ta, await feed.getAddress(), MAX_PRICE_AGE);
  await token.mint(s.alice.address, 2_000n * WAD);
  await token.connect(s.alice).approve(s.poolAddress, ethers.MaxUint256);
  await s.pool.connect(s.alice).deposit(ta, 2_000n * WAD, s.alice.address);
  await s.pool.pokePrice(ta); // $1 agreed
  return { ...s, token, ta, switchable: feed };
}

/** Alice (tier 0, 10 WETH at $2,000) also holds 2,000 of a token at $1 with a settable feed (no fallback). */
async function withSecondAsset() {
  const s = await deposited();
  const token = await ethers.deployContract("TestERC20", ["Second", "SEC", 18]);
  const feed = await ethers.deployContract("MockAggregatorV3", [8, "SEC / USD", price8(1n)]);
  const ta = await token.getAddress();
  await s.pool.connect(s.governance).listCollateral(ta, await feed.getAddress(), MAX_PRICE_AGE);
  await token.mint(s.alice.address, 2_000n * WAD);
  await token.connect(s.alice).approve(s.poolAddress, ethers.MaxUint256);
  await s.pool.connect(s.alice).deposit(ta, 2_000n * WAD, s.alice.address);
  await s.pool.pokePrice(ta);
  return { ...s, token, ta, secondFeed: feed };
}

/** Alice holds all 16 listable assets: 10 WETH at $2,000 and 100 of each of 15 tokens at $1 ($21,500 in all). */
async function withSixteenAssets() {
  const s = await deposited();
  const tokens = [];
  for (let i = 0; i < 15; i++) {
    const token = await ethers.deployContract("TestERC20", [`Token ${i}`, `T${i}`, 18]);
    const feed = await ethers.deployContract("MockAggregatorV3", [8, `T${i} / USD`, price8(1n)]);
    const ta = await token.getAddress();
    await s.pool.connect(s.governance).listCollateral(ta, await feed.getAddress(), MAX_PRICE_AGE);
    await token.mint(s.alice.address, 100n * WAD);
    await token.connect(s.alice).approve(s.poolAddress, ethers.MaxUint256);
    await s.pool.connect(s.alice).deposit(ta, 100n * WAD, s.alice.address);
    tokens.push({ token, ta, feed });
  }
  return { ...s, tokens };
}

describe("LendingPool: positions holding several collateral assets", () => {
  describe("a withdrawal values assets only until its requirement is covered", () => {
    it("an unreadable feed of an asset the withdrawal does not need does not block it", async () => {
      const s = await loadFixture(withSwitchableAsset);
      await s.pool.connect(s.alice).borrow(8_000n * WAD); // needs $10,000 at tier 0's 80 %
      await s.switchable.switchOff();
      // 9 WETH ($18,000) cover the requirement: the second asset is not priced.
      await expect(s.pool.connect(s.alice).withdraw(s.wethAddress, WAD, s.alice.address))
        .to.emit(s.pool, "CollateralWithdrawn")
        .withArgs(s.alice.address, s.wethAddress, s.alice.address, WAD);
    });

    it("one it needs does: the feed's own error, as before", async () => {
      const s = await loadFixture(withSwitchableAsset);
      await s.pool.connect(s.alice).borrow(8_000n * WAD);
      await s.switchable.switchOff();
      // 4.5 WETH ($9,000) do not cover $10,000: the second asset's price is needed and cannot be read.
      await expect(
        s.pool.connect(s.alice).withdraw(s.wethAddress, (55n * WAD) / 10n, s.alice.address),
      ).to.be.revertedWithCustomError(s.switchable, "FeedOff");
    });

    it("still refuses a withdrawal the full value does not cover, with the full value in the error", async () => {
      const s = await loadFixture(withSwitchableAsset);
      await s.pool.connect(s.alice).borrow(8_000n * WAD);
      // 4 WETH ($8,000) + 2,000 tokens ($2,000) = $10,000, just under the requirement (the debt has accrued a second).
      const tx = s.pool.connect(s.alice).withdraw(s.wethAddress, 6n * WAD, s.alice.address);
      await expect(tx).to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientCollateral");
      const error = await tx.catch((e: { data?: string }) => e);
      const decoded = s.pool.interface.parseError((error as { data: string }).data)!;
      expect(decoded.args[1]).to.equal(10_000n * WAD);
    });
  });

  it("MAX_PRICE_DEVIATION, read once per valuation, bounds every asset's move", async () => {
    const s = await loadFixture(withSecondAsset);
    // Both move 1 %: both accepted in one borrow.
    await s.setBothAnswers(price8(2020n));
    await s.secondFeed.setAnswer(101_000_000n);
    await expect(s.pool.connect(s.alice).borrow(1_000n * WAD))
      .to.emit(s.pool, "PriceAccepted")
      .withArgs(s.wethAddress, 2020n * WAD)
      .and.to.emit(s.pool, "PriceAccepted")
      .withArgs(s.ta, 101n * 10n ** 16n);
    // WETH moves 1 % again (the bound is read for it), the second asset 48.5 % (no fallback): refused.
    await s.setBothAnswers(price8(2040n));
    await s.secondFeed.setAnswer(150_000_000n);
    await expect(s.pool.connect(s.alice).borrow(1_000n * WAD))
      .to.be.revertedWithCustomError(s.pool, "LendingPoolAssetFrozen")
      .withArgs(s.ta, 15n * 10n ** 17n, 0);
  });

  describe("a 16-asset position", () => {
    it("is valued in full: the loan's LTV counts every asset, and positionOf too", async () => {
      const s = await loadFixture(withSixteenAssets);
      const total = 21_500n * WAD;
      const borrowed = 17_000n * WAD;
      await expect(s.pool.connect(s.alice).borrow(borrowed))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.alice.address, borrowed, 0, 100, await modelIdOf(s), ceilDiv(borrowed * BPS, total));
      expect((await s.pool.positionOf(s.alice.address)).collateralValueWad).to.equal(total);
    });

    it("is liquidated after a fall, also of all of its last asset (bit 15)", async () => {
      const s = await loadFixture(withSixteenAssets);
      await s.pool.connect(s.alice).borrow(17_000n * WAD);
      await s.setBothAnswers(price8(1820n)); // -9 %: $18,200 + $1,500, health factor 0.985
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1_000n * WAD)).to.emit(
        s.pool,
        "PositionLiquidated",
      );
      const last = s.tokens[14]!;
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, last.ta, ethers.MaxUint256))
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, last.ta, ceilDiv(100n * WAD * BPS, BPS + 500n), 100n * WAD, 0);
      // Every other asset still counts: the WETH left (10 less $1,050's worth seized, rounded down) + 14 tokens at $1.
      const seizedWeth = (1_050n * WAD * WAD) / (1820n * WAD);
      const wethLeftValue = ((10n * WAD - seizedWeth) * 1820n * WAD) / WAD;
      expect((await s.pool.positionOf(s.alice.address)).collateralValueWad).to.equal(wethLeftValue + 1_400n * WAD);
    });
  });

  it("a full withdrawal clears the asset's bit: its feed no longer matters to a borrow", async () => {
    const s = await loadFixture(withSwitchableAsset);
    await s.pool.connect(s.alice).withdraw(s.ta, 2_000n * WAD, s.alice.address);
    await s.switchable.switchOff();
    await expect(s.pool.connect(s.alice).borrow(1_000n * WAD)).to.emit(s.pool, "LoanOriginated");
  });
});

/** The model id of Alice's stored score (the loan event names it). */
async function modelIdOf(s: Awaited<ReturnType<typeof withSixteenAssets>>) {
  return (await s.oracle.scoreOf(s.alice.address)).modelId;
}
