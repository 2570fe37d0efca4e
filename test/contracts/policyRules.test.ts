// Every schedulable rule of the rulebook through the timelock: schedule (event with old value, new value and
// executable time), not executable at delay - 1, executed at delay (event, value read back through `ruleValue`
// and the struct views), the wrong role refused, cancellation by the scheduling role only, and each rule's
// validation on both sides of its bound, at schedule and again at execute.
import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import { ruleId, tierRuleId, type RuleName } from "../../oracle/src/protocol/rules.js";
import { CAPS, DAY, GLOBAL, TERMS, WAD, actors, deployPolicy, policyConfig } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DELAY = BigInt(GLOBAL.timelockDelaySec);
const U128_MAX = 2n ** 128n - 1n;
const U32_MAX = 2n ** 32n - 1n;
/** A large wad limit (one billion vUSD) that fits however the policy packs its wad limits. */
const HUGE_WAD = 10n ** 9n * WAD;
const TIERS = [0, 1, 2, 3] as const;

async function base() {
  return deployPolicy(ethers);
}

type Signer = Awaited<ReturnType<typeof actors>>["governance"];
type Policy = Awaited<ReturnType<typeof base>>["policy"];

/** Schedules at a known timestamp and returns the change id and executable time read from the event. */
async function schedule(policy: Policy, signer: Signer, id: string, value: bigint) {
  const receipt = await (await policy.connect(signer).scheduleRuleChange(id, value)).wait();
  const log = receipt!.logs.map((l) => policy.interface.parseLog(l)).find((l) => l?.name === "RuleChangeScheduled")!;
  return { changeId: log.args.changeId as string, executableAt: log.args.executableAt as bigint };
}

/** Schedules `id` = `value` and executes it at exactly its executable time. */
async function enact(policy: Policy, signer: Signer, id: string, value: bigint) {
  const c = await schedule(policy, signer, id, value);
  await time.setNextBlockTimestamp(c.executableAt);
  await policy.executeRuleChange(c.changeId);
  return c;
}

/** The full timelock round trip for one rule: events, both sides of the delay, read-back, role checks. */
async function roundTrip(
  f: Awaited<ReturnType<typeof base>>,
  id: string,
  owner: Signer,
  others: Signer[],
  oldValue: bigint,
  newValue: bigint,
) {
  const { policy, outsider } = f;
  expect(await policy.ruleValue(id)).to.equal(oldValue);
  for (const who of others) {
    await expect(policy.connect(who).scheduleRuleChange(id, newValue))
      .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
      .withArgs(id, who.address);
  }

  const scheduledAt = BigInt(await time.latest()) + 10n;
  await time.setNextBlockTimestamp(scheduledAt);
  const tx = policy.connect(owner).scheduleRuleChange(id, newValue);
  await expect(tx)
    .to.emit(policy, "RuleChangeScheduled")
    .withArgs(anyValue, id, oldValue, newValue, scheduledAt + DELAY);
  const { changeId, executableAt } = await schedule(policy, owner, id, newValue);
  const pending = await policy.pendingChange(changeId);
  expect([pending.rule, pending.newValue, pending.executableAt]).to.deep.equal([id, newValue, executableAt]);

  // Only the scheduling role cancels; the cancelled change is gone.
  for (const who of others) {
    await expect(policy.connect(who).cancelRuleChange(changeId))
      .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
      .withArgs(id, who.address);
  }
  const first = (await (await tx).wait())!.logs.map((l) => policy.interface.parseLog(l))[0]!.args.changeId as string;
  await expect(policy.connect(owner).cancelRuleChange(first))
    .to.emit(policy, "RuleChangeCancelled")
    .withArgs(first, id);
  expect((await policy.pendingChange(first)).executableAt).to.equal(0);
  await expect(policy.connect(owner).cancelRuleChange(first))
    .to.be.revertedWithCustomError(policy, "SupervisionChangeUnknown")
    .withArgs(first);

  await time.setNextBlockTimestamp(executableAt - 1n);
  await expect(policy.connect(outsider).executeRuleChange(changeId))
    .to.be.revertedWithCustomError(policy, "SupervisionChangeNotReady")
    .withArgs(changeId, executableAt, executableAt - 1n);
  await time.setNextBlockTimestamp(executableAt);
  await expect(policy.connect(outsider).executeRuleChange(changeId))
    .to.emit(policy, "RuleChanged")
    .withArgs(changeId, id, oldValue, newValue);
  expect(await policy.ruleValue(id)).to.equal(newValue);
  await expect(policy.executeRuleChange(changeId))
    .to.be.revertedWithCustomError(policy, "SupervisionChangeUnknown")
    .withArgs(changeId);
}

