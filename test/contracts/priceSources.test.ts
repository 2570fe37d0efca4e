// Two price sources per collateral asset: a move both confirm is real; a move only one shows, or a source that
// cannot be read, freezes the asset (not the protocol); deep-underwater positions are still liquidated.
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { ruleId } from "../../oracle/src/protocol/rules.js";
import { BPS, MAX_PRICE_AGE, POOL_PARAMS, WAD, WETH_PRICE } from "./fixtures.js";
import { accrue, debtOf, poolScenarios, price8 } from "./poolFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;
const { deposited, underwater } = poolScenarios(ethers);
const mulDivDown = (a: bigint, b: bigint, d: bigint) => (a * b) / d;
const ceilDiv = (a: bigint, d: bigint) => (a + d - 1n) / d;
const BONUS_BPS = BPS + BigInt(POOL_PARAMS.liquidationBonusBps);
const TIER0_LT = 8500n;

type System = Awaited<ReturnType<typeof deposited>>;

/** Alice's debt (tier 0) at timestamp `at`. */
async function aliceDebtAt(s: System, at: bigint) {
  const [index, last, apr, scaled] = await s.pool.tierStateOf(0);
  return debtOf(scaled, accrue(index, apr, at - last)); // Alice is tier 0's only borrower
}

/** The exact PositionLiquidated amounts of a close-factor liquidation of Alice's WETH at `priceWad`. */
function liquidationAmounts(debt: bigint, priceWad: bigint) {
  const repaid = mulDivDown(debt, BigInt(POOL_PARAMS.closeFactorBps), BPS);
  return { repaid, seized: mulDivDown(mulDivDown(repaid, BONUS_BPS, BPS), WAD, priceWad) };
}

