// LendingPool paths beyond the main flows: argument and registry errors, surplus minting, tier rate sync,
// rebase no-ops, the exposure snapshot's exact values, bad price rounds on every path that reads a price, the
// liquidation grace period at its boundary, reentrancy from collateral transfers out, a 6-decimal collateral priced
// by an 18-decimal feed, and a deposit too large for the packed totals.
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { ruleId, tierRuleId } from "../../oracle/src/protocol/rules.js";
import { BPS, GLOBAL, MAX_PRICE_AGE, MODEL_ID, POOL_PARAMS, TERMS, WAD, WETH_PRICE, YEAR, roleId } from "./fixtures.js";
import { accrue, debtOf, deploySystem, identityHolds, mulDivUp, poolScenarios, price8 } from "./poolFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const mulDivDown = (a: bigint, b: bigint, d: bigint) => (a * b) / d;

type System = Awaited<ReturnType<typeof deploySystem>>;

const { deposited, underwater } = poolScenarios(ethers);

/** Schedules `id` = `value` and executes it after the delay; refreshes the (now stale) feed at `priceUsd`. */
async function enact(s: System, signer: any, id: string, value: bigint, priceUsd = WETH_PRICE) {
  const receipt = await (await s.policy.connect(signer).scheduleRuleChange(id, value)).wait();
  const { changeId, executableAt } = s.policy.interface.parseLog(receipt!.logs[0]!)!.args;
  await time.increaseTo(executableAt);
  await s.policy.executeRuleChange(changeId);
  await s.feed.setAnswer(price8(priceUsd));
}

/** The smallest 8-decimal answer whose wad price does not fit the 96 bits a price is stored in (`AssetSlot`). */
const OUT_OF_RANGE = (2n ** 96n - 1n) / 10n ** 10n + 1n;

/** The bad rounds a feed can return, and the error a strict read reverts with. */
async function badRounds(s: System, w: string) {
  const now = BigInt(await time.latest());
  return [
    { round: [20n, OUT_OF_RANGE, now, 20n], error: "LendingPoolPriceInvalid", args: [w, OUT_OF_RANGE] },
    { round: [21n, 0n, now, 21n], error: "LendingPoolPriceInvalid", args: [w, 0n] },
    { round: [22n, -5n, now, 22n], error: "LendingPoolPriceInvalid", args: [w, -5n] },
    { round: [23n, price8(1820n), now, 22n], error: "LendingPoolPriceRoundIncomplete", args: [w, 23n, 22n] },
    { round: [24n, price8(1820n), 0n, 24n], error: "LendingPoolPriceRoundIncomplete", args: [w, 24n, 24n] },
    {
      round: [25n, price8(1820n), now - BigInt(MAX_PRICE_AGE) - 10n, 25n],
      error: "LendingPoolPriceStale",
      args: [w, now - BigInt(MAX_PRICE_AGE) - 10n, BigInt(MAX_PRICE_AGE)],
    },
  ] as const;
}

