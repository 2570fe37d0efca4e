import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { createHash } from "node:crypto";

import {
  JsonRpcApiProvider,
  Network,
  encodeBytes32String,
  parseEther,
  parseUnits,
  type JsonRpcError,
  type JsonRpcPayload,
  type JsonRpcResult,
} from "ethers";

import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { analyse, type AnalysisContext } from "../../scripts/report/analyse.js";
import {
  barChart,
  escapeXml,
  groupMarkers,
  horizontalBarChart,
  niceAxis,
  timeTicks,
  timelineChart,
  title as chartTitle,
} from "../../scripts/report/charts.js";
import type { ComplianceEvent, EventArgs, EventName } from "../../scripts/report/events.js";
import { formatRuleValue, formatVusd } from "../../scripts/report/format.js";
import { buildComplianceReport, writeComplianceReport, type ComplianceReport } from "../../scripts/report/index.js";
import { escapeMarkdownCell, renderMarkdown } from "../../scripts/report/render-markdown.js";
import { csvCell, escapeCsvField, renderCsv } from "../../scripts/report/render-csv.js";
import { withRetry } from "../../scripts/report/retry.js";
import { GLOBAL_RULE_NAMES, ruleId, tierRuleId } from "../../oracle/src/protocol/rules.js";
import { tierDisplayName, tierName } from "../../oracle/src/protocol/tiers.js";
import { positionsAtRisk } from "../../scripts/report/supervision.js";
import { buildTables, tierLabel } from "../../scripts/report/tables.js";
import { deployScoredSystem, mined } from "../helpers/scored-system.js";

const WAD = 10n ** 18n;
const wad = (vusd: number | string) => parseUnits(String(vusd), 18);

// ---------------------------------------------------------------- unit: analyse on hand-built events

const ALICE = "0x00000000000000000000000000000000000a11ce";
const BOB = "0x0000000000000000000000000000000000000b0b";
const CAROL = "0x00000000000000000000000000000000000ca201";
const MODEL_A = "0x" + "aa".repeat(32);
const PROVIDER_A = "0x00000000000000000000000000000000000000a1";
const MODEL_B = "0x" + "bb".repeat(32);
const POOL = "0x" + "11".repeat(20);
const REGULATOR = "0x" + "22".repeat(20);

let nextLogIndex = 0;
/** An event at `block` (block time = 1,000,000 + 12 × block). */
function ev<N extends EventName>(name: N, block: number, args: EventArgs[N]): ComplianceEvent {
  return {
    name,
    args,
    source: "pool",
    blockNumber: block,
    timestamp: 1_000_000 + 12 * block,
    txHash: `0x${block.toString(16).padStart(64, "0")}`,
    logIndex: nextLogIndex++,
  } as ComplianceEvent;
}

const context = (overrides: Partial<AnalysisContext> = {}): AnalysisContext => ({
  tierCount: 3,
  tierMaxPdBps: [500, 1200, 2800],
  approvalThresholdBps: 2800,
  principalByBorrower: new Map(),
  startTimestamp: 1_000_000,
  endTimestamp: 1_000_000 + 12 * 1000,
  reasonTexts: new Map([
    [1, "Credit limit on existing account is low"],
    [2, "Most recent payment was late"],
    [5, "Recent balances are high"],
  ]),
  ...overrides,
});

describe("report: analyse at scale (no spread of an unbounded array anywhere on the path)", () => {
  it("analyses 1,000,000 scores and 1,000,000 loans without a stack overflow, counting every one", function () {
    this.timeout(120_000);
    const N = 1_000_000;
    const events: ComplianceEvent[] = [];
    for (let i = 0; i < N; i += 1) {
      const borrower = `0x${(i + 1).toString(16).padStart(40, "0")}`;
      events.push(
        ev("ScorePosted", i, {
          borrower,
          modelId: MODEL_A,
          pdBps: i % 10_000,
          reasonCodes: [1, 0, 0, 0],
          issuedAt: 1,
          validUntil: 2,
          operatorSetVersion: 1n,
          provider: PROVIDER_A,
          creditFileHash: MODEL_B,
        }),
        ev("LoanOriginated", i, {
          borrower,
          amountWad: wad(1),
          tier: i % 3,
          pdBps: i % 10_000,
          modelId: MODEL_A,
          ltvBps: 5000n,
        }),
      );
    }
    const { scores, exposure } = analyse(events, context({ pdBinBps: 1000 }));
    expect(scores.models[0]!.scores).to.equal(N);
    expect(scores.models[0]!.maxPdBps).to.equal(9_999);
    expect(scores.histogram.reduce((sum, bin) => sum + bin.count, 0)).to.equal(N);
    expect(exposure.totals.originatedWad).to.equal(wad(N));
    expect(exposure.totals.loans).to.equal(N);
  });

  it("analyses 1,000,000 freezes, score notices and fairness reports, and ranks 1,000,000 positions", function () {
    this.timeout(120_000);
    const N = 1_000_000;
    const events: ComplianceEvent[] = [];
    const reason = encodeBytes32String("PRICE_STALE");
    for (let i = 0; i < N; i += 1) {
      const asset = `0x${((Math.floor(i / 2) % 1000) + 1).toString(16).padStart(40, "0")}`;
      events.push(
        i % 2 === 0
          ? ev("AssetFrozen", i, { asset, reason, primaryPriceWad: 0n, fallbackPriceWad: 1n, lastAgreedPriceWad: 1n })
          : ev("AssetUnfrozen", i, { asset, priceWad: 1n }),
        ev("ScoreExpiring", i, { borrower: asset, tier: 1, expiredAt: 1, noticeEndsAt: 2 }),
        ev("FairnessReportPublished", i, {
          modelId: MODEL_A,
          periodStart: 1,
          periodEnd: 2,
          eodBps: 1,
          dirBps: 1,
          reportHash: MODEL_B,
        }),
      );
    }
    const a = analyse(events, context());
    expect(a.freezes).to.have.length(N / 2);
    expect(a.scoreNotices).to.have.length(N);
    expect(a.fairness).to.have.length(N);
    const positions = Array.from({ length: N }, (_, i) => ({
      borrower: ALICE,
      debtWad: 1n,
      tier: 0,
      collateralValueWad: 0n,
      healthFactorWad: BigInt(i),
    }));
    expect(positionsAtRisk(positions)).to.have.length(N);
  });
});

