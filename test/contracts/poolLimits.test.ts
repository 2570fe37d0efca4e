// The regulator's limits end to end through `LendingPool.borrow`: each rule set through the timelock, then a borrow
// exactly at the limit passes and one wei (or one second) past it reverts
// `SupervisionRuleViolated(rule, limit, actual)`.
import { expect } from "chai";
import { network } from "hardhat";

import { ruleId, tierRuleId, type RuleName } from "../../oracle/src/protocol/rules.js";
import { BPS, DAY, MODEL_ID, WAD, WETH_PRICE } from "./fixtures.js";
import { accrue, debtOf, deploySystem, mulDivUp, price8 } from "./poolFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const COLLATERAL_ETH = 50n;
const COLLATERAL_VALUE = COLLATERAL_ETH * WETH_PRICE * WAD; // $100,000 each
const ALICE_PD = 100; // tier 0

type System = Awaited<ReturnType<typeof deploySystem>>;

/** Alice, Bob and Carol each with 50 WETH deposited; no scores yet. */
async function deposited() {
  const s = await deploySystem(ethers);
  const wethAddress = await s.weth.getAddress();
  for (const who of [s.alice, s.bob, s.carol])
    await s.pool.connect(who).deposit(wethAddress, COLLATERAL_ETH * WAD, who.address);
  return { ...s, wethAddress };
}

/**
 * Sets rules through the timelock (tier terms by governance, the rest by the regulator), then refreshes the price
 * feed, which the wait made stale.
 */
async function setRules(s: System, changes: [string, bigint][]) {
  const ids: string[] = [];
  let last = 0n;
  for (const [id, value] of changes) {
    const name = ethers.decodeBytes32String(ethers.dataSlice(id, 0, 31) + "00");
    const signer = name.startsWith("TIER_") && !name.startsWith("TIER_CAP_") ? s.governance : s.regulator;
    const receipt = await (await s.policy.connect(signer).scheduleRuleChange(id, value)).wait();
    const log = s.policy.interface.parseLog(receipt!.logs[0]!)!;
    ids.push(log.args.changeId);
    last = log.args.executableAt;
  }
  await time.increaseTo(last);
  for (const changeId of ids) await s.policy.executeRuleChange(changeId);
  for (const [id, value] of changes) expect(await s.policy.ruleValue(id)).to.equal(value);
  await s.feed.setAnswer(price8(WETH_PRICE));
}

const g = (name: RuleName) => ruleId(name);
const ltvBps = (debt: bigint, value: bigint) => mulDivUp(debt, BPS, value);

async function expectViolation(tx: Promise<unknown>, s: System, rule: string, limit: bigint, actual: bigint) {
  await expect(tx).to.be.revertedWithCustomError(s.policy, "SupervisionRuleViolated").withArgs(rule, limit, actual);
}

