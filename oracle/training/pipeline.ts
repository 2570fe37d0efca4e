/**
 * The training pipeline: data → split → features → monotone MLP and logistic baselines → threshold → ONNX →
 * checks through onnxruntime (parity, monotonicity) → report for the model card.
 * `train.ts` runs it on the full data; the smoke test runs it with a tiny budget.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCreditModel, type CreditModel, type GoldenApplicants } from "../src/model/index.js";
import { columnValues, loadDataset, selectColumns, sha256Hex, subsetTarget, TRAINING_DATA_PATH, TRAINING_DATA_SHA256, type Dataset } from "./data.js";
import { evaluateScores, thinRoc, type ModelEvaluation } from "./evaluate.js";
import { AGE_BANDS, SEX_GROUPS, ageBand, fairnessReport, sexGroup, type FairnessReport } from "./fairness.js";
import {
  FEATURE_NAMES, FEATURE_OPS, PAY_STATUS_COLUMNS, RAW_BASELINE_OPS, engineeredColumnNames, fitStandardiser, networkInputs, standardise,
  type Block, type FeatureOp, type Standardiser,
} from "./features.js";
import { goldenApplicants } from "./golden.js";
import { buildOnnxModel, IR_VERSION, OPSET_VERSION } from "./onnx-export.js";
import { predictWithTf, trainNetwork, type EpochReport, type NetworkKind, type NetworkWeights, type TrainOptions } from "./network.js";
import { DEFAULT_SPLIT, stratifiedSplit, type SplitOptions } from "./split.js";
import { chooseThreshold, type ThresholdCandidate } from "./threshold.js";
import { useBackend, type BackendName } from "./tf-backend.js";
import { auc, type RocPoint } from "./metrics.js";

export const MODEL_VERSION = "1.0.0";
export const REASON_CODES_PATH = fileURLToPath(new URL("../model/reason-codes.json", import.meta.url));

export interface PipelineOptions {
  dataPath: string;
  expectedSha256: string | null;
  split: SplitOptions;
  backend: BackendName;
  network: Omit<TrainOptions, "onEpoch">;
  /** Networks with seeds seed, seed+1, …; the model's PD is their mean (each is monotone, so the mean is). */
  ensembleSize: number;
  /** Logistic baselines: same loop, their own learning rate and budget. */
  baseline: Omit<TrainOptions, "onEpoch" | "hiddenFree" | "hiddenMono">;
  /** Use only the first N training rows (smoke test). */
  trainRowLimit?: number;
  /** Where the ONNX file is written before it is checked (the caller decides the final place). */
  modelPath: string;
  log: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<PipelineOptions, "modelPath" | "log"> = {
  dataPath: TRAINING_DATA_PATH,
  expectedSha256: TRAINING_DATA_SHA256,
  split: DEFAULT_SPLIT,
  backend: "wasm",
  ensembleSize: 5,
  network: { hiddenFree: 32, hiddenMono: 16, learningRate: 0.002, batchSize: 256, maxEpochs: 80, patience: 8, l2: 1e-4, seed: 7, timeBudgetMs: 150_000 },
  baseline: { learningRate: 0.01, batchSize: 256, maxEpochs: 60, patience: 6, l2: 1e-5, seed: 7, timeBudgetMs: 60_000 },
};

interface Prepared {
  z: Block;
  m: Block;
  y: Uint8Array;
}

export interface MonotonicityReport {
  applicants: number;
  pairsChecked: number;
  violations: number;
  maxDrop: number;
  /** Where the largest drop happened (column, from → to), if any. */
  worst: { column: string; from: number; to: number } | null;
}

export interface TrainingReport {
  modelVersion: string;
  createdWith: { backend: BackendName; opset: number; irVersion: number; seed: number };
  data: { path: string; sha256: string; rows: number; defaults: number; split: { seed: number; train: number; validation: number; test: number; testDefaultRate: number } };
  features: { inputs: readonly string[]; engineered: { free: string[]; mono: string[] }; ops: readonly FeatureOp[]; excluded: string[] };
  network: { options: Omit<TrainOptions, "onEpoch">; ensembleSize: number; bestEpochs: number[]; epochsRun: number[]; history: EpochReport[]; parameters: number };
  approvalPdThreshold: number;
  thresholdCandidates: ThresholdCandidate[];
  test: { network: ModelEvaluation; logisticEngineered: ModelEvaluation; logisticRaw: ModelEvaluation };
  validationAuc: { network: number; logisticEngineered: number; logisticRaw: number };
  roc: { network: RocPoint[]; logisticEngineered: RocPoint[]; logisticRaw: RocPoint[] };
  fairness: { sex: FairnessReport; age: FairnessReport };
  parity: { rows: number; maxAbsDiff: number };
  monotonicity: MonotonicityReport;
  shapleyBaseline: { description: string; values: number[] };
  goldenApplicants: GoldenApplicants;
  trainingMs: number;
}