describe("report: analyse (hand-built events)", () => {
  it("exposure by tier: flows per tier follow re-basings, and the latest snapshot wins", () => {
    const events = [
      ev("LoanOriginated", 10, {
        borrower: ALICE,
        amountWad: wad(1000),
        tier: 0,
        pdBps: 300,
        modelId: MODEL_A,
        ltvBps: 5000n,
      }),
      ev("LoanOriginated", 11, {
        borrower: BOB,
        amountWad: wad(500),
        tier: 1,
        pdBps: 900,
        modelId: MODEL_A,
        ltvBps: 4000n,
      }),
      ev("ExposureSnapshot", 12, {
        totalDebtWad: wad(1),
        totalCollateralValueWad: wad(2),
        vusdSupplyWad: wad(1),
        debtByTierWad: [wad(1), 0n, 0n],
      }),
      ev("LoanRepaid", 20, {
        borrower: ALICE,
        payer: ALICE,
        amountWad: wad(210),
        interestWad: wad(10),
        debtLeftWad: wad(800),
      }),
      // Alice's debt (800 + interest 2) moves to tier 2, then she is liquidated there.
      ev("DebtRebased", 30, { borrower: ALICE, oldTier: 0, newTier: 2, debtWad: wad(802) }),
      ev("PositionLiquidated", 31, {
        borrower: ALICE,
        liquidator: CAROL,
        collateralAsset: POOL,
        debtRepaidWad: wad(400),
        collateralSeized: parseEther("0.2"),
        badDebtWad: wad(2),
      }),
      // A repayment for a loan from before the period: tier unknown.
      ev("LoanRepaid", 40, { borrower: CAROL, payer: CAROL, amountWad: wad(50), interestWad: 0n, debtLeftWad: 0n }),
      ev("ExposureSnapshot", 50, {
        totalDebtWad: wad(900),
        totalCollateralValueWad: wad(3000),
        vusdSupplyWad: wad(890),
        debtByTierWad: [0n, wad(500), wad(400)],
      }),
    ];
    const { exposure } = analyse(events, context());
    expect(exposure.snapshot).to.deep.include({ blockNumber: 50, totalDebtWad: wad(900), vusdSupplyWad: wad(890) });
    expect(exposure.snapshot!.debtByTierWad).to.deep.equal([0n, wad(500), wad(400)]);
    const [t0, t1, t2, unknown] = exposure.flows;
    expect(t0).to.deep.equal({
      tier: 0,
      loans: 1,
      originatedWad: wad(1000),
      principalRepaidWad: wad(200),
      interestRepaidWad: wad(10),
      liquidatedWad: 0n,
      badDebtWad: 0n,
      rebasedInWad: 0n,
      rebasedOutWad: wad(802),
      netWad: wad(-2),
    });
    expect(t1!.netWad).to.equal(wad(500));
    expect(t2).to.deep.include({
      rebasedInWad: wad(802),
      liquidatedWad: wad(400),
      badDebtWad: wad(2),
      netWad: wad(400),
    });
    expect(unknown).to.deep.include({ tier: null, principalRepaidWad: wad(50), netWad: wad(-50) });
    expect(exposure.totals).to.deep.include({ loans: 2, originatedWad: wad(1500), netWad: wad(848) });
  });

  it("concentration: shares of principal, top five and HHI (exact)", () => {
    const principal = new Map([
      [ALICE, wad(600)],
      [BOB, wad(300)],
      [CAROL, wad(100)],
      ["0x" + "00".repeat(20), 0n], // repaid in full: not a borrower any more
    ]);
    const { concentration } = analyse([], context({ principalByBorrower: principal, topBorrowers: 2 }));
    expect(concentration.borrowers).to.equal(3);
    expect(concentration.totalPrincipalWad).to.equal(wad(1000));
    expect(concentration.top).to.deep.equal([
      { rank: 1, borrower: ALICE, principalWad: wad(600), share: 0.6 },
      { rank: 2, borrower: BOB, principalWad: wad(300), share: 0.3 },
    ]);
    expect(concentration.largestShare).to.equal(0.6);
    expect(concentration.top5Share).to.equal(1);
    expect(concentration.hhi).to.equal(4600); // 60² + 30² + 10²
  });

  it("scores by model: count, PD statistics, tier mix, declined; PD histogram bins", () => {
    const score = (block: number, borrower: string, modelId: string, pdBps: number) =>
      ev("ScorePosted", block, {
        borrower,
        modelId,
        pdBps,
        reasonCodes: [1, 0, 0, 0],
        issuedAt: 1,
        validUntil: 2,
        operatorSetVersion: 1n,
        provider: PROVIDER_A,
        creditFileHash: MODEL_B,
      });
    const events = [
      score(1, ALICE, MODEL_A, 300),
      score(2, BOB, MODEL_A, 1200),
      score(3, CAROL, MODEL_A, 3000),
      score(4, ALICE, MODEL_A, 500),
      score(5, BOB, MODEL_B, 2000),
    ];
    const { scores } = analyse(events, context({ pdBinBps: 1000 }));
    expect(scores.models).to.deep.equal([
      {
        modelId: MODEL_A,
        scores: 4,
        borrowers: 3,
        meanPdBps: 1250,
        medianPdBps: 850,
        minPdBps: 300,
        maxPdBps: 3000,
        tierMix: [2, 1, 0],
        declined: 1,
      },
      {
        modelId: MODEL_B,
        scores: 1,
        borrowers: 1,
        meanPdBps: 2000,
        medianPdBps: 2000,
        minPdBps: 2000,
        maxPdBps: 2000,
        tierMix: [0, 0, 1],
        declined: 0,
      },
    ]);
    expect(scores.histogram).to.deep.equal([
      { fromBps: 0, toBps: 1000, count: 2 },
      { fromBps: 1000, toBps: 2000, count: 1 },
      { fromBps: 2000, toBps: 3000, count: 1 },
      { fromBps: 3000, toBps: 4000, count: 1 },
    ]);
  });

  it("data providers: approvals (latest terms win), retirement, and scores per provider", () => {
    const PROVIDER_B = "0x00000000000000000000000000000000000000b2";
    const posted = (block: number, borrower: string, provider: string) =>
      ev("ScorePosted", block, {
        borrower,
        modelId: MODEL_A,
        pdBps: 300,
        reasonCodes: [1, 0, 0, 0],
        issuedAt: 1,
        validUntil: 2,
        operatorSetVersion: 1n,
        provider,
        creditFileHash: MODEL_B,
      });
    const approved = (block: number, provider: string, name: string, key: string) =>
      ev("DataProviderApproved", block, {
        provider,
        name,
        signingKeys: [key],
        schemaHash: MODEL_A,
        dataQualityHash: MODEL_B,
      });
    const events = [
      approved(1, PROVIDER_A, "Bureau A", ALICE),
      approved(2, PROVIDER_B, "Bureau B", BOB),
      posted(3, ALICE, PROVIDER_A),
      posted(4, BOB, PROVIDER_A),
      posted(5, ALICE, PROVIDER_A),
      posted(6, CAROL, PROVIDER_B),
      approved(7, PROVIDER_A, "Bureau A", CAROL),
      ev("DataProviderRetired", 8, { provider: PROVIDER_B }),
    ];
    const { providers } = analyse(events, context());
    expect(
      providers.map((p) => [
        p.provider,
        p.name,
        p.status,
        p.approvedAtBlock,
        p.retiredAtBlock,
        p.signingKeys,
        p.scores,
        p.borrowers,
      ]),
    ).to.deep.equal([
      [PROVIDER_A, "Bureau A", "approved", 7, null, [CAROL], 3, 2],
      [PROVIDER_B, "Bureau B", "retired", 2, 8, [BOB], 1, 1],
    ]);
  });

  it("adverse actions: counts per reason code (once per action, 0 ignored) with the reason text", () => {
    const events = [
      ev("AdverseAction", 1, { borrower: ALICE, modelId: MODEL_A, pdBps: 3000, reasonCodes: [2, 5, 0, 0] }),
      ev("AdverseAction", 2, { borrower: BOB, modelId: MODEL_A, pdBps: 3100, reasonCodes: [2, 1, 9, 0] }),
      ev("AdverseAction", 3, { borrower: ALICE, modelId: MODEL_B, pdBps: 2900, reasonCodes: [5, 2, 0, 0] }),
    ];
    const { adverseActions } = analyse(events, context());
    expect(adverseActions.count).to.equal(3);
    expect(adverseActions.borrowers).to.equal(2);
    expect(adverseActions.byModel).to.deep.equal([
      { modelId: MODEL_A, count: 2 },
      { modelId: MODEL_B, count: 1 },
    ]);
    expect(adverseActions.reasons).to.deep.equal([
      { code: 2, text: "Most recent payment was late", count: 3, share: 1 },
      { code: 5, text: "Recent balances are high", count: 2, share: 2 / 3 },
      { code: 1, text: "Credit limit on existing account is low", count: 1, share: 1 / 3 },
      { code: 9, text: "unknown reason code 9", count: 1, share: 1 / 3 },
    ]);
    expect(adverseActions.actions[1]!.reasonCodes).to.deep.equal([2, 1, 9]);
  });

  it("rule changes: scheduled joined to executed / cancelled; pending vs ready; decoded names, tiers and units", () => {
    const id = (n: number) => "0x" + n.toString(16).padStart(64, "0");
    const events = [
      ev("RuleChangeScheduled", 1, {
        changeId: id(1),
        rule: ruleId("DEBT_CEILING"),
        oldValue: wad(10_000_000),
        newValue: wad(20_000_000),
        executableAt: 1_000_100,
      }),
      ev("RuleChangeScheduled", 2, {
        changeId: id(2),
        rule: tierRuleId("TIER_APR", 1),
        oldValue: 700n,
        newValue: 800n,
        executableAt: 1_000_100,
      }),
      ev("RuleChangeScheduled", 3, {
        changeId: id(3),
        rule: ruleId("MAX_SCORE_AGE"),
        oldValue: 100n,
        newValue: 200n,
        executableAt: 9_999_999,
      }),
      ev("RuleChangeScheduled", 4, {
        changeId: id(4),
        rule: ruleId("TIMELOCK_DELAY"),
        oldValue: 10n,
        newValue: 20n,
        executableAt: 1_000_100,
      }),
      ev("RuleChangeCancelled", 5, { changeId: id(2), rule: tierRuleId("TIER_APR", 1) }),
      // Another change moved the ceiling in between: the old value at execution differs.
      ev("RuleChanged", 20, {
        changeId: id(1),
        rule: ruleId("DEBT_CEILING"),
        oldValue: wad(15_000_000),
        newValue: wad(20_000_000),
      }),
      // Scheduled before the period.
      ev("RuleChanged", 21, { changeId: id(5), rule: ruleId("ATTESTATION_REQUIRED"), oldValue: 0n, newValue: 1n }),
    ];
    const rows = analyse(events, context()).ruleChanges;
    expect(rows.map((r) => [r.rule, r.tier, r.unit, r.status])).to.deep.equal([
      ["DEBT_CEILING", undefined, "vusd", "executed"],
      ["TIER_APR", 1, "bps", "cancelled"],
      ["MAX_SCORE_AGE", undefined, "seconds", "pending"],
      ["TIMELOCK_DELAY", undefined, "seconds", "ready"],
      ["ATTESTATION_REQUIRED", undefined, "flag", "executed"],
    ]);
    expect(rows[0]).to.deep.include({
      oldValue: wad(10_000_000),
      newValue: wad(20_000_000),
      oldValueAtExecution: wad(15_000_000),
    });
    expect(rows[0]!.resolvedAt!.blockNumber).to.equal(20);
    expect(rows[4]).to.deep.include({ oldValue: 0n, newValue: 1n });
    expect(rows[4]!.scheduledAt).to.equal(undefined);
    expect(formatRuleValue(wad(20_000_000), "vusd")).to.equal("20,000,000.00 vUSD");
    expect(formatRuleValue((1n << 128n) - 1n, "vusd")).to.equal("no limit");
    expect(formatRuleValue(800n, "bps")).to.equal("8.00%");
    expect(formatRuleValue(172_800n, "seconds")).to.equal("2 d 0 h (172800 s)");
    expect(formatRuleValue(1n, "flag")).to.equal("yes");
  });

  it("liquidations: count, debt repaid, collateral seized per asset, bad debt", () => {
    const liquidation = (block: number, borrower: string, asset: string, repaid: number, seized: string, bad: number) =>
      ev("PositionLiquidated", block, {
        borrower,
        liquidator: CAROL,
        collateralAsset: asset,
        debtRepaidWad: wad(repaid),
        collateralSeized: parseEther(seized),
        badDebtWad: wad(bad),
      });
    const { liquidations } = analyse(
      [
        liquidation(1, ALICE, POOL, 100, "0.5", 0),
        liquidation(2, ALICE, POOL, 50, "0.25", 7),
        liquidation(3, BOB, REGULATOR, 10, "1", 0),
      ],
      context(),
    );
    expect(liquidations).to.deep.include({ count: 3, borrowers: 2, debtRepaidWad: wad(160), badDebtWad: wad(7) });
    expect(liquidations.seizedByAsset).to.deep.equal([
      { asset: POOL, amount: parseEther("0.75") },
      { asset: REGULATOR, amount: parseEther("1") },
    ]);
  });

  it("savings: deposits, withdrawals and payouts totalled; share price after each payout; owed as of the last check", () => {
    const events = [
      ev("Deposit", 1, { sender: ALICE, owner: ALICE, assets: wad(1000), shares: wad(1000) * 10n ** 6n }),
      ev("SavingsYieldPaid", 2, {
        paidWad: wad(50),
        interestBasisWad: wad(100),
        shareBps: 5000,
        owedWad: 0n,
        sharePriceWad: wad("1.05"),
      }),
      ev("SavingsYieldPaid", 3, {
        paidWad: 0n,
        interestBasisWad: wad(40),
        shareBps: 5000,
        owedWad: wad(20),
        sharePriceWad: wad("1.05"),
      }),
      ev("Withdraw", 4, { sender: ALICE, receiver: BOB, owner: ALICE, assets: wad(525), shares: wad(500) * 10n ** 6n }),
    ];
    const { savings } = analyse(events, context());
    expect(savings).to.deep.include({
      deposits: 1,
      depositedWad: wad(1000),
      withdrawals: 1,
      withdrawnWad: wad(525),
      payouts: 1,
      paidWad: wad(50),
      interestBasisWad: wad(140),
      owedWad: wad(20),
    });
    expect(savings.sharePrices).to.deep.equal([
      { timestamp: 1_000_000 + 24, sharePriceWad: wad("1.05") },
      { timestamp: 1_000_000 + 36, sharePriceWad: wad("1.05") },
    ]);
    expect(savings.rows.map((r) => r.event)).to.deep.equal([
      "Deposit",
      "SavingsYieldPaid",
      "SavingsYieldPaid",
      "Withdraw",
    ]);
  });

  it("circuit breaker: trips paired with resets, repeated trips, time paused, still paused at the end", () => {
    const trip = (block: number, reason: string, detail: bigint) =>
      ev("CircuitBreakerTripped", block, { reason: ruleId(reason as "MANUAL"), by: POOL, detail });
    const reset = (block: number) => ev("CircuitBreakerReset", block, { by: REGULATOR, liquidationsResumeAt: 0 });
    const events = [
      reset(5), // tripped before the period
      trip(10, "PRICE_DEVIATION", 4546n),
      trip(12, "MANUAL", 0n),
      reset(20),
      trip(900, "PRICE_STALE", 123n),
    ];
    const { circuitBreaker } = analyse(events, context());
    expect(circuitBreaker).to.deep.include({ trips: 3, resets: 2, pausedAtEnd: true, periodSec: 12_000 });
    expect(circuitBreaker.intervals.map((i) => [i.reason, i.detail, i.durationSec, i.repeatedTrips])).to.deep.equal([
      ["PRICE_DEVIATION", 4546n, 120, 1],
      ["PRICE_STALE", 123n, 1200, 0],
    ]);
    expect(circuitBreaker.pausedSec).to.equal(1320);
    expect(circuitBreaker.byReason).to.deep.equal([
      { reason: "PRICE_DEVIATION", count: 1 },
      { reason: "MANUAL", count: 1 },
      { reason: "PRICE_STALE", count: 1 },
    ]);
  });

  it("orders events by block and log index whatever order they come in", () => {
    const a = ev("CircuitBreakerTripped", 10, { reason: ruleId("MANUAL"), by: POOL, detail: 0n });
    const b = ev("CircuitBreakerReset", 11, { by: REGULATOR, liquidationsResumeAt: 0 });
    expect(analyse([b, a], context()).circuitBreaker.intervals[0]!.durationSec).to.equal(12);
  });

  it("drift monitoring: a published window appears in the governance table with its PSI and summary hash", () => {
    const summaryHash = "0x" + "cd".repeat(32);
    const event = ev("MonitoringReportPublished", 50, {
      modelId: MODEL_A,
      operator: BOB,
      windowStart: 1_000_100,
      windowEnd: 1_000_500,
      applications: 1000,
      maxPsiBps: 8676,
      summaryHash,
    });
    const [row] = analyse([event], context()).governance;
    expect(row?.event).to.equal("MonitoringReportPublished");
    expect(row?.detail)
      .to.include(`model ${MODEL_A}, operator ${BOB}: 1000 applications`)
      .and.include("largest PSI 0.8676")
      .and.include(`summary ${summaryHash}`);
  });
});