describe("Price sources: confirm, freeze, liquidate deep positions", () => {
  describe("setFallbackFeed", () => {
    it("is governance's, for a listed asset, a feed other than the primary, with a max age and <= 18 decimals", async () => {
      const s = await loadFixture(deposited);
      const w = s.wethAddress;
      const other = await ethers.deployContract("MockAggregatorV3", [8, "ETH / USD (other)", price8(WETH_PRICE)]);
      const oa = await other.getAddress();
      await expect(s.pool.connect(s.regulator).setFallbackFeed(w, oa, 60)).to.be.revertedWithCustomError(
        s.pool,
        "AccessControlUnauthorizedAccount",
      );
      await expect(s.pool.connect(s.alice).setFallbackFeed(w, oa, 60)).to.be.revertedWithCustomError(
        s.pool,
        "AccessControlUnauthorizedAccount",
      );
      const g = s.pool.connect(s.governance);
      await expect(g.setFallbackFeed(oa, oa, 60))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolCollateralNotListed")
        .withArgs(oa);
      await expect(g.setFallbackFeed(w, await s.feed.getAddress(), 60))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInvalidConfig")
        .withArgs(ethers.encodeBytes32String("fallbackFeed"));
      await expect(g.setFallbackFeed(w, oa, 0))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInvalidConfig")
        .withArgs(ethers.encodeBytes32String("maxPriceAgeSec"));
      const f19 = await ethers.deployContract("MockAggregatorV3", [19, "19 decimals", 1n]);
      await expect(g.setFallbackFeed(w, await f19.getAddress(), 60))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolUnsupportedDecimals")
        .withArgs(await f19.getAddress(), 19);
      await expect(g.setFallbackFeed(w, oa, 60))
        .to.emit(s.pool, "FallbackFeedSet")
        .withArgs(w, oa, 60);
      expect((await s.pool.priceStatusOf(w))[2]).to.equal(oa);
      await expect(g.setFallbackFeed(w, ethers.ZeroAddress, 0))
        .to.emit(s.pool, "FallbackFeedSet")
        .withArgs(w, ethers.ZeroAddress, 0);
      // With no second source, a jump beyond MAX_PRICE_DEVIATION cannot be confirmed.
      await s.feed.setAnswer(price8(1200n));
      await expect(s.pool.pokePrice(w))
        .to.emit(s.pool, "AssetFrozen")
        .withArgs(w, ruleId("PRICE_DEVIATION"), 1200n * WAD, 0, WETH_PRICE * WAD);
    });
  });

  describe("a 40 % fall of the seized asset", () => {
    it("confirmed by both sources is a real move: the liquidation proceeds at the new price", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(16_000n * WAD); // $2,000 agreed
      await s.setBothAnswers(price8(1200n));
      const at = BigInt(await time.latest()) + 1n;
      const debt = await aliceDebtAt(s, at);
      const { repaid, seized } = liquidationAmounts(debt, 1200n * WAD);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256))
        .to.emit(s.pool, "PriceAccepted")
        .withArgs(s.wethAddress, 1200n * WAD)
        .and.to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
      expect(await s.pool.priceStatusOf(s.wethAddress)).to.deep.equal([
        1200n * WAD,
        false,
        await s.fallbackFeed.getAddress(),
      ]);
      expect(await s.policy.paused()).to.equal(false);
    });

    it("shown by one source only freezes the asset: a position healthy at the last agreed price is not liquidated", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(16_000n * WAD); // HF 1.0625 at the agreed $2,000
      await s.feed.setAnswer(price8(1200n));
      await expect(
        s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256),
      ).to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy");
      await expect(s.pool.pokePrice(s.wethAddress))
        .to.emit(s.pool, "AssetFrozen")
        .withArgs(s.wethAddress, ruleId("PRICE_SOURCE_TOLERANCE"), 1200n * WAD, WETH_PRICE * WAD, WETH_PRICE * WAD);
    });
  });

  describe("tolerance between the sources (PRICE_SOURCE_TOLERANCE, 200 bps)", () => {
    it("accepts a jump whose sources differ by exactly the tolerance of the lower one, freezes one unit beyond", async () => {
      const s = await loadFixture(deposited);
      const w = s.wethAddress;
      await s.feed.setAnswer(price8(1200n)); // -40 %
      await s.fallbackFeed.setAnswer(price8(1224n) + 1n); // 2.0000001 % above
      await expect(s.pool.connect(s.alice).borrow(1_000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolAssetFrozen")
        .withArgs(w, 1200n * WAD, 1224n * WAD + 10n ** 10n);
      await s.fallbackFeed.setAnswer(price8(1224n)); // exactly 2 %
      await expect(s.pool.connect(s.alice).borrow(1_000n * WAD))
        .to.emit(s.pool, "PriceAccepted")
        .withArgs(w, 1200n * WAD);
      // The other way round: the fallback the lower one.
      await s.feed.setAnswer(price8(2040n) + 1n);
      await s.fallbackFeed.setAnswer(price8(2000n));
      await expect(s.pool.pokePrice(w)).to.emit(s.pool, "AssetFrozen");
      await s.feed.setAnswer(price8(2040n));
      await expect(s.pool.pokePrice(w))
        .to.emit(s.pool, "AssetUnfrozen")
        .withArgs(w, 2040n * WAD);
    });

    it("is a timelocked rule: a wider tolerance confirms what the default did not", async () => {
      const s = await loadFixture(deposited);
      const receipt = await (
        await s.policy.connect(s.regulator).scheduleRuleChange(ruleId("PRICE_SOURCE_TOLERANCE"), 500)
      ).wait();
      const { changeId, executableAt } = s.policy.interface.parseLog(receipt!.logs[0]!)!.args;
      await expect(s.policy.executeRuleChange(changeId)).to.be.revertedWithCustomError(
        s.policy,
        "SupervisionChangeNotReady",
      );
      await time.increaseTo(executableAt);
      await s.policy.executeRuleChange(changeId);
      await s.feed.setAnswer(price8(1200n));
      await s.fallbackFeed.setAnswer(price8(1260n)); // 5 %
      await expect(s.pool.pokePrice(s.wethAddress))
        .to.emit(s.pool, "PriceAccepted")
        .withArgs(s.wethAddress, 1200n * WAD);
    });
  });

  describe("sources that cannot be read", () => {
    it("a fallback exactly at its max age still confirms; one second older freezes", async () => {
      const s = await loadFixture(deposited);
      const now = BigInt(await time.latest());
      await s.feed.setAnswer(price8(1200n));
      await s.fallbackFeed.setRound(7, price8(1200n), now, 7);
      await time.setNextBlockTimestamp(now + BigInt(MAX_PRICE_AGE));
      await expect(s.pool.pokePrice(s.wethAddress))
        .to.emit(s.pool, "PriceAccepted")
        .withArgs(s.wethAddress, 1200n * WAD);
      await s.feed.setAnswer(price8(700n));
      const pokeAt = BigInt(await time.latest()) + 2n; // after the next transaction
      await s.fallbackFeed.setRound(8, price8(700n), pokeAt - BigInt(MAX_PRICE_AGE) - 1n, 8);
      await time.setNextBlockTimestamp(pokeAt);
      await expect(s.pool.pokePrice(s.wethAddress))
        .to.emit(s.pool, "AssetFrozen")
        .withArgs(s.wethAddress, ruleId("PRICE_STALE"), 700n * WAD, 0, 1200n * WAD);
    });

    it("a reverting fallback freezes the asset (caught, never propagated)", async () => {
      const s = await loadFixture(deposited);
      const reverting = await ethers.deployContract("RevertingPriceFeed", [price8(WETH_PRICE)]);
      await s.pool.connect(s.governance).setFallbackFeed(s.wethAddress, await reverting.getAddress(), MAX_PRICE_AGE);
      await expect(s.pool.pokePrice(s.wethAddress)).not.to.emit(s.pool, "AssetFrozen");
      await reverting.switchOff();
      await expect(s.pool.pokePrice(s.wethAddress))
        .to.emit(s.pool, "AssetFrozen")
        .withArgs(s.wethAddress, ruleId("PRICE_STALE"), WETH_PRICE * WAD, 0, WETH_PRICE * WAD);
      expect(await s.policy.paused()).to.equal(false);
    });

    it("a feed that burns all its gas costs at most the per-call bound, and a caller cannot starve it into a freeze", async () => {
      const s = await loadFixture(deposited);
      const guzzler = await ethers.deployContract("GasGuzzlingPriceFeed", [price8(WETH_PRICE)]);
      await s.pool.connect(s.governance).setFallbackFeed(s.wethAddress, await guzzler.getAddress(), MAX_PRICE_AGE);
      await guzzler.switchOn();
      // Too little gas for the bound: the call reverts rather than freezing the asset.
      await expect(s.pool.pokePrice(s.wethAddress, { gasLimit: 90_000 })).to.be.revert(ethers);
      expect((await s.pool.priceStatusOf(s.wethAddress))[1]).to.equal(false);
      const tx = await s.pool.pokePrice(s.wethAddress, { gasLimit: 1_000_000 });
      await expect(tx).to.emit(s.pool, "AssetFrozen");
      expect((await tx.wait())!.gasUsed < 250_000n).to.equal(true);
    });
  });

  describe("a frozen asset", () => {
    async function frozen() {
      const s = await underwater(); // Alice: 10 WETH, 16,000 debt
      await s.pool.connect(s.bob).borrow(1_000n * WAD); // Bob has debt too
      await s.feed.setAnswer(price8(1000n)); // a glitch only the primary shows
      await s.pool.pokePrice(s.wethAddress);
      return s;
    }

    it("blocks borrowing against it and withdrawals that need its price, not repayments, deposits or debt-free withdrawals", async () => {
      const s = await loadFixture(frozen);
      const w = s.wethAddress;
      expect((await s.pool.priceStatusOf(w))[1]).to.equal(true);
      await expect(s.pool.connect(s.bob).borrow(100n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolAssetFrozen")
        .withArgs(w, 1000n * WAD, 1820n * WAD);
      await expect(s.pool.connect(s.bob).withdraw(w, 1n, s.bob.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolAssetFrozen")
        .withArgs(w, 1000n * WAD, 1820n * WAD);
      await expect(s.pool.connect(s.bob).repay(s.bob.address, 100n * WAD)).to.emit(s.pool, "LoanRepaid");
      await expect(s.pool.connect(s.bob).deposit(w, WAD, s.bob.address)).to.emit(s.pool, "CollateralDeposited");
      await s.pool.connect(s.carol).deposit(w, WAD, s.carol.address);
      await expect(s.pool.connect(s.carol).withdraw(w, WAD, s.carol.address)).to.emit(s.pool, "CollateralWithdrawn");
    });

    it("stays frozen while only the primary recovers; unfreezes when both sources agree again", async () => {
      const s = await loadFixture(frozen);
      const w = s.wethAddress;
      await s.fallbackFeed.setAnswer(price8(1700n)); // the fallback now disagrees the other way
      await s.feed.setAnswer(price8(2000n)); // the primary back at the last agreed price
      await expect(s.pool.connect(s.bob).borrow(100n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolAssetFrozen")
        .withArgs(w, 2000n * WAD, 1700n * WAD);
      await s.fallbackFeed.setAnswer(price8(1990n)); // within 2 % of the primary
      await expect(s.pool.connect(s.bob).borrow(100n * WAD))
        .to.emit(s.pool, "AssetUnfrozen")
        .withArgs(w, 2000n * WAD)
        .and.to.emit(s.pool, "LoanOriginated");
      expect((await s.pool.priceStatusOf(w))[1]).to.equal(false);
    });
  });

  describe("deep-health liquidation of a frozen asset (FROZEN_LIQUIDATION_HEALTH, HF 0.95)", () => {
    /**
     * Alice's WETH is frozen at an agreed price `agreed8` (8 decimals), chosen from her debt at the liquidation's
     * timestamp: `edge` is the lowest price at which her health factor is >= 0.95.
     */
    async function frozenAt(offset: bigint) {
      const s = await deposited();
      await s.pool.connect(s.alice).borrow(16_000n * WAD);
      const at = BigInt(await time.latest()) + 10n;
      const debt = await aliceDebtAt(s, at);
      // HF = floor(10 x price x 8500 / (10000 x debt)) >= 0.95  <=>  10 x price x 8500 >= 9500 x debt.
      const edge8 = ceilDiv(9500n * debt, TIER0_LT * 10n * 10n ** 10n);
      const agreed8 = edge8 + offset;
      await s.setBothAnswers(agreed8);
      await s.pool.pokePrice(s.wethAddress);
      await s.feed.setAnswer(agreed8 / 2n); // the primary alone halves
      await time.setNextBlockTimestamp(at);
      return { ...s, debt, agreedWad: agreed8 * 10n ** 10n };
    }

    it("refuses a position at HF 0.95 (LendingPoolFrozenLiquidationHealth)", async () => {
      const s = await frozenAt(0n);
      const hf = mulDivDown(10n * s.agreedWad * TIER0_LT, WAD, BPS * s.debt);
      expect(hf >= (95n * WAD) / 100n && hf < WAD).to.equal(true);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolFrozenLiquidationHealth")
        .withArgs(s.alice.address, (95n * WAD) / 100n, hf);
    });

    it("liquidates a position just below it, at the last agreed price, and records the freeze", async () => {
      const s = await frozenAt(-1n);
      const { repaid, seized } = liquidationAmounts(s.debt, s.agreedWad);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256))
        .to.emit(s.pool, "AssetFrozen")
        .withArgs(s.wethAddress, ruleId("PRICE_SOURCE_TOLERANCE"), s.agreedWad / 2n, s.agreedWad, s.agreedWad)
        .and.to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
      expect(await s.policy.paused()).to.equal(false);
    });
  });
  describe("seizing a frozen asset while both sources are live: the higher live price, never above the agreed one", () => {
    type Feed = "primary" | "fallback";
    /**
     * Alice (10 WETH, 16,000 debt) is liquidated at timestamp `at`; `edge8` is the lowest price at which her health
     * factor is >= 0.95 then. `agreed` is set through both sources (then the last agreed price), the sources then
     * read `primary` and `fallback` (each a function of `edge8`); `dead` lets that source's round age past its max
     * age first (not live), the other publishing just before the liquidation; `poke` records the freeze first.
     */
    async function seizure(prices: {
      agreed?: (edge8: bigint) => bigint;
      primary: (edge8: bigint) => bigint;
      fallback: (edge8: bigint) => bigint;
      dead?: Feed;
      poke?: boolean;
    }) {
      const s = await deposited();
      await s.pool.connect(s.alice).borrow(16_000n * WAD);
      const at = BigInt(await time.latest()) + (prices.dead === undefined ? 10n : BigInt(MAX_PRICE_AGE) + 10n);
      const debt = await aliceDebtAt(s, at);
      const edge8 = ceilDiv(9500n * debt, TIER0_LT * 10n * 10n ** 10n);
      const agreed8 = prices.agreed?.(edge8) ?? price8(WETH_PRICE);
      await s.setBothAnswers(agreed8);
      await s.pool.pokePrice(s.wethAddress);
      expect((await s.pool.priceStatusOf(s.wethAddress))[0]).to.equal(agreed8 * 10n ** 10n);
      if (prices.dead !== undefined) await time.setNextBlockTimestamp(at - 2n);
      if (prices.dead !== "primary") await s.feed.setAnswer(prices.primary(edge8));
      if (prices.dead !== "fallback") await s.fallbackFeed.setAnswer(prices.fallback(edge8));
      if (prices.poke === true) {
        await s.pool.pokePrice(s.wethAddress); // a keeper records the freeze: the liquidation takes the frozen path
        expect((await s.pool.priceStatusOf(s.wethAddress))[1]).to.equal(true);
      }
      await time.setNextBlockTimestamp(at);
      const liquidate = () => s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256);
      const hfAt = (price8_: bigint) => mulDivDown(10n * price8_ * 10n ** 10n * TIER0_LT, WAD, BPS * debt);
      return { ...s, debt, edge8, agreedWad: agreed8 * 10n ** 10n, liquidate, hfAt };
    }

    for (const higher of ["primary", "fallback"] as const) {
      const lower: Feed = higher === "primary" ? "fallback" : "primary";
      it(`both down, the ${higher} higher: liquidates just below HF 0.95 at the ${higher}'s price, not the ${lower}'s`, async () => {
        const s = await seizure({
          [higher]: (e: bigint) => e - 1n,
          [lower]: (e: bigint) => e / 2n,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint });
        const priceWad = (s.edge8 - 1n) * 10n ** 10n;
        const { repaid, seized } = liquidationAmounts(s.debt, priceWad);
        const [primaryWad, fallbackWad] =
          higher === "primary" ? [priceWad, (s.edge8 / 2n) * 10n ** 10n] : [(s.edge8 / 2n) * 10n ** 10n, priceWad];
        await expect(s.liquidate())
          .to.emit(s.pool, "AssetFrozen")
          .withArgs(s.wethAddress, ruleId("PRICE_SOURCE_TOLERANCE"), primaryWad, fallbackWad, s.agreedWad)
          .and.to.emit(s.pool, "PositionLiquidated")
          .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
        // Only the liquidation used the live price: the agreed price stays, the asset stays frozen.
        expect((await s.pool.priceStatusOf(s.wethAddress)).slice(0, 2)).to.deep.equal([s.agreedWad, true]);
      });

      it(`both down, the ${higher} higher at HF 0.95 exactly: refused (FROZEN_LIQUIDATION_HEALTH at the ${higher}'s price)`, async () => {
        const s = await seizure({
          [higher]: (e: bigint) => e,
          [lower]: (e: bigint) => e / 2n,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint });
        await expect(s.liquidate())
          .to.be.revertedWithCustomError(s.pool, "LendingPoolFrozenLiquidationHealth")
          .withArgs(s.alice.address, (95n * WAD) / 100n, s.hfAt(s.edge8));
      });

      it(`the ${lower} alone pushed down (the ${higher} at the agreed price): no liquidation at the pushed price`, async () => {
        const s = await seizure({
          [higher]: () => price8(WETH_PRICE),
          [lower]: (e: bigint) => e / 2n,
          poke: true,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint; poke: boolean });
        await expect(s.liquidate())
          .to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy")
          .withArgs(s.alice.address, s.hfAt(price8(WETH_PRICE)));
      });
    }

    it("both above the agreed price: valued at the agreed price (never above it), which liquidates just below HF 0.95", async () => {
      const s = await seizure({ agreed: (e) => e - 1n, primary: (e) => e * 2n, fallback: (e) => e + e / 10n });
      const { repaid, seized } = liquidationAmounts(s.debt, s.agreedWad);
      await expect(s.liquidate())
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
    });

    it("the higher live price one unit above the agreed price: still the agreed price", async () => {
      const s = await seizure({ agreed: (e) => e - 1n, primary: (e) => e / 2n, fallback: (e) => e });
      const { repaid, seized } = liquidationAmounts(s.debt, s.agreedWad);
      await expect(s.liquidate())
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
    });

    for (const dead of ["primary", "fallback"] as const) {
      const live: Feed = dead === "primary" ? "fallback" : "primary";
      it(`the ${dead} dead, the ${live} live and deep: the agreed price as before (a healthy position is not liquidated)`, async () => {
        const s = await seizure({
          dead,
          [live]: (e: bigint) => e / 2n,
          [dead]: () => 0n,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint; dead: Feed });
        await expect(s.liquidate())
          .to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy")
          .withArgs(s.alice.address, s.hfAt(price8(WETH_PRICE)));
      });

      it(`the ${dead} dead, the ${live} live and deep: a position below HF 0.95 at the agreed price is seized at it`, async () => {
        const s = await seizure({
          dead,
          agreed: (e) => e - 1n,
          [live]: (e: bigint) => e / 2n,
          [dead]: () => 0n,
        } as {
          primary: (e: bigint) => bigint;
          fallback: (e: bigint) => bigint;
          dead: Feed;
          agreed: (e: bigint) => bigint;
        });
        const { repaid, seized } = liquidationAmounts(s.debt, s.agreedWad);
        await expect(s.liquidate())
          .to.emit(s.pool, "AssetFrozen")
          .withArgs(
            s.wethAddress,
            ruleId("PRICE_STALE"),
            dead === "primary" ? 0n : (s.edge8 / 2n) * 10n ** 10n,
            dead === "fallback" ? 0n : (s.edge8 / 2n) * 10n ** 10n,
            s.agreedWad,
          )
          .and.to.emit(s.pool, "PositionLiquidated")
          .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
      });
    }
  });

  describe("a frozen asset a liquidation does not seize: valued as if seized (the higher live price, never above the agreed one)", () => {
    type Feed = "primary" | "fallback";
    const SEC_WAD = 2_000n * WAD; // Alice's second asset, $1, no fallback: the one the liquidation seizes
    /**
     * Alice holds 10 WETH and 2,000 SEC ($1) and owes 16,000 (HF 1.17 at WETH's agreed $2,000); she is liquidated
     * at timestamp `at`, seizing SEC, while WETH is frozen (a keeper's poke records it). `edge8` is the lowest WETH
     * price at which her health factor is >= 1 then (SEC at $1). WETH's sources then read `primary` and `fallback`
     * (functions of `edge8`); `dead` lets that source's round age past its max age first (not live).
     */
    async function otherFrozen(prices: {
      agreed?: (edge8: bigint) => bigint;
      primary: (edge8: bigint) => bigint;
      fallback: (edge8: bigint) => bigint;
      dead?: Feed;
    }) {
      const s = await deposited();
      const token = await ethers.deployContract("TestERC20", ["Second", "SEC", 18]);
      const secFeed = await ethers.deployContract("MockAggregatorV3", [8, "SEC / USD", price8(1n)]);
      const ta = await token.getAddress();
      await s.pool.connect(s.governance).listCollateral(ta, await secFeed.getAddress(), MAX_PRICE_AGE);
      await token.mint(s.alice.address, SEC_WAD);
      await token.connect(s.alice).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.alice).deposit(ta, SEC_WAD, s.alice.address);
      await s.pool.pokePrice(ta);
      await s.pool.connect(s.alice).borrow(16_000n * WAD);
      const at = BigInt(await time.latest()) + (prices.dead === undefined ? 10n : BigInt(MAX_PRICE_AGE) + 10n);
      const debt = await aliceDebtAt(s, at);
      // HF = floor((10 x price + 2,000) x 8500 / (10000 x debt)) >= 1  <=>  (10 x price + 2,000) x 8500 >= 10000 x debt.
      const edge8 = ceilDiv(BPS * debt - SEC_WAD * TIER0_LT, TIER0_LT * 10n * 10n ** 10n);
      const agreed8 = prices.agreed?.(edge8) ?? price8(WETH_PRICE);
      await s.setBothAnswers(agreed8);
      await s.pool.pokePrice(s.wethAddress);
      expect((await s.pool.priceStatusOf(s.wethAddress))[0]).to.equal(agreed8 * 10n ** 10n);
      await time.setNextBlockTimestamp(at - 5n);
      if (prices.dead !== "primary") await s.feed.setAnswer(prices.primary(edge8));
      if (prices.dead !== "fallback") await s.fallbackFeed.setAnswer(prices.fallback(edge8));
      await secFeed.setAnswer(price8(1n)); // SEC live at $1 (not frozen: seized at its own price)
      await s.pool.pokePrice(s.wethAddress); // a keeper records the freeze
      expect((await s.pool.priceStatusOf(s.wethAddress))[1]).to.equal(true);
      await time.setNextBlockTimestamp(at);
      const liquidate = () => s.pool.connect(s.liquidator).liquidate(s.alice.address, ta, ethers.MaxUint256);
      const hfAt = (wethPrice8: bigint) =>
        mulDivDown((10n * wethPrice8 * 10n ** 10n + SEC_WAD) * TIER0_LT, WAD, BPS * debt);
      return { ...s, ta, debt, edge8, agreedWad: agreed8 * 10n ** 10n, liquidate, hfAt };
    }

    for (const higher of ["primary", "fallback"] as const) {
      const lower: Feed = higher === "primary" ? "fallback" : "primary";
      it(`the ${lower} alone pushed down (the ${higher} at the agreed price): the position stays healthy`, async () => {
        const s = await otherFrozen({
          [higher]: () => price8(WETH_PRICE),
          [lower]: (e: bigint) => e / 2n,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint });
        await expect(s.liquidate())
          .to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy")
          .withArgs(s.alice.address, s.hfAt(price8(WETH_PRICE)));
      });

      it(`both down, the ${higher} higher just below HF 1: the other asset is liquidated (at HF 1 exactly: not)`, async () => {
        const below = await otherFrozen({
          [higher]: (e: bigint) => e - 1n,
          [lower]: (e: bigint) => e / 2n,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint });
        expect(below.hfAt(below.edge8 - 1n) < WAD).to.equal(true);
        await expect(below.liquidate())
          .to.emit(below.pool, "PositionLiquidated")
          .withArgs(below.alice.address, below.liquidator.address, below.ta, anyValue, SEC_WAD, 0);
        // The agreed price stays, WETH stays frozen.
        expect((await below.pool.priceStatusOf(below.wethAddress)).slice(0, 2)).to.deep.equal([below.agreedWad, true]);

        const at = await otherFrozen({
          [higher]: (e: bigint) => e,
          [lower]: (e: bigint) => e / 2n,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint });
        await expect(at.liquidate())
          .to.be.revertedWithCustomError(at.pool, "LendingPoolPositionHealthy")
          .withArgs(at.alice.address, at.hfAt(at.edge8));
      });
    }

    it("both above the agreed price: valued at the agreed price (never above it)", async () => {
      const s = await otherFrozen({ agreed: (e) => e - 1n, primary: (e) => e * 2n, fallback: (e) => e + e / 10n });
      await expect(s.liquidate())
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, s.ta, anyValue, SEC_WAD, 0);
    });

    for (const dead of ["primary", "fallback"] as const) {
      const live: Feed = dead === "primary" ? "fallback" : "primary";
      it(`the ${dead} dead, the ${live} live and deep: the agreed price (the position stays healthy)`, async () => {
        const s = await otherFrozen({
          dead,
          [live]: (e: bigint) => e / 2n,
          [dead]: () => 0n,
        } as { primary: (e: bigint) => bigint; fallback: (e: bigint) => bigint; dead: Feed });
        await expect(s.liquidate())
          .to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy")
          .withArgs(s.alice.address, s.hfAt(price8(WETH_PRICE)));
      });
    }
  });
});
