import { expect } from "chai";
import { FEATURE_NAMES, PAY_STATUS_COLUMNS } from "../../oracle/training/features.js";
import { committedModel, rowOf, testSplit } from "./helpers.js";

const LEVELS = Array.from({ length: 11 }, (_, i) => i - 2); // every repayment code, −2 … 8

describe("robustness: PD never falls when payment delays grow", function () {
  this.timeout(30_000);

  it("holds for each PAY_* column over a grid of applicants", async () => {
    const model = await committedModel();
    const { raw, rows } = testSplit();
    const width = FEATURE_NAMES.length;
    const applicants = Array.from({ length: 300 }, (_, k) => rowOf(raw, (k * 16) % rows));
    // Add synthetic extremes: zero balances, maxed-out limits, tiny and huge limits.
    applicants.push(FEATURE_NAMES.map((f) => (f === "LIMIT_BAL" ? 10_000 : 0)));
    applicants.push(FEATURE_NAMES.map((f) => (f === "LIMIT_BAL" ? 1_000_000 : f.startsWith("BILL") ? 1_000_000 : f.startsWith("PAY_AMT") ? 0 : 0)));
    const batch: number[][] = [];
    for (const x of applicants) {
      for (const column of PAY_STATUS_COLUMNS) {
        for (const level of LEVELS) {
          const row = x.slice();
          row[FEATURE_NAMES.indexOf(column)] = level;
          batch.push(row);
        }
      }
      for (const level of LEVELS) batch.push(x.map((v, j) => (PAY_STATUS_COLUMNS.includes(FEATURE_NAMES[j] as never) ? level : v)));
    }
    const pd = await model.predict(batch);
    let worst = 0;
    for (let start = 0; start < pd.length; start += LEVELS.length) {
      for (let k = 1; k < LEVELS.length; k++) worst = Math.max(worst, (pd[start + k - 1] as number) - (pd[start + k] as number));
    }
    expect(batch.length).to.be.greaterThan(20_000);
    expect(width).to.equal(19);
    expect(worst, "largest PD drop when a delay grows").to.equal(0);
  });
});