// ---------------------------------------------------------------- unit: rendering

describe("report: CSV, Markdown and SVG rendering", () => {
  it("CSV: quotes commas, quotes and newlines; neutralises formulas in text; exact amounts", () => {
    expect(escapeCsvField("plain")).to.equal("plain");
    expect(escapeCsvField("a,b")).to.equal('"a,b"');
    expect(escapeCsvField('say "hi"')).to.equal('"say ""hi"""');
    expect(escapeCsvField("two\nlines")).to.equal('"two\nlines"');
    expect(csvCell({ header: "x", kind: "text" }, "=HYPERLINK(1)")).to.equal("'=HYPERLINK(1)");
    expect(csvCell({ header: "x", kind: "vusd" }, wad(-5))).to.equal("-5");
    expect(csvCell({ header: "x", kind: "vusd" }, 1234n * WAD + 1n)).to.equal("1234.000000000000000001");
    expect(csvCell({ header: "x", kind: "time" }, 0)).to.equal("1970-01-01T00:00:00Z");
    const csv = renderCsv({
      id: "t",
      title: "T",
      columns: [
        { header: "Reason, text", kind: "text" },
        { header: "Paused for", kind: "duration" },
      ],
      rows: [['late "payment", twice', 90]],
    });
    expect(csv).to.equal('"Reason, text",Paused for (s)\r\n"late ""payment"", twice",90\r\n');
  });

  it("Markdown: escapes pipes and flattens newlines in cells", () => {
    expect(escapeMarkdownCell("a | b\nc")).to.equal("a \\| b c");
  });

  it("formats vUSD with grouping and half-up rounding to cents", () => {
    expect(formatVusd(1_234_567n * WAD + 5n * 10n ** 15n)).to.equal("1,234,567.01");
    expect(formatVusd(-(WAD / 2n))).to.equal("-0.50");
    expect(formatVusd(0n)).to.equal("0.00");
  });

  it("SVG charts are well-formed, titled, labelled and escape their text", () => {
    const charts = [
      barChart({
        title: "Debt <by> tier & more",
        xLabel: "tier",
        yLabel: "vUSD",
        bars: [
          { label: "A", value: 5 },
          { label: "B", value: 0 },
        ],
        marker: { position: 1, label: "x" },
      }),
      horizontalBarChart({ title: "Reasons", xLabel: "actions", bars: [{ label: `1: "late" <payment>`, value: 3 }] }),
      horizontalBarChart({ title: "Reasons", xLabel: "actions", bars: [] }),
      timelineChart({
        title: "Breaker",
        start: 0,
        end: 100,
        spans: [{ from: 10, to: 20, label: "paused" }],
        markers: [{ at: 10, label: "tripped", alert: true }],
        formatTime: String,
      }),
    ];
    for (const svg of charts) {
      expectWellFormedSvg(svg);
      expect(svg).to.match(/font-weight="bold"[^>]*>[^<]+<\/text>/); // a title
    }
    expect(charts[0]).to.include("Debt &lt;by&gt; tier &amp; more");
    expect(charts[0]).to.include(">vUSD</text>").and.include(">tier</text>");
    expect(charts[1]).to.include("&quot;late&quot; &lt;payment&gt;");
    expect(escapeXml(`<a href='x'>&</a>`)).to.equal("&lt;a href=&apos;x&apos;&gt;&amp;&lt;/a&gt;");
    expect(niceAxis(23)).to.deep.equal({ max: 25, ticks: [0, 5, 10, 15, 20, 25] });
    expect(niceAxis(0)).to.deep.equal({ max: 1, ticks: [0, 1] });
    expect(niceAxis(1, true)).to.deep.equal({ max: 1, ticks: [0, 1] });
    expect(niceAxis(12, true)).to.deep.equal({ max: 15, ticks: [0, 5, 10, 15] });
    expect(niceAxis(0.8)).to.deep.equal({ max: 0.8, ticks: [0, 0.2, 0.4, 0.6, 0.8] });
  });

  it("retries a failing call and names it when it gives up", async () => {
    let calls = 0;
    const value = await withRetry(async () => (++calls < 3 ? Promise.reject(new Error("flaky")) : "ok"), {
      retries: 2,
      attemptTimeoutMs: 1000,
      backoffMs: 1,
      label: "test call",
    });
    expect([value, calls]).to.deep.equal(["ok", 3]);
    const hang = () => new Promise<never>(() => {});
    await withRetry(hang, { retries: 1, attemptTimeoutMs: 20, backoffMs: 1, label: "eth_getLogs blocks 1–2" }).then(
      () => expect.fail("should time out"),
      (error: Error) =>
        expect(error.message).to.equal(
          "eth_getLogs blocks 1–2 failed after 2 attempts: eth_getLogs blocks 1–2 timed out after 20 ms",
        ),
    );
  });
});

