import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import { CAPS, DAY, GLOBAL, TERMS, WAD, actors, deployPolicy, policyConfig, roleId, rule } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DELAY = BigInt(GLOBAL.timelockDelaySec);

async function base() {
  const f = await deployPolicy(ethers);
  // `carol` stands in for the pool in the hook tests.
  await f.policy.connect(f.regulator).grantRole(roleId(ethers, "POOL"), f.carol.address);
  return f;
}

async function withAttestation() {
  const f = await deployPolicy(ethers, { attestationRequired: true });
  await f.policy.connect(f.regulator).grantRole(roleId(ethers, "POOL"), f.carol.address);
  return f;
}

async function tightLimits() {
  const f = await deployPolicy(ethers, {
    borrowerCapWad: 300_000n * WAD,
    debtCeilingWad: 500_000n * WAD,
    dailyOriginationLimitWad: 1000n * WAD,
  });
  await f.policy.connect(f.regulator).grantRole(roleId(ethers, "POOL"), f.carol.address);
  return f;
}

interface Req {
  borrower: string;
  pdBps: number;
  scoreValid: boolean;
  scoreIssuedAt: bigint;
  scorePostedAt: bigint;
  amountWad: bigint;
  borrowerDebtAfterWad: bigint;
  borrowerPrincipalAfterWad: bigint;
  totalPrincipalAfterWad: bigint;
  collateralValueWad: bigint;
}

async function req(over: Partial<Req> = {}): Promise<Req> {
  const now = BigInt(await time.latest());
  return {
    borrower: "0x000000000000000000000000000000000000a11c",
    pdBps: 100,
    scoreValid: true,
    scoreIssuedAt: now,
    scorePostedAt: over.scoreIssuedAt ?? now, // posted at once unless a test says otherwise
    amountWad: 100n * WAD,
    borrowerDebtAfterWad: 100n * WAD,
    borrowerPrincipalAfterWad: 100n * WAD,
    totalPrincipalAfterWad: 100n * WAD,
    collateralValueWad: 1_000_000n * WAD,
    ...over,
  };
}

/** Schedules and returns the change id and its executable time. */
async function schedule(policy: any, signer: any, ruleId: string, value: bigint) {
  const tx = await policy.connect(signer).scheduleRuleChange(ruleId, value);
  const receipt = await tx.wait();
  const log = receipt!.logs
    .map((l: any) => policy.interface.parseLog(l))
    .find((l: any) => l?.name === "RuleChangeScheduled");
  return { changeId: log.args.changeId as string, executableAt: log.args.executableAt as bigint };
}