function prepare(data: Dataset, idx: Int32Array, ops: readonly FeatureOp[], stats?: { free: Standardiser; mono: Standardiser }) {
  const raw = selectColumns(data, FEATURE_NAMES, idx);
  const { free, mono } = networkInputs(raw, FEATURE_NAMES, ops);
  const s = stats ?? { free: fitStandardiser(free), mono: fitStandardiser(mono) };
  return { raw, prepared: { z: standardise(free, s.free), m: standardise(mono, s.mono), y: subsetTarget(data, idx) } as Prepared, stats: s };
}

function meanOf(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array((arrays[0] as Float32Array).length);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (const a of arrays) sum += a[i] as number;
    out[i] = sum / arrays.length;
  }
  return out;
}

function medianRow(raw: Float32Array, width: number): number[] {
  const n = raw.length / width;
  return Array.from({ length: width }, (_, c) => {
    const column = Float64Array.from({ length: n }, (_, r) => raw[r * width + c] as number).sort();
    return column[Math.floor((n - 1) / 2)] as number;
  });
}

/** Scores a grid through onnxruntime: each applicant × each PAY_* column stepped from −2 to 8. */
async function checkMonotonicity(model: CreditModel, raw: Float32Array, applicants: number): Promise<MonotonicityReport> {
  const width = FEATURE_NAMES.length;
  const levels = Array.from({ length: 11 }, (_, i) => i - 2);
  const columns = PAY_STATUS_COLUMNS.map((c) => FEATURE_NAMES.indexOf(c));
  const n = Math.min(applicants, raw.length / width);
  const batch = new Float32Array(n * columns.length * levels.length * width);
  let row = 0;
  for (let a = 0; a < n; a++) {
    for (const c of columns) {
      for (const level of levels) {
        batch.set(raw.subarray(a * width, (a + 1) * width), row * width);
        batch[row * width + c] = level;
        row++;
      }
    }
  }
  const pd = await model.predict(batch);
  const report: MonotonicityReport = { applicants: n, pairsChecked: 0, violations: 0, maxDrop: 0, worst: null };
  for (let r = 0; r < row; r += levels.length) {
    for (let k = 1; k < levels.length; k++) {
      report.pairsChecked++;
      const drop = (pd[r + k - 1] as number) - (pd[r + k] as number);
      if (drop > 0) {
        report.violations++;
        if (drop > report.maxDrop) {
          const column = PAY_STATUS_COLUMNS[Math.floor(r / levels.length) % columns.length] as string;
          report.maxDrop = drop;
          report.worst = { column, from: levels[k - 1] as number, to: levels[k] as number };
        }
      }
    }
  }
  return report;
}