const GLOBALS: [RuleName, bigint, bigint][] = [
  // rule, current value, a valid new value (the largest the rule can hold, or a huge one for wad limits, whose
  // storage width is an implementation choice)
  ["DEBT_CEILING", GLOBAL.debtCeilingWad, HUGE_WAD],
  ["BORROWER_CAP", GLOBAL.borrowerCapWad, HUGE_WAD],
  ["CONCENTRATION_CAP", BigInt(GLOBAL.concentrationCapBps), 10_000n],
  ["CONCENTRATION_FLOOR", GLOBAL.concentrationFloorWad, HUGE_WAD],
  ["DAILY_ORIGINATION_LIMIT", GLOBAL.dailyOriginationLimitWad, HUGE_WAD],
  ["MAX_SCORE_AGE", BigInt(GLOBAL.maxScoreAgeSec), U32_MAX],
  ["ATTESTATION_REQUIRED", 0n, 1n],
  ["MAX_PRICE_DEVIATION", BigInt(GLOBAL.maxPriceDeviationBps), 10_000n],
  ["LIQUIDATION_GRACE_PERIOD", BigInt(GLOBAL.liquidationGracePeriodSec), U32_MAX],
  ["TIMELOCK_DELAY", DELAY, 30n * DAY],
  ["PULL_REPORT_MAX_AGE", BigInt(GLOBAL.pullReportMaxAgeSec), 3600n],
  ["SCORE_NOTICE_PERIOD", BigInt(GLOBAL.scoreNoticePeriodSec), 90n * DAY],
  ["PRICE_SOURCE_TOLERANCE", 200n, 2_000n],
  ["FROZEN_LIQUIDATION_HEALTH", 9_500n, 5_000n],
];

const capValue = (t: number, name: RuleName) => {
  const c = CAPS[t]!;
  return {
    TIER_CAP_MAX_LTV: BigInt(c.maxLtvBps),
    TIER_CAP_LIQUIDATION_THRESHOLD: BigInt(c.liquidationThresholdBps),
    TIER_CAP_APR: BigInt(c.aprBps),
    TIER_CAP_CREDIT_LIMIT: c.creditLimitWad,
  }[name as string]!;
};
const termValue = (t: number, name: RuleName) => {
  const x = TERMS[t]!;
  return {
    TIER_MAX_PD: BigInt(x.maxPdBps),
    TIER_MAX_LTV: BigInt(x.maxLtvBps),
    TIER_LIQUIDATION_THRESHOLD: BigInt(x.liquidationThresholdBps),
    TIER_APR: BigInt(x.aprBps),
    TIER_CREDIT_LIMIT: x.creditLimitWad,
  }[name as string]!;
};

/** The largest valid new value of a cap: below the cap's threshold for LTV, 100% for the threshold. */
const capMax = (t: number, name: RuleName) =>
  ({
    TIER_CAP_MAX_LTV: BigInt(CAPS[t]!.liquidationThresholdBps) - 1n,
    TIER_CAP_LIQUIDATION_THRESHOLD: 10_000n,
    TIER_CAP_APR: 2n ** 16n - 1n,
    TIER_CAP_CREDIT_LIMIT: U128_MAX,
  })[name as string]!;

/** The largest valid new value of a term: the cap, or below the liquidation threshold, or below the next PD. */
const termMax = (t: number, name: RuleName) => {
  const x = TERMS[t]!;
  const c = CAPS[t]!;
  const min = (a: number, b: number) => BigInt(Math.min(a, b));
  return {
    TIER_MAX_PD: t + 1 < TERMS.length ? BigInt(TERMS[t + 1]!.maxPdBps) - 1n : 10_000n,
    TIER_MAX_LTV: min(c.maxLtvBps, x.liquidationThresholdBps - 1),
    TIER_LIQUIDATION_THRESHOLD: BigInt(c.liquidationThresholdBps),
    TIER_APR: BigInt(c.aprBps),
    TIER_CREDIT_LIMIT: c.creditLimitWad,
  }[name as string]!;
};

