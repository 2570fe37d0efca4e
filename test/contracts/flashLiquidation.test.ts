import { expect } from "chai";
import { network } from "hardhat";

import { WAD, deployPolicy } from "./fixtures.js";
import { identityHolds, poolScenarios, price8 } from "./poolFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { underwater } = poolScenarios(ethers);

const DEX_WETH = 1_000n * WAD;
const DEX_PRICE = 1_820n; // the pool's price, as the feed's

/**
 * The `underwater` scenario (alice owes 16,000 vUSD against 10 WETH at $1,820, health factor 0.967), plus the flash
 * minter, a WETH/vUSD constant-product pool 1,000 WETH deep at $1,820 (liquidity from a market maker that is a
 * capped vUSD minter of its own), and the liquidation helper.
 */
async function flashLiquidationFixture() {
  const s = await underwater();
  const vusdAddress = await s.vusd.getAddress();
  const treasury = ethers.Wallet.createRandom().address;
  const flashMinter = await ethers.deployContract("VusdFlashMinter", [
    vusdAddress,
    await s.policy.getAddress(),
    treasury,
  ]);
  await s.vusd.connect(s.governance).setMinterCap(await flashMinter.getAddress(), 1_000_000n * WAD);
  const dex = await ethers.deployContract("MockConstantProductDex");
  const dexAddress = await dex.getAddress();
  const maker = s.carol;
  await s.vusd.connect(s.governance).setMinterCap(maker.address, DEX_WETH * DEX_PRICE);
  await s.vusd.connect(maker).mint(maker.address, DEX_WETH * DEX_PRICE);
  await s.weth.connect(maker).deposit({ value: DEX_WETH });
  await s.weth.connect(maker).approve(dexAddress, ethers.MaxUint256);
  await s.vusd.connect(maker).approve(dexAddress, ethers.MaxUint256);
  await dex.connect(maker).addLiquidity(s.wethAddress, vusdAddress, DEX_WETH, DEX_WETH * DEX_PRICE);
  const liquidator = await ethers.deployContract("FlashLiquidator", [
    s.poolAddress,
    await flashMinter.getAddress(),
    dexAddress,
    vusdAddress,
  ]);
  // A keeper with gas money and nothing else: no vUSD, no WETH, no position.
  const keeper = ethers.Wallet.createRandom().connect(ethers.provider);
  await networkHelpers.setBalance(keeper.address, WAD);
  return { ...s, flashMinter, dex, liquidator, keeper, treasury, marketMintedWad: DEX_WETH * DEX_PRICE };
}

async function deadline() {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 600n;
}

