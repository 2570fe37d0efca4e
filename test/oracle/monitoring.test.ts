/** Drift monitoring, pure parts (no chain): PSI, binning, windows, units check, reference parsing. */
import { expect } from "chai";

import {
  DriftMonitor,
  parseReference,
  PSI_EPSILON,
  psiFromCounts,
  psiLevel,
  type DriftMonitorOptions,
} from "../../oracle/src/monitoring/index.js";
import { binIndex, type ReferenceDistributions } from "../../oracle/src/monitoring/quantities.js";

const FEATURES = ["LIMIT_BAL", "PAY_0", "BILL_AMT1", "BILL_AMT2", "PAY_AMT1"];

/** A small reference: two bins per quantity, even shares. */
const REFERENCE: ReferenceDistributions = {
  version: 1,
  source: "test",
  rows: 100,
  binRule:
    "bin 0 holds v < edges[0]; bin i holds edges[i-1] <= v < edges[i]; the last bin holds v >= edges[edges.length-1]",
  score: { definition: "model PD", edges: [0.2], shares: [0.5, 0.5] },
  utilisation: { BILL_AMT1: { definition: "u", edges: [0.5], shares: [0.5, 0.5] } },
  paymentRatio: { PAY_AMT1: { definition: "p", edges: [0.1], shares: [0.5, 0.5] } },
  payStatus: { categories: ["-2", "-1", "0", "1", "2", ">=3"], shares: { PAY_0: [0, 0, 0.5, 0.5, 0, 0] } },
  limitBal: { definition: "l", edges: [100_000], shares: [0.5, 0.5], median: 100_000 },
};

/** Rows matching the reference exactly, alternating between the two halves of every quantity. */
const low = [50_000, 0, 10_000, 100_000, 0];
const high = [200_000, 1, 150_000, 10_000, 5_000];

function monitor(overrides: Partial<DriftMonitorOptions> = {}): { m: DriftMonitor; clock: { t: number } } {
  const clock = { t: 1_000 * 86_400 + 10 };
  const m = new DriftMonitor({
    reference: REFERENCE,
    featureNames: FEATURES,
    windowApplications: 4,
    minApplications: 4,
    warnPsi: 0.1,
    criticalPsi: 0.25,
    unitsWarnRatio: 1.5,
    unitsCriticalRatio: 3,
    now: () => clock.t,
    ...overrides,
  });
  return { m, clock };
}

describe("drift monitoring: PSI", () => {
  it("is 0 for identical shares and Σ (a − e) ln(a / e) otherwise", () => {
    expect(psiFromCounts([0.5, 0.5], [10, 10])).to.equal(0);
    const expected = (0.8 - 0.5) * Math.log(0.8 / 0.5) + (0.2 - 0.5) * Math.log(0.2 / 0.5);
    expectClose(psiFromCounts([0.5, 0.5], [8, 2]), expected, 1e-12);
  });

  it("counts an empty bin as PSI_EPSILON on either side, so the index stays finite", () => {
    const e = PSI_EPSILON;
    expectClose(
      psiFromCounts([0.5, 0.5], [10, 0]),
      (1 - 0.5) * Math.log(1 / 0.5) + (e - 0.5) * Math.log(e / 0.5),
      1e-12,
    );
    expectClose(psiFromCounts([1, 0], [5, 5]), (0.5 - 1) * Math.log(0.5) + (0.5 - e) * Math.log(0.5 / e), 1e-12);
  });

  it("is 0 for an empty window and refuses bins that do not match the reference", () => {
    expect(psiFromCounts([0.5, 0.5], [0, 0])).to.equal(0);
    expect(() => psiFromCounts([0.5, 0.5], [1, 1, 1])).to.throw("3 bins against 2");
  });

  it("warns at 0.10 and is critical at 0.25 (inclusive)", () => {
    const t = { warnPsi: 0.1, criticalPsi: 0.25 };
    expect([0.0999, 0.1, 0.2499, 0.25].map((v) => psiLevel(v, t))).to.deep.equal(["ok", "warn", "warn", "critical"]);
  });

  it("bins as the reference states: bin i holds edges[i-1] <= v < edges[i]", () => {
    expect([0, 1, 1.5, 2, 3].map((v) => binIndex([1, 2], v))).to.deep.equal([0, 1, 1, 2, 2]);
  });
});

