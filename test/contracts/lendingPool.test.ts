import { expect } from "chai";
import { network } from "hardhat";

import {
  BPS,
  DAY,
  GLOBAL,
  MAX_PRICE_AGE,
  MODEL_ID,
  POOL_PARAMS,
  TERMS,
  WAD,
  WETH_PRICE,
  roleId,
  rule,
} from "./fixtures.js";
import { lendingPoolFactory } from "../../scripts/deploy/deploy-system.js";
import {
  RAY,
  SPARE,
  accrue,
  debtOf,
  deploySystem,
  identityHolds,
  mulDivUp,
  poolScenarios,
  price8,
} from "./poolFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const MIN_DEBT = POOL_PARAMS.minDebtWad;

async function system() {
  return deploySystem(ethers);
}

const { deposited, underwater } = poolScenarios(ethers);

/** Expected debt of the only borrower in `tier` at time `at`. */
async function expectedDebt(pool: any, tier: number, at: bigint) {
  const [indexRay, last, apr, scaledTotal] = await pool.tierStateOf(tier);
  return debtOf(scaledTotal, accrue(indexRay, apr, at - last));
}

async function expectIdentity(pool: any, vusd: any) {
  const { lhs, rhs } = await identityHolds(pool, vusd);
  expect(lhs).to.equal(rhs);
}