/** Checks the XML is well formed: one root <svg>, tags balanced, attributes quoted, no raw & or <. */
function expectWellFormedSvg(svg: string): void {
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, "");
  expect(body.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = tag.exec(body)) !== null) {
    consumed = tag.lastIndex;
    const [, closing, name, , selfClosing, text] = match;
    if (text !== undefined) {
      expect(text).to.not.match(/&(?!(amp|lt|gt|quot|apos);)/, "raw & in text");
      continue;
    }
    if (closing === "/") expect(stack.pop()).to.equal(name);
    else if (selfClosing !== "/") stack.push(name!);
  }
  expect(consumed).to.equal(body.length, `unparsed SVG from: ${body.slice(consumed, consumed + 80)}`);
  expect(stack).to.deep.equal([]);
}

// ---------------------------------------------------------------- integration: the in-process network

const { ethers, networkHelpers } = await network.create();

async function scenario() {
  const { system, roles, accounts, model, score, depositWeth, poolAddress } = await deployScoredSystem(ethers);
  const [alice, bob, carol, dave, liquidator] = accounts;
  const { oracle, pool, policy, vusd, weth, priceFeed, fallbackPriceFeed } = system;

  await score(alice!.address, 300, [5, 7, 0, 0]); // tier A
  await score(bob!.address, 900, [3, 0, 0, 0]); // tier B
  await score(carol!.address, 3500, [2, 5, 1, 0]); // above the 28 % approval threshold: adverse action
  await score(dave!.address, 4000, [2, 3, 0, 0]); // adverse action

  // ETH at $3,000: alice borrows 20,000 on $30,000 (tier A, 80 % max LTV); bob 15,000 then repays 5,000.
  await depositWeth(alice!, "10");
  await mined(pool.connect(alice!).borrow(wad(20_000)));
  await depositWeth(bob!, "10");
  await mined(pool.connect(bob!).borrow(wad(15_000)));
  const repayReceipt = await mined(pool.connect(bob!).repay(bob!.address, wad(5_000)));

  // Rule changes: one executed after the timelock, one cancelled, one left pending.
  const changeIdOf = (receipt: Awaited<ReturnType<typeof mined>>) =>
    policy.interface.parseLog(receipt.logs[0]!)!.args.changeId as string;
  const ceilingId = changeIdOf(
    await mined(policy.connect(roles.regulator).scheduleRuleChange(ruleId("DEBT_CEILING"), wad(20_000_000))),
  );
  const aprId = changeIdOf(
    await mined(policy.connect(roles.governance).scheduleRuleChange(tierRuleId("TIER_APR", 1), 800)),
  );
  await mined(policy.connect(roles.governance).cancelRuleChange(aprId));
  await networkHelpers.time.increase(defaultParameters.rules.timelockDelaySec);
  await mined(policy.executeRuleChange(ceilingId));

  // ETH falls to $2,200 (26.7 %, inside the 30 % bound): alice's health factor drops below 1.
  await mined(priceFeed.setAnswer(parseUnits("2200", 8)));
  await mined(fallbackPriceFeed.setAnswer(parseUnits("2200", 8))); // both sources show the fall
  await mined(pool.pokePrice(system.wethAddress));
  await depositWeth(liquidator!, "20");
  await mined(pool.connect(liquidator!).borrow(wad(12_000))); // unscored: tier D
  const wethBefore = await weth.balanceOf(liquidator!.address);
  await mined(pool.connect(liquidator!).liquidate(alice!.address, system.wethAddress, wad(10_000)));
  const seized = (await weth.balanceOf(liquidator!.address)) - wethBefore;

  // ETH jumps to $3,200 on the primary feed alone: pokePrice freezes ETH, nothing pauses; the guardian pauses by
  // hand and the regulator resets the breaker.
  await mined(priceFeed.setAnswer(parseUnits("3200", 8)));
  await mined(pool.pokePrice(system.wethAddress));
  if (await policy.paused()) throw new Error("a price must not pause the protocol");
  const tripReceipt = await mined(policy.connect(roles.guardian).pause());
  await networkHelpers.time.increase(600);
  const resetReceipt = await mined(policy.connect(roles.regulator).unpause());

  await mined(policy.connect(roles.regulator).scheduleRuleChange(ruleId("MAX_SCORE_AGE"), 7 * 86_400));
  const snapshotReceipt = await mined(pool.publishExposureSnapshot());

  const addressBook: AddressBook = {
    network: "hardhat-test",
    chainId: Number((await ethers.provider.getNetwork()).chainId),
    deployedAtBlock: system.deployedAtBlock,
    deployedAt: new Date().toISOString(),
    contracts: {
      vusd: await vusd.getAddress(),
      creditScoreOracle: await oracle.getAddress(),
      supervisionPolicy: await policy.getAddress(),
      lendingPool: poolAddress,
      weth: system.wethAddress,
      wethUsdPriceFeed: system.priceFeedAddress,
    },
    roles: Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, v.address])) as AddressBook["roles"],
    model: { ...model, approved: true },
  };
  const report = await buildComplianceReport({ provider: ethers.provider, addressBook, chunkBlocks: 7 });
  const block = async (receipt: { blockNumber: number }) =>
    (await ethers.provider.getBlock(receipt.blockNumber))!.timestamp;
  return {
    report,
    addressBook,
    model,
    system,
    actors: {
      alice: alice!,
      bob: bob!,
      carol: carol!,
      dave: dave!,
      liquidator: liquidator!,
      regulator: roles.regulator,
      guardian: roles.guardian,
    },
    seized,
    repayLog: pool.interface.parseLog(
      repayReceipt.logs.find((l) => l.address === poolAddress && pool.interface.parseLog(l)?.name === "LoanRepaid")!,
    )!,
    snapshotLog: pool.interface.parseLog(snapshotReceipt.logs.find((l) => l.address === poolAddress)!)!,
    tripTime: await block(tripReceipt),
    resetTime: await block(resetReceipt),
  };
}

