/** The validation toolkit on small known inputs: bootstrap AUC, group fairness with intervals, bands, bins, Platt. */
import { expect } from "chai";
import {
  pairedAucBootstrap,
  percentileInterval,
  rankScores,
  resampleWeights,
  weightedAuc,
} from "../../oracle/training/bootstrap.js";
import { BASE_AGE_BANDS, ageBandOf, fairnessReport, mergeSmallBands } from "../../oracle/training/fairness.js";
import { auc } from "../../oracle/training/metrics.js";
import { fitCalibration } from "../../oracle/training/network.js";
import { mulberry32 } from "../../oracle/training/random.js";
import { binAtDeciles } from "../../oracle/training/reference.js";
import { expectClose } from "./helpers.js";

function synthetic(n: number, seed: number) {
  const random = mulberry32(seed);
  const y = Uint8Array.from({ length: n }, () => (random() < 0.25 ? 1 : 0));
  const good = Float64Array.from(y, (v) => v + random() * 1.6);
  const weak = Float64Array.from(y, (v) => Math.round((v * 0.4 + random()) * 20) / 20); // with ties
  return { y, good, weak };
}

describe("model evaluation toolkit", () => {
  it("weighted AUC equals the Mann–Whitney AUC with unit weights, ties included, and follows row counts", () => {
    const { y, good, weak } = synthetic(2000, 3);
    const ones = new Uint16Array(y.length).fill(1);
    expectClose(weightedAuc(rankScores(good), y, ones), auc(good, y), 1e-12);
    expectClose(weightedAuc(rankScores(weak), y, ones), auc(weak, y), 1e-12);
    // Weight 2 on a row = the row listed twice.
    const twice = new Uint16Array(y.length).fill(1);
    twice[0] = 2;
    const dup = (x: ArrayLike<number>) => Float64Array.from([...Array.from(x), x[0] as number]);
    expectClose(
      weightedAuc(rankScores(weak), y, twice),
      auc(dup(weak), Uint8Array.from([...y, y[0] as number])),
      1e-12,
    );
  });

  it("resamples are seeded multinomial draws of n rows", () => {
    const a = [...resampleWeights(500, { resamples: 3, seed: 9 })];
    const b = [...resampleWeights(500, { resamples: 3, seed: 9 })];
    expect(a.map((w) => Array.from(w))).to.deep.equal(b.map((w) => Array.from(w)));
    for (const w of a) expect(w.reduce((s, v) => s + v, 0)).to.equal(500);
  });

  it("the paired bootstrap of ΔAUC brackets the estimate and separates a clearly better score", () => {
    const { y, good, weak } = synthetic(3000, 5);
    const r = pairedAucBootstrap(good, weak, y, { resamples: 300, seed: 1 });
    expectClose(r.delta.estimate, auc(good, y) - auc(weak, y), 1e-12);
    expect(r.delta.lo).to.be.below(r.delta.estimate).and.greaterThan(0);
    expect(r.delta.hi).to.be.above(r.delta.estimate);
    const same = pairedAucBootstrap(good, good, y, { resamples: 50, seed: 1 });
    expect([same.delta.lo, same.delta.estimate, same.delta.hi]).to.deep.equal([0, 0, 0]);
  });

  it("percentile intervals interpolate", () => {
    const i = percentileInterval(
      5,
      Array.from({ length: 101 }, (_, k) => k),
    );
    expect(i.estimate).to.equal(5);
    expectClose(i.lo, 2.5, 1e-9);
    expectClose(i.hi, 97.5, 1e-9);
  });

  it("fairness: each group against the most-approved one, with intervals around the point estimates", () => {
    // Group a: 100 people, 80 approved; group b: 100 people, 60 approved. Non-defaulters: a 50 of 50, b 40 of 50.
    const pd: number[] = [];
    const labels: number[] = [];
    const groups: string[] = [];
    const add = (group: string, count: number, approved: boolean, bad: boolean) => {
      for (let i = 0; i < count; i++) {
        pd.push(approved ? 0.1 : 0.9);
        labels.push(bad ? 1 : 0);
        groups.push(group);
      }
    };
    add("a", 50, true, false);
    add("a", 30, true, true);
    add("a", 20, false, true);
    add("b", 40, true, false);
    add("b", 10, false, false);
    add("b", 20, true, true);
    add("b", 30, false, true);
    const f = fairnessReport("g", (i) => groups[i] as string, ["b", "a"], pd, labels, 0.5, { resamples: 400, seed: 2 });
    expect(f.reference).to.equal("a");
    const b = f.groups.find((g) => g.group === "b");
    expectClose(b?.dir.estimate as number, 0.6 / 0.8, 1e-12);
    expectClose(b?.eod.estimate as number, 0.8 - 1, 1e-12);
    expect(b?.dir.lo).to.be.below(0.75);
    expect(b?.dir.hi).to.be.above(0.75);
    expectClose(f.disparateImpactRatio.estimate, 0.75, 1e-12);
    expectClose(f.equalOpportunityDifference.estimate, -0.2, 1e-12);
  });

  it("age bands under the minimum size merge into their neighbour", () => {
    const ages = [...Array(400).fill(22), ...Array(2000).fill(30), ...Array(1300).fill(45), ...Array(70).fill(65)];
    const { bands, merged } = mergeSmallBands(ages, 300);
    expect(bands.map((b) => b.label)).to.deep.equal(["<25", "25-39", ">=40"]);
    expect(merged).to.deep.equal([">=60 (70 people) into 40-59"]);
    expect(ageBandOf(bands, 61)).to.equal(">=40");
    expect(ageBandOf(bands, 24)).to.equal("<25");
    expect(mergeSmallBands(ages, 10).bands).to.deep.equal([...BASE_AGE_BANDS]);
  });

  it("decile bins: unique edges, shares under the stated rule", () => {
    const values = Float64Array.from([...Array(50).fill(0), ...Array.from({ length: 50 }, (_, i) => i + 1)]);
    const d = binAtDeciles(values, "x");
    // The 10 %–40 % deciles are all 0: one edge; the ties sit in the bin [0, 1).
    expect(d.edges).to.deep.equal([0, 1, 11, 21, 31, 41]);
    expect(d.shares).to.deep.equal([0, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1]);
  });

  it("Platt scaling recovers a known scale and bias", () => {
    const random = mulberry32(11);
    const x = Float64Array.from({ length: 20_000 }, () => random() * 8 - 4);
    const y = Uint8Array.from(x, (v) => (random() < 1 / (1 + Math.exp(-(0.7 * v - 0.4))) ? 1 : 0));
    const c = fitCalibration(x, y);
    expectClose(c.scale, 0.7, 0.05);
    expectClose(c.bias, -0.4, 0.05);
  });
});
