import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner as Signer } from "@nomicfoundation/hardhat-ethers/types";

import { BPS, DAY, WAD, policyConfig, roleId, rule } from "./fixtures.js";
import { identityHolds, mulDivUp, poolScenarios, price8 } from "./poolFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;
const { deposited } = poolScenarios(ethers);

const SHARE_BPS = 5000n;
const MAX_SHARE_BPS = 9000n;
const DELAY = 2n * DAY;
const ONE_SHARE = 10n ** 24n;
const OFFSET = 10n ** 6n;

/** The pool system with a savings vault holding the SAVINGS role; Carol saves (5,000 vUSD on hand). */
async function withVault() {
  const s = await deposited();
  const vault = await ethers.deployContract("SavingsVault", [
    await s.vusd.getAddress(),
    s.poolAddress,
    await s.policy.getAddress(),
  ]);
  const vaultAddress = await vault.getAddress();
  await s.policy.connect(s.governance).grantRole(roleId(ethers, "SAVINGS"), vaultAddress);
  for (const who of [s.alice, s.bob, s.carol, s.liquidator]) {
    await s.vusd.connect(who).approve(vaultAddress, ethers.MaxUint256);
  }
  return { ...s, vault, vaultAddress };
}
type System = Awaited<ReturnType<typeof withVault>>;

/** Bob (unscored, 25 % APR) borrows `amountWad`, `days` pass, he repays all; returns the interest that became surplus. */
async function earnInterest(s: System, amountWad: bigint, days: bigint): Promise<bigint> {
  const before = await s.pool.interestToSurplusWad();
  await s.feed.setAnswer(price8(2000n));
  await s.pool.connect(s.bob).borrow(amountWad);
  await time.increase(days * DAY);
  await s.feed.setAnswer(price8(2000n));
  await s.pool.connect(s.bob).repay(s.bob.address, ethers.MaxUint256);
  return (await s.pool.interestToSurplusWad()) - before;
}

async function scheduleAndExecute(s: System, by: Signer, name: string, value: bigint) {
  const receipt = await (await s.policy.connect(by).scheduleRuleChange(rule(name), value)).wait();
  const log = receipt!.logs.map((l) => s.policy.interface.parseLog(l)).find((l) => l?.name === "RuleChangeScheduled");
  await time.increase(DELAY);
  await s.policy.executeRuleChange(log!.args.changeId);
}

/** vUSD per whole sVUSD for a vault holding `balanceWad` with `shares` outstanding (OpenZeppelin's virtual shares). */
const priceOf = (balanceWad: bigint, shares: bigint) => ((balanceWad + 1n) * ONE_SHARE) / (shares + OFFSET);

async function expectIdentity(s: System) {
  const { lhs, rhs } = await identityHolds(s.pool, s.vusd);
  expect(lhs).to.equal(rhs);
}

/**
 * Bad debt beyond the surplus: Carol (1 WETH) borrows 1,600, ETH halves, she is liquidated twice; the second
 * liquidation takes all her collateral and leaves a deficit (the pattern of the pool's bad-debt test).
 */
async function createDeficit(s: System) {
  await s.pool.connect(s.carol).deposit(s.wethAddress, WAD, s.carol.address);
  await s.score(s.carol.address, 100);
  await s.pool.connect(s.carol).borrow(1600n * WAD);
  await s.setBothAnswers(price8(1000n));
  await s.pool.pokePrice(s.wethAddress); // both sources confirm the halving: accepted, liquidations go on
  await time.increase(60);
  await s.setBothAnswers(price8(1000n)); // the feeds keep publishing
  await s.pool.connect(s.liquidator).liquidate(s.carol.address, s.wethAddress, ethers.MaxUint256);
  await s.pool.connect(s.liquidator).liquidate(s.carol.address, s.wethAddress, ethers.MaxUint256);
  const [, , deficit] = await s.pool.accounts();
  expect(deficit).to.be.greaterThan(0n);
  return deficit;
}