describe("report: integration on the in-process network", function () {
  this.timeout(120_000);
  let s: Awaited<ReturnType<typeof scenario>>;
  let report: ComplianceReport;
  before(async () => {
    s = await networkHelpers.loadFixture(scenario);
    report = s.report;
  });

  it("reads every compliance event from the deployment block, in small chunks, with block times", async () => {
    const head = await ethers.provider.getBlockNumber();
    expect(report.meta.fromBlock).to.equal(s.addressBook.deployedAtBlock);
    expect(report.meta.toBlock).to.equal(head);
    const count = (name: string) => report.analysis.eventCounts.find((c) => c.name === name)?.count ?? 0;
    expect(count("ScorePosted")).to.equal(4);
    expect(count("AdverseAction")).to.equal(2);
    expect(count("LoanOriginated")).to.equal(3);
    expect(count("LoanRepaid")).to.equal(1);
    expect(count("PositionLiquidated")).to.equal(1);
    expect(count("RuleChangeScheduled")).to.equal(3);
    expect(count("CircuitBreakerTripped")).to.equal(1);
    expect(count("ExposureSnapshot")).to.equal(1);
    for (const e of report.events) {
      expect(e.timestamp).to.equal((await ethers.provider.getBlock(e.blockNumber))!.timestamp);
      expect(e.txHash).to.match(/^0x[0-9a-f]{64}$/);
    }
  });

  it("exposure by tier: the snapshot as emitted, and flows per tier", () => {
    const { exposure } = report.analysis;
    const emitted = s.snapshotLog.args;
    expect(exposure.snapshot!.totalDebtWad).to.equal(emitted.totalDebtWad);
    expect(exposure.snapshot!.vusdSupplyWad).to.equal(emitted.vusdSupplyWad);
    expect(exposure.snapshot!.debtByTierWad).to.deep.equal([...emitted.debtByTierWad]);
    expect(exposure.snapshot!.debtByTierWad[2]).to.equal(0n);
    const [a, b, c, d] = exposure.flows;
    expect(a).to.deep.include({
      tier: 0,
      loans: 1,
      originatedWad: wad(20_000),
      liquidatedWad: wad(10_000),
      badDebtWad: 0n,
    });
    expect(a!.netWad).to.equal(wad(10_000));
    const interest = s.repayLog.args.interestWad as bigint;
    expect(b).to.deep.include({
      tier: 1,
      loans: 1,
      originatedWad: wad(15_000),
      principalRepaidWad: wad(5_000) - interest,
      interestRepaidWad: interest,
    });
    expect(c).to.deep.include({ tier: 2, loans: 0, netWad: 0n });
    expect(d).to.deep.include({ tier: 3, loans: 1, originatedWad: wad(12_000), netWad: wad(12_000) });
    expect(exposure.flows).to.have.length(4);
  });

  it("concentration: principal read at the report block, shares and HHI", async () => {
    const { pool } = s.system;
    const principals = await Promise.all(
      [s.actors.alice, s.actors.bob, s.actors.liquidator].map((x) => pool.principalOf(x.address)),
    );
    const total = principals.reduce((sum, p) => sum + p, 0n);
    const { concentration } = report.analysis;
    expect(concentration.borrowers).to.equal(3);
    expect(concentration.totalPrincipalWad).to.equal(total);
    expect(total).to.equal(report.state.totalPrincipalWad);
    expect(concentration.top[0]).to.deep.include({ borrower: s.actors.liquidator.address, principalWad: wad(12_000) });
    const naiveHhi = principals.reduce((sum, p) => sum + ((100 * Number(p)) / Number(total)) ** 2, 0);
    // (the Hardhat chai matchers take closeTo to be bigint-only)
    expect(Math.abs(concentration.hhi - naiveHhi)).to.be.below(0.01);
    expect(Math.abs(concentration.largestShare - Number(wad(12_000)) / Number(total))).to.be.below(1e-9);
  });

  it("scores by model: four scores of the shipped model, tier mix and the two declined", () => {
    expect(report.analysis.scores.models).to.deep.equal([
      {
        modelId: s.model.modelId,
        scores: 4,
        borrowers: 4,
        meanPdBps: 2175,
        medianPdBps: 2200,
        minPdBps: 300,
        maxPdBps: 4000,
        tierMix: [1, 1, 0, 0],
        declined: 2,
      },
    ]);
    expect(report.analysis.scores.approvalThresholdBps).to.equal(2800);
    const counted = report.analysis.scores.histogram.reduce((sum, bin) => sum + bin.count, 0);
    expect(counted).to.equal(4);
    expect(report.analysis.scores.histogram.find((bin) => bin.fromBps === 3500)!.count).to.equal(1);
  });

  it("adverse actions: two, reason 2 in both, with the shipped model's texts", () => {
    const { adverseActions } = report.analysis;
    expect(adverseActions.count).to.equal(2);
    expect(adverseActions.actions.map((x) => [x.borrower, x.pdBps])).to.deep.equal([
      [s.actors.carol.address, 3500],
      [s.actors.dave.address, 4000],
    ]);
    expect(adverseActions.reasons.map((r) => [r.code, r.count])).to.deep.equal([
      [2, 2],
      [1, 1],
      [3, 1],
      [5, 1],
    ]);
    expect(adverseActions.reasons[0]!.text).to.equal("Most recent payment was late or not made in full");
  });

  it("rule changes: executed with old and new values, cancelled, pending", () => {
    const rows = report.analysis.ruleChanges;
    expect(rows.map((r) => [r.rule, r.tier, r.status])).to.deep.equal([
      ["DEBT_CEILING", undefined, "executed"],
      ["TIER_APR", 1, "cancelled"],
      ["MAX_SCORE_AGE", undefined, "pending"],
    ]);
    expect(rows[0]).to.deep.include({ oldValue: wad(10_000_000), newValue: wad(20_000_000) });
    expect(rows[0]!.resolvedAt!.timestamp - rows[0]!.scheduledAt!.timestamp).to.be.at.least(
      defaultParameters.rules.timelockDelaySec,
    );
    expect(rows[1]).to.deep.include({ oldValue: 700n, newValue: 800n });
    expect(rows[2]).to.deep.include({
      oldValue: BigInt(defaultParameters.rules.maxScoreAgeSec),
      newValue: 7n * 86_400n,
    });
  });

  it("liquidations: one, 10,000 vUSD repaid, the WETH the liquidator received, no bad debt", () => {
    const { liquidations } = report.analysis;
    expect(liquidations).to.deep.include({ count: 1, borrowers: 1, debtRepaidWad: wad(10_000), badDebtWad: 0n });
    expect(liquidations.seizedByAsset).to.deep.equal([{ asset: s.system.wethAddress, amount: s.seized }]);
    // 10,000 vUSD plus the 5 % bonus at $2,200 per ETH, rounded down.
    expect(s.seized).to.equal((wad(10_500) * 10n ** 8n) / parseUnits("2200", 8));
  });

  it("circuit breaker: a MANUAL trip by the guardian, reset by the regulator", () => {
    const { circuitBreaker } = report.analysis;
    expect(circuitBreaker).to.deep.include({
      trips: 1,
      resets: 1,
      pausedAtEnd: false,
      pausedSec: s.resetTime - s.tripTime,
    });
    const [interval] = circuitBreaker.intervals;
    expect(interval).to.deep.include({ reason: "MANUAL", detail: 0n, by: s.actors.guardian.address });
    expect(interval!.resetAt!.by).to.equal(s.actors.regulator.address);
    expect(interval!.resetAt!.liquidationsResumeAt).to.equal(
      s.resetTime + defaultParameters.rules.liquidationGracePeriodSec,
    );
    expect(report.state.paused).to.equal(false);
  });

  it("data providers: the demo bureau, approved at deployment, with every score of the period", () => {
    expect(report.analysis.providers.map((p) => [p.provider, p.name, p.status, p.scores, p.borrowers])).to.deep.equal([
      [DEMO_PROVIDER.id, DEMO_PROVIDER.name, "approved", 4, 4],
    ]);
  });

  it("governance: the model proposal and approval and the operator set", () => {
    expect(report.analysis.governance.map((g) => g.event)).to.deep.equal([
      "ModelProposed",
      "ModelApproved",
      "OperatorSetChanged",
    ]);
    expect(report.state.operatorSet).to.deep.include({ threshold: 2 });
  });

  it("writes the Markdown, one CSV per table and the five SVG charts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "verity-report-"));
    const written = await writeComplianceReport(report, dir);
    expect(written.markdownPath).to.equal(join(dir, "report.md"));
    expect((await readdir(join(dir, "csv"))).sort()).to.deep.equal(
      [
        "adverse_action_reasons",
        "adverse_actions",
        "asset_freezes",
        "circuit_breaker",
        "concentration",
        "data_providers",
        "event_counts",
        "exposure_flows",
        "exposure_snapshot",
        "exposure_state",
        "fairness_reports",
        "governance",
        "liquidations",
        "pd_distribution",
        "pending_changes",
        "positions_at_risk",
        "rule_changes",
        "rules_global",
        "rules_tiers",
        "savings",
        "score_notices",
        "scores_by_model",
      ].map((id) => `${id}.csv`),
    );
    expect((await readdir(join(dir, "charts"))).sort()).to.deep.equal([
      "adverse_action_reasons.svg",
      "circuit_breaker_timeline.svg",
      "exposure_by_tier.svg",
      "pd_histogram.svg",
      "savings_share_price.svg",
    ]);
    for (const path of written.chartPaths) expectWellFormedSvg(await readFile(path, "utf8"));
    const markdown = await readFile(written.markdownPath, "utf8");
    for (const text of [
      "## 1. Exposure by tier",
      "## 10. Data providers",
      `| ${DEMO_PROVIDER.id} | ${DEMO_PROVIDER.name} | approved |`,
      "| DEBT_CEILING |  | executed | 10,000,000.00 vUSD | 20,000,000.00 vUSD |",
      "MANUAL",
      "Most recent payment was late or not made in full",
      "![",
      "csv/rule_changes.csv",
    ]) {
      expect(markdown).to.include(text);
    }
    const ruleCsv = await readFile(join(dir, "csv", "rule_changes.csv"), "utf8");
    expect(ruleCsv.split("\r\n")[1]).to.match(/^DEBT_CEILING,,executed,"10,000,000.00 vUSD","20,000,000.00 vUSD",/);
    if (process.env.REPORT_TEST_KEEP !== undefined) console.log(`report written to ${written.markdownPath}`);
    // The report's sha256: returned, and written beside it in sha256sum format.
    const digest = createHash("sha256")
      .update(await readFile(written.markdownPath))
      .digest("hex");
    expect(written.sha256).to.equal(digest);
    expect(await readFile(`${written.markdownPath}.sha256`, "utf8")).to.equal(`${digest}  report.md\n`);
  });

  it("rules in force at the end block: every global rule by name in its unit, the tier table, pending changes with ETA", async () => {
    const globals = new Map(report.state.rulebook.globals.map((r) => [r.name, r.value]));
    expect([...globals.keys()]).to.deep.equal([...GLOBAL_RULE_NAMES]);
    expect(globals.get("DEBT_CEILING")).to.equal(wad(20_000_000)); // the executed change
    expect(globals.get("MAX_SCORE_AGE")).to.equal(BigInt(defaultParameters.rules.maxScoreAgeSec)); // still pending
    const policy = s.system.policy;
    for (const name of GLOBAL_RULE_NAMES)
      expect(globals.get(name), name).to.equal(await policy.ruleValue(ruleId(name)));
    expect(report.state.rulebook.tiers).to.have.length(defaultParameters.tiers.length);
    report.state.rulebook.tiers.forEach((t, i) => {
      expect(t.terms.maxPdBps).to.equal(defaultParameters.tiers[i]!.maxPdBps);
      expect(t.terms.aprBps).to.equal(defaultParameters.tiers[i]!.aprBps);
      expect(t.caps.maxLtvBps).to.equal(defaultParameters.tiers[i]!.caps.maxLtvBps);
    });
    const tables = buildTables(report);
    const pending = tables.find((t) => t.id === "pending_changes")!;
    expect(pending.rows.map((r) => r[0])).to.deep.equal(["MAX_SCORE_AGE"]);
    const scheduled = report.analysis.ruleChanges.find((c) => c.rule === "MAX_SCORE_AGE")!;
    expect(pending.rows[0]![4]).to.equal(scheduled.executableAt);
    expect(pending.rows[0]![3]).to.equal("7 d 0 h (604800 s)");
    const tiers = tables.find((t) => t.id === "rules_tiers")!;
    expect(tiers.rows[0]!.slice(0, 3)).to.deep.equal(["Tier A (PD ≤ 5.00%)", "5.00%", "80.00% (85.00%)"]);
  });

  it("positions at risk: health factor below 1.1 at the end block, from state (alice after her liquidation)", () => {
    const atRisk = positionsAtRisk(report.state.positions);
    expect(atRisk.map((p) => p.borrower)).to.deep.equal([s.actors.alice.address]);
    expect(atRisk[0]!.healthFactorWad < 11n * 10n ** 17n).to.equal(true);
    const others = report.state.positions.filter((p) => p.borrower !== s.actors.alice.address && p.debtWad > 0n);
    expect(others.length).to.be.greaterThan(0);
    for (const p of others) expect(p.healthFactorWad >= 11n * 10n ** 17n, p.borrower).to.equal(true);
  });

  it("fairness: says explicitly that nothing was published; freezes: WETH frozen by the lone primary jump, still frozen", async () => {
    const markdown = renderMarkdown(report, buildTables(report), []);
    expect(markdown).to.include(
      "## 13. Fairness\n\n**Nothing was published:** no `FairnessReportPublished` event in the period.",
    );
    expect(report.analysis.freezes).to.have.length(1);
    const freeze = report.analysis.freezes[0]!;
    expect(freeze.asset).to.equal(s.system.wethAddress);
    expect(freeze.unfrozenAt).to.equal(null);
    expect(freeze.durationSec).to.equal(report.meta.endTimestamp - freeze.frozenAt);
    expect(markdown).to.match(
      /\| WETH \| PRICE_SOURCE_TOLERANCE \| [^|]+ UTC \| {2}\| still frozen \| 10 min 0\d s \| 2,200.00 \|/,
    );
  });

  it("exposure from state when no snapshot was published in the period", async () => {
    const before = await buildComplianceReport({
      provider: ethers.provider,
      addressBook: s.addressBook,
      toBlock: report.analysis.exposure.snapshot!.blockNumber - 1,
    });
    expect(before.analysis.exposure.snapshot).to.equal(undefined);
    const pool = s.system.pool;
    const at = { blockTag: before.meta.toBlock };
    const expected = Array.from({ length: before.state.tierCount }, () => 0n);
    for (const who of [s.actors.alice, s.actors.bob, s.actors.liquidator]) {
      const p = await pool.positionOf(who.address, at);
      expected[Number(p.tier)]! += p.debtWad;
    }
    expect(before.state.stateExposure.debtByTierWad).to.deep.equal(expected);
    expect(before.state.stateExposure.vusdSupplyWad).to.equal(await s.system.vusd.totalSupply(at));
    const markdown = renderMarkdown(before, buildTables(before), []);
    expect(markdown).to.include("No exposure snapshot was published in the period, so exposure is read from state");
    expect(markdown).to.include("csv/exposure_state.csv");
    // With a snapshot, the report shows the pool's own figure instead.
    expect(renderMarkdown(report, buildTables(report), [])).to.not.include("exposure is read from state");
  });

  it("a provider refusing large ranges (Infura's error through ethers) gives the same report events", async () => {
    const capped = new CappedProvider((from, to) =>
      to - from + 1 > 4 ? { code: -32005, message: "query returned more than 10000 results" } : null,
    );
    const viaCapped = await buildComplianceReport({
      provider: capped,
      addressBook: s.addressBook,
      toBlock: report.meta.toBlock,
      chunkBlocks: 50,
    });
    expect(viaCapped.events).to.deep.equal(report.events);
    expect(capped.refused).to.be.greaterThan(0);
  });
});