describe("drift monitoring: windows", () => {
  it("stays ok while the window matches the reference, and is not judged before minApplications", () => {
    const { m } = monitor();
    m.observe(high, 0.5);
    expect(m.snapshot().windows.rolling.evaluated).to.equal(false);
    expect(m.snapshot().level).to.equal("ok");
    m.observe(low, 0.1);
    m.observe(high, 0.5);
    m.observe(low, 0.1);
    const { rolling } = m.snapshot().windows;
    expect(rolling.evaluated).to.equal(true);
    expect(rolling.applications).to.equal(4);
    expect(rolling.maxPsi).to.equal(0);
    expect(rolling.level).to.equal("ok");
    expect(rolling.limitBal.median).to.equal(125_000);
  });

  it("bins each quantity by its definition: utilisation, payment against the next statement, PAY_* category, score", () => {
    const { m } = monitor();
    // utilisation 0.9 (high), payment ratio 0.6 (high), PAY_0 = 0 (category "0"), score 0.1 (low), limit low
    for (let i = 0; i < 4; i++) m.observe([50_000, 0, 45_000, 5_000, 3_000], 0.1);
    const { psi } = m.snapshot().windows.rolling;
    const allInOneBin = psiFromCounts([0.5, 0.5], [4, 0]);
    expect(psi).to.deep.include({
      "utilisation.BILL_AMT1": round(allInOneBin),
      "paymentRatio.PAY_AMT1": round(allInOneBin),
      score: round(allInOneBin),
      limitBal: round(allInOneBin),
    });
    expect(psi["payStatus.PAY_0"]).to.equal(round(psiFromCounts([0, 0, 0.5, 0.5, 0, 0], [0, 0, 4, 0, 0, 0])));
  });

  it("rolls: the oldest application leaves once the window is full", () => {
    const { m } = monitor();
    for (let i = 0; i < 4; i++) m.observe(high, 0.5);
    expect(m.snapshot().windows.rolling.level).to.equal("critical");
    for (let i = 0; i < 2; i++) m.observe(low, 0.1);
    const { rolling, day } = m.snapshot().windows;
    expect(rolling.applications).to.equal(4);
    expect(rolling.maxPsi).to.equal(0);
    expect(day.applications).to.equal(6);
  });

  it("restarts the day window at 00:00 UTC", () => {
    const { m, clock } = monitor();
    for (let i = 0; i < 4; i++) m.observe(high, 0.5);
    clock.t += 86_400;
    expect(m.snapshot().windows.day.applications).to.equal(0);
    m.observe(low, 0.1);
    const { day, rolling } = m.snapshot().windows;
    expect(day.applications).to.equal(1);
    expect(day.start).to.equal(clock.t);
    expect(rolling.applications).to.equal(4);
  });

  it("units check: a median LIMIT_BAL off by the critical ratio either way is critical, by the warn ratio a warning", () => {
    const check = (limit: number) => {
      const { m } = monitor({ warnPsi: 100, criticalPsi: 100 }); // PSI out of the way: only the units check judges
      for (let i = 0; i < 4; i++) m.observe([limit, 0, 0, 0, 0], 0.1);
      return m.snapshot().windows.rolling.limitBal.level;
    };
    expect([100_000, 66_667, 66_666, 33_334, 33_333, 300_000].map(check)).to.deep.equal([
      "ok",
      "ok",
      "warn",
      "warn",
      "critical",
      "critical",
    ]);
  });

  it("hashes the window summary: same data, same hash; different data, different hash", () => {
    const a = monitor().m;
    const b = monitor().m;
    for (const m of [a, b]) for (let i = 0; i < 4; i++) m.observe(high, 0.5);
    expect(a.snapshot().windows.rolling.summaryHash)
      .to.match(/^0x[0-9a-f]{64}$/)
      .and.equal(b.snapshot().windows.rolling.summaryHash);
    b.observe(low, 0.1);
    expect(b.snapshot().windows.rolling.summaryHash).to.not.equal(a.snapshot().windows.rolling.summaryHash);
  });

  it("refuses a reference that names an input the model lacks", () => {
    expect(() => monitor({ featureNames: FEATURES.filter((f) => f !== "BILL_AMT2") })).to.throw('no input "BILL_AMT2"');
  });
});

describe("drift monitoring: reference metadata", () => {
  it("parses the training reference and names a bad field", () => {
    expect(parseReference(JSON.stringify(REFERENCE)).distributions.limitBal.median).to.equal(100_000);
    const bad = { ...REFERENCE, score: { ...REFERENCE.score, shares: [1] } };
    expect(() => parseReference(JSON.stringify(bad))).to.throw(/at score: must have one share more than edges/);
    expect(() => parseReference("{")).to.throw("is not JSON");
  });
});

const round = (v: number) => Number(v.toPrecision(6));

/** chai's `closeTo` is replaced by a bigint-only one once the contract tests load hardhat's matchers. */
function expectClose(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).to.be.at.most(tolerance);
}
