/**
 * Drift monitoring on the real model through onnxruntime: the validation split (re-derived from the committed data
 * and seed) replayed as it is, with every bill × 1.3, and with every amount ÷ 30 (a currency-unit error).
 * Windows as the node's defaults: rolling window of 1000 applications, judged once full.
 */
import { expect } from "chai";

import { MONITORING_DEFAULTS } from "../../oracle/src/config/index.js";
import { loadCreditModel, type CreditModel } from "../../oracle/src/model/index.js";
import {
  DriftMonitor,
  parseReference,
  type DriftSnapshot,
  type ReferenceDistributions,
} from "../../oracle/src/monitoring/index.js";
import { loadDataset, selectColumns } from "../../oracle/training/data.js";
import { FEATURE_NAMES } from "../../oracle/training/features.js";
import { referenceDistributions } from "../../oracle/training/reference.js";
import { DEFAULT_SPLIT, stratifiedSplit } from "../../oracle/training/split.js";
import { MODEL_PATH } from "./chain-fixture.js";

const WINDOW = MONITORING_DEFAULTS.windowApplications;
const WIDTH = FEATURE_NAMES.length;
const AMOUNT_COLUMNS = FEATURE_NAMES.flatMap((name, i) => (/^(LIMIT_BAL|BILL_AMT\d|PAY_AMT\d)$/.test(name) ? [i] : []));
const BILL_COLUMNS = FEATURE_NAMES.flatMap((name, i) => (/^BILL_AMT\d$/.test(name) ? [i] : []));

/** Snapshots every 100 applications from the first full window on (`firstFull`). */
interface Replay {
  firstFull: DriftSnapshot;
  snapshots: DriftSnapshot[];
}

describe("drift monitoring: replay of the validation split through the model", function () {
  this.timeout(120_000);
  let model: CreditModel;
  let reference: ReferenceDistributions;
  let validation: Float32Array;
  let train: Float32Array;

  before(async () => {
    model = await loadCreditModel(MODEL_PATH);
    expect(model.featureNames).to.deep.equal(FEATURE_NAMES);
    reference = parseReference(model.metadata.reference_distributions as string).distributions;
    const data = loadDataset();
    const split = stratifiedSplit(data.target, DEFAULT_SPLIT);
    validation = selectColumns(data, FEATURE_NAMES, split.validation);
    train = selectColumns(data, FEATURE_NAMES, split.train);
  });

  async function replay(raw: Float32Array): Promise<Replay> {
    const pd = await model.predict(raw);
    const monitor = new DriftMonitor({
      reference,
      featureNames: model.featureNames,
      ...MONITORING_DEFAULTS,
      minApplications: WINDOW,
      now: () => 1_700_000_000,
    });
    const snapshots: DriftSnapshot[] = [];
    for (let r = 0; r < pd.length; r++) {
      monitor.observe(Array.from(raw.subarray(r * WIDTH, (r + 1) * WIDTH)), pd[r] as number);
      if (r + 1 >= WINDOW && (r + 1 - WINDOW) % 100 === 0) snapshots.push(monitor.snapshot());
    }
    return { firstFull: snapshots[0] as DriftSnapshot, snapshots };
  }

  const transformed = (raw: Float32Array, columns: number[], f: (v: number) => number) => {
    const out = Float32Array.from(raw);
    for (let r = 0; r < out.length / WIDTH; r++)
      for (const c of columns) out[r * WIDTH + c] = f(out[r * WIDTH + c] as number);
    return out;
  };

  it("the training split reproduces the shipped reference with the shared definitions", async () => {
    const { score, ...features } = referenceDistributions(train, await model.predict(train));
    const { score: shippedScore, ...shippedFeatures } = reference;
    expect(features).to.deep.equal(shippedFeatures);
    // Training binned the TensorFlow.js PDs; onnxruntime's differ by ~1e-7, which moves a row or two across an edge.
    score.edges.forEach((edge, i) => expect(Math.abs(edge - (shippedScore.edges[i] as number))).to.be.below(1e-5));
    score.shares.forEach((share, i) => expect(Math.abs(share - (shippedScore.shares[i] as number))).to.be.below(0.001));
  });

  it("the validation split as it is stays below PSI 0.10 in every quantity and window", async () => {
    const { snapshots } = await replay(validation);
    const maxPsi = snapshots
      .flatMap((s) => Object.values(s.windows))
      .reduce((max, w) => Math.max(max, w.maxPsi), -Infinity);
    console.log(
      `      baseline: max PSI ${maxPsi.toFixed(4)} over ${snapshots.length} rolling snapshots and the day window`,
    );
    expect(maxPsi).to.be.below(0.1);
    expect(snapshots.every((s) => s.level === "ok")).to.equal(true);
    expect(snapshots.at(-1)?.windows.day.applications).to.equal(validation.length / WIDTH);
  });

  it("bills × 1.3 flags utilisation (PSI ≥ 0.10) within one window", async () => {
    const { firstFull } = await replay(transformed(validation, BILL_COLUMNS, (v) => Math.round(v * 1.3)));
    const { psi, level } = firstFull.windows.rolling;
    const utilisation = Object.entries(psi).filter(([q]) => q.startsWith("utilisation."));
    const worst = utilisation.reduce((max, [, v]) => Math.max(max, v), -Infinity);
    console.log(
      `      bills × 1.3: utilisation PSI ${utilisation.map(([q, v]) => `${q.slice(12)} ${v.toFixed(3)}`).join(", ")}; score PSI ${psi.score?.toFixed(4)}`,
    );
    expect(worst).to.be.at.least(0.1);
    expect(level).to.not.equal("ok");
  });

  it("amounts ÷ 30 (a currency-unit error) is critical within one window, the units check included", async () => {
    const { firstFull } = await replay(transformed(validation, AMOUNT_COLUMNS, (v) => Math.round(v / 30)));
    const { maxPsi, maxPsiQuantity, level, limitBal } = firstFull.windows.rolling;
    console.log(
      `      amounts ÷ 30: max PSI ${maxPsi.toFixed(3)} (${maxPsiQuantity}); median LIMIT_BAL ratio ${limitBal.ratio}`,
    );
    expect(level).to.equal("critical");
    expect(maxPsi).to.be.at.least(0.25);
    expect(limitBal.level).to.equal("critical");
  });
});