const CAP_NAMES: RuleName[] = [
  "TIER_CAP_MAX_LTV",
  "TIER_CAP_LIQUIDATION_THRESHOLD",
  "TIER_CAP_APR",
  "TIER_CAP_CREDIT_LIMIT",
];
const TERM_NAMES: RuleName[] = [
  "TIER_MAX_PD",
  "TIER_MAX_LTV",
  "TIER_LIQUIDATION_THRESHOLD",
  "TIER_APR",
  "TIER_CREDIT_LIMIT",
];

describe("SupervisionPolicy rules", () => {
  describe("global rules (regulator)", () => {
    for (const [name, oldValue, newValue] of GLOBALS) {
      it(`${name}: schedule, delay - 1, delay, read back; only the regulator`, async () => {
        const f = await loadFixture(base);
        await roundTrip(
          f,
          ruleId(name),
          f.regulator,
          [f.governance, f.guardian, f.attester, f.outsider],
          oldValue,
          newValue,
        );
      });
    }

    it("applies a changed flag and grace period to the paths that read them", async () => {
      const f = await loadFixture(base);
      await enact(f.policy, f.regulator, ruleId("ATTESTATION_REQUIRED"), 1n);
      expect(await f.policy.ruleValue(ruleId("ATTESTATION_REQUIRED"))).to.equal(1);
      await enact(f.policy, f.regulator, ruleId("ATTESTATION_REQUIRED"), 0n);
      expect(await f.policy.ruleValue(ruleId("ATTESTATION_REQUIRED"))).to.equal(0);
      await enact(f.policy, f.regulator, ruleId("LIQUIDATION_GRACE_PERIOD"), 7n);
      await f.policy.connect(f.guardian).pause();
      const resumesAt = BigInt(await time.latest()) + 1n + 7n;
      await expect(f.policy.connect(f.regulator).unpause())
        .to.emit(f.policy, "CircuitBreakerReset")
        .withArgs(f.regulator.address, resumesAt);
    });

    it("accepts each bound and rejects one past it, at schedule (SupervisionInvalidValue)", async () => {
      const { policy, regulator } = await loadFixture(base);
      const valid: [RuleName, bigint][] = [
        ["CONCENTRATION_CAP", 0n],
        ["MAX_PRICE_DEVIATION", 1n],
        ["TIMELOCK_DELAY", 3600n],
        ["ATTESTATION_REQUIRED", 0n],
        ["DEBT_CEILING", 0n],
        ["MAX_SCORE_AGE", 0n],
        ["PULL_REPORT_MAX_AGE", 60n],
        ["PULL_REPORT_MAX_AGE", 3600n],
        ["SCORE_NOTICE_PERIOD", 0n],
        ["PRICE_SOURCE_TOLERANCE", 1n],
        ["PRICE_SOURCE_TOLERANCE", 2_000n],
        ["FROZEN_LIQUIDATION_HEALTH", 5_000n],
        ["FROZEN_LIQUIDATION_HEALTH", 10_000n],
      ];
      for (const [name, v] of valid) {
        await expect(policy.connect(regulator).scheduleRuleChange(ruleId(name), v)).to.emit(
          policy,
          "RuleChangeScheduled",
        );
      }
      const invalid: [RuleName, bigint][] = [
        ["DEBT_CEILING", U128_MAX + 1n],
        ["BORROWER_CAP", U128_MAX + 1n],
        ["CONCENTRATION_FLOOR", U128_MAX + 1n],
        ["DAILY_ORIGINATION_LIMIT", U128_MAX + 1n],
        ["CONCENTRATION_CAP", 10_001n],
        ["MAX_PRICE_DEVIATION", 0n],
        ["MAX_PRICE_DEVIATION", 10_001n],
        ["MAX_SCORE_AGE", U32_MAX + 1n],
        ["LIQUIDATION_GRACE_PERIOD", U32_MAX + 1n],
        ["TIMELOCK_DELAY", 3599n],
        ["TIMELOCK_DELAY", 30n * DAY + 1n],
        ["ATTESTATION_REQUIRED", 2n],
        ["PULL_REPORT_MAX_AGE", 59n],
        ["PULL_REPORT_MAX_AGE", 3601n],
        ["SCORE_NOTICE_PERIOD", 90n * DAY + 1n],
        ["PRICE_SOURCE_TOLERANCE", 0n],
        ["PRICE_SOURCE_TOLERANCE", 2_001n],
        ["FROZEN_LIQUIDATION_HEALTH", 4_999n],
        ["FROZEN_LIQUIDATION_HEALTH", 10_001n],
      ];
      for (const [name, v] of invalid) {
        await expect(policy.connect(regulator).scheduleRuleChange(ruleId(name), v))
          .to.be.revertedWithCustomError(policy, "SupervisionInvalidValue")
          .withArgs(ruleId(name), v);
      }
    });
  });

  describe("tier caps (regulator)", () => {
    for (const name of CAP_NAMES) {
      for (const t of TIERS) {
        it(`${name} tier ${t}: schedule, delay - 1, delay, read back in capsOf; only the regulator`, async () => {
          const f = await loadFixture(base);
          const id = tierRuleId(name, t);
          const v = capMax(t, name);
          await roundTrip(f, id, f.regulator, [f.governance, f.guardian, f.outsider], capValue(t, name), v);
          const caps = await f.policy.capsOf(t);
          const field = {
            TIER_CAP_MAX_LTV: caps.maxLtvBps,
            TIER_CAP_LIQUIDATION_THRESHOLD: caps.liquidationThresholdBps,
            TIER_CAP_APR: caps.aprBps,
            TIER_CAP_CREDIT_LIMIT: caps.creditLimitWad,
          }[name as string];
          expect(field).to.equal(v);
        });
      }
    }

    it("keeps each cap within what it can hold, on both sides (every tier)", async () => {
      const { policy, regulator } = await loadFixture(base);
      const r = policy.connect(regulator);
      for (const t of TIERS) {
        const c = CAPS[t]!;
        const ltv = tierRuleId("TIER_CAP_MAX_LTV", t);
        const lt = tierRuleId("TIER_CAP_LIQUIDATION_THRESHOLD", t);
        await expect(r.scheduleRuleChange(ltv, c.liquidationThresholdBps - 1)).to.emit(policy, "RuleChangeScheduled");
        await expect(r.scheduleRuleChange(ltv, c.liquidationThresholdBps))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
          .withArgs(ltv, c.liquidationThresholdBps - 1, c.liquidationThresholdBps);
        await expect(r.scheduleRuleChange(lt, c.maxLtvBps + 1)).to.emit(policy, "RuleChangeScheduled");
        await expect(r.scheduleRuleChange(lt, c.maxLtvBps))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
          .withArgs(lt, c.maxLtvBps + 1, c.maxLtvBps);
        await expect(r.scheduleRuleChange(lt, 10_001))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
          .withArgs(lt, 10_000, 10_001);
        await expect(r.scheduleRuleChange(tierRuleId("TIER_CAP_APR", t), 2n ** 16n))
          .to.be.revertedWithCustomError(policy, "SupervisionInvalidValue")
          .withArgs(tierRuleId("TIER_CAP_APR", t), 2n ** 16n);
        await expect(r.scheduleRuleChange(tierRuleId("TIER_CAP_CREDIT_LIMIT", t), U128_MAX + 1n))
          .to.be.revertedWithCustomError(policy, "SupervisionInvalidValue")
          .withArgs(tierRuleId("TIER_CAP_CREDIT_LIMIT", t), U128_MAX + 1n);
      }
    });

    it("re-checks LTV < threshold at execute when the other cap moved in between", async () => {
      const { policy, regulator } = await loadFixture(base);
      const ltv = tierRuleId("TIER_CAP_MAX_LTV", 0);
      const lt = tierRuleId("TIER_CAP_LIQUIDATION_THRESHOLD", 0);
      const raiseLtv = await schedule(policy, regulator, ltv, 8900n); // fine under today's threshold 9000
      const lowerLt = await schedule(policy, regulator, lt, 8600n); // fine over today's LTV 8500
      await time.increaseTo(lowerLt.executableAt);
      await policy.executeRuleChange(lowerLt.changeId);
      await expect(policy.executeRuleChange(raiseLtv.changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(ltv, 8599, 8900);
      // The failed execution left the change pending.
      expect((await policy.pendingChange(raiseLtv.changeId)).newValue).to.equal(8900);
    });
  });

  describe("tier terms (governance)", () => {
    for (const name of TERM_NAMES) {
      for (const t of TIERS) {
        it(`${name} tier ${t}: schedule, delay - 1, delay, read back in termsOf; only governance`, async () => {
          const f = await loadFixture(base);
          const id = tierRuleId(name, t);
          const v = termMax(t, name);
          await roundTrip(f, id, f.governance, [f.regulator, f.guardian, f.outsider], termValue(t, name), v);
          const terms = await f.policy.termsOf(t);
          const field = {
            TIER_MAX_PD: terms.maxPdBps,
            TIER_MAX_LTV: terms.maxLtvBps,
            TIER_LIQUIDATION_THRESHOLD: terms.liquidationThresholdBps,
            TIER_APR: terms.aprBps,
            TIER_CREDIT_LIMIT: terms.creditLimitWad,
          }[name as string];
          expect(field).to.equal(v);
        });
      }
    }

    it("keeps every term within its cap and LTV below the threshold, on both sides (every tier)", async () => {
      const { policy, governance } = await loadFixture(base);
      const g = policy.connect(governance);
      const violated = (id: string, limit: bigint | number, actual: bigint | number) =>
        [id, BigInt(limit), BigInt(actual)] as const;
      for (const t of TIERS) {
        const x = TERMS[t]!;
        const c = CAPS[t]!;
        const cases: [string, bigint, readonly [string, bigint, bigint]][] = [
          [
            tierRuleId("TIER_APR", t),
            BigInt(c.aprBps + 1),
            violated(tierRuleId("TIER_CAP_APR", t), c.aprBps, c.aprBps + 1),
          ],
          [
            tierRuleId("TIER_CREDIT_LIMIT", t),
            c.creditLimitWad + 1n,
            violated(tierRuleId("TIER_CAP_CREDIT_LIMIT", t), c.creditLimitWad, c.creditLimitWad + 1n),
          ],
          [
            tierRuleId("TIER_MAX_LTV", t),
            BigInt(c.maxLtvBps + 1),
            violated(tierRuleId("TIER_CAP_MAX_LTV", t), c.maxLtvBps, c.maxLtvBps + 1),
          ],
          [
            tierRuleId("TIER_MAX_LTV", t),
            BigInt(x.liquidationThresholdBps),
            violated(tierRuleId("TIER_MAX_LTV", t), x.liquidationThresholdBps - 1, x.liquidationThresholdBps),
          ],
          [
            tierRuleId("TIER_LIQUIDATION_THRESHOLD", t),
            BigInt(c.liquidationThresholdBps + 1),
            violated(
              tierRuleId("TIER_CAP_LIQUIDATION_THRESHOLD", t),
              c.liquidationThresholdBps,
              c.liquidationThresholdBps + 1,
            ),
          ],
          [
            tierRuleId("TIER_LIQUIDATION_THRESHOLD", t),
            BigInt(x.maxLtvBps),
            violated(tierRuleId("TIER_LIQUIDATION_THRESHOLD", t), x.maxLtvBps + 1, x.maxLtvBps),
          ],
          [
            tierRuleId("TIER_LIQUIDATION_THRESHOLD", t),
            10_001n,
            violated(tierRuleId("TIER_LIQUIDATION_THRESHOLD", t), 10_000, 10_001),
          ],
        ];
        for (const [id, v, args] of cases) {
          await expect(g.scheduleRuleChange(id, v))
            .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
            .withArgs(...args);
        }
        await expect(g.scheduleRuleChange(tierRuleId("TIER_MAX_LTV", t), termMax(t, "TIER_MAX_LTV"))).to.emit(
          policy,
          "RuleChangeScheduled",
        );
        await expect(g.scheduleRuleChange(tierRuleId("TIER_LIQUIDATION_THRESHOLD", t), x.maxLtvBps + 1)).to.emit(
          policy,
          "RuleChangeScheduled",
        );
      }
    });

    it("keeps PD bounds strictly increasing and within 100%, on both sides (every tier)", async () => {
      const { policy, governance } = await loadFixture(base);
      const g = policy.connect(governance);
      for (const t of TIERS) {
        const id = tierRuleId("TIER_MAX_PD", t);
        if (t > 0) {
          const prev = TERMS[t - 1]!.maxPdBps;
          await expect(g.scheduleRuleChange(id, prev))
            .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
            .withArgs(id, prev + 1, prev);
          await expect(g.scheduleRuleChange(id, prev + 1)).to.emit(policy, "RuleChangeScheduled");
        } else {
          await expect(g.scheduleRuleChange(id, 0)).to.emit(policy, "RuleChangeScheduled");
        }
        if (t + 1 < TERMS.length) {
          const next = TERMS[t + 1]!.maxPdBps;
          await expect(g.scheduleRuleChange(id, next))
            .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
            .withArgs(id, next - 1, next);
          await expect(g.scheduleRuleChange(id, next - 1)).to.emit(policy, "RuleChangeScheduled");
        } else {
          await expect(g.scheduleRuleChange(id, 10_000)).to.emit(policy, "RuleChangeScheduled");
          await expect(g.scheduleRuleChange(id, 10_001))
            .to.be.revertedWithCustomError(policy, "SupervisionInvalidValue")
            .withArgs(id, 10_001);
        }
      }
    });

    it("re-checks every capped term at execute after the regulator lowered the cap in between", async () => {
      const { policy, governance, regulator } = await loadFixture(base);
      // tier 0: caps LTV 8500, threshold 9000, APR 1000, credit 2,000,000; terms LTV 8000, threshold 8500.
      const cases: [RuleName, bigint, RuleName, bigint][] = [
        ["TIER_MAX_LTV", 8499n, "TIER_CAP_MAX_LTV", 8100n],
        ["TIER_LIQUIDATION_THRESHOLD", 9000n, "TIER_CAP_LIQUIDATION_THRESHOLD", 8501n],
        ["TIER_APR", 1000n, "TIER_CAP_APR", 999n],
        ["TIER_CREDIT_LIMIT", 2_000_000n * WAD, "TIER_CAP_CREDIT_LIMIT", 2_000_000n * WAD - 1n],
      ];
      const terms = [];
      for (const [term, value, cap, lowered] of cases) {
        terms.push({ term, value, cap, lowered, ...(await schedule(policy, governance, tierRuleId(term, 0), value)) });
        await schedule(policy, regulator, tierRuleId(cap, 0), lowered);
      }
      await time.increase(DELAY);
      // Execute the cap changes (ids re-read from the events of the same block range).
      const logs = await policy.queryFilter(policy.filters.RuleChangeScheduled());
      for (const l of logs) {
        if (terms.some((t) => t.changeId === l.args.changeId)) continue;
        await policy.executeRuleChange(l.args.changeId);
      }
      for (const { term, value, cap, lowered, changeId } of terms) {
        await expect(policy.executeRuleChange(changeId))
          .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
          .withArgs(tierRuleId(cap, 0), lowered, value);
        expect(await policy.ruleValue(tierRuleId(term, 0))).to.equal(termValue(0, term));
      }
      // The effective terms are the lowered caps where those bind.
      const effective = await policy.termsOf(0);
      expect(effective.aprBps).to.equal(TERMS[0].aprBps); // 500 < 999
      expect(effective.maxLtvBps).to.equal(8000); // 8000 < 8100
    });

    it("re-checks LTV against the threshold and PD order at execute when a neighbour moved in between", async () => {
      const { policy, governance } = await loadFixture(base);
      const ltv = tierRuleId("TIER_MAX_LTV", 0);
      const lt = tierRuleId("TIER_LIQUIDATION_THRESHOLD", 0);
      const raiseLtv = await schedule(policy, governance, ltv, 8400n); // below today's threshold 8500
      const lowerLt = await schedule(policy, governance, lt, 8100n); // above today's LTV 8000
      const pd1 = await schedule(policy, governance, tierRuleId("TIER_MAX_PD", 1), 999n);
      const pd2 = await schedule(policy, governance, tierRuleId("TIER_MAX_PD", 2), 600n); // fine while tier 1 is 500
      await time.increaseTo(pd2.executableAt);
      await policy.executeRuleChange(lowerLt.changeId);
      await expect(policy.executeRuleChange(raiseLtv.changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(ltv, 8099, 8400);
      await policy.executeRuleChange(pd1.changeId);
      await expect(policy.executeRuleChange(pd2.changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(tierRuleId("TIER_MAX_PD", 2), 1000, 600);
      expect(await policy.tierOf(999)).to.deep.equal([1n, false]);
      expect(await policy.tierOf(1000)).to.deep.equal([2n, false]);
    });

    it("executes a change refused at first once the cap is raised again", async () => {
      const { policy, governance, regulator } = await loadFixture(base);
      const apr = tierRuleId("TIER_APR", 1);
      const term = await schedule(policy, governance, apr, 1500n);
      await enact(policy, regulator, tierRuleId("TIER_CAP_APR", 1), 1400n);
      await expect(policy.executeRuleChange(term.changeId))
        .to.be.revertedWithCustomError(policy, "SupervisionRuleViolated")
        .withArgs(tierRuleId("TIER_CAP_APR", 1), 1400, 1500);
      await enact(policy, regulator, tierRuleId("TIER_CAP_APR", 1), 1500n);
      await expect(policy.executeRuleChange(term.changeId))
        .to.emit(policy, "RuleChanged")
        .withArgs(term.changeId, apr, TERMS[1].aprBps, 1500);
      expect((await policy.termsOf(1)).aprBps).to.equal(1500);
    });
  });

  describe("rule ids", () => {
    it("refuses ids that are not schedulable rules, for every role, and ruleValue names them", async () => {
      const { policy, governance, regulator } = await loadFixture(base);
      const notRules = [
        ...(
          [
            "TIER_LTV",
            "CREDIT_DECLINED",
            "ELIGIBILITY",
            "CIRCUIT_BREAKER",
            "PRICE_STALE",
            "PRICE_DEVIATION",
            "MANUAL",
          ] as const
        ).map((n) => ruleId(n)),
        ethers.encodeBytes32String("NOT_A_RULE"),
        ethers.ZeroHash,
        tierRuleId("DEBT_CEILING", 1), // a global name with a tier byte
        tierRuleId("TIER_APR", 4), // no tier 4
        tierRuleId("TIER_CAP_APR", 255),
      ];
      for (const id of notRules) {
        for (const who of [governance, regulator]) {
          await expect(policy.connect(who).scheduleRuleChange(id, 1))
            .to.be.revertedWithCustomError(policy, "SupervisionRuleNotSchedulable")
            .withArgs(id, who.address);
        }
        await expect(policy.ruleValue(id)).to.be.revertedWithCustomError(policy, "SupervisionUnknownRule").withArgs(id);
      }
      const unknown = ethers.id("no such change");
      await expect(policy.connect(regulator).cancelRuleChange(unknown))
        .to.be.revertedWithCustomError(policy, "SupervisionChangeUnknown")
        .withArgs(unknown);
      await expect(policy.executeRuleChange(unknown))
        .to.be.revertedWithCustomError(policy, "SupervisionChangeUnknown")
        .withArgs(unknown);
    });
  });

  describe("constructor validation", () => {
    it("rejects a PD bound above 100% and a cap LTV at its threshold", async () => {
      const a = await actors(ethers);
      const F = await ethers.getContractFactory("SupervisionPolicy");
      const pdTooHigh = TERMS.map((t, i) => (i === 3 ? { ...t, maxPdBps: 10_001 } : t));
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, {}, pdTooHigh)]))
        .to.be.revertedWithCustomError(F, "SupervisionInvalidValue")
        .withArgs(tierRuleId("TIER_MAX_PD", 3), 10_001);
      const capLtvAtThreshold = CAPS.map((c, i) => (i === 2 ? { ...c, maxLtvBps: c.liquidationThresholdBps } : c));
      await expect(ethers.deployContract("SupervisionPolicy", [policyConfig(a, {}, TERMS, capLtvAtThreshold)]))
        .to.be.revertedWithCustomError(F, "SupervisionRuleViolated")
        .withArgs(
          tierRuleId("TIER_CAP_MAX_LTV", 2),
          CAPS[2].liquidationThresholdBps - 1,
          CAPS[2].liquidationThresholdBps,
        );
      const pdAtMax = TERMS.map((t, i) => (i === 3 ? { ...t, maxPdBps: 10_000 } : t));
      const ok = await ethers.deployContract("SupervisionPolicy", [policyConfig(a, {}, pdAtMax)]);
      expect(await ok.approvalThresholdBps()).to.equal(10_000);
    });
  });
});