describe("FlashLiquidator: liquidation with no capital", function () {
  it("a fresh account with zero balances liquidates an unhealthy position and ends with a profit", async function () {
    const s = await networkHelpers.loadFixture(flashLiquidationFixture);
    const vusdAddress = await s.vusd.getAddress();
    expect(await s.vusd.balanceOf(s.keeper.address)).to.equal(0n);
    expect(await s.weth.balanceOf(s.keeper.address)).to.equal(0n);
    const [debtBefore] = await s.pool.positionOf(s.alice.address);
    const repay = 8_000n * WAD; // the close factor's half
    // Expected: seized = 8,000 * 1.05 / 1,820 WETH (floored), sold on the pool, less the 8,000 repaid (fee 0).
    const seized = (repay * 10_500n) / 10_000n / DEX_PRICE;
    const out = (await s.dex.getAmountsOut(seized, [s.wethAddress, vusdAddress]))[1]!;
    const expectedProfit = out - repay;
    expect(expectedProfit).to.be.greaterThan(200n * WAD);
    await expect(
      s.liquidator
        .connect(s.keeper)
        .liquidate(
          s.alice.address,
          s.wethAddress,
          repay,
          [s.wethAddress, vusdAddress],
          expectedProfit,
          await deadline(),
        ),
    )
      .to.emit(s.liquidator, "FlashLiquidated")
      .withArgs(s.keeper.address, s.alice.address, s.wethAddress, seized, expectedProfit);
    expect(await s.vusd.balanceOf(s.keeper.address)).to.equal(expectedProfit);
    expect(await s.flashMinter.outstandingWad()).to.equal(0n);
    expect(await s.vusd.balanceOf(await s.liquidator.getAddress())).to.equal(0n);
    expect(await s.weth.balanceOf(await s.liquidator.getAddress())).to.equal(0n);
    const [debtAfter] = await s.pool.positionOf(s.alice.address);
    expect(debtAfter).to.be.lessThan(debtBefore);
    // The identity, with the market maker's mint as the "other minter" term and nothing outstanding at the minter.
    const { lhs, rhs } = await identityHolds(s.pool, s.vusd);
    expect(lhs).to.equal(rhs + s.marketMintedWad);
  });

  it("reverts below the caller's minimum profit (by one wei), and after the deadline", async function () {
    const s = await networkHelpers.loadFixture(flashLiquidationFixture);
    const vusdAddress = await s.vusd.getAddress();
    const repay = 8_000n * WAD;
    const seized = (repay * 10_500n) / 10_000n / DEX_PRICE;
    const out = (await s.dex.getAmountsOut(seized, [s.wethAddress, vusdAddress]))[1]!;
    const path = [s.wethAddress, vusdAddress];
    await expect(
      s.liquidator
        .connect(s.keeper)
        .liquidate(s.alice.address, s.wethAddress, repay, path, out - repay + 1n, await deadline()),
    )
      .to.be.revertedWithCustomError(s.liquidator, "FlashLiquidatorProfitTooLow")
      .withArgs(out - repay + 1n, out - repay);
    const past = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    await expect(
      s.liquidator.connect(s.keeper).liquidate(s.alice.address, s.wethAddress, repay, path, 0, past),
    ).to.be.revertedWithCustomError(s.dex, "MockDexExpired");
    await expect(
      s.liquidator
        .connect(s.keeper)
        .liquidate(s.alice.address, s.wethAddress, repay, [vusdAddress, s.wethAddress], 0, await deadline()),
    )
      .to.be.revertedWithCustomError(s.liquidator, "FlashLiquidatorBadPath")
      .withArgs(vusdAddress, s.wethAddress);
  });

  describe("the loan is sized from the pool's maximum liquidation in the liquidation's block", function () {
    const MIN_DEBT = 100n * WAD;

    /** Bob keeps 0.2 WETH and owes 150 vUSD; both sources fall to $1,000 (HF 0.8): the close factor's half would
     * leave 75 < the minimum debt, so the pool's maximum is all of the debt. */
    async function smallPosition() {
      const s = await flashLiquidationFixture();
      await s.pool.connect(s.bob).withdraw(s.wethAddress, (98n * WAD) / 10n, s.bob.address);
      await s.pool.connect(s.bob).borrow(150n * WAD);
      await s.setBothAnswers(price8(1_000n));
      await s.pool.pokePrice(s.wethAddress);
      return s;
    }

    it("a keeper passing the debt it read a block ago closes a dust-rule position in full (no interest dust left)", async function () {
      const s = await networkHelpers.loadFixture(smallPosition);
      const vusdAddress = await s.vusd.getAddress();
      const [debtRead] = await s.pool.positionOf(s.bob.address);
      await networkHelpers.time.increase(60); // a minute of interest between the keeper's read and its transaction
      const tx = s.liquidator
        .connect(s.keeper)
        .liquidate(s.bob.address, s.wethAddress, debtRead, [s.wethAddress, vusdAddress], 0, await deadline());
      await expect(tx).to.emit(s.liquidator, "FlashLiquidated");
      const receipt = (await (await tx).wait())!;
      const liquidated = receipt.logs
        .map((log) => s.pool.interface.parseLog(log))
        .find((parsed) => parsed?.name === "PositionLiquidated")!;
      expect(liquidated.args.debtRepaidWad > debtRead).to.equal(true, "the interest accrued since the read");
      expect((await s.pool.positionOf(s.bob.address))[0]).to.equal(0n);
      expect(await s.flashMinter.outstandingWad()).to.equal(0n);
    });

    it("borrows the pool's maximum for an amount at or above it (type(uint256).max too), or one leaving less than the minimum debt; else the amount", async function () {
      const s = await networkHelpers.loadFixture(smallPosition);
      // Views at one block: the same debt as the pool's.
      const [bobDebt] = await s.pool.positionOf(s.bob.address);
      expect(await s.liquidator.loanWad(s.bob.address, bobDebt - MIN_DEBT)).to.equal(bobDebt - MIN_DEBT);
      expect(await s.liquidator.loanWad(s.bob.address, bobDebt - MIN_DEBT + 1n)).to.equal(bobDebt);
      expect(await s.liquidator.loanWad(s.bob.address, ethers.MaxUint256)).to.equal(bobDebt);
      const [aliceDebt] = await s.pool.positionOf(s.alice.address); // 16,000: the close factor's half
      const half = aliceDebt / 2n;
      expect(await s.liquidator.loanWad(s.alice.address, half - 1n)).to.equal(half - 1n);
      expect(await s.liquidator.loanWad(s.alice.address, half)).to.equal(half);
      expect(await s.liquidator.loanWad(s.alice.address, ethers.MaxUint256)).to.equal(half);
      // No debt: the amount, and the pool says why.
      expect(await s.liquidator.loanWad(s.carol.address, 7n)).to.equal(7n);
    });

    it("type(uint256).max liquidates the pool's maximum with a loan of exactly that", async function () {
      const s = await networkHelpers.loadFixture(smallPosition);
      const vusdAddress = await s.vusd.getAddress();
      const tx = await s.liquidator
        .connect(s.keeper)
        .liquidate(
          s.alice.address,
          s.wethAddress,
          ethers.MaxUint256,
          [s.wethAddress, vusdAddress],
          0,
          await deadline(),
        );
      const receipt = (await tx.wait())!;
      const parsed = receipt.logs.map((log) => {
        for (const c of [s.pool, s.flashMinter])
          try {
            const p = c.interface.parseLog(log);
            if (p !== null) return p;
          } catch {
            // another contract's event
          }
        return null;
      });
      const minted = parsed.find((p) => p?.name === "FlashMinted")!;
      const liquidated = parsed.find((p) => p?.name === "PositionLiquidated")!;
      expect(minted.args.amountWad).to.equal(liquidated.args.debtRepaidWad);
      const [debtAfter] = await s.pool.positionOf(s.alice.address);
      expect(debtAfter > 0n).to.equal(true, "the close factor's half stays");
    });
  });

  it("cannot liquidate a healthy position, and takes no loan it did not start", async function () {
    const s = await networkHelpers.loadFixture(flashLiquidationFixture);
    const vusdAddress = await s.vusd.getAddress();
    await s.feed.setAnswer(2_000n * 10n ** 8n);
    await s.pool.pokePrice(s.wethAddress);
    await expect(
      s.liquidator
        .connect(s.keeper)
        .liquidate(s.alice.address, s.wethAddress, 1_000n * WAD, [s.wethAddress, vusdAddress], 0, await deadline()),
    ).to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy");
    await expect(
      s.flashMinter.flashLoan(await s.liquidator.getAddress(), vusdAddress, WAD, "0x"),
    ).to.be.revertedWithCustomError(s.liquidator, "FlashLiquidatorUntrustedLoan");
  });
});