export async function runPipeline(options: PipelineOptions): Promise<{ report: TrainingReport; modelBytes: Uint8Array }> {
  const started = Date.now();
  const log = options.log;
  await useBackend(options.backend);
  const data = loadDataset(options.dataPath, options.expectedSha256);
  log(`data: ${data.rows.length} rows, sha256 ${data.sha256}`);
  const split = stratifiedSplit(data.target, options.split);
  const trainIdx = options.trainRowLimit ? split.train.subarray(0, options.trainRowLimit) : split.train;
  log(`split (seed ${options.split.seed}): train ${trainIdx.length}, validation ${split.validation.length}, test ${split.test.length}`);

  const train = prepare(data, trainIdx, FEATURE_OPS);
  const validation = prepare(data, split.validation, FEATURE_OPS, train.stats);
  const test = prepare(data, split.test, FEATURE_OPS, train.stats);
  const rawTrain = prepare(data, trainIdx, RAW_BASELINE_OPS);
  const rawValidation = prepare(data, split.validation, RAW_BASELINE_OPS, rawTrain.stats);
  const rawTest = prepare(data, split.test, RAW_BASELINE_OPS, rawTrain.stats);

  const fit = (label: string, kind: NetworkKind, tr: Prepared, va: Prepared, opts: Omit<TrainOptions, "onEpoch">) => {
    log(`training ${label} (${tr.z.cols} free + ${tr.m.cols} monotone features)`);
    return trainNetwork(kind, tr, va, {
      ...opts,
      onEpoch: (e) =>
        log(`  ${label} epoch ${String(e.epoch).padStart(3)}  loss ${e.trainLoss.toFixed(4)}  val loss ${e.validationLoss.toFixed(4)}  val AUC ${e.validationAuc.toFixed(4)}${e.best ? "  *" : ""}  (${(e.elapsedMs / 1000).toFixed(1)} s)`),
    });
  };
  const members = Array.from({ length: options.ensembleSize }, (_, k) =>
    fit(`network ${k + 1}/${options.ensembleSize}`, "mlp", train.prepared, validation.prepared, { ...options.network, seed: options.network.seed + k }),
  );
  const network = members[0] as (typeof members)[number];
  const ensemblePd = (p: Prepared) => meanOf(members.map((member) => predictWithTf(member.weights, p.z, p.m)));
  const baselineOpts = { ...options.baseline, hiddenFree: 0, hiddenMono: 0 };
  const logisticEngineered = fit("logistic (engineered features)", "logistic", train.prepared, validation.prepared, baselineOpts);
  const logisticRaw = fit("logistic (raw fields)", "logistic", rawTrain.prepared, rawValidation.prepared, baselineOpts);

  const predict = (w: NetworkWeights, p: Prepared) => predictWithTf(w, p.z, p.m);
  const validationPd = ensemblePd(validation.prepared);
  const validationNetworkAuc = auc(validationPd, validation.prepared.y);
  log(`ensemble validation AUC ${validationNetworkAuc.toFixed(4)}`);
  const sexVal = columnValues(data, "SEX", split.validation);
  const ageVal = columnValues(data, "AGE", split.validation);
  const { threshold, candidates } = chooseThreshold(validationPd, validation.prepared.y, sexVal, ageVal);
  log(`approval threshold (validation): deny when PD > ${threshold}`);

  const testPd = ensemblePd(test.prepared);
  const testY = test.prepared.y;
  const evaluation = {
    network: evaluateScores(testPd, testY, threshold),
    logisticEngineered: evaluateScores(predict(logisticEngineered.weights, test.prepared), testY, threshold),
    logisticRaw: evaluateScores(predict(logisticRaw.weights, rawTest.prepared), testY, threshold),
  };
  const sexTest = columnValues(data, "SEX", split.test);
  const ageTest = columnValues(data, "AGE", split.test);
  const fairness = {
    sex: fairnessReport("sex", (i) => sexGroup(sexTest[i] as number), SEX_GROUPS, testPd, testY, threshold),
    age: fairnessReport("age band", (i) => ageBand(ageTest[i] as number), AGE_BANDS, testPd, testY, threshold),
  };
  log(`test: network AUC ${evaluation.network.auc.toFixed(4)}, logistic (engineered) ${evaluation.logisticEngineered.auc.toFixed(4)}, logistic (raw) ${evaluation.logisticRaw.auc.toFixed(4)}, ECE ${evaluation.network.ece.toFixed(4)}`);

  const reasonCodes = JSON.parse(readFileSync(REASON_CODES_PATH, "utf8")) as unknown;
  const baselineValues = medianRow(train.raw, FEATURE_NAMES.length);
  const metrics = {
    split: "test",
    test_rows: split.test.length,
    network: { auc: evaluation.network.auc, ks: evaluation.network.ks, brier: evaluation.network.brier, ece: evaluation.network.ece },
    logistic_engineered: { auc: evaluation.logisticEngineered.auc, ks: evaluation.logisticEngineered.ks, brier: evaluation.logisticEngineered.brier, ece: evaluation.logisticEngineered.ece },
    logistic_raw: { auc: evaluation.logisticRaw.auc, ks: evaluation.logisticRaw.ks, brier: evaluation.logisticRaw.brier, ece: evaluation.logisticRaw.ece },
    fairness: {
      eod_sex: fairness.sex.equalOpportunityDifference,
      dir_sex: fairness.sex.disparateImpactRatio,
      eod_age_band: fairness.age.equalOpportunityDifference,
      dir_age_band: fairness.age.disparateImpactRatio,
    },
  };
  const modelBytes = buildOnnxModel({
    featureNames: FEATURE_NAMES,
    featureOps: FEATURE_OPS,
    freeStandardiser: train.stats.free,
    monoStandardiser: train.stats.mono,
    members: members.map((member) => member.weights),
    docString: "Verity credit model: probability of default from raw application fields (Taiwan credit-card data, Yeh & Lien 2009).",
    metadata: {
      feature_names: JSON.stringify(FEATURE_NAMES),
      approval_pd_threshold: String(threshold),
      model_version: MODEL_VERSION,
      training_data_sha256: data.sha256,
      metrics: JSON.stringify(metrics),
      split_seed: String(options.split.seed),
      shapley_baseline: JSON.stringify(baselineValues),
      reason_codes: JSON.stringify(reasonCodes),
    },
  });
  const { writeFileSync, mkdirSync } = await import("node:fs");
  const { dirname } = await import("node:path");
  mkdirSync(dirname(options.modelPath), { recursive: true });
  writeFileSync(options.modelPath, modelBytes);

  const model = await loadCreditModel(options.modelPath);
  const ortPd = await model.predict(test.raw);
  let maxAbsDiff = 0;
  for (let i = 0; i < ortPd.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs((ortPd[i] as number) - (testPd[i] as number)));
  log(`onnxruntime vs tfjs on ${ortPd.length} test rows: max |Δpd| = ${maxAbsDiff.toExponential(2)}`);
  if (!(maxAbsDiff <= 1e-5)) throw new Error(`exported model disagrees with tfjs: max |Δpd| ${maxAbsDiff}`);
  const monotonicity = await checkMonotonicity(model, test.raw, 200);
  log(`monotonicity in PAY_*: ${monotonicity.violations} drops in ${monotonicity.pairsChecked} steps (max ${monotonicity.maxDrop})`);
  const golden = await goldenApplicants(model, FEATURE_NAMES, test.raw);

  const parameters = members.reduce((sum, member) => sum + Object.values(member.weights.tensors).reduce((s, t) => s + t.data.length, 0), 0);
  const report: TrainingReport = {
    modelVersion: MODEL_VERSION,
    createdWith: { backend: options.backend, opset: OPSET_VERSION, irVersion: IR_VERSION, seed: options.network.seed },
    data: {
      path: "oracle/training/data/taiwan-default/train.csv",
      sha256: data.sha256,
      rows: data.rows.length,
      defaults: data.target.reduce((s, v) => s + v, 0),
      split: { seed: options.split.seed, train: trainIdx.length, validation: split.validation.length, test: split.test.length, testDefaultRate: testY.reduce((s, v) => s + v, 0) / testY.length },
    },
    features: { inputs: FEATURE_NAMES, engineered: engineeredColumnNames(), ops: FEATURE_OPS, excluded: ["ID", "SEX", "MARRIAGE", "AGE", "EDUCATION"] },
    network: {
      options: options.network,
      ensembleSize: members.length,
      bestEpochs: members.map((member) => member.bestEpoch),
      epochsRun: members.map((member) => member.epochsRun),
      history: network.history,
      parameters,
    },
    approvalPdThreshold: threshold,
    thresholdCandidates: candidates,
    test: evaluation,
    validationAuc: {
      network: validationNetworkAuc,
      logisticEngineered: logisticEngineered.history[logisticEngineered.bestEpoch - 1]?.validationAuc ?? Number.NaN,
      logisticRaw: logisticRaw.history[logisticRaw.bestEpoch - 1]?.validationAuc ?? Number.NaN,
    },
    roc: {
      network: thinRoc(testPd, testY),
      logisticEngineered: thinRoc(predict(logisticEngineered.weights, test.prepared), testY),
      logisticRaw: thinRoc(predict(logisticRaw.weights, rawTest.prepared), testY),
    },
    fairness,
    parity: { rows: ortPd.length, maxAbsDiff },
    monotonicity,
    shapleyBaseline: { description: "median of each raw input over the training split", values: baselineValues },
    goldenApplicants: golden,
    trainingMs: Date.now() - started,
  };
  return { report, modelBytes };
}

export { sha256Hex };