describe("SavingsVault (sVUSD)", () => {
  describe("deployment", () => {
    it("is an ERC-4626 over vUSD with 24 decimals (offset 6), checkpointed at the pool's interest counter", async () => {
      const s = await loadFixture(withVault);
      expect(await s.vault.asset()).to.equal(await s.vusd.getAddress());
      expect(await s.vault.decimals()).to.equal(24n);
      expect(await s.vault.symbol()).to.equal("sVUSD");
      expect(await s.vault.accrual()).to.deep.equal([await s.pool.interestToSurplusWad(), 0n, 0n]);
      expect(await s.vault.sharePriceWad()).to.equal(WAD);
    });

    it("starts at the pool's counter: interest received before the vault existed pays it nothing", async () => {
      const s = await loadFixture(withVault);
      const interest = await earnInterest(s, 5000n * WAD, 365n);
      const later = await ethers.deployContract("SavingsVault", [
        await s.vusd.getAddress(),
        s.poolAddress,
        await s.policy.getAddress(),
      ]);
      expect((await later.accrual())[0]).to.equal(await s.pool.interestToSurplusWad());
      expect(await later.pendingPayoutWad()).to.equal(0n);
      expect(interest).to.be.greaterThan(0n);
    });

    it("rejects zero addresses and a pool that mints another asset", async () => {
      const s = await loadFixture(withVault);
      const F = await ethers.getContractFactory("SavingsVault");
      const [vusd, pool, policy] = [await s.vusd.getAddress(), s.poolAddress, await s.policy.getAddress()];
      await expect(F.deploy(ethers.ZeroAddress, pool, policy)).to.be.revertedWithCustomError(
        F,
        "SavingsVaultZeroAddress",
      );
      await expect(F.deploy(vusd, ethers.ZeroAddress, policy)).to.be.revertedWithCustomError(
        F,
        "SavingsVaultZeroAddress",
      );
      await expect(F.deploy(vusd, pool, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        F,
        "SavingsVaultZeroAddress",
      );
      const other = await ethers.deployContract("VUSD", [s.governance.address]);
      await expect(F.deploy(await other.getAddress(), pool, policy))
        .to.be.revertedWithCustomError(F, "SavingsVaultAssetMismatch")
        .withArgs(vusd, await other.getAddress());
    });
  });

  describe("SAVINGS_SHARE (governance, timelocked, at most 9000 bps)", () => {
    it("is set at deployment and bounded there: 9000 deploys, 9001 reverts", async () => {
      const s = await loadFixture(withVault);
      expect(await s.policy.ruleValue(rule("SAVINGS_SHARE"))).to.equal(SHARE_BPS);
      const F = await ethers.getContractFactory("SupervisionPolicy");
      const config = policyConfig(s);
      const atMax = await ethers.deployContract("SupervisionPolicy", [{ ...config, savingsShareBps: MAX_SHARE_BPS }]);
      expect(await atMax.ruleValue(rule("SAVINGS_SHARE"))).to.equal(MAX_SHARE_BPS);
      await expect(ethers.deployContract("SupervisionPolicy", [{ ...config, savingsShareBps: MAX_SHARE_BPS + 1n }]))
        .to.be.revertedWithCustomError(F, "SupervisionRuleViolated")
        .withArgs(rule("SAVINGS_SHARE"), MAX_SHARE_BPS, MAX_SHARE_BPS + 1n);
    });

    it("lets governance schedule up to the cap, not one bps above, and not the regulator", async () => {
      const s = await loadFixture(withVault);
      await expect(s.policy.connect(s.governance).scheduleRuleChange(rule("SAVINGS_SHARE"), MAX_SHARE_BPS + 1n))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(rule("SAVINGS_SHARE"), MAX_SHARE_BPS, MAX_SHARE_BPS + 1n);
      await expect(s.policy.connect(s.regulator).scheduleRuleChange(rule("SAVINGS_SHARE"), 1000n))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleNotSchedulable")
        .withArgs(rule("SAVINGS_SHARE"), s.regulator.address);
      await scheduleAndExecute(s, s.governance, "SAVINGS_SHARE", MAX_SHARE_BPS);
      expect(await s.policy.ruleValue(rule("SAVINGS_SHARE"))).to.equal(MAX_SHARE_BPS);
    });

    it("changes only after the timelock: one second early reverts, at executableAt it applies", async () => {
      const s = await loadFixture(withVault);
      const receipt = await (
        await s.policy.connect(s.governance).scheduleRuleChange(rule("SAVINGS_SHARE"), 2000n)
      ).wait();
      const log = receipt!.logs
        .map((l) => s.policy.interface.parseLog(l))
        .find((l) => l?.name === "RuleChangeScheduled")!;
      const { changeId, executableAt } = log.args;
      await time.setNextBlockTimestamp(executableAt - 1n);
      await expect(s.policy.executeRuleChange(changeId))
        .to.be.revertedWithCustomError(s.policy, "SupervisionChangeNotReady")
        .withArgs(changeId, executableAt, executableAt - 1n);
      expect(await s.policy.ruleValue(rule("SAVINGS_SHARE"))).to.equal(SHARE_BPS);
      await time.setNextBlockTimestamp(executableAt);
      await expect(s.policy.executeRuleChange(changeId))
        .to.emit(s.policy, "RuleChanged")
        .withArgs(changeId, rule("SAVINGS_SHARE"), SHARE_BPS, 2000n);
      expect(await s.policy.ruleValue(rule("SAVINGS_SHARE"))).to.equal(2000n);
    });

    it("applies the share in force at the check to the interest since the previous check", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      const first = await earnInterest(s, 5000n * WAD, 180n);
      await s.vault.drip(); // at 50 %
      await scheduleAndExecute(s, s.governance, "SAVINGS_SHARE", 0n);
      const second = await earnInterest(s, 5000n * WAD, 180n);
      await expect(s.vault.drip())
        .to.emit(s.vault, "SavingsYieldPaid")
        .withArgs(0n, second, 0n, 0n, await s.vault.sharePriceWad());
      expect((await s.vault.accrual())[1]).to.equal((first * SHARE_BPS) / BPS);
    });
  });

  describe("the payout right (SAVINGS role)", () => {
    it("lets only SAVINGS holders call paySavings: not governance, not an outsider", async () => {
      const s = await loadFixture(withVault);
      await earnInterest(s, 5000n * WAD, 365n);
      const SAVINGS = roleId(ethers, "SAVINGS");
      for (const who of [s.governance, s.outsider]) {
        await expect(s.pool.connect(who).paySavings(who.address, 1n))
          .to.be.revertedWithCustomError(s.pool, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, SAVINGS);
      }
      // The role's admin is governance (the regulator cannot grant it).
      await expect(s.policy.connect(s.regulator).grantRole(SAVINGS, s.regulator.address)).to.be.revertedWithCustomError(
        s.policy,
        "AccessControlUnauthorizedAccount",
      );
      expect(await s.policy.getRoleAdmin(SAVINGS)).to.equal(roleId(ethers, "GOVERNANCE"));
    });

    it("pays at most the surplus: one wei more reverts LendingPoolInsufficientSurplus", async () => {
      const s = await loadFixture(withVault);
      await earnInterest(s, 5000n * WAD, 365n);
      const SAVINGS = roleId(ethers, "SAVINGS");
      await s.policy.connect(s.governance).grantRole(SAVINGS, s.outsider.address);
      const [, surplus] = await s.pool.accounts();
      await expect(s.pool.connect(s.outsider).paySavings(s.outsider.address, surplus + 1n))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientSurplus")
        .withArgs(surplus, surplus + 1n);
      await s.pool.connect(s.outsider).paySavings(s.outsider.address, surplus);
      expect((await s.pool.accounts())[1]).to.equal(0n);
      await expectIdentity(s);
    });
  });

  describe("payouts", () => {
    it("pays floor(share x interest received) from surplus into the vault; the identity holds", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      const interest = await earnInterest(s, 5000n * WAD, 365n);
      const due = (interest * SHARE_BPS) / BPS;
      expect(await s.vault.pendingPayoutWad()).to.equal(due);
      expect(await s.vault.totalAssets()).to.equal(1000n * WAD + due);
      const [, surplusBefore] = await s.pool.accounts();
      const shares = await s.vault.totalSupply();
      const priceAfter = priceOf(1000n * WAD + due, shares);
      await expect(s.vault.connect(s.outsider).drip())
        .to.emit(s.vault, "SavingsYieldPaid")
        .withArgs(due, interest, SHARE_BPS, 0n, priceAfter);
      expect(await s.vusd.balanceOf(s.vaultAddress)).to.equal(1000n * WAD + due);
      expect((await s.pool.accounts())[1]).to.equal(surplusBefore - due);
      expect(await s.vault.accrual()).to.deep.equal([await s.pool.interestToSurplusWad(), due, 0n]);
      expect(await s.vault.sharePriceWad()).to.equal(priceAfter);
      await expectIdentity(s);
      // Nothing new: a second drip pays nothing and says nothing.
      await expect(s.vault.drip()).not.to.emit(s.vault, "SavingsYieldPaid");
    });

    it("never pays more than received: 3 wei of interest at 50 % pays 1, the half wei waits for the next", async () => {
      const s = await loadFixture(withVault);
      // Interest of exactly 3 wei: 1.5 wei owed -> 1 paid, 0.5 carried; then 1 wei more -> 2 owed in total, 1 more paid.
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      await s.pool.connect(s.bob).borrow(1000n * WAD);
      const debt = async () => (await s.pool.positionOf(s.bob.address)).debtWad;
      await time.increase(10);
      const accrued = (await debt()) - 1000n * WAD;
      expect(accrued).to.be.greaterThan(3n);
      // Repay exactly 3 wei (interest is repaid first).
      await s.pool.connect(s.bob).repay(s.bob.address, 3n);
      expect(await s.pool.interestToSurplusWad()).to.equal(3n);
      const shares = await s.vault.totalSupply();
      await expect(s.vault.drip())
        .to.emit(s.vault, "SavingsYieldPaid")
        .withArgs(1n, 3n, SHARE_BPS, 0n, priceOf(1000n * WAD + 1n, shares));
      await s.pool.connect(s.bob).repay(s.bob.address, 1n);
      expect(await s.vault.pendingPayoutWad()).to.equal(1n);
      await s.vault.drip();
      // 4 wei received, 2 paid: exactly half, never more.
      expect((await s.vault.accrual())[1]).to.equal(2n);
      await s.pool.connect(s.bob).repay(s.bob.address, 1n);
      expect(await s.vault.pendingPayoutWad()).to.equal(0n);
    });

    it("pays only the surplus on hand when governance took it first; the rest stays owed and is paid later", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      const shares = await s.vault.totalSupply();
      const interest = await earnInterest(s, 5000n * WAD, 365n);
      const due = (interest * SHARE_BPS) / BPS;
      const [, surplus] = await s.pool.accounts();
      await s.pool.connect(s.governance).mintSurplus(s.governance.address, surplus - 100n * WAD);
      await expect(s.vault.drip())
        .to.emit(s.vault, "SavingsYieldPaid")
        .withArgs(100n * WAD, interest, SHARE_BPS, due - 100n * WAD, priceOf(1100n * WAD, shares));
      expect((await s.pool.accounts())[1]).to.equal(0n);
      const more = await earnInterest(s, 5000n * WAD, 365n);
      await s.vault.drip();
      expect((await s.vault.accrual())[1]).to.equal(((interest + more) * SHARE_BPS) / BPS);
      await expectIdentity(s);
    });

    it("credits nothing while the vault is empty: that interest stays surplus, the first depositor does not get it", async () => {
      const s = await loadFixture(withVault);
      const interest = await earnInterest(s, 5000n * WAD, 365n);
      expect(await s.vault.pendingPayoutWad()).to.equal(0n);
      const [, surplus] = await s.pool.accounts();
      await expect(s.vault.drip()).to.emit(s.vault, "SavingsYieldPaid").withArgs(0n, interest, 0n, 0n, WAD);
      expect(await s.vault.accrual()).to.deep.equal([await s.pool.interestToSurplusWad(), 0n, 0n]);
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      expect(await s.vault.maxWithdraw(s.carol.address)).to.be.closeTo(1000n * WAD, 1n);
      expect((await s.pool.accounts())[1]).to.equal(surplus);
      // With one saver (one wei of shares is enough), the next interest is credited.
      const more = await earnInterest(s, 5000n * WAD, 30n);
      expect(await s.vault.pendingPayoutWad()).to.equal((more * SHARE_BPS) / BPS);
    });

    it("stops payouts during a deficit (paySavings reverts) and resumes once it is repaid", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.alice).deposit(1000n * WAD, s.alice.address);
      const [checkpoint] = await s.vault.accrual();
      const interest = await earnInterest(s, 5000n * WAD, 365n);
      const due = (interest * SHARE_BPS) / BPS;
      // Governance leaves 100 of surplus; the bad debt then exceeds it.
      const [, surplus] = await s.pool.accounts();
      await s.pool.connect(s.governance).mintSurplus(s.governance.address, surplus - 100n * WAD);
      await s.policy.connect(s.governance).grantRole(roleId(ethers, "SAVINGS"), s.outsider.address);
      await s.pool.connect(s.outsider).paySavings(s.outsider.address, 1n); // allowed without a deficit
      const deficit = await createDeficit(s);
      await expect(s.pool.connect(s.outsider).paySavings(s.outsider.address, 1n))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolDeficitOutstanding")
        .withArgs(deficit);
      // The vault owes `due` (interest received before the loss) but pays nothing while the deficit lasts.
      expect(await s.vault.pendingPayoutWad()).to.equal(0n);
      const interestBefore = await s.pool.interestToSurplusWad();
      await s.vault.drip();
      expect((await s.vault.accrual())[1]).to.equal(0n);
      // Owed as of that check: the share of everything received since the vault's checkpoint.
      expect((await s.vault.accrual())[2]).to.equal(((interestBefore - checkpoint) * SHARE_BPS) / BPS);
      // Interest that repays the deficit is not surplus: the counter does not move until the deficit is gone.
      await s.vusd.connect(s.liquidator).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.liquidator).repay(s.liquidator.address, deficit - 1n);
      expect((await s.pool.accounts())[2]).to.equal(1n);
      expect(await s.pool.interestToSurplusWad()).to.equal(interestBefore);
      expect(await s.vault.pendingPayoutWad()).to.equal(0n); // one wei of deficit still stops it
      await s.pool.connect(s.liquidator).repay(s.liquidator.address, 1n + 10n * WAD);
      expect((await s.pool.accounts())[2]).to.equal(0n);
      // Deficit gone: savers get what they were owed plus their share of the 10 vUSD that became surplus.
      const counter = await s.pool.interestToSurplusWad();
      const owed = ((counter - (await s.vault.accrual())[0]) * SHARE_BPS) / BPS + (await s.vault.accrual())[2];
      expect(owed).to.be.greaterThan(0n);
      expect(await s.vault.pendingPayoutWad()).to.equal(
        owed < (await s.pool.accounts())[1] ? owed : (await s.pool.accounts())[1],
      );
      await s.vault.drip();
      const totalPaid = (await s.vault.accrual())[1];
      expect(totalPaid).to.be.greaterThan(0n);
      expect(totalPaid).to.be.lessThanOrEqual((counter * SHARE_BPS) / BPS);
      expect(due).to.be.greaterThan(0n);
      await expectIdentity(s);
    });
  });

  describe("deposits and withdrawals", () => {
    it("prices a deposit after the payout owed: a late depositor does not buy earlier savers' yield", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      const interest = await earnInterest(s, 5000n * WAD, 365n);
      const due = (interest * SHARE_BPS) / BPS;
      // Alice deposits with the payout not yet dripped: her deposit drips it first.
      await expect(s.vault.connect(s.alice).deposit(1000n * WAD, s.alice.address)).to.emit(s.vault, "SavingsYieldPaid");
      const carol = await s.vault.maxWithdraw(s.carol.address);
      const alice = await s.vault.maxWithdraw(s.alice.address);
      expect(carol).to.be.closeTo(1000n * WAD + due, 2n);
      expect(alice).to.be.closeTo(1000n * WAD, 2n);
      expect(alice).to.be.lessThanOrEqual(1000n * WAD); // rounded against the depositor
    });

    it("rounds for the vault: redeeming the shares a deposit minted returns at most what was deposited", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      await earnInterest(s, 5000n * WAD, 365n);
      await s.vault.drip();
      // 1 wei deposits at a price above 1: floor gives 0 or few shares; redeeming them gives back <= 1 wei.
      const shares = await s.vault.previewDeposit(7n);
      await s.vault.connect(s.alice).deposit(7n, s.alice.address);
      expect(await s.vault.previewRedeem(shares)).to.be.lessThanOrEqual(7n);
      // Withdrawing assets burns shares rounded up; minting shares costs assets rounded up.
      const assets = 123_456_789n;
      expect(await s.vault.previewWithdraw(assets)).to.equal(
        mulDivUp(assets, (await s.vault.totalSupply()) + OFFSET, (await s.vault.totalAssets()) + 1n),
      );
      expect(await s.vault.previewMint(1n)).to.be.greaterThanOrEqual(1n);
    });

    it("a saver redeems more than deposited once interest arrives", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      const interest = await earnInterest(s, 5000n * WAD, 365n);
      const balanceBefore = await s.vusd.balanceOf(s.carol.address);
      await s.vault.connect(s.carol).redeem(await s.vault.balanceOf(s.carol.address), s.carol.address, s.carol.address);
      const got = (await s.vusd.balanceOf(s.carol.address)) - balanceBefore;
      expect(got).to.be.greaterThan(1000n * WAD);
      expect(got).to.be.lessThanOrEqual(1000n * WAD + (interest * SHARE_BPS) / BPS);
      await expectIdentity(s);
    });

    it("defeats the inflation attack: a donation to the empty vault loses the attacker more than it takes", async () => {
      const s = await loadFixture(withVault);
      const attacker = s.liquidator;
      const attackerStart = await s.vusd.balanceOf(attacker.address);
      await s.vault.connect(attacker).deposit(1n, attacker.address);
      await s.vusd.connect(attacker).transfer(s.vaultAddress, 10_000n * WAD);
      // The victim deposits less than the donation.
      await s.vault.connect(s.carol).deposit(1000n * WAD, s.carol.address);
      expect(await s.vault.balanceOf(s.carol.address)).to.be.greaterThan(0n);
      await s.vault
        .connect(attacker)
        .redeem(await s.vault.balanceOf(attacker.address), attacker.address, attacker.address);
      const attackerEnd = await s.vusd.balanceOf(attacker.address);
      expect(attackerEnd).to.be.lessThan(attackerStart); // no profit
      const victim = await s.vault.maxWithdraw(s.carol.address);
      // The victim keeps almost all of the deposit (the offset makes the attacker's share of it ~1e-6).
      expect(victim).to.be.greaterThan((1000n * WAD * 999n) / 1000n);
    });
  });

  describe("a year of repayments", () => {
    it("pays savers exactly SAVINGS_SHARE of the interest received, never more", async () => {
      const s = await loadFixture(withVault);
      await s.vault.connect(s.carol).deposit(2000n * WAD, s.carol.address);
      const start = await s.pool.interestToSurplusWad();
      let received = 0n;
      // Bob borrows 6,000 at 25 % APR; Alice (tier 0, 5 %) 8,000; each repays part of the debt every month.
      await s.pool.connect(s.bob).borrow(6000n * WAD);
      await s.pool.connect(s.alice).borrow(8000n * WAD);
      for (let month = 0; month < 12; ++month) {
        await time.increase(30n * DAY + (month % 2 === 0 ? 11n * 3600n : 0n));
        await s.feed.setAnswer(price8(2000n));
        const before = await s.pool.interestToSurplusWad();
        await s.pool.connect(s.bob).repay(s.bob.address, 150n * WAD);
        await s.pool.connect(s.alice).repay(s.alice.address, 40n * WAD);
        received += (await s.pool.interestToSurplusWad()) - before;
        if (month % 3 === 2) await s.vault.drip();
        const [, totalPaid] = await s.vault.accrual();
        expect(totalPaid).to.be.lessThanOrEqual((received * SHARE_BPS) / BPS);
      }
      await s.vault.drip();
      expect((await s.pool.interestToSurplusWad()) - start).to.equal(received);
      const [, totalPaid, owed] = await s.vault.accrual();
      expect(totalPaid).to.equal((received * SHARE_BPS) / BPS);
      expect(owed).to.equal(0n);
      // The saver's yield is that payout (less share-rounding dust), on a known interest: 25 % on ~6,000 and 5 %
      // on ~8,000 for a year is roughly 1,900 vUSD, of which half is Carol's.
      expect(received).to.be.closeTo(1900n * WAD, 200n * WAD);
      const carol = await s.vault.maxWithdraw(s.carol.address);
      expect(carol).to.be.closeTo(2000n * WAD + totalPaid, 2n);
      expect(carol).to.be.lessThanOrEqual(2000n * WAD + totalPaid);
      await expectIdentity(s);
    });
  });
});
