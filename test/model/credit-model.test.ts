import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { expect } from "chai";
import onnxProto from "onnx-proto";
import { loadCreditModel, pdToBps, REQUIRED_METADATA } from "../../oracle/src/model/index.js";
import { FEATURE_NAMES, networkInputs, standardise } from "../../oracle/training/features.js";
import { auc } from "../../oracle/training/metrics.js";
import type { ReferenceDistributions } from "../../oracle/training/reference.js";
import { predictEnsembleWithTf, type NetworkWeights } from "../../oracle/training/network.js";
import { useBackend } from "../../oracle/training/tf-backend.js";
import { committedModel, MODEL_PATH, testSplit, expectClose } from "./helpers.js";
import { expectRejection } from "../helpers/assertions.js";

const { onnx } = onnxProto;

/** Rebuilds the training library's computation (TensorFlow.js) from the weights stored in the ONNX file. */
function tfjsPredictFromOnnx(bytes: Uint8Array, raw: Float32Array): Float32Array {
  const proto = onnx.ModelProto.decode(bytes);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of proto.graph?.initializer ?? []) {
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT || !t.name) continue;
    const rawData = t.rawData as Uint8Array;
    const data = new Float32Array(Uint8Array.from(rawData).buffer); // copy: protobufjs returns Buffer views
    tensors.set(t.name, { shape: (t.dims ?? []).map(Number), data });
  }
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`initializer ${name} missing`);
    return t;
  };
  const stats = (block: string) => ({ mean: get(`${block}_mean`).data, std: get(`${block}_std`).data });
  const { free, mono } = networkInputs(raw);
  const z = standardise(free, stats("free"));
  const m = standardise(mono, stats("mono"));
  const members: NetworkWeights[] = [];
  for (let k = 0; tensors.has(`net${k}_out_b`); k++) {
    const weights: NetworkWeights = { kind: "mlp", tensors: {} };
    for (const [name, t] of tensors)
      if (name.startsWith(`net${k}_`)) weights.tensors[name.slice(`net${k}_`.length)] = t;
    members.push(weights);
  }
  expect(members.length).to.be.greaterThan(0);
  const calibration = {
    scale: get("calibration_scale").data[0] as number,
    bias: get("calibration_bias").data[0] as number,
  };
  return predictEnsembleWithTf(members, calibration, z, m);
}

describe("credit model (committed ONNX file)", function () {
  this.timeout(30_000);

  it("has the documented interface and metadata", async () => {
    const model = await committedModel();
    expect(model.featureNames).to.deep.equal(FEATURE_NAMES);
    expect(model.featureNames).to.not.include.members(["SEX", "MARRIAGE", "AGE"]);
    for (const key of REQUIRED_METADATA) expect(model.metadata[key], key).to.be.a("string");
    expect(model.approvalPdThreshold).to.be.within(0.01, 0.99);
    const bytes = readFileSync(MODEL_PATH);
    expect(model.modelId).to.equal(`0x${createHash("sha256").update(bytes).digest("hex")}`);
    const proto = onnx.ModelProto.decode(bytes);
    expect(Number(proto.opsetImport.find((o) => !o.domain)?.version)).to.be.at.least(17);
    expect(JSON.parse(model.metadata.metrics as string).network.auc).to.be.a("number");
    expect(model.metadata.training_data_sha256).to.equal(testSplit().data.sha256);
  });

  it("carries the training split's reference distributions, the hash of which the card records", async () => {
    const model = await committedModel();
    const text = model.metadata.reference_distributions as string;
    const card = JSON.parse(readFileSync(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url), "utf8")) as {
      modelId: string;
      reference: { sha256: string };
    };
    expect(card.modelId).to.equal(model.modelId);
    expect(createHash("sha256").update(text).digest("hex")).to.equal(card.reference.sha256);
    const ref = JSON.parse(text) as ReferenceDistributions;
    expect(ref.rows).to.equal(14_400);
    const binned = [ref.score, ref.limitBal, ...Object.values(ref.utilisation), ...Object.values(ref.paymentRatio)];
    expect(Object.keys(ref.utilisation)).to.have.length(6);
    expect(Object.keys(ref.paymentRatio)).to.have.length(5);
    for (const d of binned) {
      expect(d.shares).to.have.length(d.edges.length + 1);
      expectClose(
        d.shares.reduce((a, b) => a + b, 0),
        1,
        1e-4,
        d.definition,
      );
      for (let i = 1; i < d.edges.length; i++) expect(d.edges[i]).to.be.greaterThan(d.edges[i - 1] as number);
    }
    expect(ref.score.edges).to.have.length(9); // PDs have no ties at the deciles
    for (const shares of Object.values(ref.payStatus.shares))
      expectClose(
        shares.reduce((a, b) => a + b, 0),
        1,
        1e-4,
        "PAY_* mix",
      );
    expect(Object.keys(ref.payStatus.shares)).to.deep.equal(["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"]);
    expect(ref.limitBal.median).to.equal(JSON.parse(model.metadata.shapley_baseline as string)[0]);
  });

  it("onnxruntime-node equals TensorFlow.js within 1e-5 on the whole test split", async () => {
    await useBackend("cpu");
    const { raw, rows, y } = testSplit();
    const model = await committedModel();
    const ort = await model.predict(raw);
    const tfjs = tfjsPredictFromOnnx(readFileSync(MODEL_PATH), raw);
    expect(ort.length).to.equal(rows);
    let maxDiff = 0;
    for (let i = 0; i < rows; i++) maxDiff = Math.max(maxDiff, Math.abs((ort[i] as number) - (tfjs[i] as number)));
    expect(maxDiff).to.be.at.most(1e-5);
    // The committed card's test AUC is what this file produces.
    const card = JSON.parse(model.metadata.metrics as string) as { network: { auc: number } };
    expectClose(auc(ort, y), card.network.auc, 1e-4);
  });

  it("accepts number[][] and Float32Array and returns one PD per row in (0, 1)", async () => {
    const model = await committedModel();
    const { raw } = testSplit();
    const width = FEATURE_NAMES.length;
    const rows = [Array.from(raw.subarray(0, width)), Array.from(raw.subarray(width, 2 * width))];
    const a = await model.predict(rows);
    const b = await model.predict(raw.subarray(0, 2 * width));
    expect(Array.from(a)).to.deep.equal(Array.from(b));
    for (const p of a) expect(p).to.be.greaterThan(0).and.lessThan(1);
    await expectRejection(model.predict([[1, 2, 3]]), /row 0 has 3 values/);
  });
});