/** The in-process node behind ethers' JSON-RPC provider, answering eth_getLogs as a capped hosted provider does. */
class CappedProvider extends JsonRpcApiProvider {
  refused = 0;
  constructor(private readonly refuse: (from: number, to: number) => JsonRpcError["error"] | null) {
    super(Network.from(31337n), { staticNetwork: Network.from(31337n), batchMaxCount: 1 });
  }
  async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<(JsonRpcResult | JsonRpcError)[]> {
    const answers: (JsonRpcResult | JsonRpcError)[] = [];
    for (const p of Array.isArray(payload) ? payload : [payload]) {
      if (p.method === "eth_getLogs") {
        const [filter] = p.params as [{ fromBlock: string; toBlock: string }];
        const error = this.refuse(Number(filter.fromBlock), Number(filter.toBlock));
        if (error !== null) {
          this.refused++;
          answers.push({ id: p.id, error });
          continue;
        }
      }
      try {
        answers.push({ id: p.id, result: await ethers.provider.send(p.method, p.params as unknown[]) });
      } catch (error) {
        answers.push({ id: p.id, error: { code: -32603, message: (error as Error).message } });
      }
    }
    return answers;
  }
}

describe("report: charts that stay readable", () => {
  const MONTH = 30 * 86_400;
  it("time ticks adapt to the span: days over a month, seconds over a minute; never more than asked", () => {
    const start = Date.UTC(2026, 10, 1) / 1000;
    const month = timeTicks(start, start + MONTH, 6);
    expect(month.length).to.be.within(2, 7);
    for (const t of month) expect(t.label).to.match(/^\d{4}-\d{2}-\d{2}$/);
    const minute = timeTicks(start, start + 40, 6);
    expect(minute.map((t) => t.label)).to.deep.equal(["00:00:00", "00:00:15", "00:00:30"]);
    const hours = timeTicks(start + 100, start + 100 + 6 * 3600, 6);
    for (const t of hours) expect(t.label).to.match(/^\d{2}-\d{2} \d{2}:00$/);
  });

  it("a timeline with events seconds apart in a month: marker numbers grouped so none overlap, the list capped", () => {
    const start = 1_700_000_000;
    const markers = Array.from({ length: 60 }, (_, i) => ({
      at: start + 10 * 86_400 + i * 2,
      label: i % 2 === 0 ? "tripped" : "reset",
    }));
    const svg = timelineChart({
      title: "Circuit breaker over a month",
      start,
      end: start + MONTH,
      spans: [],
      markers,
      formatTime: String,
    });
    expectWellFormedSvg(svg);
    const numbers = [
      ...svg.matchAll(/<text x="([\d.]+)" y="56" text-anchor="middle" font-size="10"[^>]*>([^<]+)<\/text>/g),
    ];
    expect(numbers.map((m) => m[2])).to.deep.equal(["1–60"]);
    expect(svg).to.include("… and 40 more (see the table)");
    const xs = groupMarkers([0, 5, 10, 40, 41, 100], 18);
    expect(xs).to.deep.equal([
      { x: 0, first: 1, last: 3 },
      { x: 40, first: 4, last: 5 },
      { x: 100, first: 6, last: 6 },
    ]);
  });

  it("a title longer than the chart is shrunk, then cut at a word, the full text kept as a tooltip", () => {
    const long =
      "Exposure by tier at the end of the period, with every flow of debt booked to its tier, and more words";
    const svg = chartTitle(560, long);
    const shown = /font-weight="bold"[^>]*>([^<]+)<\/text>/.exec(svg)![1]!;
    expect(shown.endsWith("…")).to.equal(true);
    expect(shown.length * 6.6 * 1.4 * (12 / 16)).to.be.at.most(560);
    expect(svg).to.include(`<title>${long}</title>`);
    expect(svg).to.include('font-size="12"');
    expect(chartTitle(560, "Short")).to.include('font-size="16"');
  });
});

