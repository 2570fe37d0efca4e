import { readFileSync } from "node:fs";
import { expect } from "chai";
import onnxProto from "onnx-proto";
import {
  checkFeatureDirections,
  columnDirections,
  FEATURE_NAMES,
  FEATURE_OPS,
  INPUT_DIRECTIONS,
  type FeatureOp,
} from "../../oracle/training/features.js";
import { paymentCliff, sweepDirections, SWEEP_GRIDS } from "../../oracle/training/robustness.js";
import { committedModel, MODEL_PATH, testSplit } from "./helpers.js";

const { onnx } = onnxProto;

describe("robustness: the PD follows every stated direction, and a token payment cannot move it", function () {
  this.timeout(180_000);

  it("states a direction for every input: ↑ in PAY_*, ↓ in LIMIT_BAL and PAY_AMT*, none for BILL_AMT*", async () => {
    const model = await committedModel();
    const directions = JSON.parse(model.metadata.feature_directions as string) as number[];
    expect(directions).to.deep.equal(FEATURE_NAMES.map((f) => INPUT_DIRECTIONS[f]));
    for (const f of FEATURE_NAMES) {
      const expected = /^PAY_\d$/.test(f) ? 1 : f === "LIMIT_BAL" || f.startsWith("PAY_AMT") ? -1 : 0;
      expect(INPUT_DIRECTIONS[f], f).to.equal(expected);
    }
  });

  it("sweeps each constrained field over its grid on every test row: 0 steps against its direction beyond 1e-6", async () => {
    const model = await committedModel();
    const { raw, rows } = testSplit();
    const sweeps = await sweepDirections((x) => model.predict(x), raw, 1e-6);
    expect(sweeps.map((s) => s.column).sort()).to.deep.equal(Object.keys(SWEEP_GRIDS).sort());
    expect(sweeps.map((s) => s.column).sort()).to.deep.equal(
      FEATURE_NAMES.filter((f) => INPUT_DIRECTIONS[f] !== 0).sort(),
    );
    for (const s of sweeps) {
      expect(s.steps, s.column).to.equal(rows * ((SWEEP_GRIDS[s.column]?.length ?? 0) - 1));
      expect(s.violations, `${s.column}: largest move against its direction ${s.worst}`).to.equal(0);
    }
  });

  it("raising any PAY_AMT* from 0 to NT$100 moves the PD by at most 0.5 pp on every test row", async () => {
    const model = await committedModel();
    const { raw, rows } = testSplit();
    const cliff = await paymentCliff((x) => model.predict(x), raw, 100);
    expect(cliff.applicants).to.equal(rows);
    expect(cliff.maxAbsChange, JSON.stringify(cliff.worst)).to.be.at.most(0.005);
  });

  it("the construction: feature ops prove the directions, and every sign-constrained weight in the file is ≥ 0", () => {
    expect(() => checkFeatureDirections(FEATURE_OPS, INPUT_DIRECTIONS)).to.not.throw();
    const proto = onnx.ModelProto.decode(readFileSync(MODEL_PATH));
    const floats = (name: string) => {
      const t = proto.graph?.initializer?.find((i) => i.name === name);
      return t ? Array.from(new Float32Array(Uint8Array.from(t.rawData as Uint8Array).buffer)) : undefined;
    };
    let members = 0;
    for (; floats(`net${members}_mono_Wm`) !== undefined; members++) {
      for (const name of ["mono_Wm", "mono_v"])
        expect(
          (floats(`net${members}_${name}`) as number[]).reduce((min, w) => Math.min(min, w), Infinity),
          `net${members}_${name}`,
        ).to.be.at.least(0);
      const sign = floats(`net${members}_mono_act_sign`) as number[];
      const linear = floats(`net${members}_mono_act_linear`) as number[];
      // act(x) = sign·relu(x) + linear·x is non-decreasing only as relu (1, 0) or min(x, 0) (−1, 1).
      sign.forEach((s, j) => expect(`${s},${linear[j]}`, `net${members} unit ${j}`).to.be.oneOf(["1,0", "-1,1"]));
    }
    expect(members).to.be.at.least(1);
    expect((floats("calibration_scale") as number[])[0]).to.be.greaterThan(0);
  });

  it("the direction check catches a feature that would break a direction", () => {
    const withOp = (replace: (op: FeatureOp) => FeatureOp) => FEATURE_OPS.map(replace);
    // Utilisation of the signed bill: a credit balance divided by a larger limit rises towards 0.
    const signedUtilisation = withOp((op) =>
      op.kind === "safeDiv" && op.out === "utilisation_raw" ? { ...op, num: "bills" } : op,
    );
    expect(() => checkFeatureDirections(signedUtilisation)).to.throw(/breaks the direction of LIMIT_BAL/);
    // A payment amount in the unconstrained block.
    const freePayments: FeatureOp[] = [
      ...FEATURE_OPS,
      { kind: "concat", out: "free", xs: ["log_bills", "log_payments"] },
    ];
    expect(() => checkFeatureDirections(freePayments)).to.throw(/free\[6\].*breaks the direction of PAY_AMT1/);
    // A payment that raises risk.
    const wrongSign = withOp((op) =>
      op.kind === "negate" && op.out === "payment_risk"
        ? { kind: "shiftClip", out: op.out, x: op.x, offset: 0, lo: -1e9, hi: 1e9 }
        : op,
    );
    expect(() => checkFeatureDirections(wrongSign)).to.throw(
      /breaks the direction of PAY_AMT1: dependence 1, wanted -1/,
    );
    const mono = columnDirections().get("mono") ?? [];
    expect(mono.length).to.be.greaterThan(0);
  });
});