describe("Arbitrage through the PSM and a constant-product pool", function () {
  const USDC = 10n ** 6n;
  const SCALE = 10n ** 12n;
  const TREASURY = "0x0000000000000000000000000000000000007EA5";

  /** A PSM (fees 0, +-1 % band, cap 3,000,000 vUSD) and a vUSD/USDC pool holding 1,000,000 vUSD at `priceMilli`/1000. */
  async function arbitrage(priceMilli: bigint) {
    const [, , , , lp, bot] = await ethers.getSigners();
    const f = await deployPolicy(ethers);
    const vusd = await ethers.deployContract("VUSD", [f.governance.address]);
    const usdc = await ethers.deployContract("MockUSDC");
    const feed = await ethers.deployContract("MockAggregatorV3", [8, "USDC / USD", 10n ** 8n]);
    const psm = await ethers.deployContract("PegStabilityModule", [
      await vusd.getAddress(),
      await usdc.getAddress(),
      await feed.getAddress(),
      await f.policy.getAddress(),
      90_000,
      TREASURY,
    ]);
    const psmAddress = await psm.getAddress();
    await vusd.connect(f.governance).setMinterCap(psmAddress, 3_000_000n * WAD);
    await f.policy.connect(f.regulator).setPsm(psmAddress);
    const tx = await f.policy
      .connect(f.regulator)
      .scheduleRuleChange(ethers.encodeBytes32String("PSM_EXPOSURE_LIMIT"), 10_000_000n * WAD);
    const log = (await tx.wait())!.logs
      .map((l) => f.policy.interface.parseLog(l))
      .find((l) => l?.name === "RuleChangeScheduled");
    await networkHelpers.time.increase(2 * 86_400);
    await f.policy.executeRuleChange(log!.args.changeId);
    await feed.setAnswer(10n ** 8n);
    const dex = await ethers.deployContract("MockConstantProductDex");
    const dexAddress = await dex.getAddress();
    for (const who of [lp!, bot!]) {
      await usdc.mint(who.address, 5_000_000n * USDC);
      await usdc.connect(who).approve(psmAddress, ethers.MaxUint256);
      await usdc.connect(who).approve(dexAddress, ethers.MaxUint256);
      await vusd.connect(who).approve(psmAddress, ethers.MaxUint256);
      await vusd.connect(who).approve(dexAddress, ethers.MaxUint256);
    }
    // The LP gets its vUSD from the PSM, then seeds the pool off the peg.
    await psm.connect(lp!).swapIn(1_000_000n * USDC, lp!.address);
    await dex
      .connect(lp!)
      .addLiquidity(
        await vusd.getAddress(),
        await usdc.getAddress(),
        1_000_000n * WAD,
        (1_000_000n * USDC * priceMilli) / 1000n,
      );
    return {
      vusd,
      usdc,
      feed,
      psm,
      dex,
      bot: bot!,
      vusdAddress: await vusd.getAddress(),
      usdcAddress: await usdc.getAddress(),
    };
  }

  /** The pool's price of one vUSD in USDC, as a fraction of $1 (1e6 = $1). */
  async function poolPriceMicro(a: Awaited<ReturnType<typeof arbitrage>>) {
    const [reserveVusd, reserveUsdc] = await a.dex.reservesOf(a.vusdAddress, a.usdcAddress);
    return (reserveUsdc * SCALE * 1_000_000n) / reserveVusd;
  }

  it("at $0.98 a bot buys vUSD on the pool and redeems it at the PSM for >= 0.5 %; repeated, the price ends >= $0.995", async function () {
    const a = await networkHelpers.loadFixture(async function below() {
      return arbitrage(980n);
    });
    const trade = 1_000n * USDC;
    const before = await a.usdc.balanceOf(a.bot.address);
    const end = (await ethers.provider.getBlock("latest"))!.timestamp + 3600;
    await a.dex.connect(a.bot).swapExactTokensForTokens(trade, 0, [a.usdcAddress, a.vusdAddress], a.bot.address, end);
    await a.psm.connect(a.bot).swapOut(await a.vusd.balanceOf(a.bot.address), a.bot.address);
    const profit = (await a.usdc.balanceOf(a.bot.address)) - before;
    expect(profit * 10_000n).to.be.greaterThanOrEqual(trade * 50n); // >= 0.5 %
    // Repeated while a 10,000 USDC round trip still pays.
    for (let i = 0; i < 100; i++) {
      const vusdOut = (await a.dex.getAmountsOut(10_000n * USDC, [a.usdcAddress, a.vusdAddress]))[1]!;
      if (vusdOut / SCALE <= 10_000n * USDC) break;
      await a.dex
        .connect(a.bot)
        .swapExactTokensForTokens(10_000n * USDC, 0, [a.usdcAddress, a.vusdAddress], a.bot.address, end);
      await a.psm.connect(a.bot).swapOut(await a.vusd.balanceOf(a.bot.address), a.bot.address);
    }
    expect(await poolPriceMicro(a)).to.be.greaterThanOrEqual(995_000n);
    expect(await a.usdc.balanceOf(a.bot.address)).to.be.greaterThan(before);
  });

  it("at $1.02 the mirror trade pays: mint at the PSM, sell on the pool; the price ends <= $1.005", async function () {
    const a = await networkHelpers.loadFixture(async function above() {
      return arbitrage(1020n);
    });
    const trade = 1_000n * USDC;
    const before = await a.usdc.balanceOf(a.bot.address);
    const end = (await ethers.provider.getBlock("latest"))!.timestamp + 3600;
    await a.psm.connect(a.bot).swapIn(trade, a.bot.address);
    await a.dex
      .connect(a.bot)
      .swapExactTokensForTokens(trade * SCALE, 0, [a.vusdAddress, a.usdcAddress], a.bot.address, end);
    expect(((await a.usdc.balanceOf(a.bot.address)) - before) * 10_000n).to.be.greaterThanOrEqual(trade * 50n);
    for (let i = 0; i < 100; i++) {
      const usdcOut = (await a.dex.getAmountsOut(10_000n * WAD, [a.vusdAddress, a.usdcAddress]))[1]!;
      if (usdcOut <= 10_000n * USDC) break;
      await a.psm.connect(a.bot).swapIn(10_000n * USDC, a.bot.address);
      await a.dex
        .connect(a.bot)
        .swapExactTokensForTokens(10_000n * WAD, 0, [a.vusdAddress, a.usdcAddress], a.bot.address, end);
    }
    expect(await poolPriceMicro(a)).to.be.lessThanOrEqual(1_005_000n);
  });

  it("the PSM leg reverts while the stablecoin's feed reads $0.985, and minting past the PSM's cap reverts", async function () {
    const a = await networkHelpers.loadFixture(async function frozen() {
      return arbitrage(980n);
    });
    const end = (await ethers.provider.getBlock("latest"))!.timestamp + 3600;
    await a.dex
      .connect(a.bot)
      .swapExactTokensForTokens(1_000n * USDC, 0, [a.usdcAddress, a.vusdAddress], a.bot.address, end);
    await a.feed.setAnswer(98_500_000n);
    const held = await a.vusd.balanceOf(a.bot.address);
    await expect(a.psm.connect(a.bot).swapOut(held, a.bot.address)).to.be.revertedWithCustomError(
      a.psm,
      "PegStabilityModuleFrozen",
    );
    await expect(a.psm.connect(a.bot).swapIn(USDC, a.bot.address)).to.be.revertedWithCustomError(
      a.psm,
      "PegStabilityModuleFrozen",
    );
    await a.feed.setAnswer(10n ** 8n);
    // The buffer was filled to the 3,000,000 cap (below the exposure limit) and 1,000,000 of it is paid out:
    // 2,000,000 more fits, one unit more finds the buffer empty (no more than the cap reaches users).
    await a.psm.connect(a.bot).swapIn(2_000_000n * USDC, a.bot.address);
    await expect(a.psm.connect(a.bot).swapIn(1n, a.bot.address))
      .to.be.revertedWithCustomError(a.psm, "PegStabilityModuleBufferShort")
      .withArgs(0n, SCALE);
    expect((await a.vusd.minterOf(await a.psm.getAddress()))[1]).to.equal(3_000_000n * WAD);
  });
});
