import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import {
  explainApplication,
  coalitionBatch,
  exactGroupShapley,
  parseReasonCodes,
  selectReasonCodes,
  MAX_REASON_CODES,
} from "../../oracle/src/explain/index.js";
import { FEATURE_NAMES } from "../../oracle/training/features.js";
import { committedModel, rowOf, testSplit, expectClose } from "./helpers.js";

const TABLE_PATH = fileURLToPath(new URL("../../oracle/model/reason-codes.json", import.meta.url));

describe("explanations (exact group Shapley through onnxruntime)", function () {
  this.timeout(30_000);

  it("the committed reason-code table is valid and is the one inside the model", async () => {
    const model = await committedModel();
    const committed = JSON.parse(readFileSync(TABLE_PATH, "utf8"));
    const table = parseReasonCodes(committed, FEATURE_NAMES);
    expect(table.length).to.be.within(1, 12);
    expect(JSON.parse(model.metadata.reason_codes as string)).to.deep.equal(committed);
    for (const entry of table) expect(entry.code).to.be.within(1, 0xffff);
  });

  it("attributions sum to f(x) − f(baseline) within 1e-4 and the PD matches predict()", async () => {
    const model = await committedModel();
    const { raw } = testSplit();
    const baseline = JSON.parse(model.metadata.shapley_baseline as string) as number[];
    const [baselinePd] = await model.predict([baseline]);
    for (let i = 0; i < 40; i++) {
      const x = rowOf(raw, i * 97);
      const e = await explainApplication(model, x);
      const [pd] = await model.predict([x]);
      const sum = e.attributions.reduce((s, a) => s + a.value, 0);
      expectClose(e.pd, pd as number, 1e-6);
      expectClose(e.baselinePd, baselinePd as number, 1e-6);
      expectClose(sum, (pd as number) - (baselinePd as number), 1e-4);
    }
  });

  it("gives up to four codes for the largest positive attributions, ordered, with texts", async () => {
    const model = await committedModel();
    const { raw, rows } = testSplit();
    let sawFour = false;
    for (let i = 0; i < 60; i++) {
      const e = await explainApplication(model, rowOf(raw, (i * 131) % rows));
      expect(e.reasonCodes.length).to.be.at.most(MAX_REASON_CODES);
      expect(e.reasons.map((r) => r.code)).to.deep.equal(e.reasonCodes);
      const byCode = new Map(
        JSON.parse(readFileSync(TABLE_PATH, "utf8")).codes.map((c: { code: number; group: string }) => [
          c.code,
          c.group,
        ]),
      );
      const values = e.reasonCodes.map(
        (code) => e.attributions.find((a) => a.feature === byCode.get(code))?.value as number,
      );
      for (let k = 0; k < values.length; k++) {
        expect(values[k]).to.be.greaterThan(0);
        if (k > 0) expect(values[k]).to.be.at.most(values[k - 1] as number);
      }
      const positives = e.attributions.filter((a) => a.value > 1e-6).length;
      expect(e.reasonCodes.length).to.equal(Math.min(positives, MAX_REASON_CODES));
      if (e.reasonCodes.length === 4) sawFour = true;
      for (const r of e.reasons) expect(r.text).to.be.a("string").and.not.empty;
    }
    expect(sawFour).to.equal(true);
  });

  it("a risky applicant is told about late payments", async () => {
    const model = await committedModel();
    const x = JSON.parse(model.metadata.shapley_baseline as string) as number[];
    for (const c of ["PAY_0", "PAY_2", "PAY_3"]) x[FEATURE_NAMES.indexOf(c)] = 3;
    const e = await explainApplication(model, x);
    expect(e.pd).to.be.greaterThan(model.approvalPdThreshold);
    expect(e.reasonCodes[0]).to.be.oneOf([2, 3]);
  });

  it("is deterministic, with one batched model run per explanation (its speed is bench:oracle's business)", async () => {
    const model = await committedModel();
    const x = rowOf(testSplit().raw, 5);
    const first = await explainApplication(model, x);
    let calls = 0;
    const counted = {
      ...model,
      predict: (rows: Float32Array | number[][]) => {
        calls++;
        return model.predict(rows);
      },
    };
    const runs = 50;
    for (let i = 0; i < runs; i++) expect(await explainApplication(counted, x)).to.deep.equal(first);
    expect(calls).to.equal(runs);
  });

  it("exact Shapley is exact on an additive function and handles interactions by symmetry", async () => {
    const groups = [[0], [1, 2], [3]];
    const x = [1, 2, 3, 4];
    const base = [0, 0, 0, 0];
    const f = (rows: Float32Array) => {
      const out = new Float32Array(rows.length / 4);
      for (let r = 0; r < out.length; r++)
        out[r] = 2 * (rows[r * 4] as number) + (rows[r * 4 + 1] as number) * (rows[r * 4 + 3] as number);
      return Promise.resolve(out);
    };
    expect(coalitionBatch(x, base, groups).length).to.equal(8 * 4);
    const s = await exactGroupShapley(f, x, base, groups);
    expectClose(s.values[0]!, 2, 1e-9);
    expectClose(s.values[1]!, 4, 1e-6); // x1·x3 = 8 shared equally
    expectClose(s.values[2]!, 4, 1e-6);
    expect(
      selectReasonCodes(
        parseReasonCodes(JSON.parse(readFileSync(TABLE_PATH, "utf8")), FEATURE_NAMES),
        [0, -1, 0.2, 0.1, 0.3, 0, 0.05, 0.01],
      ).map((c) => c.code),
    ).to.deep.equal([5, 3, 4, 7]);
  });

  it("rejects a table with a feature in two groups or a code 0", () => {
    const table = JSON.parse(readFileSync(TABLE_PATH, "utf8"));
    table.codes[1].features = ["LIMIT_BAL"];
    expect(() => parseReasonCodes(table, FEATURE_NAMES)).to.throw(/already in group/);
    const zero = JSON.parse(readFileSync(TABLE_PATH, "utf8"));
    zero.codes[0].code = 0;
    expect(() => parseReasonCodes(zero, FEATURE_NAMES)).to.throw(/1\.\.65535/);
  });
});