describe("LendingPool", () => {
  describe("deployment and governance", () => {
    it("validates its configuration", async () => {
      const s = await loadFixture(system);
      const F = await lendingPoolFactory(ethers, s.governance);
      const base = {
        vusd: await s.vusd.getAddress(),
        oracle: await s.oracle.getAddress(),
        policy: await s.policy.getAddress(),
        ...POOL_PARAMS,
      };
      await expect(F.deploy({ ...base, oracle: ethers.ZeroAddress })).to.be.revertedWithCustomError(
        F,
        "LendingPoolZeroAddress",
      );
      await expect(F.deploy({ ...base, closeFactorBps: 0 }))
        .to.be.revertedWithCustomError(F, "LendingPoolInvalidConfig")
        .withArgs(ethers.encodeBytes32String("closeFactorBps"));
      await expect(F.deploy({ ...base, liquidationBonusBps: 2001 }))
        .to.be.revertedWithCustomError(F, "LendingPoolInvalidConfig")
        .withArgs(ethers.encodeBytes32String("liquidationBonusBps"));
      expect(await s.pool.tierCount()).to.equal(4);
      const [, , apr] = await s.pool.tierStateOf(3);
      expect(apr).to.equal(TERMS[3].aprBps);
    });

    it("stays at least 300 bytes under EIP-170's 24,576-byte limit (and its linked library too)", async () => {
      const s = await loadFixture(system);
      const size = async (address: string) => ethers.getBytes(await ethers.provider.getCode(address)).length;
      expect(await size(s.poolAddress)).to.be.at.most(24_576 - 300);
      const logic = await ethers.deployContract("CollateralLogic");
      expect(await size(await logic.getAddress())).to.be.at.most(24_576 - 300);
    });

    it("lets only the policy's governance list collateral and mint surplus", async () => {
      const s = await loadFixture(system);
      for (const who of [s.regulator, s.guardian, s.outsider]) {
        await expect(s.pool.connect(who).listCollateral(await s.weth.getAddress(), await s.feed.getAddress(), 1))
          .to.be.revertedWithCustomError(s.pool, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, roleId(ethers, "GOVERNANCE"));
        await expect(s.pool.connect(who).mintSurplus(who.address, 1))
          .to.be.revertedWithCustomError(s.pool, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, roleId(ethers, "GOVERNANCE"));
      }
      await expect(s.pool.connect(s.governance).mintSurplus(s.governance.address, 1))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientSurplus")
        .withArgs(0, 1);
      const big = await ethers.deployContract("TestERC20", ["Big", "BIG", 24]);
      await expect(s.pool.connect(s.governance).listCollateral(await big.getAddress(), await s.feed.getAddress(), 1))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolUnsupportedDecimals")
        .withArgs(await big.getAddress(), 24);
    });
    it("lists up to 16 assets at consecutive indices, rejects a 17th, and values collateral at the last index", async () => {
      const s = await loadFixture(system);
      const g = s.pool.connect(s.governance);
      const feed = await s.feed.getAddress();
      const tokens = [];
      for (let i = 1; i < 16; i++) {
        // WETH holds index 0.
        const t = await ethers.deployContract("TestERC20", [`T${i}`, `T${i}`, 18]);
        await g.listCollateral(await t.getAddress(), feed, MAX_PRICE_AGE);
        tokens.push(t);
      }
      const extra = await ethers.deployContract("TestERC20", ["X", "X", 18]);
      await expect(g.listCollateral(await extra.getAddress(), feed, MAX_PRICE_AGE))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolTooManyCollaterals")
        .withArgs(16);
      const last = tokens[14]!; // index 15, the mask's top bit
      const lastAddress = await last.getAddress();
      await expect(g.listCollateral(lastAddress, feed, MAX_PRICE_AGE - 1)) // relisting takes no new index
        .to.emit(s.pool, "CollateralListed")
        .withArgs(lastAddress, feed, MAX_PRICE_AGE - 1);
      await last.mint(s.carol.address, 10n * WAD);
      await last.connect(s.carol).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.carol).deposit(lastAddress, 10n * WAD, s.carol.address);
      await s.pool.connect(s.carol).borrow(1000n * WAD); // unscored: the last tier, valued through index 15
      const [debt, , value] = await s.pool.positionOf(s.carol.address);
      expect(debt - 1000n * WAD).to.be.within(0n, 1n); // debt rounds up
      expect(value).to.equal(10n * WETH_PRICE * WAD);
      const receipt = await (await s.pool.publishExposureSnapshot()).wait();
      const ev = s.pool.interface.parseLog(receipt!.logs[0]!)!;
      expect(ev.args.totalCollateralValueWad).to.equal(10n * WETH_PRICE * WAD);
    });
  });

  describe("deposit", () => {
    it("credits the receiver, on behalf of another too, and works while paused", async () => {
      const s = await loadFixture(system);
      const w = await s.weth.getAddress();
      await expect(s.pool.connect(s.alice).deposit(w, 3n * WAD, s.bob.address))
        .to.emit(s.pool, "CollateralDeposited")
        .withArgs(s.bob.address, w, s.alice.address, 3n * WAD);
      expect(await s.pool.collateralOf(s.bob.address, w)).to.equal(3n * WAD);
      await s.policy.connect(s.guardian).pause();
      await s.pool.connect(s.alice).deposit(w, 1n * WAD, s.alice.address);
      expect(await s.pool.collateralOf(s.alice.address, w)).to.equal(1n * WAD);
    });

    it("rejects unlisted assets, zero amounts and tokens that return false", async () => {
      const s = await loadFixture(system);
      const bad = await ethers.deployContract("FalseReturningToken");
      await bad.mint(s.alice.address, WAD);
      const badAddress = await bad.getAddress();
      await expect(s.pool.connect(s.alice).deposit(badAddress, WAD, s.alice.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolCollateralNotListed")
        .withArgs(badAddress);
      await s.pool.connect(s.governance).listCollateral(badAddress, await s.feed.getAddress(), 3600);
      await expect(s.pool.connect(s.alice).deposit(badAddress, WAD, s.alice.address))
        .to.be.revertedWithCustomError(s.pool, "SafeERC20FailedOperation")
        .withArgs(badAddress);
      await expect(
        s.pool.connect(s.alice).deposit(await s.weth.getAddress(), 0, s.alice.address),
      ).to.be.revertedWithCustomError(s.pool, "LendingPoolZeroAmount");
    });

    it("credits a fee-on-transfer token by what arrived", async () => {
      const s = await loadFixture(system);
      const fee = await ethers.deployContract("FeeOnTransferToken");
      const feeAddress = await fee.getAddress();
      await fee.mint(s.alice.address, 1000n * WAD);
      await fee.connect(s.alice).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.governance).listCollateral(feeAddress, await s.feed.getAddress(), 3600);
      await expect(s.pool.connect(s.alice).deposit(feeAddress, 100n * WAD, s.alice.address))
        .to.emit(s.pool, "CollateralDeposited")
        .withArgs(s.alice.address, feeAddress, s.alice.address, 99n * WAD);
      expect(await s.pool.collateralOf(s.alice.address, feeAddress)).to.equal(99n * WAD);
    });

    it("stops a token that calls back into the pool (reentrancy guard)", async () => {
      const s = await loadFixture(system);
      const evil = await ethers.deployContract("ReentrantToken");
      const evilAddress = await evil.getAddress();
      await evil.mint(s.alice.address, 10n * WAD);
      await evil.connect(s.alice).approve(s.poolAddress, ethers.MaxUint256);
      await s.pool.connect(s.governance).listCollateral(evilAddress, await s.feed.getAddress(), 3600);
      await evil.arm(
        s.poolAddress,
        s.pool.interface.encodeFunctionData("withdraw", [evilAddress, 1n, s.alice.address]),
      );
      await expect(s.pool.connect(s.alice).deposit(evilAddress, WAD, s.alice.address)).to.be.revertedWithCustomError(
        s.pool,
        "ReentrancyGuardReentrantCall",
      );
      await evil.arm(s.poolAddress, s.pool.interface.encodeFunctionData("borrow", [MIN_DEBT]));
      await expect(s.pool.connect(s.alice).deposit(evilAddress, WAD, s.alice.address)).to.be.revertedWithCustomError(
        s.pool,
        "ReentrancyGuardReentrantCall",
      );
    });
  });

  describe("borrow", () => {
    it("lends on the score's tier and reports the loan", async () => {
      const s = await loadFixture(deposited);
      // 1,000 against $20,000: LTV 500 bps.
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.alice.address, 1000n * WAD, 0, 100, MODEL_ID, 500);
      expect(await s.vusd.balanceOf(s.alice.address)).to.equal(SPARE + 1000n * WAD);
      const [debt, tier, value] = await s.pool.positionOf(s.alice.address);
      // Scaled debt rounds up against an index already above 1: the debt may read one wei more.
      expect(debt - 1000n * WAD).to.be.within(0n, 1n);
      expect([tier, value]).to.deep.equal([0n, 20_000n * WAD]);
    });

    it("puts an unscored borrower in the conservative tier, with no score in the event", async () => {
      const s = await loadFixture(deposited);
      await expect(s.pool.connect(s.bob).borrow(1000n * WAD))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.bob.address, 1000n * WAD, 3, 0, ethers.ZeroHash, 500);
    });

    it("treats a score older than MAX_SCORE_AGE as none", async () => {
      const s = await loadFixture(deposited);
      await time.increase(GLOBAL.maxScoreAgeSec + 1);
      await s.feed.setAnswer(price8(2000n));
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.alice.address, 1000n * WAD, 3, 0, ethers.ZeroHash, 500);
    });

    it("holds the tier's LTV on both sides (TIER_LTV)", async () => {
      const s = await loadFixture(deposited);
      const max = 16_000n * WAD; // 80% of $20,000
      await expect(s.pool.connect(s.alice).borrow(max + 1n))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_LTV"), max, max + 1n);
      await s.pool.connect(s.alice).borrow(max);
      const bobMax = 10_000n * WAD; // tier 3: 50%
      await expect(s.pool.connect(s.bob).borrow(bobMax + 1n))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_LTV"), bobMax, bobMax + 1n);
    });

    it("declines a PD above the approval threshold", async () => {
      const s = await loadFixture(deposited);
      await s.score(s.alice.address, 2500);
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(rule("CREDIT_DECLINED"), 2000, 2500);
    });

    it("refuses a debt below the minimum and zero", async () => {
      const s = await loadFixture(deposited);
      await expect(s.pool.connect(s.alice).borrow(MIN_DEBT - 1n))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolDebtBelowMinimum")
        .withArgs(MIN_DEBT - 1n, MIN_DEBT);
      await expect(s.pool.connect(s.alice).borrow(0)).to.be.revertedWithCustomError(s.pool, "LendingPoolZeroAmount");
    });

    it("pull flow: posts the caller's signed report at the oracle and borrows on it in one call", async () => {
      const s = await loadFixture(deposited);
      const { report, signatures } = await s.signedReport(s.bob.address, 300);
      await expect(s.pool.connect(s.alice).borrowWithReport(1000n * WAD, report, signatures))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolReportNotForCaller")
        .withArgs(s.bob.address, s.alice.address);
      const tx = s.pool.connect(s.bob).borrowWithReport(1000n * WAD, report, signatures);
      await expect(tx).to.emit(s.oracle, "ScorePosted");
      await expect(tx)
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.bob.address, 1000n * WAD, 1, 300, MODEL_ID, 500);
      // A report already on chain (e.g. submitted by someone else first) is not resubmitted.
      const again = s.pool.connect(s.bob).borrowWithReport(1000n * WAD, report, signatures);
      await expect(again).not.to.emit(s.oracle, "ScorePosted");
      await expect(again).to.emit(s.pool, "LoanOriginated");
    });
  });

  describe("pull flow: score shopping", () => {
    const MAX_AGE = 300n; // PULL_REPORT_MAX_AGE in the fixture: five minutes

    it("uses a report only within PULL_REPORT_MAX_AGE of its issue: at the bound, and one second past", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.carol).deposit(s.wethAddress, 10n * WAD, s.carol.address);
      const bob = await s.signedReport(s.bob.address, 100);
      const carol = await s.signedReport(s.carol.address, 100);
      expect(carol.report.issuedAt).to.equal(bob.report.issuedAt);
      await time.setNextBlockTimestamp(carol.report.issuedAt + MAX_AGE);
      await expect(s.pool.connect(s.carol).borrowWithReport(1000n * WAD, carol.report, carol.signatures))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.carol.address, 1000n * WAD, 0, 100, MODEL_ID, 500);
      await expect(s.pool.connect(s.bob).borrowWithReport(1000n * WAD, bob.report, bob.signatures))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(rule("PULL_REPORT_MAX_AGE"), MAX_AGE, MAX_AGE + 1n);
    });

    it("refuses a day-old bundle even while it is valid and newer than the stored score", async () => {
      const s = await loadFixture(deposited);
      const good = await s.signedReport(s.bob.address, 100); // tier 0, valid for 90 days, never posted
      await time.increase(DAY);
      await s.feed.setAnswer(price8(WETH_PRICE));
      const [, , storedIssuedAt] = await s.oracle.loanScoreOf(s.bob.address);
      expect(good.report.issuedAt).to.be.greaterThan(storedIssuedAt);
      await time.setNextBlockTimestamp(good.report.issuedAt + DAY + 10n);
      await expect(s.pool.connect(s.bob).borrowWithReport(1000n * WAD, good.report, good.signatures))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(rule("PULL_REPORT_MAX_AGE"), MAX_AGE, DAY + 10n);
    });

    it("a bundle held back and posted late (straight to the oracle) prices no loan: the conservative tier instead", async () => {
      const s = await loadFixture(deposited);
      const held = await s.signedReport(s.bob.address, 100); // tier 0, valid for 90 days
      // Posted MAX_AGE after its issue: still prompt, it prices Carol's loan ...
      const prompt = await s.signedReport(s.carol.address, 100);
      await s.pool.connect(s.carol).deposit(s.wethAddress, 10n * WAD, s.carol.address);
      await time.setNextBlockTimestamp(prompt.report.issuedAt + MAX_AGE);
      await s.oracle.submitScore(prompt.report, prompt.signatures);
      await expect(s.pool.connect(s.carol).borrow(1000n * WAD))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.carol.address, 1000n * WAD, 0, 100, MODEL_ID, 500);
      // ... one second later it is a held-back bundle: stored, but not a score for new credit.
      await time.setNextBlockTimestamp(held.report.issuedAt + MAX_AGE + 10n);
      await s.oracle.connect(s.bob).submitScore(held.report, held.signatures);
      await expect(s.pool.connect(s.bob).borrow(1000n * WAD))
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.bob.address, 1000n * WAD, 3, 0, ethers.ZeroHash, 500);
    });

    it("a front-runner who posts the borrower's own bundle first changes nothing: the borrow prices on it", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.carol).deposit(s.wethAddress, 10n * WAD, s.carol.address);
      const bundle = await s.signedReport(s.carol.address, 100); // tier 0
      // The bundle is public in the mempool: Bob copies it into submitScore, mined first in the same block.
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        await s.oracle.connect(s.bob).submitScore(bundle.report, bundle.signatures);
        await s.pool.connect(s.carol).borrowWithReport(1000n * WAD, bundle.report, bundle.signatures);
        await ethers.provider.send("evm_mine", []);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      const [posted] = await s.oracle.queryFilter(s.oracle.filters.ScorePosted(s.carol.address));
      const [loan] = await s.pool.queryFilter(s.pool.filters.LoanOriginated(s.carol.address));
      expect(posted!.blockNumber).to.equal(loan!.blockNumber);
      expect(posted!.transactionIndex).to.be.lessThan(loan!.transactionIndex);
      expect(loan!.args.tier).to.equal(0n);
      expect(loan!.args.pdBps).to.equal(100n);
    });

    it("never lends on an older, better report than the stored score: the stored (newer) score prices the loan", async () => {
      const s = await loadFixture(deposited);
      const better = await s.signedReport(s.bob.address, 100); // tier 0
      await time.increase(10);
      await s.score(s.bob.address, 700); // a newer, worse score is pushed first: tier 2
      const tx = s.pool.connect(s.bob).borrowWithReport(1000n * WAD, better.report, better.signatures);
      await expect(tx).not.to.emit(s.oracle, "ScorePosted");
      await expect(tx)
        .to.emit(s.pool, "LoanOriginated")
        .withArgs(s.bob.address, 1000n * WAD, 2, 700, MODEL_ID, 500);
    });
  });

  describe("prices", () => {
    it("rejects stale, zero, negative and incomplete prices in user operations", async () => {
      const s = await loadFixture(deposited);
      const w = s.wethAddress;
      const now = BigInt(await time.latest());
      await s.feed.setRound(10, price8(2000n), now - 3601n, 10);
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolPriceStale")
        .withArgs(w, now - 3601n, 3600);
      await s.feed.setRound(11, 0, now, 11);
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolPriceInvalid")
        .withArgs(w, 0);
      await s.feed.setRound(12, -1, now, 12);
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolPriceInvalid")
        .withArgs(w, -1);
      await s.feed.setRound(13, price8(2000n), now, 12);
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolPriceRoundIncomplete")
        .withArgs(w, 13, 12);
      // At exactly the max age the price is still fresh.
      await s.feed.setRound(14, price8(2000n), now, 14);
      await time.setNextBlockTimestamp(now + 3600n);
      await s.pool.connect(s.alice).borrow(1000n * WAD);
    });

    it("a jump only the primary shows freezes the asset: borrow reverts, pokePrice records the freeze, nothing pauses", async () => {
      const s = await loadFixture(deposited);
      const w = s.wethAddress;
      await s.setBothAnswers(price8(2200n)); // +10%: at the bound, accepted on the primary alone
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.emit(s.pool, "PriceAccepted")
        .withArgs(w, 2200n * WAD);
      await s.feed.setAnswer(price8(1979n)); // -10.05%, the fallback still at $2,200
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolAssetFrozen")
        .withArgs(w, 1979n * WAD, 2200n * WAD);
      await expect(s.pool.pokePrice(w))
        .to.emit(s.pool, "AssetFrozen")
        .withArgs(w, rule("PRICE_SOURCE_TOLERANCE"), 1979n * WAD, 2200n * WAD, 2200n * WAD);
      expect(await s.policy.paused()).to.equal(false);
      expect(await s.pool.priceStatusOf(w)).to.deep.equal([2200n * WAD, true, await s.fallbackFeed.getAddress()]);
      // The fallback confirms the move: the next check accepts it and lifts the freeze.
      await s.fallbackFeed.setAnswer(price8(1979n));
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD))
        .to.emit(s.pool, "AssetUnfrozen")
        .withArgs(w, 1979n * WAD);
      expect((await s.pool.priceStatusOf(w))[1]).to.equal(false);
    });

    it("pokePrice freezes the asset on a stale feed, once, and lifts the freeze when both sources read again", async () => {
      const s = await loadFixture(deposited);
      const w = s.wethAddress;
      await s.setBothAnswers(price8(2100n));
      await expect(s.pool.pokePrice(w))
        .to.emit(s.pool, "PriceAccepted")
        .withArgs(w, 2100n * WAD);
      const old = BigInt(await time.latest()) - 4000n;
      await s.feed.setRound(50, price8(2100n), old, 50);
      await expect(s.pool.pokePrice(w))
        .to.emit(s.pool, "AssetFrozen")
        .withArgs(w, rule("PRICE_STALE"), 0, 2100n * WAD, 2100n * WAD);
      await expect(s.pool.pokePrice(w)).not.to.emit(s.pool, "AssetFrozen");
      expect(await s.policy.paused()).to.equal(false);
      await s.feed.setAnswer(price8(2100n));
      await expect(s.pool.pokePrice(w))
        .to.emit(s.pool, "AssetUnfrozen")
        .withArgs(w, 2100n * WAD);
    });
  });

  describe("repay", () => {
    it("takes interest first into surplus, for oneself or on behalf of another", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(10_000n * WAD);
      await time.increase(365 * 86_400);
      const at = BigInt(await time.latest()) + 1n;
      const debt = await expectedDebt(s.pool, 0, at);
      const interest = debt - 10_000n * WAD;
      await time.setNextBlockTimestamp(at);
      // Bob pays 100 of Alice's debt: all interest.
      await expect(s.pool.connect(s.bob).repay(s.alice.address, 100n * WAD))
        .to.emit(s.pool, "LoanRepaid")
        .withArgs(s.alice.address, s.bob.address, 100n * WAD, 100n * WAD, anyDebtLeft());
      const [, surplusAfterInterest] = await s.pool.accounts();
      expect(surplusAfterInterest).to.equal(100n * WAD);
      // Alice repays the rest.
      const balanceBefore = await s.vusd.balanceOf(s.alice.address);
      await s.pool.connect(s.alice).repay(s.alice.address, ethers.MaxUint256);
      const [principal, surplus] = await s.pool.accounts();
      expect(surplus).to.be.closeTo(interest, WAD / 1000n); // one more second of interest accrued
      expect(principal).to.equal(60_000n * WAD); // the liquidator's loan is what is left
      expect((await s.pool.positionOf(s.alice.address)).debtWad).to.equal(0);
      expect(balanceBefore - (await s.vusd.balanceOf(s.alice.address))).to.be.closeTo(debt - 100n * WAD, WAD / 1000n);
      await expect(s.pool.connect(s.alice).repay(s.alice.address, 1))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolNoDebt")
        .withArgs(s.alice.address);
      await expectIdentity(s.pool, s.vusd);
    });

    it("repays with a permit instead of an allowance", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.carol).deposit(s.wethAddress, 1n * WAD, s.carol.address);
      await s.pool.connect(s.carol).borrow(500n * WAD);
      await s.vusd.connect(s.carol).approve(s.poolAddress, 0);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = ethers.Signature.from(
        await s.carol.signTypedData(
          {
            name: "Verity USD",
            version: "1",
            chainId: (await ethers.provider.getNetwork()).chainId,
            verifyingContract: await s.vusd.getAddress(),
          },
          {
            Permit: [
              { name: "owner", type: "address" },
              { name: "spender", type: "address" },
              { name: "value", type: "uint256" },
              { name: "nonce", type: "uint256" },
              { name: "deadline", type: "uint256" },
            ],
          },
          { owner: s.carol.address, spender: s.poolAddress, value: 200n * WAD, nonce: 0, deadline },
        ),
      );
      await expect(
        s.pool.connect(s.carol).repayWithPermit(s.carol.address, 200n * WAD, deadline, sig.v, sig.r, sig.s),
      ).to.emit(s.pool, "LoanRepaid");
      expect(await s.vusd.balanceOf(s.carol.address)).to.equal(SPARE + 300n * WAD);
    });

    it("works while paused; borrow, withdraw and liquidate do not", async () => {
      const s = await loadFixture(underwater);
      await s.policy.connect(s.guardian).pause();
      await s.pool.connect(s.alice).repay(s.alice.address, 100n * WAD);
      await s.pool.connect(s.alice).deposit(s.wethAddress, 1n * WAD, s.alice.address);
      await expect(s.pool.connect(s.bob).borrow(1000n * WAD)).to.be.revertedWithCustomError(
        s.policy,
        "SupervisionPaused",
      );
      await expect(s.pool.connect(s.bob).withdraw(s.wethAddress, 1n, s.bob.address)).to.be.revertedWithCustomError(
        s.policy,
        "SupervisionPaused",
      );
      await expect(
        s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD),
      ).to.be.revertedWithCustomError(s.policy, "SupervisionPaused");
    });
  });

  describe("withdraw", () => {
    it("keeps the position within its tier's LTV on both sides", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(8000n * WAD);
      // At $2000 a wei of WETH is worth 2000 wei of vUSD; the debt at 80% needs ceil(debt / 0.8) of collateral.
      const keep = async (at: bigint) => {
        const required = mulDivUp(await expectedDebt(s.pool, 0, at), BPS, 8000n);
        return { required, minLeft: mulDivUp(required, 1n, 2000n) };
      };
      let at = BigInt(await time.latest()) + 1n;
      let k = await keep(at);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.alice).withdraw(s.wethAddress, 10n * WAD - k.minLeft + 1n, s.alice.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientCollateral")
        .withArgs(s.alice.address, (k.minLeft - 1n) * 2000n, k.required);
      at += 1n;
      k = await keep(at);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.alice).withdraw(s.wethAddress, 10n * WAD - k.minLeft, s.carol.address))
        .to.emit(s.pool, "CollateralWithdrawn")
        .withArgs(s.alice.address, s.wethAddress, s.carol.address, 10n * WAD - k.minLeft);
      await expect(s.pool.connect(s.bob).withdraw(s.wethAddress, 11n * WAD, s.bob.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientBalance")
        .withArgs(s.bob.address, s.wethAddress, 10n * WAD, 11n * WAD);
      await s.pool.connect(s.bob).withdraw(s.wethAddress, 10n * WAD, s.bob.address);
    });

    /** Alice's debt re-based at `at` from tier `from` (she is its only borrower) onto tier `to`. */
    async function rebasedDebt(pool: any, from: number, to: number, at: bigint) {
      const debt = await expectedDebt(pool, from, at);
      const [index, last, apr] = await pool.tierStateOf(to);
      const toIndex = accrue(index, apr, at - last);
      return { debt, rebased: debtOf(mulDivUp(debt, RAY, toIndex), toIndex) };
    }

    it("checks a newer, worse score's tier, not the held one: re-bases first, on both sides of its LTV", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(8000n * WAD); // tier 0: 80% would let her keep just $10,000
      await s.score(s.alice.address, 1500); // tier 3: 50%
      const keep = async (at: bigint) => {
        const { debt, rebased } = await rebasedDebt(s.pool, 0, 3, at);
        const required = mulDivUp(rebased, BPS, 5000n);
        return { debt, required, minLeft: mulDivUp(required, 1n, 2000n) };
      };
      let at = BigInt(await time.latest()) + 1n;
      let k = await keep(at);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.alice).withdraw(s.wethAddress, 10n * WAD - k.minLeft + 1n, s.alice.address))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientCollateral")
        .withArgs(s.alice.address, (k.minLeft - 1n) * 2000n, k.required);
      at += 1n;
      k = await keep(at);
      await time.setNextBlockTimestamp(at);
      const tx = s.pool.connect(s.alice).withdraw(s.wethAddress, 10n * WAD - k.minLeft, s.alice.address);
      await expect(tx).to.emit(s.pool, "DebtRebased").withArgs(s.alice.address, 0, 3, k.debt);
      await expect(tx).to.emit(s.pool, "CollateralWithdrawn");
      expect((await s.pool.positionOf(s.alice.address)).tier).to.equal(3);
    });

    it("binds a retired model's scores at once (no notice): the conservative tier's LTV", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(8000n * WAD);
      await s.oracle.connect(s.regulator).retireModel(MODEL_ID);
      // 4 WETH out leaves $12,000: enough at tier 0's 80%, not at tier 3's 50% (16,000 and a little interest).
      await expect(
        s.pool.connect(s.alice).withdraw(s.wethAddress, 4n * WAD, s.alice.address),
      ).to.be.revertedWithCustomError(s.pool, "LendingPoolInsufficientCollateral");
      await expect(s.pool.connect(s.alice).withdraw(s.wethAddress, 1n * WAD, s.alice.address))
        .to.emit(s.pool, "DebtRebased")
        .withArgs(s.alice.address, 0, 3, anyDebtLeft());
    });

    it("uses a newer, better score's tier too", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.bob).borrow(5000n * WAD); // unscored: tier 3, needs $10,000
      await s.score(s.bob.address, 100); // tier 0: needs $6,250
      const tx = s.pool.connect(s.bob).withdraw(s.wethAddress, 6n * WAD, s.bob.address); // leaves $8,000
      await expect(tx).to.emit(s.pool, "DebtRebased").withArgs(s.bob.address, 3, 0, anyDebtLeft());
      await expect(tx).to.emit(s.pool, "CollateralWithdrawn");
    });
  });

  describe("a position's current tier: rebase, and the notice an expired score gives", () => {
    const NOTICE = BigInt(GLOBAL.scoreNoticePeriodSec);
    const MAX_AGE = BigInt(GLOBAL.maxScoreAgeSec);

    it("an expired score keeps the held tier until SCORE_NOTICE_PERIOD after expiry, then the conservative one", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(8000n * WAD);
      const expiry = (await s.oracle.scoreOf(s.alice.address)).issuedAt + MAX_AGE; // before validUntil (90 days)
      // Expired but within notice: a withdrawal still uses tier 0's 80% (4 WETH out leaves $12,000).
      await time.setNextBlockTimestamp(expiry + 1n);
      await s.feed.setAnswer(price8(WETH_PRICE));
      await expect(s.pool.connect(s.alice).withdraw(s.wethAddress, 4n * WAD, s.alice.address)).not.to.emit(
        s.pool,
        "DebtRebased",
      );
      await time.setNextBlockTimestamp(expiry + NOTICE);
      await expect(s.pool.rebase(s.alice.address)).not.to.emit(s.pool, "DebtRebased");
      expect((await s.pool.positionOf(s.alice.address)).tier).to.equal(0);
      const at = expiry + NOTICE + 1n;
      const debt = await expectedDebt(s.pool, 0, at);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.rebase(s.alice.address)).to.emit(s.pool, "DebtRebased").withArgs(s.alice.address, 0, 3, debt);
    });

    it("the issue's attack fails: a tier-A position at HF 1.31 whose score merely expires is announced, not re-based and liquidated; after the notice it is", async () => {
      const s = await loadFixture(deposited);
      // $20,000 of WETH at tier A's 85 % threshold: 12,977 of debt is HF 1.31.
      await s.pool.connect(s.alice).borrow(12_977n * WAD);
      expect((await s.pool.positionOf(s.alice.address)).healthFactorWad / 10n ** 16n).to.equal(131n);
      const score = await s.oracle.scoreOf(s.alice.address);
      const expiry = score.issuedAt + MAX_AGE; // before validUntil (90 days)
      expect(await s.policy.scoreNoticeOf(score.issuedAt, score.validUntil)).to.deep.equal([expiry, expiry + NOTICE]);
      expect(NOTICE).to.equal(7n * 86_400n);
      await time.increaseTo(expiry - 10n);
      await s.setBothAnswers(price8(WETH_PRICE));
      // The first touch after expiry gives notice; the debt keeps tier A, so it is not liquidatable.
      await time.setNextBlockTimestamp(expiry + 1n);
      const rebased = s.pool.rebase(s.alice.address);
      await expect(rebased)
        .to.emit(s.pool, "ScoreExpiring")
        .withArgs(s.alice.address, 0, expiry, expiry + NOTICE);
      await expect(rebased).not.to.emit(s.pool, "DebtRebased");
      await expect(
        s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256),
      ).to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy");
      await expect(s.pool.rebase(s.alice.address)).not.to.emit(s.pool, "ScoreExpiring"); // once per expiry
      // On the notice's last second the tier still holds; one second later the keeper re-bases it to tier D.
      await time.increaseTo(expiry + NOTICE - 10n);
      await s.setBothAnswers(price8(WETH_PRICE));
      await time.setNextBlockTimestamp(expiry + NOTICE);
      await expect(s.pool.rebase(s.alice.address)).not.to.emit(s.pool, "DebtRebased");
      const at = expiry + NOTICE + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.rebase(s.alice.address))
        .to.emit(s.pool, "DebtRebased")
        .withArgs(s.alice.address, 0, 3, await expectedDebt(s.pool, 0, at));
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256)).to.emit(
        s.pool,
        "PositionLiquidated",
      );
    });

    it("gives no notice for a fresh score, for no score, or once the notice has run out", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(1000n * WAD);
      await s.pool.connect(s.bob).borrow(1000n * WAD); // unscored
      await expect(s.pool.rebase(s.alice.address)).not.to.emit(s.pool, "ScoreExpiring");
      const expiry = (await s.oracle.scoreOf(s.alice.address)).issuedAt + MAX_AGE;
      await time.increaseTo(expiry + NOTICE + 1n);
      await expect(s.pool.rebase(s.bob.address)).not.to.emit(s.pool, "ScoreExpiring");
      await expect(s.pool.rebase(s.alice.address)).not.to.emit(s.pool, "ScoreExpiring");
    });

    it("during notice an expired score's own tier still binds when it is worse than the held one", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(1000n * WAD); // tier 0
      await s.score(s.alice.address, 700); // tier 2, not re-based yet
      await time.increase(MAX_AGE + 10n); // expired, within notice
      await expect(s.pool.rebase(s.alice.address))
        .to.emit(s.pool, "DebtRebased")
        .withArgs(s.alice.address, 0, 2, anyDebtLeft());
    });

    it("a bundle held back and posted late cannot improve a position's tier; one posted at once does", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.bob).borrow(1000n * WAD); // unscored: tier 3
      const held = await s.signedReport(s.bob.address, 100);
      await time.setNextBlockTimestamp(held.report.issuedAt + BigInt(GLOBAL.pullReportMaxAgeSec) + 1n);
      await s.oracle.submitScore(held.report, held.signatures);
      await expect(s.pool.rebase(s.bob.address)).not.to.emit(s.pool, "DebtRebased");
      await s.score(s.bob.address, 100);
      await expect(s.pool.rebase(s.bob.address))
        .to.emit(s.pool, "DebtRebased")
        .withArgs(s.bob.address, 3, 0, anyDebtLeft());
    });

    it("rebase returns the held and the current tier, so a keeper can ask first (staticCall)", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(1000n * WAD);
      expect(await s.pool.rebase.staticCall(s.alice.address)).to.deep.equal([0n, 0n]);
      await s.score(s.alice.address, 300);
      expect(await s.pool.rebase.staticCall(s.alice.address)).to.deep.equal([0n, 1n]);
      await s.pool.rebase(s.alice.address);
      expect(await s.pool.rebase.staticCall(s.alice.address)).to.deep.equal([1n, 1n]);
    });
  });

  describe("interest and tiers", () => {
    it("accrues per tier at its APR, compounding at each accrual", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(1000n * WAD); // tier 0, 5%
      await time.increase(365 * 86_400);
      const at = BigInt(await time.latest());
      const aliceDebt = await expectedDebt(s.pool, 0, at);
      expect((await s.pool.positionOf(s.alice.address)).debtWad).to.equal(aliceDebt);
      expect(aliceDebt).to.be.closeTo(1050n * WAD, WAD / 100n);
      // The liquidator's 60,000 is in tier 3 at 25%.
      expect((await s.pool.positionOf(s.liquidator.address)).debtWad).to.be.closeTo(75_000n * WAD, 10n * WAD);
    });

    it("re-bases the debt on a tier change, keeping its value", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(1000n * WAD);
      await time.increase(30 * 86_400);
      await s.score(s.alice.address, 300); // tier 1
      const at = BigInt(await time.latest()) + 1n;
      const debt = await expectedDebt(s.pool, 0, at);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.rebase(s.alice.address)).to.emit(s.pool, "DebtRebased").withArgs(s.alice.address, 0, 1, debt);
      const [index1] = await s.pool.tierStateOf(1);
      const [debtAfter, tier] = await s.pool.positionOf(s.alice.address);
      expect(tier).to.equal(1);
      expect(debtAfter).to.equal(debtOf(mulDivUp(debt, RAY, index1), index1));
      expect(debtAfter - debt).to.be.lessThanOrEqual(1n);
      const [, , , scaled0] = await s.pool.tierStateOf(0);
      expect(scaled0).to.equal(0);
      await expect(s.pool.rebase(s.alice.address)).not.to.emit(s.pool, "DebtRebased");
    });

    it("re-bases on a borrow after the score changed, and syncs the tier's APR after a rule change", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(1000n * WAD);
      await s.score(s.alice.address, 300);
      await expect(s.pool.connect(s.alice).borrow(1000n * WAD)).to.emit(s.pool, "DebtRebased");
      const tx = await s.policy.connect(s.governance).scheduleRuleChange(rule("TIER_APR", 1), 1200);
      const log = (await tx.wait())!.logs
        .map((l: any) => s.policy.interface.parseLog(l))
        .find((l: any) => l?.name === "RuleChangeScheduled")!;
      await time.increaseTo(log.args.executableAt);
      await s.policy.executeRuleChange(log.args.changeId);
      await expect(s.pool.syncTierRate(1)).to.emit(s.pool, "TierRateSynced").withArgs(1, TERMS[1].aprBps, 1200);
    });
  });

  describe("liquidation", () => {
    it("cannot touch a healthy position", async () => {
      const s = await loadFixture(deposited);
      await s.pool.connect(s.alice).borrow(10_000n * WAD);
      // HF = 20,000 x 85% / debt (10,000 plus a few seconds of interest): just under 1.7.
      const at = BigInt(await time.latest()) + 1n;
      const debt = await expectedDebt(s.pool, 0, at);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, 1000n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolPositionHealthy")
        .withArgs(s.alice.address, (20_000n * WAD * 8500n * WAD) / (BPS * debt));
    });

    it("repays at most the close factor and seizes the repaid value plus the bonus", async () => {
      const s = await loadFixture(underwater);
      const at = BigInt(await time.latest()) + 1n;
      const debt = await expectedDebt(s.pool, 0, at);
      const repaid = (debt * 5000n) / BPS;
      const seized = (((repaid * 10_500n) / BPS) * WAD) / (1820n * WAD);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.liquidator).liquidate(s.alice.address, s.wethAddress, ethers.MaxUint256))
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.alice.address, s.liquidator.address, s.wethAddress, repaid, seized, 0);
      expect(await s.weth.balanceOf(s.liquidator.address)).to.equal(100n * WAD + seized);
      expect(await s.pool.collateralOf(s.alice.address, s.wethAddress)).to.equal(10n * WAD - seized);
      await expectIdentity(s.pool, s.vusd);
    });

    it("closes a dust position in full, but never leaves a debt below the minimum", async () => {
      const s = await loadFixture(deposited);
      // Carol: 0.1 WETH ($200), borrows 160 (tier 0, 80%); at $1820, HF = 182 x 0.85 / 160 < 1.
      await s.pool.connect(s.carol).deposit(s.wethAddress, WAD / 10n, s.carol.address);
      await s.score(s.carol.address, 100);
      await s.pool.connect(s.carol).borrow(160n * WAD);
      await s.feed.setAnswer(price8(1820n));
      let at = BigInt(await time.latest()) + 1n;
      let debt = await expectedDebt(s.pool, 0, at);
      await time.setNextBlockTimestamp(at);
      // Half would leave ~80 < 100: the whole debt may go, but a partial cover leaving 60 may not.
      await expect(s.pool.connect(s.liquidator).liquidate(s.carol.address, s.wethAddress, 100n * WAD))
        .to.be.revertedWithCustomError(s.pool, "LendingPoolDebtBelowMinimum")
        .withArgs(debt - 100n * WAD, MIN_DEBT);
      at += 1n;
      debt = await expectedDebt(s.pool, 0, at);
      await time.setNextBlockTimestamp(at);
      await expect(s.pool.connect(s.liquidator).liquidate(s.carol.address, s.wethAddress, ethers.MaxUint256))
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.carol.address, s.liquidator.address, s.wethAddress, debt, anySeized(), 0);
      expect((await s.pool.positionOf(s.carol.address)).debtWad).to.equal(0);
      await expectIdentity(s.pool, s.vusd);
    });

    it("writes off bad debt against surplus, then records a deficit", async () => {
      const s = await loadFixture(deposited);
      // Surplus from Bob's interest: 10,000 at 25% for a year, repaid.
      await s.pool.connect(s.bob).borrow(10_000n * WAD);
      await time.increase(365 * 86_400);
      await s.feed.setAnswer(price8(2000n));
      await s.pool.connect(s.bob).repay(s.bob.address, ethers.MaxUint256);
      const [, surplusBefore] = await s.pool.accounts();
      // Governance takes most of it to a treasury, leaving 100.
      await s.pool.connect(s.governance).mintSurplus(s.governance.address, surplusBefore - 100n * WAD);
      await expectIdentity(s.pool, s.vusd);

      // Carol: 1 WETH, borrows 1,600; ETH halves.
      await s.pool.connect(s.carol).deposit(s.wethAddress, WAD, s.carol.address);
      await s.score(s.carol.address, 100);
      await s.pool.connect(s.carol).borrow(1600n * WAD);
      await s.setBothAnswers(price8(1000n));
      await s.pool.pokePrice(s.wethAddress); // both sources confirm the halving: accepted
      await s.policy.connect(s.guardian).pause();
      await s.policy.connect(s.regulator).unpause();
      const resumesAt = (await s.policy.breakerState()).liquidationsResumeAt;
      await expect(
        s.pool.connect(s.liquidator).liquidate(s.carol.address, s.wethAddress, ethers.MaxUint256),
      ).to.be.revertedWithCustomError(s.policy, "SupervisionLiquidationGracePeriod");
      await time.increaseTo(resumesAt - 2n);
      await s.feed.setAnswer(price8(1000n)); // the feed keeps publishing
      await time.setNextBlockTimestamp(resumesAt);
      // First liquidation: half the debt, 0.84 WETH seized.
      await s.pool.connect(s.liquidator).liquidate(s.carol.address, s.wethAddress, ethers.MaxUint256);
      const left = await s.pool.collateralOf(s.carol.address, s.wethAddress);
      // Second: the remaining collateral is worth less than half the debt plus the bonus: all of it goes, the rest
      // of the debt is bad debt.
      const at = resumesAt + 1n;
      const debt = await expectedDebt(s.pool, 0, at);
      const [principalTotal, surplusNow] = await s.pool.accounts(); // 100 + the first liquidation's interest
      const carolPrincipal = principalTotal - 60_000n * WAD;
      const repaid = mulDivUp(left * 1000n, BPS, 10_500n); // all the collateral's value, less the bonus
      const badDebt = debt - repaid;
      const interest = debt - carolPrincipal; // repaid first, into surplus, before the write-off
      const principalLeft = carolPrincipal - (repaid - interest);
      const covered = surplusNow + interest;
      await time.setNextBlockTimestamp(at);
      const tx = s.pool.connect(s.liquidator).liquidate(s.carol.address, s.wethAddress, ethers.MaxUint256);
      await expect(tx)
        .to.emit(s.pool, "PositionLiquidated")
        .withArgs(s.carol.address, s.liquidator.address, s.wethAddress, repaid, left, badDebt);
      await expect(tx)
        .to.emit(s.pool, "BadDebtWrittenOff")
        .withArgs(s.carol.address, principalLeft, covered, principalLeft - covered);
      const [, surplus, deficit] = await s.pool.accounts();
      expect([surplus, deficit]).to.deep.equal([0n, principalLeft - covered]);
      expect((await s.pool.positionOf(s.carol.address)).debtWad).to.equal(0);
      await expectIdentity(s.pool, s.vusd);

      // Later interest pays the deficit down first.
      await time.increase(30 * 86_400);
      await s.feed.setAnswer(price8(1000n));
      await s.pool.connect(s.liquidator).repay(s.liquidator.address, 10n * WAD);
      const [, surplus2, deficit2] = await s.pool.accounts();
      expect([surplus2, deficit2]).to.deep.equal([0n, principalLeft - covered - 10n * WAD]);
      await expectIdentity(s.pool, s.vusd);
    });
  });

  describe("accounting", () => {
    it("keeps vUSD supply + surplus == principal + deficit through a mixed sequence, and snapshots exposure", async () => {
      const s = await loadFixture(deposited);
      await expectIdentity(s.pool, s.vusd);
      await s.pool.connect(s.alice).borrow(5000n * WAD);
      await s.pool.connect(s.bob).borrow(3000n * WAD);
      await expectIdentity(s.pool, s.vusd);
      await time.increase(90 * 86_400);
      await s.feed.setAnswer(price8(2000n));
      await s.pool.connect(s.bob).repay(s.alice.address, 777n * WAD);
      await s.pool.connect(s.alice).repay(s.bob.address, 1234n * WAD);
      await expectIdentity(s.pool, s.vusd);
      await s.score(s.alice.address, 700);
      await s.pool.rebase(s.alice.address);
      await s.pool.connect(s.alice).borrow(100n * WAD);
      const [, surplus] = await s.pool.accounts();
      await s.pool.connect(s.governance).mintSurplus(s.outsider.address, surplus / 2n);
      await expectIdentity(s.pool, s.vusd);
      await s.pool.connect(s.bob).repay(s.bob.address, ethers.MaxUint256);
      await expectIdentity(s.pool, s.vusd);
      const tx = s.pool.publishExposureSnapshot();
      await expect(tx).to.emit(s.pool, "ExposureSnapshot");
      const receipt = await (await tx).wait();
      const ev = s.pool.interface.parseLog(receipt!.logs[0]!)!;
      expect(ev.args.vusdSupplyWad).to.equal(await s.vusd.totalSupply());
      expect(ev.args.debtByTierWad.length).to.equal(4);
      expect(ev.args.totalCollateralValueWad).to.equal(120n * 2000n * WAD);
    });
  });

  describe("oracle and policy together", () => {
    it("emits AdverseAction against the approval threshold in force, before and after TIER_MAX_PD of the last tier changes", async () => {
      const s = await loadFixture(system);
      const post = async (pdBps: number) => {
        const { report, signatures } = await s.signedReport(s.carol.address, pdBps);
        return s.oracle.submitScore(report, signatures);
      };
      // Threshold 2000 (fixture tier 3): 2000 is approved, 2001 is an adverse action.
      await expect(post(2000)).not.to.emit(s.oracle, "AdverseAction");
      await time.increase(1);
      await expect(post(2001)).to.emit(s.oracle, "AdverseAction");
      const id = rule("TIER_MAX_PD", 3);
      const tx = await (await s.policy.connect(s.governance).scheduleRuleChange(id, 2500)).wait();
      const scheduled = tx!.logs
        .map((l: any) => s.policy.interface.parseLog(l))
        .find((l: any) => l?.name === "RuleChangeScheduled")!;
      await time.increaseTo(scheduled.args.executableAt);
      await expect(s.policy.executeRuleChange(scheduled.args.changeId))
        .to.emit(s.oracle, "ApprovalThresholdSynced")
        .withArgs(await s.policy.getAddress(), 2000, 2500);
      expect(await s.oracle.approvalThresholdBps()).to.equal(2500);
      await time.increase(1);
      await expect(post(2500)).not.to.emit(s.oracle, "AdverseAction");
      await time.increase(1);
      await expect(post(2501)).to.emit(s.oracle, "AdverseAction");
      // The pool prices the same score against the same threshold: 2500 borrows in tier 3, 2501 is declined.
      await s.feed.setAnswer(price8(WETH_PRICE)); // fresh after the timelock's wait
      await s.pool.connect(s.carol).deposit(await s.weth.getAddress(), 10n * WAD, s.carol.address);
      await expect(s.pool.connect(s.carol).borrow(1000n * WAD))
        .to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated")
        .withArgs(rule("CREDIT_DECLINED"), 2500, 2501);
      await time.increase(1);
      await post(2500);
      await expect(s.pool.connect(s.carol).borrow(1000n * WAD)).to.emit(s.pool, "LoanOriginated");
    });
  });
});

function anyDebtLeft() {
  return (v: bigint) => v > 0n;
}
function anySeized() {
  return (v: bigint) => v > 0n;
}