describe("LendingPool limits (SupervisionPolicy rules through borrow)", () => {
  it("tier credit limit: the term, or the regulator's lower cap, at the limit and one wei past", async () => {
    const s = await loadFixture(deposited);
    await setRules(s, [
      [tierRuleId("TIER_CREDIT_LIMIT", 0), 10_000n * WAD], // governance lowers its own term
      [tierRuleId("TIER_CAP_CREDIT_LIMIT", 3), 5_000n * WAD], // the regulator's cap binds tier 3 (term 100,000)
    ]);
    await s.score(s.alice.address, ALICE_PD);
    const limit0 = 10_000n * WAD;
    await expectViolation(
      s.pool.connect(s.alice).borrow(limit0 + 1n),
      s,
      tierRuleId("TIER_CREDIT_LIMIT", 0),
      limit0,
      limit0 + 1n,
    );
    await expect(s.pool.connect(s.alice).borrow(limit0))
      .to.emit(s.pool, "LoanOriginated")
      .withArgs(s.alice.address, limit0, 0, ALICE_PD, MODEL_ID, ltvBps(limit0, COLLATERAL_VALUE));

    const limit3 = 5_000n * WAD;
    expect((await s.policy.termsOf(3)).creditLimitWad).to.equal(limit3);
    await expectViolation(
      s.pool.connect(s.bob).borrow(limit3 + 1n),
      s,
      tierRuleId("TIER_CREDIT_LIMIT", 3),
      limit3,
      limit3 + 1n,
    );
    await expect(s.pool.connect(s.bob).borrow(limit3))
      .to.emit(s.pool, "LoanOriginated")
      .withArgs(s.bob.address, limit3, 3, 0, ethers.ZeroHash, ltvBps(limit3, COLLATERAL_VALUE));
  });

  it("BORROWER_CAP: at the cap and one wei past; the cap counts accrued interest", async () => {
    const s = await loadFixture(deposited);
    const cap = 5_000n * WAD;
    await setRules(s, [[g("BORROWER_CAP"), cap]]);
    await s.score(s.alice.address, ALICE_PD);
    await expectViolation(s.pool.connect(s.alice).borrow(cap + 1n), s, g("BORROWER_CAP"), cap, cap + 1n);
    await s.pool.connect(s.alice).borrow(cap - 1000n * WAD);

    // A day later the debt has grown: borrowing up to the cap by principal alone is refused by the interest.
    const at = BigInt(await time.latest()) + DAY;
    await s.feed.setRound(100, price8(WETH_PRICE), at - 10n, 100);
    const [indexRay, lastTs, apr, scaled] = await s.pool.tierStateOf(0);
    const debt = debtOf(scaled, accrue(indexRay, apr, at - lastTs));
    expect(debt).to.be.greaterThan(cap - 1000n * WAD);
    await time.setNextBlockTimestamp(at);
    await expectViolation(s.pool.connect(s.alice).borrow(1000n * WAD), s, g("BORROWER_CAP"), cap, debt + 1000n * WAD);
    await time.setNextBlockTimestamp(at);
    await expect(s.pool.connect(s.alice).borrow(cap - debt))
      .to.emit(s.pool, "LoanOriginated")
      .withArgs(s.alice.address, cap - debt, 0, ALICE_PD, MODEL_ID, ltvBps(cap, COLLATERAL_VALUE));
  });

  it("DEBT_CEILING: total principal at the ceiling and one wei past", async () => {
    const s = await loadFixture(deposited);
    const ceiling = 20_000n * WAD;
    await setRules(s, [[g("DEBT_CEILING"), ceiling]]);
    await s.score(s.alice.address, ALICE_PD);
    await s.pool.connect(s.alice).borrow(12_000n * WAD);
    await expectViolation(s.pool.connect(s.bob).borrow(8_000n * WAD + 1n), s, g("DEBT_CEILING"), ceiling, ceiling + 1n);
    await s.pool.connect(s.bob).borrow(8_000n * WAD);
    expect((await s.pool.accounts()).totalPrincipalWad).to.equal(ceiling);
    // Interest does not count against the ceiling, but any new principal does.
    await time.increase(30n * DAY);
    await s.feed.setAnswer(price8(WETH_PRICE));
    await expectViolation(
      s.pool.connect(s.carol).borrow(100n * WAD),
      s,
      g("DEBT_CEILING"),
      ceiling,
      ceiling + 100n * WAD,
    );
  });

  describe("CONCENTRATION_CAP from CONCENTRATION_FLOOR", () => {
    const floor = 20_000n * WAD;
    async function concentrated() {
      const s = await deposited();
      await setRules(s, [
        [g("CONCENTRATION_FLOOR"), floor],
        [g("CONCENTRATION_CAP"), 5000n],
      ]);
      await s.score(s.alice.address, ALICE_PD);
      return s;
    }

    it("does not apply while total principal after the borrow is below the floor, applies at it", async () => {
      const s = await loadFixture(concentrated);
      await s.pool.connect(s.alice).borrow(9_000n * WAD); // 100% of the total, below the floor
      // Bob's 11,000 of 20,000 is 55%: refused at the floor, allowed one wei below it.
      await expectViolation(s.pool.connect(s.bob).borrow(11_000n * WAD), s, g("CONCENTRATION_CAP"), 5000n, 5500n);
      await s.pool.connect(s.bob).borrow(11_000n * WAD - 1n);
      expect(await s.pool.principalOf(s.bob.address)).to.equal(11_000n * WAD - 1n);
    });

    it("above the floor: a share at the cap passes, one wei more reverts (share rounded up)", async () => {
      const s = await loadFixture(concentrated);
      await s.pool.connect(s.alice).borrow(10_000n * WAD);
      const over = 10_000n * WAD + 1n;
      const share = mulDivUp(over, BPS, 10_000n * WAD + over);
      expect(share).to.equal(5001n);
      await expectViolation(s.pool.connect(s.bob).borrow(over), s, g("CONCENTRATION_CAP"), 5000n, share);
      await s.pool.connect(s.bob).borrow(10_000n * WAD); // exactly 50%
      // Alice is now at 50% too: any more from her is above the cap.
      await expectViolation(
        s.pool.connect(s.alice).borrow(100n * WAD),
        s,
        g("CONCENTRATION_CAP"),
        5000n,
        mulDivUp(10_100n * WAD, BPS, 20_100n * WAD),
      );
    });
  });

  it("DAILY_ORIGINATION_LIMIT: at the limit at 86400k - 1, reset at 86400k, one wei past reverts", async () => {
    const s = await loadFixture(deposited);
    const limit = 10_000n * WAD;
    await setRules(s, [[g("DAILY_ORIGINATION_LIMIT"), limit]]);
    const k = BigInt(await time.latest()) / DAY + 2n;
    const midnight = k * DAY;
    await time.setNextBlockTimestamp(midnight - 20n);
    await s.feed.setAnswer(price8(WETH_PRICE));
    await s.score(s.alice.address, ALICE_PD);

    await time.setNextBlockTimestamp(midnight - 2n);
    await s.pool.connect(s.alice).borrow(6_000n * WAD);
    expect(await s.policy.originationOf()).to.deep.equal([k - 1n, 0n]); // nothing outstanding before the day's first borrow
    await time.setNextBlockTimestamp(midnight - 1n);
    await expectViolation(
      s.pool.connect(s.bob).borrow(4_000n * WAD + 1n),
      s,
      g("DAILY_ORIGINATION_LIMIT"),
      limit,
      limit + 1n,
    );
    await s.pool.connect(s.bob).borrow(4_000n * WAD);
    expect(BigInt(await time.latest())).to.equal(midnight - 1n);
    expect(await s.policy.originationOf()).to.deep.equal([k - 1n, 0n]);

    await time.setNextBlockTimestamp(midnight);
    await s.pool.connect(s.carol).borrow(limit); // a new UTC day: the whole limit again
    expect(await s.policy.originationOf()).to.deep.equal([k, limit]); // yesterday's 10,000 is the new baseline
    await expectViolation(s.pool.connect(s.carol).borrow(1n), s, g("DAILY_ORIGINATION_LIMIT"), limit, limit + 1n);
  });

  describe("DAILY_ORIGINATION_LIMIT counts net new credit (borrowed minus principal repaid that day)", () => {
    const limit = 10_000n * WAD;
    /** Principal outstanding from an earlier day: Carol's, who gave Alice and Bob vUSD to pay interest with. */
    const earlier = 2_000n * WAD;
    /** The limit set, Alice scored, the feed fresh, and the clock at the start of a fresh UTC day. */
    async function netOrigination() {
      const s = await deposited();
      await s.pool.connect(s.carol).borrow(earlier);
      for (const who of [s.alice, s.bob]) await s.vusd.connect(s.carol).transfer(who.address, earlier / 2n);
      await setRules(s, [[g("DAILY_ORIGINATION_LIMIT"), limit]]);
      const day = BigInt(await time.latest()) / DAY + 1n;
      await time.setNextBlockTimestamp(day * DAY + 60n);
      await s.feed.setAnswer(price8(WETH_PRICE));
      await s.score(s.alice.address, ALICE_PD);
      return { ...s, day };
    }

    it("six borrow-and-repay loops in a day leave the whole limit to an honest borrower", async () => {
      const s = await loadFixture(netOrigination);
      // The griefer borrows the whole limit and repays all of it, six times: a few seconds of interest each time,
      // no debt left, and (net) nothing originated.
      for (let i = 0; i < 6; i++) {
        await s.pool.connect(s.alice).borrow(limit);
        await s.pool.connect(s.alice).repay(s.alice.address, ethers.MaxUint256);
      }
      expect(await s.pool.principalOf(s.alice.address)).to.equal(0);
      expect(BigInt(await time.latest()) / DAY).to.equal(s.day); // all on one UTC day
      await expectViolation(
        s.pool.connect(s.bob).borrow(limit + 1n),
        s,
        g("DAILY_ORIGINATION_LIMIT"),
        limit,
        limit + 1n,
      );
      await expect(s.pool.connect(s.bob).borrow(limit)).to.emit(s.pool, "LoanOriginated");
    });

    it("a repayment gives its principal back to the day's limit, interest does not; one wei past reverts", async () => {
      const s = await loadFixture(netOrigination);
      await s.pool.connect(s.alice).borrow(limit);
      // Alice repays 4,000: interest first (a few seconds' worth), the rest principal.
      const principalBefore = await s.pool.principalOf(s.alice.address);
      await s.pool.connect(s.alice).repay(s.alice.address, 4_000n * WAD);
      const given = principalBefore - (await s.pool.principalOf(s.alice.address));
      expect(given)
        .to.be.lessThan(4_000n * WAD)
        .and.greaterThan(3_999n * WAD);
      const [day, dayStart] = await s.policy.originationOf();
      expect([day, dayStart]).to.deep.equal([s.day, earlier]); // principal outstanding at the day's first borrow
      await expectViolation(
        s.pool.connect(s.bob).borrow(given + 1n),
        s,
        g("DAILY_ORIGINATION_LIMIT"),
        limit,
        limit + 1n,
      );
      await expect(s.pool.connect(s.bob).borrow(given)).to.emit(s.pool, "LoanOriginated");
    });

    it("principal outstanding before the day does not count; repaying it frees room that day", async () => {
      const s = await loadFixture(netOrigination);
      await s.pool.connect(s.alice).borrow(limit); // day d: the whole limit
      await time.setNextBlockTimestamp((s.day + 1n) * DAY + 10n);
      await s.feed.setAnswer(price8(WETH_PRICE));
      await s.pool.connect(s.bob).borrow(limit); // day d + 1: the whole limit again, Alice's loan is yesterday's
      const [day, dayStart] = await s.policy.originationOf();
      expect(day).to.equal(s.day + 1n);
      expect(dayStart).to.equal(earlier + limit); // total principal at the day's first borrow, before it
      await expectViolation(
        s.pool.connect(s.carol).borrow(1000n * WAD),
        s,
        g("DAILY_ORIGINATION_LIMIT"),
        limit,
        limit + 1000n * WAD,
      );
      await s.pool.connect(s.alice).repay(s.alice.address, ethers.MaxUint256); // yesterday's loan repaid today
      await expect(s.pool.connect(s.carol).borrow(limit)).to.emit(s.pool, "LoanOriginated");
      await expectViolation(
        s.pool.connect(s.carol).borrow(100n * WAD),
        s,
        g("DAILY_ORIGINATION_LIMIT"),
        limit,
        limit + 100n * WAD,
      );
    });
  });

  it("MAX_SCORE_AGE: a score exactly max old prices the loan, one second older gets the conservative tier", async () => {
    const s = await loadFixture(deposited);
    const maxAge = 3600n;
    await setRules(s, [[g("MAX_SCORE_AGE"), maxAge]]);
    await s.score(s.alice.address, ALICE_PD);
    await s.score(s.bob.address, ALICE_PD);
    const aliceIssuedAt = (await s.oracle.scoreOf(s.alice.address)).issuedAt;
    const bobIssuedAt = (await s.oracle.scoreOf(s.bob.address)).issuedAt;
    expect(bobIssuedAt).to.be.greaterThan(aliceIssuedAt);
    const amount = 1_000n * WAD;

    await time.setNextBlockTimestamp(aliceIssuedAt + maxAge - 5n);
    await s.feed.setAnswer(price8(WETH_PRICE));
    await time.setNextBlockTimestamp(aliceIssuedAt + maxAge);
    await expect(s.pool.connect(s.alice).borrow(amount))
      .to.emit(s.pool, "LoanOriginated")
      .withArgs(s.alice.address, amount, 0, ALICE_PD, MODEL_ID, ltvBps(amount, COLLATERAL_VALUE));
    await time.setNextBlockTimestamp(bobIssuedAt + maxAge + 1n);
    await expect(s.pool.connect(s.bob).borrow(amount))
      .to.emit(s.pool, "LoanOriginated")
      .withArgs(s.bob.address, amount, 3, 0, ethers.ZeroHash, ltvBps(amount, COLLATERAL_VALUE));
    // The stored score is still valid at the oracle: only the policy's age rule set it aside.
    expect((await s.oracle.scoreOf(s.bob.address)).valid).to.equal(true);
  });

  it("ATTESTATION_REQUIRED: absent, present until the second before expiry, expired at the exact second", async () => {
    const s = await loadFixture(deposited);
    await setRules(s, [[g("ATTESTATION_REQUIRED"), 1n]]);
    await s.score(s.alice.address, ALICE_PD);
    const amount = 1_000n * WAD;

    const t0 = BigInt(await time.latest()) + 5n;
    await time.setNextBlockTimestamp(t0);
    await expectViolation(s.pool.connect(s.alice).borrow(amount), s, ruleId("ELIGIBILITY"), 0n, t0);

    const expiresAt = t0 + 1000n;
    const hash = ethers.id("kyc");
    for (const who of [s.alice, s.bob]) {
      await expect(s.policy.connect(s.attester).setAttestation(who.address, expiresAt, hash))
        .to.emit(s.policy, "AttestationSet")
        .withArgs(who.address, expiresAt, hash);
    }
    await time.setNextBlockTimestamp(expiresAt - 1n);
    await expect(s.pool.connect(s.alice).borrow(amount)).to.emit(s.pool, "LoanOriginated");
    await time.setNextBlockTimestamp(expiresAt);
    await expectViolation(s.pool.connect(s.bob).borrow(amount), s, ruleId("ELIGIBILITY"), expiresAt, expiresAt);

    // Turning the rule off lets the unattested borrow again.
    await setRules(s, [[g("ATTESTATION_REQUIRED"), 0n]]);
    await expect(s.pool.connect(s.bob).borrow(amount)).to.emit(s.pool, "LoanOriginated");
  });
});