describe("loadCreditModel rejects bad files", function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(tmpdir(), "verity-model-"));
  const good = () => onnx.ModelProto.decode(readFileSync(MODEL_PATH));
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const encode = (m: onnxProto.onnx.ModelProto) => onnx.ModelProto.encode(m).finish();

  it("missing file", async () => {
    await expectRejection(loadCreditModel(path.join(dir, "nope.onnx")), /cannot read the file \(ENOENT\)/);
  });
  it("garbled bytes", async () => {
    await expectRejection(
      loadCreditModel(write("garbled.onnx", Buffer.from("this is not a protobuf model at all"))),
      /not a valid ONNX file/,
    );
  });
  it("missing metadata", async () => {
    const m = good();
    m.metadataProps = m.metadataProps.filter((p) => p.key !== "approval_pd_threshold");
    await expectRejection(loadCreditModel(write("nometa.onnx", encode(m))), /missing metadata "approval_pd_threshold"/);
  });
  it("wrong input name", async () => {
    const m = good();
    (m.graph?.input?.[0] as onnxProto.onnx.ValueInfoProto).name = "x";
    await expectRejection(loadCreditModel(write("badinput.onnx", encode(m))), /expected input "features", found "x"/);
  });
  it("wrong output shape", async () => {
    const m = good();
    const dim = m.graph?.output?.[0]?.type?.tensorType?.shape?.dim?.[1] as onnxProto.onnx.TensorShapeProto.Dimension;
    dim.dimValue = 2;
    await expectRejection(loadCreditModel(write("badoutput.onnx", encode(m))), /"pd" must have shape \[N, 1\]/);
  });
  it("feature_names not matching the input width", async () => {
    const m = good();
    const prop = m.metadataProps.find((p) => p.key === "feature_names") as onnxProto.onnx.StringStringEntryProto;
    prop.value = JSON.stringify(["LIMIT_BAL"]);
    await expectRejection(loadCreditModel(write("badnames.onnx", encode(m))), /"features" must have shape \[N, 1\]/);
  });
});

describe("pdToBps", () => {
  it("rounds half up and clamps to 0..10000", () => {
    expect(pdToBps(0)).to.equal(0);
    expect(pdToBps(1)).to.equal(10000);
    expect(pdToBps(0.123456)).to.equal(1235);
    expect(pdToBps(0.25)).to.equal(2500);
    expect(pdToBps(0.00016)).to.equal(2);
    expect(pdToBps(0.00004)).to.equal(0);
    expect(pdToBps(-0.2)).to.equal(0);
    expect(pdToBps(1.7)).to.equal(10000);
    expect(() => pdToBps(Number.NaN)).to.throw(/PD must be a number/);
  });
});