describe("LendingPool edge cases", () => {
  describe("arguments", () => {
    it("rejects zero addresses, zero amounts, unlisted assets and positions without debt", async () => {
      const s = await loadFixture(deposited);
      const stranger = await ethers.deployContract("TestERC20", ["Stranger", "STR", 18]);
      const sa = await stranger.getAddress();
      const pool = s.pool;
      await expect(pool.connect(s.alice).deposit(s.wethAddress, WAD, ethers.ZeroAddress)).to.be.revertedWithCustomError(pool, "LendingPoolZeroAddress");
      await expect(pool.connect(s.alice).withdraw(s.wethAddress, WAD, ethers.ZeroAddress)).to.be.revertedWithCustomError(pool, "LendingPoolZeroAddress");
      await expect(pool.connect(s.alice).withdraw(s.wethAddress, 0, s.alice.address)).to.be.revertedWithCustomError(pool, "LendingPoolZeroAmount");
      await expect(pool.connect(s.alice).withdraw(sa, WAD, s.alice.address))
        .to.be.revertedWithCustomError(pool, "LendingPoolCollateralNotListed")
        .withArgs(sa);
      await expect(pool.connect(s.alice).withdraw(s.wethAddress, 10n * WAD + 1n, s.alice.address))
        .to.be.revertedWithCustomError(pool, "LendingPoolInsufficientBalance")
        .withArgs(s.alice.address, s.wethAddress, 10n * WAD, 10n * WAD + 1n);
      await expect(pool.connect(s.alice).repay(s.liquidator.address, 0)).to.be.revertedWithCustomError(pool, "LendingPoolZeroAmount");
      await expect(pool.connect(s.alice).repay(s.bob.address, WAD))
        .to.be.revertedWithCustomError(pool, "LendingPoolNoDebt")
        .withArgs(s.bob.address);
      await expect(pool.connect(s.liquidator).liquidate(s.bob.address, s.wethAddress, 0)).to.be.revertedWithCustomError(pool, "LendingPoolZeroAmount");
      await expect(pool.connect(s.liquidator).liquidate(s.bob.address, s.wethAddress, WAD))
        .to.be.revertedWithCustomError(pool, "LendingPoolNoDebt")
        .withArgs(s.bob.address);
      await expect(pool.rebase(s.bob.address)).to.be.revertedWithCustomError(pool, "LendingPoolNoDebt").withArgs(s.bob.address);
      await expect(pool.pokePrice(sa)).to.be.revertedWithCustomError(pool, "LendingPoolCollateralNotListed").withArgs(sa);
      await expect(pool.connect(s.governance).mintSurplus(ethers.ZeroAddress, 0)).to.be.revertedWithCustomError(
        pool,
        "LendingPoolZeroAddress",
      );
    });

    it("refuses to liquidate against an asset the borrower does not hold", async () => {
      const s = await loadFixture(underwater);
      const other = await ethers.deployContract("TestERC20", ["Other", "OTH", 18]);
      const oa = await other.getAddress();
      await s.pool.connect(s.governance).listCollateral(oa, await s.feed.getAddress(), MAX_PRICE_AGE);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, oa, 1000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientBalance")
        .withArgs(s.alice.address, oa, 0, 1000n * WAD);
    });

    it("reverts a deposit that does not fit the packed total (LendingPoolOverflow)", async () => {
      const s = await loadFixture(deposited);
      const huge = await ethers.deployContract("TestERC20", ["Huge", "HUGE", 18]);
      const ha = await huge.getAddress();
      await s.pool.connect(s.governance).listCollateral(ha, await s.feed.getAddress(), MAX_PRICE_AGE);
      await huge.mint(s.carol.address, 2n ** 128n);
      await huge.connect(s.carol).approve(s.poolAddress, ethers.MaxUint256);
      await expect(s.pool.connect(s.carol).deposit(ha, 2n ** 128n, s.carol.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolOverflow")
        .withArgs(2n ** 128n, 2n ** 128n - 1n);
      await expect(s.pool.connect(s.carol).deposit(ha, 2n ** 128n - 1n, s.carol.address))
        .to.emit(s.pool, "CollateralDeposited")
        .withArgs(s.carol.address, ha, s.carol.address, 2n ** 128n - 1n);
    });
  });

  describe("collateral registry", () => {
    it("rejects zero addresses, a zero max age and decimals above 18 (token and feed)", async () => {
      const s = await loadFixture(deposited);
      const g = s.pool.connect(s.governance);
      const feed = await s.feed.getAddress();
      await expect(g.listCollateral(ethers.ZeroAddress, feed, 1)).to.be.revertedWithCustomError(s.pool, "LendingPoolZeroAddress");
      await expect(g.listCollateral(s.wethAddress, ethers.ZeroAddress, 1)).to.be.revertedWithCustomError(s.pool, "LendingPoolZeroAddress");
      await expect(g.listCollateral(s.wethAddress, feed, 0))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInvalidConfig")
        .withArgs(ethers.encodeBytes32String("maxPriceAgeSec"));
      const t19 = await ethers.deployContract("TestERC20", ["T19", "T19", 19]);
      await expect(g.listCollateral(await t19.getAddress(), feed, 1))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolUnsupportedDecimals")
        .withArgs(await t19.getAddress(), 19);
      const f19 = await ethers.deployContract("MockAggregatorV3", [19, "X / USD", 1]);
      await expect(g.listCollateral(s.wethAddress, await f19.getAddress(), 1))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolUnsupportedDecimals")
        .withArgs(await f19.getAddress(), 19);
      const t18 = await ethers.deployContract("TestERC20", ["T18", "T18", 18]);
      const f18 = await ethers.deployContract("MockAggregatorV3", [18, "X / USD", WAD]);
      await expect(g.listCollateral(await t18.getAddress(), await f18.getAddress(), 7))
        .to.emit(s.pool, "CollateralListed")
        .withArgs(await t18.getAddress(), await f18.getAddress(), 7);
    });

    it("lists at most 16 assets; re-listing a listed one is always allowed", async () => {
      const s = await loadFixture(deposited);
      const g = s.pool.connect(s.governance);
      const feed = await s.feed.getAddress();
      const tokens: string[] = [];
      for (let i = 1; i < 16; i++) {
        const t = await ethers.deployContract("TestERC20", [`T${i}`, `T${i}`, 18]);
        tokens.push(await t.getAddress());
        await g.listCollateral(tokens.at(-1)!, feed, MAX_PRICE_AGE);
      }
      const extra = await ethers.deployContract("TestERC20", ["T16", "T16", 18]);
      await expect(g.listCollateral(await extra.getAddress(), feed, MAX_PRICE_AGE))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolTooManyCollaterals")
        .withArgs(16);
      await expect(g.listCollateral(tokens[14]!, feed, 60)).to.emit(s.pool, "CollateralListed").withArgs(tokens[14]!, feed, 60);
      await expect(g.listCollateral(s.wethAddress, feed, 60)).to.emit(s.pool, "CollateralListed");
    });

    it("re-listing keeps the asset's deposits and resets its reference price to the new feed's", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(1_000n * WAD); // accepts $2000 as the reference
      const feed2 = await ethers.deployContract("MockAggregatorV3", [8, "ETH / USD v2", price8(3000n)]);
      // A 50% jump on the old listing that the fallback does not show is refused ...
      await s.feed.setAnswer(price8(3000n));
      await expect(s.pool.connect(s.alice).borrow(1_000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolAssetFrozen")
        .withArgs(s.wethAddress, 3000n * WAD, WETH_PRICE * WAD);
      // ... but after re-listing with a new feed there is no reference to deviate from.
      await expect(s.pool.connect(s.governance).listCollateral(s.wethAddress, await feed2.getAddress(), MAX_PRICE_AGE))
        .to.emit(s.pool, "CollateralListed")
        .withArgs(s.wethAddress, await feed2.getAddress(), MAX_PRICE_AGE);
      expect(await s.pool.collateralOf(s.alice.address, s.wethAddress)).to.equal(10n * WAD);
      await expect(s.pool.connect(s.alice).borrow(1_000n * WAD))
        .to.emit(s.pool, "PriceAccepted")
        .withArgs(s.wethAddress, 3000n * WAD);
      expect((await s.pool.positionOf(s.alice.address)).collateralValueWad).to.equal(30_000n * WAD);
    });
  });

  describe("surplus, rates and rebase", () => {
    it("mints surplus to a treasury (governance only), never beyond it, keeping the identity", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(10_000n * WAD);
      await time.increase(YEAR);
      await s.feed.setAnswer(price8(WETH_PRICE));
      await s.pool.connect(s.alice).repay(s.alice.address, ethers.MaxUint256);
      const [, surplus] = await s.pool.accounts();
      expect(surplus).to.be.greaterThan(499n * WAD); // about 5% of 10,000 in a year
      await expect(s.pool.connect(s.regulator).mintSurplus(s.outsider.address, 1))
        .to.be.revertedWithCustomError(s.pool, "AccessControlUnauthorizedAccount")
        .withArgs(s.regulator.address, roleId(ethers, "GOVERNANCE"));
      await expect(s.pool.connect(s.governance).mintSurplus(s.outsider.address, surplus + 1n))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientSurplus")
        .withArgs(surplus, surplus + 1n);
      await expect(s.pool.connect(s.governance).mintSurplus(s.outsider.address, surplus))
        .to.emit(s.pool, "SurplusMinted")
        .withArgs(s.outsider.address, surplus);
      expect(await s.vusd.balanceOf(s.outsider.address)).to.equal(surplus);
      expect((await s.pool.accounts()).surplusWad).to.equal(0);
      const { lhs, rhs } = await identityHolds(s.pool, s.vusd);
      expect(lhs).to.equal(rhs);
    });

    it("syncTierRate accrues at the old APR, adopts the effective one (a lowered cap), and is a no-op after", async () => {
      const s = await loadFixture(deposited);
      await expect(s.pool.syncTierRate(2)).not.to.emit(s.pool, "TierRateSynced");
      await enact(s, s.regulator, tierRuleId("TIER_CAP_APR", 3), 2000n); // below tier 3's term 2500
      const [index0, last0, apr0] = await s.pool.tierStateOf(3);
      expect(apr0).to.equal(TERMS[3].aprBps);
      const at = BigInt(await time.latest()) + 5n;
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.syncTierRate(3)).to.emit(s.pool, "TierRateSynced").withArgs(3, TERMS[3].aprBps, 2000);
      const [index1, last1, apr1] = await s.pool.tierStateOf(3);
      expect([index1, last1, apr1]).to.deep.equal([accrue(index0, apr0, at - last0), at, 2000n]);
      await expect(s.pool.syncTierRate(3)).not.to.emit(s.pool, "TierRateSynced");
    });

    it("rebase: a no-op on the same tier, a declined PD moves the debt to the conservative tier", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(10_000n * WAD);
      const before = await s.pool.tierStateOf(0);
      await expect(s.pool.rebase(s.alice.address)).not.to.emit(s.pool, "DebtRebased");
      expect(await s.pool.tierStateOf(0)).to.deep.equal(before);
      await s.score(s.alice.address, 5000); // above the approval threshold (2000)
      const at = BigInt(await time.latest()) + 3n;
      const [index, last, apr, scaled] = await s.pool.tierStateOf(0);
      const debt = debtOf(scaled, accrue(index, apr, at - last));
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.rebase(s.alice.address)).to.emit(s.pool, "DebtRebased").withArgs(s.alice.address, 0, 3, debt);
      expect((await s.pool.positionOf(s.alice.address)).tier).to.equal(3);
      expect((await s.pool.tierStateOf(0)).scaledDebtTotal).to.equal(0);
    });

    it("publishes an exposure snapshot with each tier's debt, collateral at accepted prices and vUSD supply", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(10_000n * WAD);
      await s.feed.setAnswer(price8(1900n)); // not yet accepted: the snapshot reads no feed
      const at = BigInt(await time.latest()) + 100n;
      const debts: bigint[] = [];
      for (let t = 0; t < 4; t++) {
        const [index, last, apr, scaled] = await s.pool.tierStateOf(t);
        debts.push(debtOf(scaled, accrue(index, apr, at - last)));
      }
      expect(debts[0]).to.be.greaterThan(10_000n * WAD);
      expect(debts[3]).to.be.greaterThan(60_000n * WAD);
      const collateral = 120n * WETH_PRICE * WAD; // 10 + 10 + 100 WETH at the accepted $2000
      const supply = await s.vusd.totalSupply();
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.publishExposureSnapshot())
        .to.emit(s.pool, "ExposureSnapshot")
        .withArgs(debts.reduce((a, b) => a + b), collateral, supply, debts);
    });
  });

  describe("bad price rounds", () => {
    it("borrow and withdraw with debt revert on each; a liquidation needs the deep-health threshold; withdraw without debt reads no price", async () => {
      const s = await loadFixture(underwater);
      await s.pool.connect(s.bob).borrow(1_000n * WAD); // $1,820 agreed
      for (const bad of await badRounds(s, s.wethAddress)) {
        await s.feed.setRound(...bad.round);
        await expect(s.pool.connect(s.bob).borrow(100n * WAD))
          .to.be.revertedWithCustomError(s.pool, bad.error)
          .withArgs(...bad.args);
        await expect(s.pool.connect(s.bob).withdraw(s.wethAddress, WAD, s.bob.address))
          .to.be.revertedWithCustomError(s.pool, bad.error)
          .withArgs(...bad.args);
        // Seized at the last agreed $1,820, only below HF 0.95: Alice's 0.967 is not deep enough.
        await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD))
          .to.be.revertedWithCustomError(s.pool, "LendingPoolFrozenLiquidationHealth")
          .withArgs(s.alice.address, 95n * WAD / 100n, anyValue);
      }
      // Carol has no debt: her withdrawal needs no price.
      await s.pool.connect(s.carol).deposit(s.wethAddress, WAD, s.carol.address);
      await expect(s.pool.connect(s.carol).withdraw(s.wethAddress, WAD, s.carol.address))
        .to.emit(s.pool, "CollateralWithdrawn")
        .withArgs(s.carol.address, s.wethAddress, s.carol.address, WAD);
    });

    it("pokePrice freezes the asset (PRICE_STALE) on each bad round of either source, and never pauses", async () => {
      for (let i = 0; i < 12; i++) {
        const s = await loadFixture(deposited);
        await s.pool.pokePrice(s.wethAddress); // $2,000 agreed
        const bad = (await badRounds(s, s.wethAddress))[i % 6]!;
        const [primary, fallback] = i < 6 ? [0n, WETH_PRICE * WAD] : [WETH_PRICE * WAD, 0n];
        await (i < 6 ? s.feed : s.fallbackFeed).setRound(...bad.round);
        await expect(s.pool.pokePrice(s.wethAddress))
          .to.emit(s.pool, "AssetFrozen")
          .withArgs(s.wethAddress, ruleId("PRICE_STALE"), primary, fallback, WETH_PRICE * WAD);
        expect(await s.policy.paused()).to.equal(false);
      }
    });
  });

  describe("liquidation does not depend on an asset the borrower added", () => {
    /** Underwater Alice (health factor 0.967 on WETH alone) also holds `junkAmount` of a listed token priced at $1. */
    async function withJunk(junkAmount: bigint) {
      const s = await underwater();
      const junk = await ethers.deployContract("TestERC20", ["Junk", "JNK", 18]);
      const junkFeed = await ethers.deployContract("MockAggregatorV3", [8, "JNK / USD", price8(1n)]);
      const reverting = await ethers.deployContract("RevertingPriceFeed", [price8(1n)]);
      const ja = await junk.getAddress();
      await s.pool.connect(s.governance).listCollateral(ja, await junkFeed.getAddress(), MAX_PRICE_AGE);
      await junk.mint(s.alice.address, junkAmount);
      await junk.connect(s.alice).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.alice).deposit(ja, junkAmount, s.alice.address);
      await s.pool.pokePrice(ja); // $1 accepted as the reference
      return { ...s, junk, ja, junkFeed, reverting };
    }
    const oneWei = () => withJunk(1n);
    const richJunk = () => withJunk(2_000n * WAD);
    const someJunk = () => withJunk(900n * WAD);

    /** Liquidates half of Alice's debt against her WETH at the next second; checks the exact amounts. */
    async function liquidatesWeth(s: Awaited<ReturnType<typeof oneWei>>) {
      const at = BigInt(await time.latest()) + 1n;
      const [index, last, apr, scaled] = await s.pool.tierStateOf(0);
      const repaid = mulDivDown(debtOf(scaled, accrue(index, apr, at - last)), 5000n, BPS);
      const seized = mulDivDown(mulDivDown(repaid, BPS + BigInt(POOL_PARAMS.liquidationBonusBps), BPS), WAD, 1820n * WAD);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256))
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
    }

    it("a stale, zero, negative, out-of-range or incomplete price of another asset counts as zero instead of reverting", async () => {
      for (let i = 0; i < 6; i++) {
        const s = await loadFixture(oneWei);
        const bad = (await badRounds(s, s.ja))[i]!;
        await s.junkFeed.setRound(...bad.round);
        await liquidatesWeth(s);
      }
    });

    it("a reverting feed of another asset counts as zero; the liquidation records the asset's freeze", async () => {
      const s = await loadFixture(oneWei);
      await s.pool.connect(s.governance).listCollateral(s.ja, await s.reverting.getAddress(), MAX_PRICE_AGE);
      await s.pool.pokePrice(s.ja); // $1 agreed on the new listing
      await s.reverting.switchOff();
      await liquidatesWeth(s);
      expect((await s.pool.priceStatusOf(s.ja))[1]).to.equal(true);
      await expect(s.pool.pokePrice(s.ja)).not.to.emit(s.pool, "AssetFrozen"); // already frozen
      expect(await s.policy.paused()).to.equal(false);
    });

    it("another asset's jump beyond MAX_PRICE_DEVIATION counts at the lower of the feed and the last accepted price", async () => {
      const s = await loadFixture(oneWei);
      await s.junkFeed.setAnswer(price8(100n)); // x100: far beyond the 10% bound, in either direction
      await liquidatesWeth(s);
      // Not accepted: the reference stays at $1, and with no fallback to confirm it the asset is frozen.
      expect(await s.pool.priceStatusOf(s.ja)).to.deep.equal([WAD, true, ethers.ZeroAddress]);
      expect(await s.policy.paused()).to.equal(false);
    });

    it("values what it cannot price in the protocol's favour: a position healthy only by such an asset is liquidated", async () => {
      // 2,000 JNK at $1 lifts Alice's health factor above 1 (20,200 x 85% > 16,000).
      const s = await loadFixture(richJunk);
      await s.pool.pokePrice(s.wethAddress);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD)).to.be.revertedWithCustomError(
        s.pool,
        "LendingPoolPositionHealthy",
      );
      // Its feed goes stale: it counts as zero, and Alice (0.967 on WETH alone) can be liquidated.
      const stale = BigInt(await time.latest()) - BigInt(MAX_PRICE_AGE) - 1n;
      await s.junkFeed.setRound(40, price8(1n), stale, 40);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD)).to.emit(
        s.pool,
        "PositionLiquidated",
      );
      // ... jumps up instead (x100): it counts at the last accepted $1, Alice stays healthy.
      await s.junkFeed.setAnswer(price8(100n));
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD)).to.be.revertedWithCustomError(
        s.pool,
        "LendingPoolPositionHealthy",
      );
    });

    it("another asset that falls 40 % in one update counts at the new, lower price: the position it propped up is liquidated", async () => {
      // 900 JNK at $1 lift Alice (0.967 on WETH alone) just above 1; at $0.60 they no longer do.
      const s = await loadFixture(someJunk);
      await s.pool.pokePrice(s.wethAddress);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD)).to.be.revertedWithCustomError(
        s.pool,
        "LendingPoolPositionHealthy",
      );
      await s.junkFeed.setAnswer(price8(1n) * 60n / 100n); // -40 %: beyond the deviation bound, not yet accepted
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD)).to.emit(
        s.pool,
        "PositionLiquidated",
      );
      expect(await s.policy.paused()).to.equal(false);
    });

    it("the seized asset, frozen, is taken at its last agreed price only below HF 0.95; the borrower's own operations stay strict", async () => {
      const s = await loadFixture(oneWei);
      const stale = BigInt(await time.latest()) - BigInt(MAX_PRICE_AGE) - 1n;
      await s.junkFeed.setRound(41, price8(1n), stale, 41);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.ja, 1000n * WAD)).to.be.revertedWithCustomError(
        s.pool,
        "LendingPoolFrozenLiquidationHealth",
      );
      await expect(s.pool.connect(s.alice).withdraw(s.wethAddress, 1n, s.alice.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolPriceStale")
        .withArgs(s.ja, stale, MAX_PRICE_AGE);
    });
  });

  describe("liquidation grace period", () => {
    it("refuses a liquidation one second before the grace period ends and allows it at the second", async () => {
      const s = await loadFixture(underwater);
      await s.policy.connect(s.guardian).pause();
      const unpausedAt = BigInt(await time.latest()) + 100n;
      const resumesAt = unpausedAt + BigInt(GLOBAL.liquidationGracePeriodSec);
      await time.setNextBlockTimestamp(unpausedAt);
      await expect(s.policy.connect(s.regulator).unpause())
        .to.emit(s.policy, "CircuitBreakerReset")
        .withArgs(s.regulator.address, resumesAt);
      await s.feed.setAnswer(price8(1820n));
      await time.setNextBlockTimestamp(resumesAt - 1n);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD))
        .to.be.revertedWithCustomError(s.policy, "SupervisionLiquidationGracePeriod")
        .withArgs(resumesAt, resumesAt - 1n);
      await time.setNextBlockTimestamp(resumesAt);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD)).to.emit(
        s.pool,
        "PositionLiquidated",
      );
    });
  });

  describe("reentrancy from collateral transfers out", () => {
    async function evilCollateral() {
      const s = await deposited();
      const evil = await ethers.deployContract("ReentrantToken");
      const ea = await evil.getAddress();
      await s.pool.connect(s.governance).listCollateral(ea, await s.feed.getAddress(), MAX_PRICE_AGE);
      await evil.mint(s.carol.address, 10n * WAD);
      await evil.connect(s.carol).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.carol).deposit(ea, 10n * WAD, s.carol.address);
      return { ...s, evil, ea };
    }

    it("withdraw: the token's callback into the pool is stopped by the guard", async () => {
      const s = await loadFixture(evilCollateral);
      await s.evil.arm(s.poolAddress, s.pool.interface.encodeFunctionData("borrow", [100n * WAD]));
      await expect(s.pool.connect(s.carol).withdraw(s.ea, WAD, s.carol.address)).to.be.revertedWithCustomError(
        s.pool,
        "ReentrancyGuardReentrantCall",
      );
      await s.evil.arm(ethers.ZeroAddress, "0x");
      await expect(s.pool.connect(s.carol).withdraw(s.ea, WAD, s.carol.address)).to.emit(s.pool, "CollateralWithdrawn");
    });

    it("liquidate: the seized token's callback into the pool is stopped by the guard", async () => {
      const s = await loadFixture(evilCollateral);
      await s.pool.connect(s.carol).borrow(10_000n * WAD); // unscored: tier 3, LTV 50%
      await s.feed.setAnswer(price8(1820n));
      await s.pool.pokePrice(s.ea);
      await s.feed.setAnswer(price8(1660n)); // health factor 0.996
      await s.evil.arm(s.poolAddress, s.pool.interface.encodeFunctionData("repay", [s.carol.address, WAD]));
      await expect(s.pool.connect(s.liquidator).liquidate(s.carol.address, s.ea, 1000n * WAD)).to.be.revertedWithCustomError(
        s.pool,
        "ReentrancyGuardReentrantCall",
      );
      await s.evil.arm(ethers.ZeroAddress, "0x");
      await expect(s.pool.connect(s.liquidator).liquidate(s.carol.address, s.ea, 1000n * WAD)).to.emit(
        s.pool,
        "PositionLiquidated",
      );
    });
  });

  describe("a 6-decimal collateral priced by an 18-decimal feed", () => {
    async function usdcCollateral() {
      const s = await deposited();
      const usdc = await ethers.deployContract("TestERC20", ["USD Coin", "USDC", 6]);
      const usdcFeed = await ethers.deployContract("MockAggregatorV3", [18, "USDC / USD", WAD]);
      const ua = await usdc.getAddress();
      await s.pool.connect(s.governance).listCollateral(ua, await usdcFeed.getAddress(), MAX_PRICE_AGE);
      await usdc.mint(s.carol.address, 10_000n * 10n ** 6n);
      await usdc.connect(s.carol).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.carol).deposit(ua, 10_000n * 10n ** 6n, s.carol.address);
      return { ...s, usdc, usdcFeed, ua };
    }

    it("values it in wad, holds the LTV on both sides of a borrow and of a withdrawal", async () => {
      const s = await loadFixture(usdcCollateral);
      const maxDebt = 5_000n * WAD; // $10,000 at tier 3's 50%
      await expect(s.pool.connect(s.carol).borrow(maxDebt + 1n))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(ruleId("TIER_LTV"), maxDebt, maxDebt + 1n);
      const before = await s.pool.tierStateOf(3);
      await expect(s.pool.connect(s.carol).borrow(maxDebt))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.carol.address, maxDebt, 3, 0, ethers.ZeroHash, 5000);
      const [index, last, apr, scaled] = await s.pool.tierStateOf(3);
      const carolScaled = scaled - before.scaledDebtTotal;
      const position = await s.pool.positionOf(s.carol.address);
      expect(position.collateralValueWad).to.equal(10_000n * WAD);
      expect(position.healthFactorWad).to.equal((10_000n * WAD * 6000n * WAD) / (BPS * position.debtWad));

      // One micro-dollar less collateral is below what the debt (with a second of interest) requires.
      const at = BigInt(await time.latest()) + 1n;
      const debt = debtOf(carolScaled, accrue(index, apr, at - last));
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.carol).withdraw(s.ua, 1n, s.carol.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientCollateral")
        .withArgs(s.carol.address, (10_000n * 10n ** 6n - 1n) * 10n ** 12n, mulDivUp(debt, BPS, 5000n));
      // After repaying 1,000 the position needs about $8,000: 1,999 USDC can go, 2,000 cannot.
      await s.pool.connect(s.carol).repay(s.carol.address, 1_000n * WAD);
      await expect(s.pool.connect(s.carol).withdraw(s.ua, 2_000n * 10n ** 6n, s.carol.address)).to.be.revertedWithCustomError(
        s.pool,
        "LendingPoolInsufficientCollateral",
      );
      await expect(s.pool.connect(s.carol).withdraw(s.ua, 1_999n * 10n ** 6n, s.carol.address))
        .to.emit(s.pool, "CollateralWithdrawn")
        .withArgs(s.carol.address, s.ua, s.carol.address, 1_999n * 10n ** 6n);
      expect(await s.usdc.balanceOf(s.carol.address)).to.equal(1_999n * 10n ** 6n);
    });

    it("seizes 6-decimal units, rounded down, when the position falls below the threshold", async () => {
      const s = await loadFixture(usdcCollateral);
      await s.pool.connect(s.carol).borrow(5_000n * WAD);
      await s.usdcFeed.setAnswer((9n * WAD) / 10n);
      await s.pool.pokePrice(s.ua);
      const price = (81n * WAD) / 100n; // health factor 10,000 x 0.81 x 60% / 5,000 = 0.972
      await s.usdcFeed.setAnswer(price);
      const repaid = 2_500n * WAD;
      const seized = mulDivDown(mulDivDown(repaid, BPS + BigInt(POOL_PARAMS.liquidationBonusBps), BPS), 10n ** 6n, price);
      expect(seized).to.equal(3_240_740_740n);
      await expect(s.pool.connect(s.liquidator).liquidate(s.carol.address, s.ua, repaid))
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.carol.address, s.liquidator.address, s.ua, repaid, seized, 0);
      expect(await s.usdc.balanceOf(s.liquidator.address)).to.equal(seized);
      expect(await s.pool.collateralOf(s.carol.address, s.ua)).to.equal(10_000n * 10n ** 6n - seized);
    });
  });

  describe("events", () => {
    it("rounds the LTV in LoanOriginated up", async () => {
      const s = await loadFixture(deposited);
      // 1,000 vUSD + 1 wei against $20,000: 500 bps and a fraction, reported as 501.
      const amount = 1_000n * WAD + 1n;
      expect(mulDivUp(amount, BPS, 20_000n * WAD)).to.equal(501n);
      await expect(s.pool.connect(s.alice).borrow(amount))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.alice.address, amount, 0, 100, MODEL_ID, 501);
    });
  });
});
