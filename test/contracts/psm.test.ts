import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner as Signer } from "@nomicfoundation/hardhat-ethers/types";

import { BPS, WAD, deployPolicy, rule } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();

const SCALE = 10n ** 12n; // 6-decimal stablecoin -> vUSD wad
const USDC = 10n ** 6n;
const ONE_USD = 10n ** 8n; // the feed's $1 (8 decimals)
const MAX_FEED_AGE = 86_400 + 3_600;
const DELAY = 2 * 86_400;
const EXPOSURE = 1_000_000n * WAD;
const MINTER_CAP = 500_000n * WAD;
const TREASURY = "0x0000000000000000000000000000000000007EA5";

async function deployPsmFixture() {
  const base = await deployPolicy(ethers);
  const { policy, governance, regulator, alice, bob } = base;
  const vusd = await ethers.deployContract("VUSD", [governance.address]);
  const usdc = await ethers.deployContract("MockUSDC");
  const feed = await ethers.deployContract("MockAggregatorV3", [8, "USDC / USD", ONE_USD]);
  const psm = await ethers.deployContract("PegStabilityModule", [
    await vusd.getAddress(),
    await usdc.getAddress(),
    await feed.getAddress(),
    await policy.getAddress(),
    MAX_FEED_AGE,
    TREASURY,
  ]);
  const psmAddress = await psm.getAddress();
  await vusd.connect(governance).setMinterCap(psmAddress, MINTER_CAP);
  await policy.connect(regulator).setPsm(psmAddress);
  await setRule(regulator, "PSM_EXPOSURE_LIMIT", EXPOSURE);
  for (const user of [alice, bob]) {
    await usdc.mint(user.address, 2_000_000n * USDC);
    await usdc.connect(user).approve(psmAddress, ethers.MaxUint256);
    await vusd.connect(user).approve(psmAddress, ethers.MaxUint256);
  }
  await feed.setAnswer(ONE_USD); // a fresh round after the timelock's wait
  return { ...base, vusd, usdc, feed, psm };

  async function setRule(by: Signer, name: string, value: bigint | number) {
    await scheduleAndExecute(policy, by, name, value);
  }
}

type Policy = Awaited<ReturnType<typeof deployPolicy>>["policy"];

async function scheduleAndExecute(policy: Policy, by: Signer, name: string, value: bigint | number) {
  const tx = await policy.connect(by).scheduleRuleChange(rule(name), value);
  const receipt = await tx.wait();
  const log = receipt!.logs.map((l) => policy.interface.parseLog(l)).find((l) => l?.name === "RuleChangeScheduled");
  await networkHelpers.time.increase(DELAY);
  await policy.executeRuleChange(log!.args.changeId);
}

/** A fixture whose fees are 30 bps in and 50 bps out (cap 100 bps). */
async function feesFixture() {
  const f = await deployPsmFixture();
  await scheduleAndExecute(f.policy, f.governance, "PSM_FEE_IN", 30);
  await scheduleAndExecute(f.policy, f.governance, "PSM_FEE_OUT", 50);
  await f.feed.setAnswer(ONE_USD); // fresh after the timelock's wait
  return f;
}

