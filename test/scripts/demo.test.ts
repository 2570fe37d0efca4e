/**
 * The main job, in-process: `runDemo` deploys, starts 3 oracle nodes (k = 2) over real HTTP and plays the whole
 * story; the summary must show each beat happened on chain.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { runDemo, type DemoSummary } from "../../scripts/demo.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";

describe("npm run demo (scripts/demo.ts)", function () {
  this.timeout(90_000);
  let summary: DemoSummary;
  const reportsDir = mkdtempSync(join(tmpdir(), "verity-demo-test-"));

  before(async () => {
    summary = await runDemo({ quiet: true, reportsDir });
  });

  after(() => rmSync(reportsDir, { recursive: true, force: true }));

  it("runs with three operators and reports its runtime (timed by the demo itself, not asserted here)", () => {
    expect(summary.runtimeMs).to.be.greaterThan(0);
    expect(summary.operators).to.have.length(3);
  });

  it("the good borrower was scored into tier A or B, borrowed there and repaid in full with interest", () => {
    const { good } = summary;
    expect(good.tier).to.be.oneOf([0, 1]);
    expect(good.originatedTier).to.equal(good.tier);
    expect(good.pdBps).to.be.below(defaultParameters.tiers[1]!.maxPdBps + 1);
    expect(good.interestWad > 0n).to.equal(true);
    expect(good.repaidWad).to.equal(good.borrowedWad + good.interestWad);
    expect(good.debtLeftWad).to.equal(0n);
    expect(summary.events.LoanRepaid).to.be.at.least(1);
  });

  it("the risky applicant got an AdverseAction with reason codes, and borrowing was declined by rule", () => {
    const { risky } = summary;
    expect(risky.pdBps).to.be.above(2800);
    expect(risky.reasonCodes.length).to.be.within(1, 4);
    for (const text of risky.reasons)
      expect(text)
        .to.be.a("string")
        .and.not.match(/^reason code/);
    expect(risky.borrowError).to.match(/^SupervisionRuleViolated\(CREDIT_DECLINED/);
    expect(summary.events.AdverseAction).to.equal(1);
  });

  it("an applicant who edited one field of the attested file was refused by every node, naming the check", () => {
    const { editedFile } = summary;
    expect(editedFile.claimed).to.not.equal(editedFile.attested);
    expect(editedFile.refusals.map((r) => r.node)).to.deep.equal(["node-0", "node-1", "node-2"]);
    for (const refusal of editedFile.refusals) {
      expect([refusal.status, refusal.code]).to.deep.equal([422, "credit_file_fields_mismatch"]);
      expect(refusal.message).to.match(
        /^creditFile\.fieldsHash: the application's features .* are not the fields the provider attested/,
      );
    }
  });

  it("every credit file came from the bureau service on a consent, each release logged in its store", () => {
    // Alice once, Bob twice (the edited application, then the one he applies with).
    expect(summary.bureau).to.deep.equal({ creditFiles: 2, releases: 3 });
  });

  it("the unscored borrower borrowed on the most conservative tier", () => {
    expect(summary.unscored.conservativeTier).to.equal(defaultParameters.tiers.length - 1);
    expect(summary.unscored.tier).to.equal(summary.unscored.conservativeTier);
  });

  it("the saver redeemed more than deposited: exactly SAVINGS_SHARE of the interest received was paid into sVUSD", () => {
    const { savings } = summary;
    expect(savings.shareBps).to.equal(BigInt(defaultParameters.savings.shareBps));
    expect(savings.interestReceivedWad > 0n).to.equal(true);
    expect(savings.paidWad).to.equal((savings.interestReceivedWad * savings.shareBps) / 10_000n);
    expect(savings.redeemedWad > savings.depositedWad).to.equal(true);
    expect(savings.redeemedWad <= savings.depositedWad + savings.paidWad).to.equal(true);
    expect(savings.sharePriceAfterWad > savings.sharePriceBeforeWad).to.equal(true);
    expect(summary.events.SavingsYieldPaid).to.be.at.least(1);
  });

  it("the regulator's rule change was scheduled, refused early, then executed (RuleChanged)", () => {
    const { ruleChange } = summary;
    expect(ruleChange.rule).to.equal("DEBT_CEILING");
    expect(ruleChange.newValue < ruleChange.oldValue).to.equal(true);
    expect(ruleChange.earlyError).to.match(/^SupervisionChangeNotReady/);
    expect(summary.events.RuleChangeScheduled).to.equal(1);
    expect(summary.events.RuleChanged).to.equal(1);
  });

  it("a price drop made a position unhealthy and it was liquidated with a bonus", () => {
    const { liquidation } = summary;
    expect(liquidation.healthFactorBefore < 10n ** 18n).to.equal(true);
    expect(liquidation.healthFactorAfter > liquidation.healthFactorBefore).to.equal(true);
    expect(liquidation.repaidWad > 0n && liquidation.seized > 0n && liquidation.bonusWad > 0n).to.equal(true);
    expect(summary.events.PositionLiquidated).to.equal(1);
  });

  it("a jump only one price source showed froze ETH (not the protocol) until the fallback confirmed it", () => {
    const { priceFreeze } = summary;
    expect(priceFreeze.reason).to.equal("PRICE_SOURCE_TOLERANCE");
    expect(priceFreeze.primaryWad).to.equal((priceFreeze.fallbackWad * 3n) / 2n);
    expect(priceFreeze.pausedWhileFrozen).to.equal(false);
    expect(priceFreeze.borrowError).to.match(/^LendingPoolAssetFrozen/);
    expect(priceFreeze.unfrozenAtWad).to.equal(priceFreeze.primaryWad);
    expect(summary.events.AssetFrozen).to.equal(1);
    expect(summary.events.AssetUnfrozen).to.equal(1);
  });

  it("the guardian paused by hand: borrowing paused, repay allowed, liquidations wait the grace period", () => {
    const { circuitBreaker } = summary;
    expect(circuitBreaker.reason).to.equal("MANUAL");
    expect(circuitBreaker.borrowError).to.equal("SupervisionPaused()");
    expect(circuitBreaker.repaidWhilePaused > 0n).to.equal(true);
    expect(circuitBreaker.gracePeriodError).to.match(/^SupervisionLiquidationGracePeriod/);
    expect(summary.events.CircuitBreakerTripped).to.equal(1);
    expect(summary.events.CircuitBreakerReset).to.equal(1);
  });

  it("ended with an exposure snapshot that matches the books read position by position", () => {
    const { exposure, books } = summary;
    expect(summary.events.ExposureSnapshot).to.equal(1);
    expect(exposure.debtByTierWad).to.have.length(defaultParameters.tiers.length);
    expect(books.positions.filter((p) => p.debtWad > 0n).length).to.be.at.least(2);
    // The snapshot rounds each tier's debt up once, positionOf each position's: the sum of a tier's positions is
    // its snapshot figure plus less than one wei per position.
    const within = (sum: bigint, figure: bigint, count: number) => sum >= figure && sum <= figure + BigInt(count);
    exposure.debtByTierWad.forEach((tierDebt, tier) => {
      const inTier = books.positions.filter((p) => p.tier === tier);
      const sum = inTier.reduce((a, p) => a + p.debtWad, 0n);
      expect(within(sum, tierDebt, inTier.length), `tier ${tier}: positions ${sum}, snapshot ${tierDebt}`).to.equal(
        true,
      );
    });
    const debtSum = books.positions.reduce((a, p) => a + p.debtWad, 0n);
    expect(within(debtSum, exposure.totalDebtWad, books.positions.length)).to.equal(true);
    // Collateral is valued down: once over all deposits in the snapshot, once per position here.
    const collateralSum = books.positions.reduce((a, p) => a + p.collateralValueWad, 0n);
    expect(within(exposure.totalCollateralValueWad, collateralSum, books.positions.length)).to.equal(true);
    expect(exposure.vusdSupplyWad).to.equal(books.vusdTotalSupplyWad);
    expect(books.positions.reduce((a, p) => a + p.principalWad, 0n)).to.equal(books.totalPrincipalWad);
    expect(books.vusdTotalSupplyWad + books.surplusWad).to.equal(books.totalPrincipalWad + books.deficitWad);
  });

  it("wrote the regulator's compliance report, whose headline numbers match the story", () => {
    const { report } = summary;
    expect(existsSync(report.markdownPath)).to.equal(true);
    expect(report.dir.startsWith(reportsDir)).to.equal(true);
    expect(report.adverseActions).to.equal(1);
    expect(report.ruleChanges).to.be.at.least(1);
    expect(report.liquidations).to.equal(1);
    expect(report.breakerTrips).to.equal(1);
    expect(report.loans).to.equal(summary.events.LoanOriginated);
  });
});