describe("report: supervision sections (hand-built)", () => {
  it("freeze periods: paired per asset, an unfreeze with no freeze opens at the start, a second freeze keeps the first", () => {
    const WETH = "0x" + "e7".repeat(20);
    const USDC = "0x" + "0c".repeat(20);
    const reason = encodeBytes32String("PRICE_DEVIATION");
    const events = [
      ev("AssetUnfrozen", 5, { asset: USDC, priceWad: wad(1) }),
      ev("AssetFrozen", 10, {
        asset: WETH,
        reason,
        primaryPriceWad: wad(3200),
        fallbackPriceWad: wad(2200),
        lastAgreedPriceWad: wad(2200),
      }),
      ev("AssetFrozen", 11, {
        asset: WETH,
        reason: encodeBytes32String("PRICE_STALE"),
        primaryPriceWad: 0n,
        fallbackPriceWad: wad(2200),
        lastAgreedPriceWad: wad(2200),
      }),
      ev("AssetUnfrozen", 20, { asset: WETH, priceWad: wad(3100) }),
      ev("AssetFrozen", 30, {
        asset: WETH,
        reason,
        primaryPriceWad: wad(1),
        fallbackPriceWad: wad(2),
        lastAgreedPriceWad: wad(3100),
      }),
    ];
    const { freezes } = analyse(events, context());
    expect(freezes.map((f) => [f.asset, f.frozenBlock, f.unfrozenBlock, f.durationSec])).to.deep.equal([
      [USDC, -1, 5, 12 * 5],
      [WETH, 10, 20, 12 * 10],
      [WETH, 30, null, 1_000_000 + 12 * 1000 - (1_000_000 + 12 * 30)],
    ]);
    expect(freezes[1]!.reason).to.equal(reason);
    expect(freezes[1]!.priceAfterWad).to.equal(wad(3100));
  });

  it("score notices and fairness publications are listed as emitted; nothing published is said so", () => {
    const events = [
      ev("ScoreExpiring", 3, { borrower: ALICE, tier: 1, expiredAt: 1_000_000, noticeEndsAt: 1_000_100 }),
      ev("ScoreExpiring", 4, { borrower: BOB, tier: 0, expiredAt: 1_000_000, noticeEndsAt: 9_999_999 }),
      ev("FairnessReportPublished", 6, {
        modelId: MODEL_A,
        periodStart: 1,
        periodEnd: 2,
        eodBps: 250,
        dirBps: 9200,
        reportHash: MODEL_B,
      }),
    ];
    const a = analyse(events, context());
    expect(a.scoreNotices.map((n) => [n.borrower, n.tier, n.endedByPeriodEnd])).to.deep.equal([
      [ALICE, 1, true],
      [BOB, 0, false],
    ]);
    expect(a.fairness).to.have.length(1);
    expect(a.fairness[0]).to.include({
      modelId: MODEL_A,
      eodBps: 250,
      dirBps: 9200,
      reportHash: MODEL_B,
      blockNumber: 6,
    });
    expect(analyse([], context()).fairness).to.deep.equal([]);
  });

  it("positions at risk: debt and health factor strictly below 1.1, the weakest first", () => {
    const hf = (x: string) => parseUnits(x, 18);
    const position = (borrower: string, debtWad: bigint, healthFactorWad: bigint) => ({
      borrower,
      debtWad,
      tier: 0,
      collateralValueWad: 0n,
      healthFactorWad,
    });
    const risky = positionsAtRisk([
      position(ALICE, wad(1), hf("1.0999")),
      position(BOB, wad(1), hf("1.1")),
      position(CAROL, wad(1), hf("0.8")),
      position(POOL, 0n, 0n),
    ]);
    expect(risky.map((p) => p.borrower)).to.deep.equal([CAROL, ALICE]);
  });

  it("one tier naming: A, B, C, D (unscored), used by the parameters and the report", () => {
    expect([0, 1, 2, 3].map((t) => tierDisplayName(t, 4))).to.deep.equal(["A", "B", "C", "D (unscored)"]);
    expect(defaultParameters.tiers.map((t) => t.name)).to.deep.equal(["A", "B", "C", "D"]);
    expect(tierLabel(0, [500, 1200, 2000, 2800])).to.equal("Tier A (PD ≤ 5.00%)");
    expect(tierLabel(3, [500, 1200, 2000, 2800])).to.equal("Tier D (unscored) (PD ≤ 28.00%)");
    expect(() => tierName(26)).to.throw(/tier must be 0..25/);
  });
});