describe("PegStabilityModule", function () {
  describe("deployment", function () {
    it("reads the stablecoin's decimals into SCALE and starts empty, unpaused, with the policy's default rules", async function () {
      const { psm, policy } = await networkHelpers.loadFixture(deployPsmFixture);
      expect(await psm.SCALE()).to.equal(SCALE);
      // Linked and opened, the PSM filled its buffer to min(cap, exposure limit): minted = buffer, nothing paid out.
      expect(await psm.balances()).to.deep.equal([MINTER_CAP, 0n]);
      expect(await psm.buffer()).to.deep.equal([MINTER_CAP, 0n, MINTER_CAP]);
      expect(await psm.paused()).to.equal(false);
      const r = await policy.psmRules();
      expect([r.feeInBps, r.feeOutBps, r.feeCapBps, r.priceBandBps]).to.deep.equal([0n, 0n, 100n, 100n]);
      expect(r.exposureLimitWad).to.equal(EXPOSURE);
    });

    it("rejects zero addresses, a zero or too long feed age, and a stablecoin with more than 18 decimals", async function () {
      const { psm, vusd, usdc, feed, policy } = await networkHelpers.loadFixture(deployPsmFixture);
      const args = [await vusd.getAddress(), await usdc.getAddress(), await feed.getAddress(), await policy.getAddress()];
      const names = ["VUSD", "STABLECOIN", "PRICE_FEED", "POLICY"];
      for (let i = 0; i < 4; i++) {
        const bad = [...args];
        bad[i] = ethers.ZeroAddress;
        await expect(ethers.deployContract("PegStabilityModule", [...bad, MAX_FEED_AGE, TREASURY]))
          .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAddress")
          .withArgs(ethers.encodeBytes32String(names[i]!));
      }
      await expect(ethers.deployContract("PegStabilityModule", [...args, MAX_FEED_AGE, ethers.ZeroAddress]))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAddress")
        .withArgs(ethers.encodeBytes32String("TREASURY"));
      await expect(ethers.deployContract("PegStabilityModule", [...args, 0, TREASURY]))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleInvalidConfig")
        .withArgs(ethers.encodeBytes32String("MAX_FEED_AGE"), 0);
      await expect(ethers.deployContract("PegStabilityModule", [...args, 7 * 86_400 + 1, TREASURY]))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleInvalidConfig")
        .withArgs(ethers.encodeBytes32String("MAX_FEED_AGE"), 7 * 86_400 + 1);
      await ethers.deployContract("PegStabilityModule", [...args, 7 * 86_400, TREASURY]);
      const coin19 = await ethers.deployContract("TestERC20", ["Odd", "ODD", 19]);
      const bad = [...args];
      bad[1] = await coin19.getAddress();
      await expect(ethers.deployContract("PegStabilityModule", [...bad, MAX_FEED_AGE, TREASURY]))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleInvalidConfig")
        .withArgs(ethers.encodeBytes32String("STABLECOIN_DECIMALS"), 19);
    });
  });

  describe("swaps without fees", function () {
    it("swaps in 1:1 after decimals: stablecoin to the PSM, vUSD minted to `to`", async function () {
      const { psm, vusd, usdc, alice, bob } = await networkHelpers.loadFixture(deployPsmFixture);
      const amount = 1_234_567_891n; // 1234.567891 USDC
      await expect(psm.connect(alice).swapIn(amount, bob.address))
        .to.emit(psm, "PsmSwappedIn")
        .withArgs(alice.address, bob.address, amount, amount * SCALE, 0n);
      expect(await vusd.balanceOf(bob.address)).to.equal(amount * SCALE);
      expect(await usdc.balanceOf(await psm.getAddress())).to.equal(amount);
      // A swap moves tokens only: the minter record stays, the buffer paid the vUSD out.
      expect(await psm.balances()).to.deep.equal([MINTER_CAP, amount]);
      expect(await psm.buffer()).to.deep.equal([MINTER_CAP - amount * SCALE, amount * SCALE, MINTER_CAP]);
      expect((await vusd.minterOf(await psm.getAddress()))[1]).to.equal(MINTER_CAP);
    });

    it("swaps out 1:1, taking the vUSD back into the buffer (vUSD's minter record unchanged)", async function () {
      const { psm, vusd, usdc, alice, bob } = await networkHelpers.loadFixture(deployPsmFixture);
      await psm.connect(alice).swapIn(1000n * USDC, alice.address);
      const before = await usdc.balanceOf(bob.address);
      await expect(psm.connect(alice).swapOut(400n * WAD, bob.address))
        .to.emit(psm, "PsmSwappedOut")
        .withArgs(alice.address, bob.address, 400n * WAD, 400n * USDC, 0n);
      expect((await usdc.balanceOf(bob.address)) - before).to.equal(400n * USDC);
      expect(await vusd.balanceOf(alice.address)).to.equal(600n * WAD);
      expect(await psm.balances()).to.deep.equal([MINTER_CAP, 600n * USDC]);
      expect((await psm.buffer())[1]).to.equal(600n * WAD);
      expect((await vusd.minterOf(await psm.getAddress()))[1]).to.equal(MINTER_CAP);
    });

    it("floors a swap out below one stablecoin unit: the dust stays as surplus; a payout of 0 reverts", async function () {
      const { psm, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await psm.connect(alice).swapIn(10n * USDC, alice.address);
      await expect(psm.connect(alice).swapOut(SCALE - 1n, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAmount")
        .withArgs(SCALE - 1n);
      await expect(psm.connect(alice).swapOut(2n * SCALE - 1n, alice.address))
        .to.emit(psm, "PsmSwappedOut")
        .withArgs(alice.address, alice.address, 2n * SCALE - 1n, 1n, SCALE - 1n);
      expect(await psm.surplusWad()).to.equal(SCALE - 1n);
    });

    it("rejects zero amounts and a zero recipient", async function () {
      const { psm, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await expect(psm.connect(alice).swapIn(0, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAmount")
        .withArgs(0);
      await expect(psm.connect(alice).swapOut(0, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAmount")
        .withArgs(0);
      await expect(psm.connect(alice).swapIn(1, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAddress")
        .withArgs(ethers.encodeBytes32String("TO"));
      await expect(psm.connect(alice).swapOut(1, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAddress")
        .withArgs(ethers.encodeBytes32String("TO"));
    });

    it("redeems vUSD from any minter into the buffer, paying from its reserves and never past them", async function () {
      const { psm, vusd, usdc, governance, alice, bob } = await networkHelpers.loadFixture(deployPsmFixture);
      await psm.connect(alice).swapIn(100n * USDC, alice.address);
      // vUSD from another minter (the pool) joins the buffer; the reserves pay it.
      await vusd.connect(governance).setMinterCap(bob.address, WAD);
      await vusd.connect(bob).mint(alice.address, WAD);
      await expect(psm.connect(alice).swapOut(100n * WAD + SCALE, alice.address))
        .to.be.revertedWithCustomError(usdc, "ERC20InsufficientBalance")
        .withArgs(await psm.getAddress(), 100n * USDC, 100n * USDC + 1n);
      await psm.connect(alice).swapOut(100n * WAD, alice.address);
      expect(await psm.balances()).to.deep.equal([MINTER_CAP, 0n]);
      expect(await psm.buffer()).to.deep.equal([MINTER_CAP, 0n, MINTER_CAP]);
    });

    it("needs the caller's vUSD allowance and balance to swap out", async function () {
      const { psm, vusd, alice, bob, outsider } = await networkHelpers.loadFixture(deployPsmFixture);
      await psm.connect(alice).swapIn(100n * USDC, outsider.address);
      await expect(psm.connect(outsider).swapOut(WAD, outsider.address)).to.be.revertedWithCustomError(
        vusd,
        "ERC20InsufficientAllowance",
      );
      await expect(psm.connect(bob).swapOut(WAD, bob.address)).to.be.revertedWithCustomError(
        vusd,
        "ERC20InsufficientBalance",
      );
    });

    it("reverts a swap in of more stablecoin than the caller holds or approved (SafeERC20)", async function () {
      const { psm, usdc, outsider } = await networkHelpers.loadFixture(deployPsmFixture);
      await usdc.mint(outsider.address, USDC);
      await expect(psm.connect(outsider).swapIn(USDC, outsider.address)).to.be.revertedWithCustomError(
        usdc,
        "ERC20InsufficientAllowance",
      );
      await usdc.connect(outsider).approve(await psm.getAddress(), ethers.MaxUint256);
      await expect(psm.connect(outsider).swapIn(USDC + 1n, outsider.address)).to.be.revertedWithCustomError(
        usdc,
        "ERC20InsufficientBalance",
      );
      await psm.connect(outsider).swapIn(USDC, outsider.address);
      expect((await psm.balances())[1]).to.equal(USDC);
    });

    it("reverts (no wrap-around) on an amount whose wad value overflows", async function () {
      const { psm, usdc, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await expect(psm.connect(alice).swapIn(ethers.MaxUint256, alice.address)).to.be.revertedWithPanic(0x11);
      await usdc.mint(alice.address, ethers.MaxUint256 / SCALE);
      await expect(psm.connect(alice).swapIn(ethers.MaxUint256 / SCALE, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleExposureLimitExceeded");
    });
  });

  describe("fees (rounded in the protocol's favour)", function () {
    it("swap in mints floor(amount * 1e12 * (1 - fee)); the fee stays in reserves as surplus", async function () {
      const { psm, alice } = await networkHelpers.loadFixture(feesFixture);
      const amount = 1_000_001n; // fee 30 bps of 1.000001e18 = 3.000003e15, exact
      const gross = amount * SCALE;
      const fee = (gross * 30n + BPS - 1n) / BPS;
      await expect(psm.connect(alice).swapIn(amount, alice.address))
        .to.emit(psm, "PsmSwappedIn")
        .withArgs(alice.address, alice.address, amount, gross - fee, fee);
      expect(await psm.surplusWad()).to.equal(fee);
    });

    it("rounds a fractional fee up: a 1-unit swap in at 30 bps mints 1e12 - ceil(3e9)", async function () {
      const { psm, alice } = await networkHelpers.loadFixture(feesFixture);
      await expect(psm.connect(alice).swapIn(1, alice.address))
        .to.emit(psm, "PsmSwappedIn")
        .withArgs(alice.address, alice.address, 1n, SCALE - 3_000_000_000n, 3_000_000_000n);
    });

    it("swap out pays floor((amount - ceil(fee)) / 1e12); the fee and the rounding dust are surplus", async function () {
      const { psm, usdc, alice } = await networkHelpers.loadFixture(feesFixture);
      await psm.connect(alice).swapIn(1000n * USDC, alice.address);
      const surplusIn = await psm.surplusWad();
      const amountIn = 100n * WAD + 7n;
      const fee = (amountIn * 50n + BPS - 1n) / BPS;
      const out = (amountIn - fee) / SCALE;
      const before = await usdc.balanceOf(alice.address);
      await expect(psm.connect(alice).swapOut(amountIn, alice.address))
        .to.emit(psm, "PsmSwappedOut")
        .withArgs(alice.address, alice.address, amountIn, out, amountIn - out * SCALE);
      expect((await usdc.balanceOf(alice.address)) - before).to.equal(out);
      expect(out).to.equal(99_500_000n); // 99.5 USDC: the 7 wei and the fee's rounding stay as surplus
      expect(await psm.surplusWad()).to.equal(surplusIn + amountIn - out * SCALE);
    });

    it("charges the lower of the fee and the regulator's cap when the cap is lowered below it", async function () {
      const { psm, policy, regulator, feed, alice } = await networkHelpers.loadFixture(feesFixture);
      await scheduleAndExecute(policy, regulator, "PSM_FEE_CAP", 10);
      await feed.setAnswer(ONE_USD);
      const gross = 100n * USDC * SCALE;
      await expect(psm.connect(alice).swapIn(100n * USDC, alice.address))
        .to.emit(psm, "PsmSwappedIn")
        .withArgs(alice.address, alice.address, 100n * USDC, gross - gross / 1000n, gross / 1000n);
    });

    it("a fee of 100 % (cap and fee at 10000) mints nothing, so the swap reverts as a zero output", async function () {
      const { psm, policy, regulator, governance, feed, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await scheduleAndExecute(policy, regulator, "PSM_FEE_CAP", 10_000);
      await scheduleAndExecute(policy, governance, "PSM_FEE_IN", 10_000);
      await feed.setAnswer(ONE_USD);
      await expect(psm.connect(alice).swapIn(USDC, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleZeroAmount")
        .withArgs(USDC);
    });
  });

  describe("rules through the policy's timelock", function () {
    it("lets governance schedule fees up to the cap, not one bps above, and not the regulator or anyone else", async function () {
      const { policy, governance, regulator, outsider } = await networkHelpers.loadFixture(deployPsmFixture);
      for (const name of ["PSM_FEE_IN", "PSM_FEE_OUT"]) {
        await expect(policy.connect(governance).scheduleRuleChange(rule(name), 100)).to.emit(policy, "RuleChangeScheduled");
        await expect(policy.connect(governance).scheduleRuleChange(rule(name), 101))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
          .withArgs(rule("PSM_FEE_CAP"), 100, 101);
        for (const who of [regulator, outsider]) {
          await expect(policy.connect(who).scheduleRuleChange(rule(name), 1))
            .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
            .withArgs(rule(name), who.address);
        }
      }
    });

    it("re-checks a fee against the cap at execution: a cap lowered in between blocks it", async function () {
      const { policy, governance, regulator } = await networkHelpers.loadFixture(deployPsmFixture);
      const tx = await policy.connect(governance).scheduleRuleChange(rule("PSM_FEE_IN"), 80);
      const log = (await tx.wait())!.logs.map((l) => policy.interface.parseLog(l)).find((l) => l?.name === "RuleChangeScheduled");
      await scheduleAndExecute(policy, regulator, "PSM_FEE_CAP", 50);
      await expect(policy.executeRuleChange(log!.args.changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("PSM_FEE_CAP"), 50, 80);
    });

    it("lets only the regulator schedule the cap, band and exposure limit, within their ranges", async function () {
      const { policy, governance, regulator } = await networkHelpers.loadFixture(deployPsmFixture);
      for (const name of ["PSM_FEE_CAP", "PSM_PRICE_BAND", "PSM_EXPOSURE_LIMIT"]) {
        await expect(policy.connect(governance).scheduleRuleChange(rule(name), 1))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
          .withArgs(rule(name), governance.address);
      }
      const bounds: [string, bigint, bigint[]][] = [
        ["PSM_FEE_CAP", 10_000n, [10_001n]],
        ["PSM_PRICE_BAND", 5000n, [0n, 5001n]],
        ["PSM_EXPOSURE_LIMIT", 2n ** 128n - 1n, [2n ** 128n]],
      ];
      for (const [name, max, bad] of bounds) {
        await expect(policy.connect(regulator).scheduleRuleChange(rule(name), max)).to.emit(policy, "RuleChangeScheduled");
        for (const v of bad) {
          await expect(policy.connect(regulator).scheduleRuleChange(rule(name), v))
            .to.be.revertedWithCustomError(policy, "SupervisionInvalidValue")
            .withArgs(rule(name), v);
        }
      }
      await expect(policy.connect(regulator).scheduleRuleChange(rule("PSM_PRICE_BAND"), 1)).to.emit(policy, "RuleChangeScheduled");
    });

    it("changes a rule only after the delay, emitting RuleChanged with old and new values; ruleValue reads it", async function () {
      const { policy, governance } = await networkHelpers.loadFixture(deployPsmFixture);
      const tx = await policy.connect(governance).scheduleRuleChange(rule("PSM_FEE_OUT"), 25);
      await expect(tx).to.emit(policy, "RuleChangeScheduled");
      const log = (await tx.wait())!.logs.map((l) => policy.interface.parseLog(l)).find((l) => l?.name === "RuleChangeScheduled");
      const id = log!.args.changeId;
      await networkHelpers.time.increase(DELAY - 2);
      await expect(policy.executeRuleChange(id)).to.be.revertedWithCustomError(policy, "SupervisionChangeNotReady");
      await networkHelpers.time.increase(1);
      await expect(policy.executeRuleChange(id)).to.emit(policy, "RuleChanged").withArgs(id, rule("PSM_FEE_OUT"), 0, 25);
      expect(await policy.ruleValue(rule("PSM_FEE_OUT"))).to.equal(25n);
      expect((await policy.psmRules()).feeOutBps).to.equal(25n);
    });
  });

  describe("the PSM's copy of the rules (pushed by the policy)", function () {
    it("follows every executed PSM rule in the same transaction, fees bounded by the cap", async function () {
      const { psm, policy, regulator } = await networkHelpers.loadFixture(feesFixture);
      expect(await psm.rules()).to.deep.equal([30n, 50n, 100n, EXPOSURE]);
      const tx = await policy.connect(regulator).scheduleRuleChange(rule("PSM_FEE_CAP"), 40);
      const log = (await tx.wait())!.logs.map((l) => policy.interface.parseLog(l)).find((l) => l?.name === "RuleChangeScheduled");
      await networkHelpers.time.increase(DELAY);
      await expect(policy.executeRuleChange(log!.args.changeId)).to.emit(psm, "PsmRulesSynced").withArgs(30, 40, 100, EXPOSURE);
      await scheduleAndExecute(policy, regulator, "PSM_PRICE_BAND", 250);
      await scheduleAndExecute(policy, regulator, "PSM_EXPOSURE_LIMIT", 7n * WAD);
      expect(await psm.rules()).to.deep.equal([30n, 40n, 250n, 7n * WAD]);
    });

    it("an unlinked PSM keeps its copy until anyone syncs it from the policy", async function () {
      const { psm, vusd, usdc, feed, policy, regulator, outsider } = await networkHelpers.loadFixture(deployPsmFixture);
      const other = await ethers.deployContract("PegStabilityModule", [
        await vusd.getAddress(),
        await usdc.getAddress(),
        await feed.getAddress(),
        await policy.getAddress(),
        MAX_FEED_AGE,
        TREASURY,
      ]);
      await scheduleAndExecute(policy, regulator, "PSM_PRICE_BAND", 300);
      expect((await other.rules())[2]).to.equal(100n);
      expect((await psm.rules())[2]).to.equal(300n);
      await expect(other.connect(outsider).syncRules()).to.emit(other, "PsmRulesSynced").withArgs(0, 0, 300, EXPOSURE);
      expect((await other.rules())[2]).to.equal(300n);
    });

    it("is linked by the regulator only, once, to a contract", async function () {
      const { psm, policy, regulator, governance } = await networkHelpers.loadFixture(deployPsmFixture);
      const psmAddress = await psm.getAddress();
      expect(await policy.psm()).to.equal(psmAddress);
      await expect(policy.connect(governance).setPsm(psmAddress)).to.be.revertedWithCustomError(
        policy,
        "AccessControlUnauthorizedAccount",
      );
      await expect(policy.connect(regulator).setPsm(psmAddress))
        .to.be.revertedWithCustomError(policy, "SupervisionPsmAlreadyLinked")
        .withArgs(psmAddress);
      const fresh = await deployPolicy(ethers);
      await expect(fresh.policy.connect(fresh.regulator).setPsm(fresh.alice.address))
        .to.be.revertedWithCustomError(fresh.policy, "SupervisionZeroAddress")
        .withArgs(ethers.encodeBytes32String("PSM"));
    });

    it("FLASH_FEE: governance schedules up to 100 bps, not 101, and nobody else", async function () {
      const { policy, governance, regulator } = await networkHelpers.loadFixture(deployPsmFixture);
      await expect(policy.connect(governance).scheduleRuleChange(rule("FLASH_FEE"), 100)).to.emit(policy, "RuleChangeScheduled");
      await expect(policy.connect(governance).scheduleRuleChange(rule("FLASH_FEE"), 101))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("FLASH_FEE"), 100, 101);
      await expect(policy.connect(regulator).scheduleRuleChange(rule("FLASH_FEE"), 1))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
        .withArgs(rule("FLASH_FEE"), regulator.address);
      await scheduleAndExecute(policy, governance, "FLASH_FEE", 9);
      expect((await policy.psmRules()).flashFeeBps).to.equal(9n);
      expect(await policy.ruleValue(rule("FLASH_FEE"))).to.equal(9n);
    });
  });

  describe("fee surplus swept to the treasury", function () {
    it("sends the whole units of reserves * SCALE + buffer - minted to the treasury (anyone), keeping every vUSD redeemable", async function () {
      const { psm, vusd, usdc, alice, outsider } = await networkHelpers.loadFixture(feesFixture);
      await psm.connect(alice).swapIn(1000n * USDC, alice.address); // fee 3 USDC kept
      await psm.connect(alice).swapOut(100n * WAD, alice.address); // fee 0.5 vUSD: 0.5 USDC more kept
      const [mintedWad, reserves] = await psm.balances();
      const [bufferWad] = await psm.buffer();
      expect(await psm.surplusWad()).to.equal(reserves * SCALE + bufferWad - mintedWad);
      const expected = (reserves * SCALE + bufferWad - mintedWad) / SCALE;
      expect(expected).to.equal(3_500_000n);
      await expect(psm.connect(outsider).sweepFees()).to.emit(psm, "PsmFeesSwept").withArgs(TREASURY, expected);
      expect(await usdc.balanceOf(TREASURY)).to.equal(expected);
      expect(await psm.surplusWad()).to.be.lessThan(SCALE);
      await expect(psm.connect(outsider).sweepFees()).to.not.emit(psm, "PsmFeesSwept");
      // Every vUSD the PSM minted still redeems (at the fee): the backing was never swept.
      const held = await vusd.balanceOf(alice.address);
      await psm.connect(alice).swapOut(held, alice.address);
      expect((await psm.buffer())[1]).to.equal(0n);
    });
  });

  describe("exposure limit and minter cap", function () {
    it("pays out vUSD exactly up to the exposure limit and refuses one unit more (the buffer was trimmed to it)", async function () {
      const { psm, policy, regulator, feed, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await scheduleAndExecute(policy, regulator, "PSM_EXPOSURE_LIMIT", 300n * WAD);
      await feed.setAnswer(ONE_USD);
      await psm.connect(alice).swapIn(200n * USDC, alice.address);
      await expect(psm.connect(alice).swapIn(100n * USDC + 1n, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleExposureLimitExceeded")
        .withArgs(300n * WAD, (300n * USDC + 1n) * SCALE);
      await psm.connect(alice).swapIn(100n * USDC, alice.address);
      expect(await psm.balances()).to.deep.equal([300n * WAD, 300n * USDC]);
      expect(await psm.buffer()).to.deep.equal([0n, 300n * WAD, 300n * WAD]);
    });

    it("takes nothing while the exposure limit is 0 (the regulator closed it); swaps out still work", async function () {
      const { psm, policy, regulator, feed, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await psm.connect(alice).swapIn(10n * USDC, alice.address);
      await scheduleAndExecute(policy, regulator, "PSM_EXPOSURE_LIMIT", 0);
      await feed.setAnswer(ONE_USD);
      await expect(psm.connect(alice).swapIn(1, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleExposureLimitExceeded")
        .withArgs(0, (10n * USDC + 1n) * SCALE);
      await psm.connect(alice).swapOut(10n * WAD, alice.address);
      // The vUSD swapped back out into the buffer is not paid out again past the limit: a swap in trims first.
      expect(await psm.buffer()).to.deep.equal([10n * WAD, 0n, 0n]);
      await expect(psm.connect(alice).swapIn(1, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleExposureLimitExceeded")
        .withArgs(0, SCALE);
      await expect(psm.connect(alice).trim()).to.emit(psm, "PsmBufferTrimmed").withArgs(10n * WAD, 0n);
      expect(await psm.buffer()).to.deep.equal([0n, 0n, 0n]);
      expect(await psm.balances()).to.deep.equal([0n, 0n]);
    });

    it("never lets more than vUSD's cap reach users: fill stops at the cap, trim burns the buffer down to a lower one", async function () {
      const { psm, vusd, governance, alice, outsider } = await networkHelpers.loadFixture(deployPsmFixture);
      const psmAddress = await psm.getAddress();
      // Filled at the cap (500,000), below the exposure limit: fill has nothing more to mint.
      expect(await psm.connect(outsider).fill.staticCall()).to.equal(0n);
      await vusd.connect(governance).setMinterCap(psmAddress, 50n * WAD);
      await expect(psm.connect(outsider).trim())
        .to.emit(psm, "PsmBufferTrimmed")
        .withArgs(MINTER_CAP - 50n * WAD, 50n * WAD);
      await psm.connect(alice).swapIn(50n * USDC, alice.address);
      await expect(psm.connect(alice).swapIn(1, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleBufferShort")
        .withArgs(0, SCALE);
      expect(await psm.balances()).to.deep.equal([50n * WAD, 50n * USDC]);
      await vusd.connect(governance).setMinterCap(psmAddress, 60n * WAD);
      await expect(psm.connect(outsider).fill()).to.emit(psm, "PsmBufferFilled").withArgs(10n * WAD, 60n * WAD);
      await psm.connect(alice).swapIn(10n * USDC, alice.address);
      expect(await psm.buffer()).to.deep.equal([0n, 60n * WAD, 60n * WAD]);
      expect((await vusd.minterOf(psmAddress))[1]).to.equal(60n * WAD);
    });
  });

  describe("freeze on the stablecoin's feed", function () {
    it("swaps at exactly $1 +- 1 % (both edges inside) and freezes one feed unit outside, both ways", async function () {
      const { psm, feed, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await psm.connect(alice).swapIn(100n * USDC, alice.address);
      for (const edge of [ONE_USD + ONE_USD / 100n, ONE_USD - ONE_USD / 100n]) {
        await feed.setAnswer(edge);
        await psm.connect(alice).swapIn(USDC, alice.address);
        await psm.connect(alice).swapOut(WAD, alice.address);
      }
      for (const outside of [ONE_USD + ONE_USD / 100n + 1n, ONE_USD - ONE_USD / 100n - 1n]) {
        await feed.setAnswer(outside);
        const updatedAt = await networkHelpers.time.latest();
        await expect(psm.connect(alice).swapIn(USDC, alice.address))
          .to.be.revertedWithCustomError(psm, "PegStabilityModuleFrozen")
          .withArgs(rule("PSM_PRICE_BAND"), outside, updatedAt);
        await expect(psm.connect(alice).swapOut(WAD, alice.address))
          .to.be.revertedWithCustomError(psm, "PegStabilityModuleFrozen")
          .withArgs(rule("PSM_PRICE_BAND"), outside, updatedAt);
      }
      await feed.setAnswer(ONE_USD); // back in the band: unfrozen
      await psm.connect(alice).swapIn(USDC, alice.address);
    });

    it("follows a band widened through the timelock", async function () {
      const { psm, policy, regulator, feed, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await scheduleAndExecute(policy, regulator, "PSM_PRICE_BAND", 200);
      await feed.setAnswer(ONE_USD - ONE_USD / 50n);
      await psm.connect(alice).swapIn(USDC, alice.address);
      await feed.setAnswer(ONE_USD - ONE_USD / 50n - 1n);
      await expect(psm.connect(alice).swapIn(USDC, alice.address)).to.be.revertedWithCustomError(psm, "PegStabilityModuleFrozen");
    });

    it("swaps with a round exactly maxFeedAgeSec old and freezes one second later", async function () {
      const { psm, feed, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      await feed.setAnswer(ONE_USD);
      const updatedAt = await networkHelpers.time.latest();
      await networkHelpers.time.setNextBlockTimestamp(updatedAt + MAX_FEED_AGE);
      await psm.connect(alice).swapIn(USDC, alice.address);
      await networkHelpers.time.setNextBlockTimestamp(updatedAt + MAX_FEED_AGE + 2);
      await expect(psm.connect(alice).swapIn(USDC, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleFrozen")
        .withArgs(rule("PSM_PRICE_STALE"), ONE_USD, updatedAt);
      await feed.setAnswer(ONE_USD);
      await psm.connect(alice).swapOut(WAD, alice.address);
    });

    it("freezes on a non-positive answer, a zero update time, an incomplete round and a reverting feed", async function () {
      const { psm, feed, usdc, vusd, policy, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      const now = BigInt(await networkHelpers.time.latest());
      for (const [answer, updatedAt, answeredIn] of [
        [0n, now, 9n],
        [-1n, now, 9n],
        [ONE_USD, 0n, 9n],
        [ONE_USD, now, 8n],
      ] as const) {
        await feed.setRound(9, answer, updatedAt, answeredIn);
        await expect(psm.connect(alice).swapIn(USDC, alice.address))
          .to.be.revertedWithCustomError(psm, "PegStabilityModuleFrozen")
          .withArgs(rule("PSM_PRICE_STALE"), answer, updatedAt);
      }
      const reverting = await ethers.deployContract("RevertingPriceFeed", [ONE_USD]);
      const psm2 = await ethers.deployContract("PegStabilityModule", [
        await vusd.getAddress(),
        await usdc.getAddress(),
        await reverting.getAddress(),
        await policy.getAddress(),
        MAX_FEED_AGE,
        TREASURY,
      ]);
      await reverting.switchOff();
      await usdc.connect(alice).approve(await psm2.getAddress(), USDC);
      await expect(psm2.connect(alice).swapIn(USDC, alice.address))
        .to.be.revertedWithCustomError(psm, "PegStabilityModuleFrozen")
        .withArgs(rule("PSM_PRICE_STALE"), 0, 0);
    });

    it("puts freeze and unfreeze on record once each with compliance events (syncFreeze)", async function () {
      const { psm, feed, outsider } = await networkHelpers.loadFixture(deployPsmFixture);
      await expect(psm.connect(outsider).syncFreeze()).to.not.emit(psm, "CircuitBreakerTripped");
      const outside = ONE_USD + ONE_USD / 50n;
      await feed.setAnswer(outside);
      await expect(psm.connect(outsider).syncFreeze())
        .to.emit(psm, "CircuitBreakerTripped")
        .withArgs(rule("PSM_PRICE_BAND"), outsider.address, outside);
      expect(await psm.frozenOnRecord()).to.equal(true);
      await expect(psm.connect(outsider).syncFreeze()).to.not.emit(psm, "CircuitBreakerTripped");
      await feed.setAnswer(ONE_USD);
      const tx = psm.connect(outsider).syncFreeze();
      await expect(tx).to.emit(psm, "CircuitBreakerReset");
      expect(await psm.frozenOnRecord()).to.equal(false);
      expect((await psm.freezeStatus())[0]).to.equal(ethers.ZeroHash);
    });
  });

  describe("hostile stablecoins", function () {
    /** The fixture, then a PSM listing `token` (deployed after the fixture is loaded, which reverts the chain). */
    async function psmWith<T extends { getAddress(): Promise<string> }>(deployToken: () => Promise<T>) {
      const f = await networkHelpers.loadFixture(deployPsmFixture);
      const token = await deployToken();
      const psm = await ethers.deployContract("PegStabilityModule", [
        await f.vusd.getAddress(),
        await token.getAddress(),
        await f.feed.getAddress(),
        await f.policy.getAddress(),
        MAX_FEED_AGE,
        TREASURY,
      ]);
      await f.vusd.connect(f.governance).setMinterCap(await psm.getAddress(), MINTER_CAP);
      await psm.fill();
      return { ...f, psm, token };
    }

    it("keeps the books whole when the stablecoin calls back into the PSM during a swap (swaps keep no state)", async function () {
      const { psm, token, alice } = await psmWith(() => ethers.deployContract("ReentrantToken"));
      const psmAddress = await psm.getAddress();
      await token.mint(alice.address, 10n ** 18n);
      await token.connect(alice).approve(psmAddress, ethers.MaxUint256);
      await psm.connect(alice).swapIn(10n ** 17n, alice.address); // unarmed: works (SCALE 1 for 18 decimals)
      // Armed: every transfer of the token sweeps the PSM's surplus in the middle of the swap.
      await token.arm(psmAddress, psm.interface.encodeFunctionData("sweepFees"));
      await psm.connect(alice).swapIn(10n ** 17n, alice.address);
      const [bufferWad, paidOutWad] = await psm.buffer();
      expect(paidOutWad).to.equal(2n * 10n ** 17n);
      expect(await token.balanceOf(psmAddress)).to.equal(2n * 10n ** 17n); // no fee: nothing was surplus to sweep
      expect(await psm.surplusWad()).to.equal(0n);
      expect(bufferWad + paidOutWad).to.equal(MINTER_CAP);
      expect(await psm.connect(alice).sweepFees.staticCall()).to.equal(0n); // nothing to sweep: no transfer
    });

    it("reverts when the token returns false instead of moving funds (SafeERC20)", async function () {
      const { psm, token, alice } = await psmWith(() => ethers.deployContract("FalseReturningToken"));
      await token.mint(alice.address, 10n ** 18n);
      await expect(psm.connect(alice).swapIn(10n ** 18n, alice.address))
        .to.be.revertedWithCustomError(psm, "SafeERC20FailedOperation")
        .withArgs(await token.getAddress());
      expect(await psm.balances()).to.deep.equal([MINTER_CAP, 0n]);
    });
  });

  describe("freeze on record", function () {
    it("records a stale feed as PSM_PRICE_STALE, and the reset when a fresh round arrives", async function () {
      const { psm, feed, outsider } = await networkHelpers.loadFixture(deployPsmFixture);
      await networkHelpers.time.increase(MAX_FEED_AGE + 1);
      await expect(psm.connect(outsider).syncFreeze())
        .to.emit(psm, "CircuitBreakerTripped")
        .withArgs(rule("PSM_PRICE_STALE"), outsider.address, ONE_USD);
      await feed.setAnswer(ONE_USD);
      await expect(psm.connect(outsider).syncFreeze()).to.emit(psm, "CircuitBreakerReset");
    });
  });

  describe("pause (guardian / regulator) and roles", function () {
    it("lets the guardian or the regulator pause, only the regulator unpause; others are refused", async function () {
      const { psm, guardian, regulator, governance, outsider, alice } = await networkHelpers.loadFixture(deployPsmFixture);
      for (const who of [governance, outsider]) {
        await expect(psm.connect(who).pause())
          .to.be.revertedWithCustomError(psm, "PegStabilityModuleUnauthorized")
          .withArgs(who.address, ethers.id("verity.role.GUARDIAN"));
      }
      await expect(psm.connect(guardian).pause())
        .to.emit(psm, "CircuitBreakerTripped")
        .withArgs(rule("MANUAL"), guardian.address, 0);
      await expect(psm.connect(alice).swapIn(USDC, alice.address)).to.be.revertedWithCustomError(psm, "PegStabilityModulePaused");
      await expect(psm.connect(alice).swapOut(WAD, alice.address)).to.be.revertedWithCustomError(psm, "PegStabilityModulePaused");
      for (const who of [guardian, governance]) {
        await expect(psm.connect(who).unpause())
          .to.be.revertedWithCustomError(psm, "PegStabilityModuleUnauthorized")
          .withArgs(who.address, ethers.id("verity.role.REGULATOR"));
      }
      await expect(psm.connect(regulator).unpause()).to.emit(psm, "CircuitBreakerReset");
      await expect(psm.connect(regulator).unpause()).to.be.revertedWithCustomError(psm, "PegStabilityModuleNotPaused");
      await psm.connect(regulator).pause();
      await psm.connect(regulator).unpause();
      await psm.connect(alice).swapIn(USDC, alice.address);
    });

    it("keeps reserves * SCALE + buffer >= minted (surplus never negative) over a sequence of swaps with fees", async function () {
      const { psm, usdc, vusd, alice, bob } = await networkHelpers.loadFixture(feesFixture);
      const psmAddress = await psm.getAddress();
      const amounts = [1n, 999_999n, 123_456_789n, 3n, 10n ** 9n];
      for (const [i, a] of amounts.entries()) {
        const user = i % 2 === 0 ? alice : bob;
        await psm.connect(user).swapIn(a, user.address);
        const bal = await vusd.balanceOf(user.address);
        if (bal / 3n >= SCALE * 2n) await psm.connect(user).swapOut(bal / 3n, user.address);
        const [minted, reserves] = await psm.balances();
        const [bufferWad, paidOutWad] = await psm.buffer();
        expect(reserves * SCALE + bufferWad >= minted).to.equal(true);
        expect(reserves * SCALE >= paidOutWad).to.equal(true);
        expect(await usdc.balanceOf(psmAddress)).to.equal(reserves);
        expect(await vusd.balanceOf(psmAddress)).to.equal(bufferWad);
        expect((await vusd.minterOf(psmAddress))[1]).to.equal(minted);
        expect(await psm.surplusWad()).to.equal(reserves * SCALE + bufferWad - minted);
      }
    });
  });
});