describe("SupervisionPolicy", () => {
  describe("constructor", () => {
    it("stores tiers, caps and rules, and gives each role only to its holder", async () => {
      const { policy, governance, regulator, guardian, attester } = await loadFixture(base);
      expect(await policy.tierCount()).to.equal(4);
      expect(await policy.approvalThresholdBps()).to.equal(2000);
      const t1 = await policy.termsOf(1);
      expect(t1.maxLtvBps).to.equal(TERMS[1].maxLtvBps);
      expect(t1.creditLimitWad).to.equal(TERMS[1].creditLimitWad);
      expect((await policy.capsOf(2)).aprBps).to.equal(CAPS[2].aprBps);
      expect(await policy.ruleValue(rule("DEBT_CEILING"))).to.equal(GLOBAL.debtCeilingWad);
      expect(await policy.ruleValue(rule("TIMELOCK_DELAY"))).to.equal(GLOBAL.timelockDelaySec);
      expect(await policy.ruleValue(rule("TIER_APR", 3))).to.equal(TERMS[3].aprBps);
      expect(await policy.ruleValue(rule("TIER_CAP_CREDIT_LIMIT", 0))).to.equal(CAPS[0].creditLimitWad);
      for (const [name, holder] of [
        ["GOVERNANCE", governance],
        ["REGULATOR", regulator],
        ["GUARDIAN", guardian],
        ["ATTESTER", attester],
      ] as const) {
        expect(await policy.hasRole(roleId(ethers, name), holder.address)).to.equal(true);
        expect(await policy.getRoleAdmin(roleId(ethers, name))).to.equal(roleId(ethers, name));
        expect(await policy.hasRole(ethers.ZeroHash, holder.address)).to.equal(false);
      }
      expect(await policy.getRoleAdmin(roleId(ethers, "POOL"))).to.equal(roleId(ethers, "REGULATOR"));
    });

    it("rejects a zero role holder, bad tier counts and out-of-range values", async () => {
      const a = await actors(ethers);
      const F = await ethers.getContractFactory("SupervisionPolicy");
      const cfg = policyConfig(a);
      await expect(ethers.deployContract("SupervisionPolicy", [{ ...cfg, guardian: ethers.ZeroAddress }]))
        .to.be.revertedWithCustomError(F, "SupervisionZeroAddress")
        .withArgs(roleId(ethers, "GUARDIAN"));
      await expect(ethers.deployContract("SupervisionPolicy", [{ ...cfg, caps: CAPS.slice(0, 3) }]))
        .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
        .withArgs(rule("TIER_COUNT"), 4);
      await expect(ethers.deployContract("SupervisionPolicy", [{ ...cfg, terms: [], caps: [] }]))
        .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
        .withArgs(rule("TIER_COUNT"), 0);
      for (const bad of [59, 3601]) {
        await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, { pullReportMaxAgeSec: bad })]))
          .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
          .withArgs(rule("PULL_REPORT_MAX_AGE"), bad);
      }
      await expect(
        ethers.deployContract("SupervisionPolicy", [policyConfig(a, { scoreNoticePeriodSec: 90 * 86_400 + 1 })]),
      )
        .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
        .withArgs(rule("SCORE_NOTICE_PERIOD"), 90 * 86_400 + 1);
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, { timelockDelaySec: 3599 })]))
        .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
        .withArgs(rule("TIMELOCK_DELAY"), 3599);
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, { maxPriceDeviationBps: 0 })]))
        .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
        .withArgs(rule("MAX_PRICE_DEVIATION"), 0);
    });

    it("takes each wad limit up to type(uint96).max (stored in 96 bits) and rejects one more", async () => {
      const a = await actors(ethers);
      const F = await ethers.getContractFactory("SupervisionPolicy");
      const MAX96 = 2n ** 96n - 1n;
      const wadRules = [
        ["debtCeilingWad", "DEBT_CEILING"],
        ["borrowerCapWad", "BORROWER_CAP"],
        ["concentrationFloorWad", "CONCENTRATION_FLOOR"],
        ["dailyOriginationLimitWad", "DAILY_ORIGINATION_LIMIT"],
      ] as const;
      for (const [field, id] of wadRules) {
        await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, { [field]: MAX96 + 1n })]))
          .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
          .withArgs(rule(id), MAX96 + 1n);
        await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, { [field]: 2n ** 128n - 1n })]))
          .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
          .withArgs(rule(id), 2n ** 128n - 1n);
      }
      // All four at the maximum at once: stored and read back exactly, neighbours in the packed slots intact.
      const max = await ethers.deployContract("SupervisionPolicy", [
        policyConfig(a, {
          debtCeilingWad: MAX96,
          borrowerCapWad: MAX96,
          concentrationFloorWad: MAX96,
          dailyOriginationLimitWad: MAX96,
        }),
      ]);
      for (const [, id] of wadRules) expect(await max.ruleValue(rule(id))).to.equal(MAX96);
      expect(await max.ruleValue(rule("CONCENTRATION_CAP"))).to.equal(GLOBAL.concentrationCapBps);
      expect(await max.ruleValue(rule("MAX_SCORE_AGE"))).to.equal(GLOBAL.maxScoreAgeSec);
      expect(await max.ruleValue(rule("ATTESTATION_REQUIRED"))).to.equal(GLOBAL.attestationRequired ? 1 : 0);
      expect(await max.ruleValue(rule("MAX_PRICE_DEVIATION"))).to.equal(GLOBAL.maxPriceDeviationBps);
      expect(await max.ruleValue(rule("LIQUIDATION_GRACE_PERIOD"))).to.equal(GLOBAL.liquidationGracePeriodSec);
      expect(await max.ruleValue(rule("TIMELOCK_DELAY"))).to.equal(GLOBAL.timelockDelaySec);
    });

    it("rejects terms above caps, LTV at the threshold, thresholds above 100% and PD out of order", async () => {
      const a = await actors(ethers);
      const F = await ethers.getContractFactory("SupervisionPolicy");
      const terms = TERMS.map((t) => ({ ...t }));
      terms[2]!.aprBps = CAPS[2].aprBps + 1;
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, {}, terms)]))
        .to.be.revertedWithCustomError(F, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CAP_APR", 2), CAPS[2].aprBps, CAPS[2].aprBps + 1);
      const ltvAtLt = TERMS.map((t) => ({ ...t }));
      ltvAtLt[0]!.maxLtvBps = ltvAtLt[0]!.liquidationThresholdBps;
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, {}, ltvAtLt)]))
        .to.be.revertedWithCustomError(F, "SupervisionRuleViolated")
        .withArgs(rule("TIER_MAX_LTV", 0), 8499, 8500);
      const caps = CAPS.map((c) => ({ ...c }));
      caps[1]!.liquidationThresholdBps = 10_001;
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, {}, TERMS, caps)]))
        .to.be.revertedWithCustomError(F, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CAP_LIQUIDATION_THRESHOLD", 1), 10_000, 10_001);
      const order = TERMS.map((t) => ({ ...t }));
      order[2]!.maxPdBps = order[1]!.maxPdBps;
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, {}, order)]))
        .to.be.revertedWithCustomError(F, "SupervisionRuleViolated")
        .withArgs(rule("TIER_MAX_PD", 2), 501, 500);
    });
  });

  describe("tiers", () => {
    it("maps PD to tiers at the inclusive bounds and declines above the last", async () => {
      const { policy } = await loadFixture(base);
      const cases: [number, number, boolean][] = [
        [0, 0, false],
        [200, 0, false],
        [201, 1, false],
        [1000, 2, false],
        [2000, 3, false],
        [2001, 3, true],
        [10_000, 3, true],
      ];
      for (const [pd, tier, declined] of cases) {
        const r = await policy.tierOf(pd);
        expect([Number(r.tier), r.declined]).to.deep.equal([tier, declined]);
      }
    });

    it("requirePullReportFresh: a report exactly PULL_REPORT_MAX_AGE old passes, one second older reverts", async () => {
      const { policy } = await loadFixture(base);
      const now = BigInt(await time.latest()); // views run in a block at `now`
      const maxAge = BigInt(GLOBAL.pullReportMaxAgeSec);
      await policy.requirePullReportFresh(now - maxAge);
      await policy.requirePullReportFresh(now + 300n); // issued ahead of the block (clock skew): age 0
      await expect(policy.requirePullReportFresh(now - maxAge - 1n))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("PULL_REPORT_MAX_AGE"), maxAge, maxAge + 1n);
    });

    it("tierForPosition: a fresh score's tier, conservative at once without an approved model, notice after expiry", async () => {
      const { policy } = await loadFixture(base);
      const now = BigInt(await time.latest()); // views run in a block at `now`
      const age = BigInt(GLOBAL.maxScoreAgeSec);
      const notice = BigInt(GLOBAL.scoreNoticePeriodSec);
      const far = now + 365n * DAY;
      const tier = async (
        held: number,
        pd: number,
        issuedAt: bigint,
        validUntil: bigint,
        approved = true,
        postedAt = issuedAt,
      ) => Number(await policy.tierForPosition(held, pd, issuedAt, validUntil, postedAt, approved));
      // Fresh: the score's tier, better or worse than the held one; a declined PD: the conservative tier.
      expect(await tier(3, 100, now, far)).to.equal(0);
      expect(await tier(0, 700, now, far)).to.equal(2);
      expect(await tier(0, 5000, now, far)).to.equal(3);
      // No approved model (none, or retired): the conservative tier at once, fresh or not.
      expect(await tier(0, 100, now, far, false)).to.equal(3);
      // Expired by age: fresh at exactly MAX_SCORE_AGE; then the worse of held and score tier through the
      // notice period's last second; then the conservative tier.
      expect(await tier(1, 100, now - age, far)).to.equal(0);
      expect(await tier(1, 100, now - age - 1n, far)).to.equal(1);
      expect(await tier(0, 700, now - age - 1n, far)).to.equal(2);
      expect(await tier(1, 100, now - age - notice, far)).to.equal(1);
      expect(await tier(1, 100, now - age - notice - 1n, far)).to.equal(3);
      // Expired by validUntil (earlier than the age limit): the same, from validUntil.
      expect(await tier(1, 100, now - 10n, now)).to.equal(0);
      expect(await tier(1, 100, now - 10n, now - 1n)).to.equal(1);
      expect(await tier(1, 100, now - 10n - notice, now - notice)).to.equal(1);
      expect(await tier(1, 100, now - 10n - notice, now - notice - 1n)).to.equal(3);
      // Posted more than PULL_REPORT_MAX_AGE after its issue (held back): it may worsen the tier, not improve it.
      const delay = BigInt(GLOBAL.pullReportMaxAgeSec);
      expect(await tier(3, 100, now - 1000n, far, true, now - 1000n + delay)).to.equal(0);
      expect(await tier(3, 100, now - 1000n, far, true, now - 1000n + delay + 1n)).to.equal(3);
      expect(await tier(0, 700, now - 1000n, far, true, now - 1000n + delay + 1n)).to.equal(2);
    });

    it("treats an invalid or too old score as no score (the conservative tier)", async () => {
      const { policy } = await loadFixture(base);
      const now = BigInt(await time.latest());
      const age = BigInt(GLOBAL.maxScoreAgeSec);
      let r = await policy.tierForScore(100, now, now, false);
      expect([Number(r.tier), r.scored, r.declined]).to.deep.equal([3, false, false]);
      // The view runs in a block at `now`: an age of exactly MAX_SCORE_AGE still counts.
      r = await policy.tierForScore(100, now - age, now - age, true);
      expect([Number(r.tier), r.scored]).to.deep.equal([0, true]);
      r = await policy.tierForScore(100, now - age - 1n, now - age - 1n, true);
      expect([Number(r.tier), r.scored]).to.deep.equal([3, false]);
      r = await policy.tierForScore(5000, now, now, true);
      expect([Number(r.tier), r.scored, r.declined]).to.deep.equal([3, true, true]);
      // Posted later than PULL_REPORT_MAX_AGE after its issue: no score.
      r = await policy.tierForScore(100, now - 1000n, now - 1000n + BigInt(GLOBAL.pullReportMaxAgeSec) + 1n, true);
      expect([Number(r.tier), r.scored]).to.deep.equal([3, false]);
    });
  });

  describe("timelock", () => {
    it("is not executable at delay - 1 and is at delay, with old and new values in the events", async () => {
      const { policy, regulator, outsider } = await loadFixture(base);
      const ceiling = rule("DEBT_CEILING");
      // Block times pinned: on a busy machine the next block's time may run ahead of the wall clock's second.
      const scheduledAt = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(scheduledAt);
      await expect(policy.connect(regulator).scheduleRuleChange(ceiling, 7n * WAD))
        .to.emit(policy, "RuleChangeScheduled")
        .withArgs(anyValue, ceiling, GLOBAL.debtCeilingWad, 7n * WAD, scheduledAt + DELAY);
      await time.setNextBlockTimestamp(scheduledAt + 1n);
      const { changeId, executableAt } = await schedule(policy, regulator, ceiling, 8n * WAD);
      expect(executableAt).to.equal(scheduledAt + 1n + DELAY);

      await time.setNextBlockTimestamp(executableAt - 1n);
      await expect(policy.connect(outsider).executeRuleChange(changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionChangeNotReady")
        .withArgs(changeId, executableAt, executableAt - 1n);
      await time.setNextBlockTimestamp(executableAt);
      await expect(policy.connect(outsider).executeRuleChange(changeId))
        .to.emit(policy, "RuleChanged")
        .withArgs(changeId, ceiling, GLOBAL.debtCeilingWad, 8n * WAD);
      expect(await policy.ruleValue(ceiling)).to.equal(8n * WAD);
      await expect(policy.executeRuleChange(changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionChangeUnknown")
        .withArgs(changeId);
    });

    it("lets only the scheduling role cancel", async () => {
      const { policy, regulator, governance } = await loadFixture(base);
      const { changeId } = await schedule(policy, regulator, rule("BORROWER_CAP"), 1n);
      await expect(policy.connect(governance).cancelRuleChange(changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
        .withArgs(rule("BORROWER_CAP"), governance.address);
      await expect(policy.connect(regulator).cancelRuleChange(changeId))
        .to.emit(policy, "RuleChangeCancelled")
        .withArgs(changeId, rule("BORROWER_CAP"));
      await time.increase(DELAY);
      await expect(policy.executeRuleChange(changeId)).to.be.revertedWithCustomError(
        policy,
        "SupervisionChangeUnknown",
      );
      const pending = await policy.pendingChange(changeId);
      expect(pending.executableAt).to.equal(0);
    });

    it("keeps each role to its own rules", async () => {
      const { policy, governance, regulator, guardian, attester, outsider } = await loadFixture(base);
      const cases: [any, string][] = [
        [governance, rule("DEBT_CEILING")],
        [governance, rule("TIER_CAP_APR", 0)],
        [regulator, rule("TIER_APR", 0)],
        [guardian, rule("DEBT_CEILING")],
        [attester, rule("TIER_APR", 1)],
        [outsider, rule("MAX_SCORE_AGE")],
        [regulator, rule("NOT_A_RULE")],
        [governance, rule("TIER_APR", 4)], // no such tier
      ];
      for (const [signer, id] of cases) {
        await expect(policy.connect(signer).scheduleRuleChange(id, 1))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
          .withArgs(id, signer.address);
      }
      await expect(policy.ruleValue(rule("NOT_A_RULE")))
        .to.be.revertedWithCustomError(policy, "SupervisionUnknownRule")
        .withArgs(rule("NOT_A_RULE"));
    });

    it("rejects values the rule cannot hold", async () => {
      const { policy, regulator, governance } = await loadFixture(base);
      const cases: [any, string, bigint][] = [
        [regulator, rule("CONCENTRATION_CAP"), 10_001n],
        [regulator, rule("MAX_PRICE_DEVIATION"), 0n],
        [regulator, rule("ATTESTATION_REQUIRED"), 2n],
        [regulator, rule("TIMELOCK_DELAY"), 3599n],
        [regulator, rule("TIMELOCK_DELAY"), 30n * DAY + 1n],
        [regulator, rule("DEBT_CEILING"), 2n ** 128n],
        [regulator, rule("MAX_SCORE_AGE"), 2n ** 32n],
        [regulator, rule("TIER_CAP_APR", 0), 65_536n],
        [governance, rule("TIER_MAX_PD", 3), 10_001n],
      ];
      for (const [signer, id, v] of cases) {
        await expect(policy.connect(signer).scheduleRuleChange(id, v))
          .to.be.revertedWithCustomError(policy, "SupervisionInvalidValue")
          .withArgs(id, v);
      }
    });

    it("schedules and executes a wad limit at type(uint96).max, rejects one more, and keeps the packed neighbours", async () => {
      const { policy, regulator } = await loadFixture(base);
      const MAX96 = 2n ** 96n - 1n;
      for (const id of ["DEBT_CEILING", "BORROWER_CAP", "CONCENTRATION_FLOOR", "DAILY_ORIGINATION_LIMIT"]) {
        await expect(policy.connect(regulator).scheduleRuleChange(rule(id), MAX96 + 1n))
          .to.be.revertedWithCustomError(policy, "SupervisionInvalidValue")
          .withArgs(rule(id), MAX96 + 1n);
        const c = await schedule(policy, regulator, rule(id), MAX96);
        await time.increaseTo(c.executableAt);
        await expect(policy.executeRuleChange(c.changeId)).to.emit(policy, "RuleChanged");
        expect(await policy.ruleValue(rule(id))).to.equal(MAX96);
      }
      const flag = await schedule(policy, regulator, rule("ATTESTATION_REQUIRED"), 1n);
      const age = await schedule(policy, regulator, rule("MAX_SCORE_AGE"), 2n ** 32n - 1n);
      const grace = await schedule(policy, regulator, rule("LIQUIDATION_GRACE_PERIOD"), 2n ** 32n - 1n);
      const dev = await schedule(policy, regulator, rule("MAX_PRICE_DEVIATION"), 10_000n);
      const delay = await schedule(policy, regulator, rule("TIMELOCK_DELAY"), 30n * DAY);
      await time.increaseTo(delay.executableAt);
      for (const c of [flag, age, grace, dev, delay]) await policy.executeRuleChange(c.changeId);
      const expected: [string, bigint][] = [
        ["DEBT_CEILING", MAX96],
        ["BORROWER_CAP", MAX96],
        ["CONCENTRATION_FLOOR", MAX96],
        ["DAILY_ORIGINATION_LIMIT", MAX96],
        ["CONCENTRATION_CAP", BigInt(GLOBAL.concentrationCapBps)],
        ["ATTESTATION_REQUIRED", 1n],
        ["MAX_SCORE_AGE", 2n ** 32n - 1n],
        ["LIQUIDATION_GRACE_PERIOD", 2n ** 32n - 1n],
        ["MAX_PRICE_DEVIATION", 10_000n],
        ["TIMELOCK_DELAY", 30n * DAY],
      ];
      for (const [id, v] of expected) expect(await policy.ruleValue(rule(id))).to.equal(v);
    });

    it("keeps terms within caps at schedule (both sides of the cap)", async () => {
      const { policy, governance } = await loadFixture(base);
      const cases: [string, string][] = [
        ["TIER_APR", "TIER_CAP_APR"],
        ["TIER_MAX_LTV", "TIER_CAP_MAX_LTV"],
        ["TIER_CREDIT_LIMIT", "TIER_CAP_CREDIT_LIMIT"],
      ];
      for (const [termRule, capRule] of cases) {
        const capValue = BigInt(await policy.ruleValue(rule(capRule, 0)));
        await expect(policy.connect(governance).scheduleRuleChange(rule(termRule, 0), capValue + 1n))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
          .withArgs(rule(capRule, 0), capValue, capValue + 1n);
      }
      await expect(policy.connect(governance).scheduleRuleChange(rule("TIER_APR", 0), CAPS[0].aprBps)).to.emit(
        policy,
        "RuleChangeScheduled",
      );
      await expect(
        policy.connect(governance).scheduleRuleChange(rule("TIER_CREDIT_LIMIT", 0), CAPS[0].creditLimitWad),
      ).to.emit(policy, "RuleChangeScheduled");
      await expect(policy.connect(governance).scheduleRuleChange(rule("TIER_LIQUIDATION_THRESHOLD", 1), 8501))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CAP_LIQUIDATION_THRESHOLD", 1), 8500, 8501);
    });

    it("re-checks caps at execute, and bounds the effective term by a lowered cap", async () => {
      const { policy, governance, regulator } = await loadFixture(base);
      const term = await schedule(policy, governance, rule("TIER_APR", 0), 900n); // cap 1000: fine now
      const cap = await schedule(policy, regulator, rule("TIER_CAP_APR", 0), 400n); // below the current term 500
      await time.increaseTo(cap.executableAt);
      await policy.executeRuleChange(cap.changeId);
      expect((await policy.termsOf(0)).aprBps).to.equal(400); // min(term 500, cap 400)
      expect(await policy.ruleValue(rule("TIER_APR", 0))).to.equal(500); // the term itself is kept
      await expect(policy.executeRuleChange(term.changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CAP_APR", 0), 400, 900);
    });

    it("keeps LTV below the liquidation threshold, the threshold at most 100%, and PD bounds in order", async () => {
      const { policy, governance, regulator } = await loadFixture(base);
      const g = policy.connect(governance);
      await expect(g.scheduleRuleChange(rule("TIER_MAX_LTV", 3), 5999)).to.emit(policy, "RuleChangeScheduled");
      // 6000 is within tier 3's cap (6000) but not below its liquidation threshold (6000).
      await expect(g.scheduleRuleChange(rule("TIER_MAX_LTV", 3), 6000))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_MAX_LTV", 3), 5999, 6000);
      await expect(g.scheduleRuleChange(rule("TIER_LIQUIDATION_THRESHOLD", 3), 5000))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_LIQUIDATION_THRESHOLD", 3), 5001, 5000);
      await expect(g.scheduleRuleChange(rule("TIER_LIQUIDATION_THRESHOLD", 3), 10_001))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_LIQUIDATION_THRESHOLD", 3), 10_000, 10_001);
      await expect(g.scheduleRuleChange(rule("TIER_MAX_PD", 1), 200))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_MAX_PD", 1), 201, 200);
      await expect(g.scheduleRuleChange(rule("TIER_MAX_PD", 1), 1000))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_MAX_PD", 1), 999, 1000);
      await expect(g.scheduleRuleChange(rule("TIER_MAX_PD", 1), 201)).to.emit(policy, "RuleChangeScheduled");
      await expect(g.scheduleRuleChange(rule("TIER_MAX_PD", 1), 999)).to.emit(policy, "RuleChangeScheduled");
      const r = policy.connect(regulator);
      await expect(r.scheduleRuleChange(rule("TIER_CAP_MAX_LTV", 0), 9000))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CAP_MAX_LTV", 0), 8999, 9000);
      await expect(r.scheduleRuleChange(rule("TIER_CAP_LIQUIDATION_THRESHOLD", 0), 8500))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CAP_LIQUIDATION_THRESHOLD", 0), 8501, 8500);
      await expect(r.scheduleRuleChange(rule("TIER_CAP_LIQUIDATION_THRESHOLD", 0), 10_001))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CAP_LIQUIDATION_THRESHOLD", 0), 10_000, 10_001);
    });

    it("applies a new timelock delay to changes scheduled after it", async () => {
      const { policy, regulator } = await loadFixture(base);
      const c = await schedule(policy, regulator, rule("TIMELOCK_DELAY"), 3600n);
      await time.increaseTo(c.executableAt);
      await policy.executeRuleChange(c.changeId);
      const next = await schedule(policy, regulator, rule("MAX_SCORE_AGE"), 1n);
      expect(next.executableAt).to.equal(BigInt(await time.latest()) + 3600n);
    });
  });

  describe("circuit breaker", () => {
    it("pauses by regulator or guardian only, unpauses by the regulator only", async () => {
      const { policy, governance, regulator, guardian, attester, outsider } = await loadFixture(base);
      for (const s of [governance, attester, outsider]) {
        await expect(policy.connect(s).pause())
          .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
          .withArgs(s.address, roleId(ethers, "GUARDIAN"));
      }
      await expect(policy.connect(regulator).unpause()).to.be.revertedWithCustomError(policy, "SupervisionNotPaused");
      await expect(policy.connect(guardian).pause())
        .to.emit(policy, "CircuitBreakerTripped")
        .withArgs(rule("MANUAL"), guardian.address, 0);
      expect(await policy.paused()).to.equal(true);
      for (const s of [governance, guardian, attester, outsider]) {
        await expect(policy.connect(s).unpause())
          .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
          .withArgs(s.address, roleId(ethers, "REGULATOR"));
      }
      const next = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(next);
      await expect(policy.connect(regulator).unpause())
        .to.emit(policy, "CircuitBreakerReset")
        .withArgs(regulator.address, next + BigInt(GLOBAL.liquidationGracePeriodSec));
      await expect(policy.connect(regulator).pause())
        .to.emit(policy, "CircuitBreakerTripped")
        .withArgs(rule("MANUAL"), regulator.address, 0);
    });

    it("blocks liquidations while paused and for the grace period after, then allows them", async () => {
      const { policy, regulator, guardian } = await loadFixture(base);
      await policy.requireLiquidationsAllowed();
      await policy.connect(guardian).pause();
      await expect(policy.requireLiquidationsAllowed()).to.be.revertedWithCustomError(policy, "SupervisionPaused");
      await expect(policy.termsForWithdrawal(0)).to.be.revertedWithCustomError(policy, "SupervisionPaused");
      await expect(policy.termsForLiquidation(0)).to.be.revertedWithCustomError(policy, "SupervisionPaused");
      await policy.connect(regulator).unpause();
      const resumesAt = BigInt(await time.latest()) + BigInt(GLOBAL.liquidationGracePeriodSec);
      expect((await policy.breakerState()).liquidationsResumeAt).to.equal(resumesAt);
      await time.setNextBlockTimestamp(resumesAt - 1n);
      await networkHelpers.mine();
      await expect(policy.termsForLiquidation(0))
        .to.be.revertedWithCustomError(policy, "SupervisionLiquidationGracePeriod")
        .withArgs(resumesAt, resumesAt - 1n);
      await policy.termsForWithdrawal(0); // withdrawals are not held back by the grace period
      await networkHelpers.mine();
      await policy.requireLiquidationsAllowed();
      expect((await policy.termsForLiquidation(0)).liquidationThresholdBps).to.equal(TERMS[0].liquidationThresholdBps);
    });

    it("has no automatic trip: pausing is the guardian's and the regulator's alone (a bad price freezes an asset instead)", async () => {
      const { policy, carol, guardian, regulator, outsider } = await loadFixture(base);
      expect(
        policy.interface.fragments.some(
          (f) => f.type === "function" && (f as { name?: string }).name === "tripCircuitBreaker",
        ),
      ).to.equal(false);
      for (const who of [carol, outsider]) {
        await expect(policy.connect(who).pause())
          .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, roleId(ethers, "GUARDIAN"));
      }
      await expect(policy.connect(regulator).pause())
        .to.emit(policy, "CircuitBreakerTripped")
        .withArgs(rule("MANUAL"), regulator.address, 0);
      await expect(policy.connect(guardian).pause())
        .to.emit(policy, "CircuitBreakerTripped")
        .withArgs(rule("MANUAL"), guardian.address, 0);
    });

    it("makes the pool role granted by the regulator only", async () => {
      const { policy, governance, outsider } = await loadFixture(base);
      await expect(policy.connect(governance).grantRole(roleId(ethers, "POOL"), outsider.address))
        .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
        .withArgs(governance.address, roleId(ethers, "REGULATOR"));
      await expect(policy.connect(governance).grantRole(roleId(ethers, "REGULATOR"), governance.address))
        .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
        .withArgs(governance.address, roleId(ethers, "REGULATOR"));
    });
  });

  describe("attestations", () => {
    it("are set by the attester only and expire", async () => {
      const { policy, attester, governance, alice } = await loadFixture(base);
      const expiresAt = BigInt(await time.latest()) + 100n;
      await expect(policy.connect(governance).setAttestation(alice.address, expiresAt, ethers.ZeroHash))
        .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
        .withArgs(governance.address, roleId(ethers, "ATTESTER"));
      await expect(policy.connect(attester).setAttestation(alice.address, expiresAt, ethers.id("kyc")))
        .to.emit(policy, "AttestationSet")
        .withArgs(alice.address, expiresAt, ethers.id("kyc"));
      expect(await policy.isEligible(alice.address)).to.equal(true);
      await time.increaseTo(expiresAt);
      expect(await policy.isEligible(alice.address)).to.equal(false);
    });

    it("are required for borrowing when the rule says so: absent, expired, present", async () => {
      const { policy, attester, carol } = await loadFixture(withAttestation);
      const borrower = (await req()).borrower;
      const next = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(next);
      await expect(policy.connect(carol).authorizeBorrow(await req()))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("ELIGIBILITY"), 0, next);
      const expiresAt = BigInt(await time.latest()) + 10n;
      await policy.connect(attester).setAttestation(borrower, expiresAt, ethers.ZeroHash);
      await policy.connect(carol).authorizeBorrow(await req());
      await time.setNextBlockTimestamp(expiresAt);
      await expect(policy.connect(carol).authorizeBorrow(await req()))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("ELIGIBILITY"), expiresAt, expiresAt);
      await policy.connect(attester).setAttestation(borrower, 0, ethers.ZeroHash); // revoked
      expect(await policy.isEligible(borrower)).to.equal(false);
    });

    it("are not needed when the rule is off", async () => {
      const { policy, carol } = await loadFixture(base);
      await policy.connect(carol).authorizeBorrow(await req());
    });
  });

  describe("authorizeBorrow", () => {
    it("is for the pool only and not while paused", async () => {
      const { policy, outsider, guardian, carol } = await loadFixture(base);
      await expect(policy.connect(outsider).authorizeBorrow(await req()))
        .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, roleId(ethers, "POOL"));
      await policy.connect(guardian).pause();
      await expect(policy.connect(carol).authorizeBorrow(await req())).to.be.revertedWithCustomError(
        policy,
        "SupervisionPaused",
      );
    });

    it("resolves the tier from the score, falls back to the conservative tier, declines above the threshold", async () => {
      const { policy, carol } = await loadFixture(base);
      const p = policy.connect(carol);
      let r = await p.authorizeBorrow.staticCall(await req({ pdBps: 300 }));
      expect([Number(r.tier), r.scored, Number(r.terms.aprBps)]).to.deep.equal([1, true, TERMS[1].aprBps]);
      r = await p.authorizeBorrow.staticCall(await req({ scoreValid: false }));
      expect([Number(r.tier), r.scored]).to.deep.equal([3, false]);
      const old = BigInt(await time.latest()) - BigInt(GLOBAL.maxScoreAgeSec) - 1n;
      r = await p.authorizeBorrow.staticCall(await req({ scoreIssuedAt: old, pdBps: 5000 }));
      expect([Number(r.tier), r.scored]).to.deep.equal([3, false]);
      // Posted PULL_REPORT_MAX_AGE after its issue: a score; one second later: a held-back bundle, none.
      const issued = BigInt(await time.latest()) - 1000n;
      const delay = BigInt(GLOBAL.pullReportMaxAgeSec);
      r = await p.authorizeBorrow.staticCall(
        await req({ pdBps: 300, scoreIssuedAt: issued, scorePostedAt: issued + delay }),
      );
      expect([Number(r.tier), r.scored]).to.deep.equal([1, true]);
      r = await p.authorizeBorrow.staticCall(
        await req({ pdBps: 300, scoreIssuedAt: issued, scorePostedAt: issued + delay + 1n }),
      );
      expect([Number(r.tier), r.scored]).to.deep.equal([3, false]);
      await expect(p.authorizeBorrow(await req({ pdBps: 2001 })))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("CREDIT_DECLINED"), 2000, 2001);
      await p.authorizeBorrow(await req({ pdBps: 2000 }));
    });

    it("enforces the tier's credit limit and LTV on both sides", async () => {
      const { policy, carol } = await loadFixture(base);
      const p = policy.connect(carol);
      const limit = TERMS[3].creditLimitWad;
      const unscored = { scoreValid: false, collateralValueWad: 10n ** 30n };
      await p.authorizeBorrow(await req({ ...unscored, borrowerDebtAfterWad: limit }));
      await expect(p.authorizeBorrow(await req({ ...unscored, borrowerDebtAfterWad: limit + 1n })))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_CREDIT_LIMIT", 3), limit, limit + 1n);
      // Tier 0, LTV 80%: 1000 of collateral carries 800 of debt.
      const c = { collateralValueWad: 1000n * WAD };
      await p.authorizeBorrow(await req({ ...c, borrowerDebtAfterWad: 800n * WAD }));
      await expect(p.authorizeBorrow(await req({ ...c, borrowerDebtAfterWad: 800n * WAD + 1n })))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("TIER_LTV"), 800n * WAD, 800n * WAD + 1n);
    });

    it("enforces the borrower cap and the debt ceiling on both sides", async () => {
      const { policy, carol } = await loadFixture(tightLimits);
      const p = policy.connect(carol);
      const cap = 300_000n * WAD;
      await p.authorizeBorrow.staticCall(await req({ borrowerDebtAfterWad: cap }));
      await expect(p.authorizeBorrow(await req({ borrowerDebtAfterWad: cap + 1n })))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("BORROWER_CAP"), cap, cap + 1n);
      const ceiling = 500_000n * WAD;
      await p.authorizeBorrow.staticCall(await req({ totalPrincipalAfterWad: ceiling }));
      await expect(p.authorizeBorrow(await req({ totalPrincipalAfterWad: ceiling + 1n })))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("DEBT_CEILING"), ceiling, ceiling + 1n);
    });

    it("enforces concentration only from the floor, on both sides of the cap", async () => {
      const { policy, carol } = await loadFixture(base);
      const p = policy.connect(carol);
      const floor = GLOBAL.concentrationFloorWad;
      // Below the floor a borrower may hold all of it.
      await p.authorizeBorrow.staticCall(
        await req({ totalPrincipalAfterWad: floor - 1n, borrowerPrincipalAfterWad: floor - 1n }),
      );
      // At the floor: 25% allowed, a wei more is not (actual rounded up to 2501 bps).
      await p.authorizeBorrow.staticCall(
        await req({ totalPrincipalAfterWad: floor, borrowerPrincipalAfterWad: floor / 4n }),
      );
      await expect(
        p.authorizeBorrow(await req({ totalPrincipalAfterWad: floor, borrowerPrincipalAfterWad: floor / 4n + 1n })),
      )
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("CONCENTRATION_CAP"), 2500, 2501);
    });

    it("enforces the daily origination limit on net new principal and resets its baseline at the UTC day boundary", async () => {
      const { policy, carol } = await loadFixture(tightLimits);
      const p = policy.connect(carol);
      // `total` is the pool's total principal after each borrow; 5,000 was outstanding before the day.
      const borrow = (amount: bigint, total: bigint) => req({ amountWad: amount, totalPrincipalAfterWad: total });
      const now = BigInt(await time.latest());
      const nextDay = (now / DAY + 1n) * DAY;
      await time.setNextBlockTimestamp(nextDay - 10n);
      await p.authorizeBorrow(await borrow(600n * WAD, 5_600n * WAD));
      await time.setNextBlockTimestamp(nextDay - 5n);
      await p.authorizeBorrow(await borrow(400n * WAD, 6_000n * WAD));
      const o = await policy.originationOf();
      expect([o.day, o.dayStartPrincipalWad]).to.deep.equal([nextDay / DAY - 1n, 5_000n * WAD]);
      await time.setNextBlockTimestamp(nextDay - 4n);
      await expect(p.authorizeBorrow(await borrow(1n, 6_000n * WAD + 1n)))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("DAILY_ORIGINATION_LIMIT"), 1000n * WAD, 1000n * WAD + 1n);
      // 300 was repaid since (the total fell to 5,700): 300 of room again, not a wei more.
      await time.setNextBlockTimestamp(nextDay - 3n);
      await expect(p.authorizeBorrow(await borrow(300n * WAD + 1n, 6_000n * WAD + 1n)))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("DAILY_ORIGINATION_LIMIT"), 1000n * WAD, 1000n * WAD + 1n);
      await p.authorizeBorrow(await borrow(300n * WAD, 6_000n * WAD));
      // A new day: the baseline is the total before its first borrow, and the whole limit is free again.
      await time.setNextBlockTimestamp(nextDay);
      await p.authorizeBorrow(await borrow(1000n * WAD, 7_000n * WAD));
      expect(await policy.originationOf()).to.deep.equal([nextDay / DAY, 6_000n * WAD]);
      await expect(p.authorizeBorrow(await borrow(1n, 7_000n * WAD + 1n)))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("DAILY_ORIGINATION_LIMIT"), 1000n * WAD, 1000n * WAD + 1n);
      // Below the baseline (more repaid than borrowed today): nothing counts as originated.
      await p.authorizeBorrow(await borrow(1000n * WAD, 5_000n * WAD));
    });
  });

  describe("score oracle link (the oracle's copy of the approval threshold)", () => {
    async function withOracle() {
      const f = await base();
      const oracle = await ethers.deployContract("CreditScoreOracle", [f.governance.address, f.regulator.address]);
      return { ...f, oracle, oracleAddress: await oracle.getAddress(), policyAddress: await f.policy.getAddress() };
    }
    async function linked() {
      const f = await withOracle();
      await f.policy.connect(f.regulator).setScoreOracle(f.oracleAddress);
      await f.oracle.connect(f.governance).setPolicy(f.policyAddress);
      return f;
    }
    async function run(f: Awaited<ReturnType<typeof withOracle>>, signer: any, id: string, v: bigint) {
      const c = await schedule(f.policy, signer, id, v);
      await time.increaseTo(c.executableAt);
      return f.policy.executeRuleChange(c.changeId);
    }

    it("setScoreOracle: only the regulator, once, never to an account without code", async () => {
      const { policy, oracleAddress, governance, regulator, guardian, outsider } = await loadFixture(withOracle);
      expect(await policy.scoreOracle()).to.equal(ethers.ZeroAddress);
      for (const caller of [governance, guardian, outsider]) {
        await expect(policy.connect(caller).setScoreOracle(oracleAddress))
          .to.be.revertedWithCustomError(policy, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, roleId(ethers, "REGULATOR"));
      }
      await expect(policy.connect(regulator).setScoreOracle(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(policy, "SupervisionZeroAddress")
        .withArgs(rule("SCORE_ORACLE"));
      await expect(policy.connect(regulator).setScoreOracle(outsider.address))
        .to.be.revertedWithCustomError(policy, "SupervisionZeroAddress")
        .withArgs(rule("SCORE_ORACLE"));
      await expect(policy.connect(regulator).setScoreOracle(oracleAddress))
        .to.emit(policy, "ScoreOracleLinked")
        .withArgs(oracleAddress);
      expect(await policy.scoreOracle()).to.equal(oracleAddress);
      const another = await ethers.deployContract("CreditScoreOracle", [governance.address, regulator.address]);
      for (const target of [await another.getAddress(), oracleAddress]) {
        await expect(policy.connect(regulator).setScoreOracle(target))
          .to.be.revertedWithCustomError(policy, "SupervisionScoreOracleAlreadyLinked")
          .withArgs(oracleAddress);
      }
    });

    it("the oracle accepts the policy only after the link, and then copies its threshold", async () => {
      const { policy, policyAddress, oracle, oracleAddress, governance, regulator } = await loadFixture(withOracle);
      await expect(oracle.connect(governance).setPolicy(policyAddress))
        .to.be.revertedWithCustomError(oracle, "OraclePolicyNotLinked")
        .withArgs(policyAddress, ethers.ZeroAddress);
      await policy.connect(regulator).setScoreOracle(oracleAddress);
      await expect(oracle.connect(governance).setPolicy(policyAddress))
        .to.emit(oracle, "ApprovalThresholdSynced")
        .withArgs(policyAddress, 0, 2000);
      expect(await oracle.approvalThresholdBps()).to.equal(await policy.approvalThresholdBps());
      // A policy linked to another oracle is refused by this one.
      const second = await ethers.deployContract("SupervisionPolicy", [policyConfig(await actors(ethers))]);
      const secondAddress = await second.getAddress();
      const otherOracle = await ethers.deployContract("CreditScoreOracle", [governance.address, regulator.address]);
      await second.connect(regulator).setScoreOracle(await otherOracle.getAddress());
      await expect(oracle.connect(governance).setPolicy(secondAddress))
        .to.be.revertedWithCustomError(oracle, "OraclePolicyNotLinked")
        .withArgs(secondAddress, await otherOracle.getAddress());
    });

    it("pushes the last tier's TIER_MAX_PD to the oracle in the executing transaction, up and down", async () => {
      const f = await loadFixture(linked);
      const tx = await run(f, f.governance, rule("TIER_MAX_PD", 3), 2500n);
      await expect(tx).to.emit(f.policy, "RuleChanged").withArgs(anyValue, rule("TIER_MAX_PD", 3), 2000, 2500);
      await expect(tx).to.emit(f.oracle, "ApprovalThresholdSynced").withArgs(f.policyAddress, 2000, 2500);
      expect(await f.oracle.approvalThresholdBps()).to.equal(2500);
      expect(await f.policy.approvalThresholdBps()).to.equal(2500);
      await expect(run(f, f.governance, rule("TIER_MAX_PD", 3), 1800n))
        .to.emit(f.oracle, "ApprovalThresholdSynced")
        .withArgs(f.policyAddress, 2500, 1800);
      expect(await f.oracle.approvalThresholdBps()).to.equal(1800);
    });

    it("leaves the copy alone (no sync) for other tiers' TIER_MAX_PD and the last tier's other terms and caps", async () => {
      const f = await loadFixture(linked);
      for (const [signer, id, v] of [
        [f.governance, rule("TIER_MAX_PD", 2), 1500n],
        [f.governance, rule("TIER_MAX_PD", 0), 100n],
        [f.governance, rule("TIER_APR", 3), 2000n],
        [f.regulator, rule("TIER_CAP_APR", 3), 3000n],
        [f.regulator, rule("MAX_SCORE_AGE"), 86_400n],
      ] as const) {
        const tx = await run(f, signer, id, v);
        await expect(tx).not.to.emit(f.oracle, "ApprovalThresholdSynced");
        expect(await f.oracle.approvalThresholdBps()).to.equal(2000);
      }
    });

    it("skips the push while the oracle uses no policy or another one; setPolicy re-reads the current value", async () => {
      const f = await loadFixture(withOracle);
      // Linked on the policy's side only (the deployment's first step): the rule still changes.
      await f.policy.connect(f.regulator).setScoreOracle(f.oracleAddress);
      await expect(run(f, f.governance, rule("TIER_MAX_PD", 3), 2500n)).not.to.emit(
        f.oracle,
        "ApprovalThresholdSynced",
      );
      await f.oracle.connect(f.governance).setPolicy(f.policyAddress);
      expect(await f.oracle.approvalThresholdBps()).to.equal(2500);
      // The oracle is pointed away (no policy): the policy's changes still execute, and the copy stays cleared.
      await f.oracle.connect(f.governance).setPolicy(ethers.ZeroAddress);
      await expect(run(f, f.governance, rule("TIER_MAX_PD", 3), 2200n)).not.to.emit(
        f.oracle,
        "ApprovalThresholdSynced",
      );
      expect(await f.oracle.approvalThresholdBps()).to.equal(0);
      await expect(f.oracle.connect(f.governance).setPolicy(f.policyAddress))
        .to.emit(f.oracle, "ApprovalThresholdSynced")
        .withArgs(f.policyAddress, 0, 2200);
    });
  });

  describe("derived values (effective terms, approval threshold)", () => {
    it("moves the approval threshold with the last tier's TIER_MAX_PD, and only with it", async () => {
      const { policy, governance, carol } = await loadFixture(base);
      // Tier 2 (not the last): its PD bound moves, the threshold does not.
      const mid = await schedule(policy, governance, rule("TIER_MAX_PD", 2), 1500n);
      await time.increaseTo(mid.executableAt);
      await policy.executeRuleChange(mid.changeId);
      expect(await policy.approvalThresholdBps()).to.equal(2000);
      expect(await policy.tierOf(1500)).to.deep.equal([2n, false]);
      expect(await policy.tierOf(1501)).to.deep.equal([3n, false]);
      // Tier 3 (the last): the threshold is the new bound, on both sides of it.
      const last = await schedule(policy, governance, rule("TIER_MAX_PD", 3), 2500n);
      await time.increaseTo(last.executableAt);
      await policy.executeRuleChange(last.changeId);
      expect(await policy.approvalThresholdBps()).to.equal(2500);
      expect(await policy.ruleValue(rule("TIER_MAX_PD", 3))).to.equal(2500);
      expect(await policy.tierOf(2500)).to.deep.equal([3n, false]);
      expect(await policy.tierOf(2501)).to.deep.equal([3n, true]);
      await policy.connect(carol).authorizeBorrow(await req({ pdBps: 2500 }));
      await expect(policy.connect(carol).authorizeBorrow(await req({ pdBps: 2501 })))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(rule("CREDIT_DECLINED"), 2500, 2501);
      // Lowering it again (the oracle's adverse-action line follows the rulebook both ways).
      const lower = await schedule(policy, governance, rule("TIER_MAX_PD", 3), 1800n);
      await time.increaseTo(lower.executableAt);
      await policy.executeRuleChange(lower.changeId);
      expect(await policy.approvalThresholdBps()).to.equal(1800);
    });

    it("keeps the threshold through borrows, pauses and unpauses (it shares their slot)", async () => {
      const { policy, carol, regulator, guardian } = await loadFixture(base);
      await policy.connect(carol).authorizeBorrow(await req());
      await policy.connect(guardian).pause();
      expect(await policy.approvalThresholdBps()).to.equal(2000);
      await policy.connect(regulator).unpause();
      await policy.connect(carol).authorizeBorrow(await req());
      expect(await policy.approvalThresholdBps()).to.equal(2000);
      expect(await policy.paused()).to.equal(false);
      expect((await policy.originationOf()).dayStartPrincipalWad).to.equal(0); // req(): 100 borrowed, 100 in total
    });

    it("bounds each effective term by its cap, on both sides, whichever of the two changes", async () => {
      const { policy, governance, regulator } = await loadFixture(base);
      const run = async (signer: any, id: string, v: bigint) => {
        const c = await schedule(policy, signer, id, v);
        await time.increaseTo(c.executableAt);
        await policy.executeRuleChange(c.changeId);
      };
      // Tier 1: terms LTV 7000 / LT 7800 / APR 900 / limit 500k; caps 8000 / 8500 / 1500 / 1M.
      await run(regulator, rule("TIER_CAP_APR", 1), 899n); // cap below the term: the cap applies
      expect((await policy.termsOf(1)).aprBps).to.equal(899);
      await run(regulator, rule("TIER_CAP_APR", 1), 900n); // cap equal to the term
      expect((await policy.termsOf(1)).aprBps).to.equal(900);
      await run(governance, rule("TIER_APR", 1), 850n); // the term moves under the cap
      expect((await policy.termsOf(1)).aprBps).to.equal(850);
      await run(regulator, rule("TIER_CAP_CREDIT_LIMIT", 1), 400_000n * WAD);
      expect((await policy.termsOf(1)).creditLimitWad).to.equal(400_000n * WAD);
      await run(regulator, rule("TIER_CAP_CREDIT_LIMIT", 1), 600_000n * WAD); // above the term again
      expect((await policy.termsOf(1)).creditLimitWad).to.equal(TERMS[1].creditLimitWad);
      await run(regulator, rule("TIER_CAP_MAX_LTV", 1), 6900n);
      await run(regulator, rule("TIER_CAP_LIQUIDATION_THRESHOLD", 1), 7700n);
      let t = await policy.termsOf(1);
      expect([t.maxLtvBps, t.liquidationThresholdBps]).to.deep.equal([6900n, 7700n]);
      await run(governance, rule("TIER_MAX_LTV", 1), 6500n);
      t = await policy.termsOf(1);
      expect([t.maxLtvBps, t.liquidationThresholdBps]).to.deep.equal([6500n, 7700n]);
      // Other tiers are untouched, and global rule changes leave the tiers alone.
      await run(regulator, rule("DEBT_CEILING"), 1n);
      const t0 = await policy.termsOf(0);
      expect([t0.maxPdBps, t0.maxLtvBps, t0.liquidationThresholdBps, t0.aprBps, t0.creditLimitWad]).to.deep.equal([
        BigInt(TERMS[0].maxPdBps),
        BigInt(TERMS[0].maxLtvBps),
        BigInt(TERMS[0].liquidationThresholdBps),
        BigInt(TERMS[0].aprBps),
        TERMS[0].creditLimitWad,
      ]);
    });

    it("serves termsOf for every tier and reverts (Panic 0x32) from the tier count on", async () => {
      const { policy } = await loadFixture(base);
      for (let t = 0; t < 4; t++) expect((await policy.termsOf(t)).maxPdBps).to.equal(TERMS[t]!.maxPdBps);
      await expect(policy.termsOf(4)).to.be.revertedWithPanic(0x32);
      await expect(policy.termsOf(16)).to.be.revertedWithPanic(0x32);
      await expect(policy.termsOf(255)).to.be.revertedWithPanic(0x32);
    });
  });
});
