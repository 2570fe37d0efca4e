/**
 * The training pipeline: data → split → features (directions checked) → monotone MLP ensemble, Platt scaling and
 * logistic baselines → threshold → ONNX → checks through onnxruntime (parity, direction sweeps, payment cliff,
 * gaming) → bootstrap intervals → report for the model card.
 * `train.ts` runs it on the full data; the smoke test runs it with a tiny budget.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCreditModel, type GoldenApplicants } from "../src/model/index.js";
import { DEFAULT_BOOTSTRAP, pairedAucBootstrap, type AucComparison, type BootstrapOptions } from "./bootstrap.js";
import {
  columnValues,
  loadDataset,
  selectColumns,
  sha256Hex,
  subsetTarget,
  TRAINING_DATA_PATH,
  TRAINING_DATA_SHA256,
  type Dataset,
} from "./data.js";
import { evaluateScores, thinRoc, type ModelEvaluation } from "./evaluate.js";
import {
  SEX_GROUPS,
  ageBandOf,
  fairnessReport,
  mergeSmallBands,
  sexGroup,
  type AgeBand,
  type FairnessReport,
} from "./fairness.js";
import {
  AMOUNT_SCALES,
  FEATURE_NAMES,
  FEATURE_OPS,
  INPUT_DIRECTIONS,
  RAW_BASELINE_OPS,
  checkFeatureDirections,
  engineeredColumnNames,
  fitStandardiser,
  networkInputs,
  standardise,
  type Block,
  type Direction,
  type FeatureOp,
  type Standardiser,
} from "./features.js";
import { goldenApplicants } from "./golden.js";
import { buildOnnxModel, IR_VERSION, OPSET_VERSION } from "./onnx-export.js";
import {
  ensembleLogitsWithTf,
  fitCalibration,
  nonNegativeParameters,
  predictEnsembleWithTf,
  predictWithTf,
  trainNetwork,
  type Calibration,
  type EpochReport,
  type NetworkKind,
  type NetworkWeights,
  type TrainOptions,
} from "./network.js";
import { referenceDistributions, type ReferenceDistributions } from "./reference.js";
import {
  gamingReport,
  paymentCliff,
  sweepDirections,
  type DirectionSweep,
  type GamingReport,
  type PaymentCliff,
} from "./robustness.js";
import { DEFAULT_SPLIT, stratifiedSplit, type SplitOptions } from "./split.js";
import { APPROVAL_PD_THRESHOLD, scanThresholds, type ThresholdCandidate } from "./threshold.js";
import { useBackend, type BackendName } from "./tf-backend.js";
import { auc } from "./metrics.js";

export const MODEL_VERSION = "2.0.0";
export const REASON_CODES_PATH = fileURLToPath(new URL("../model/reason-codes.json", import.meta.url));
/**
 * Age bands with fewer people than this in the test split are merged into a neighbour (for the fairness report,
 * the threshold choice and the training penalty alike; only the split's ages decide it, not its outcomes).
 */
export const MIN_BAND_SIZE = 300;

export interface PipelineOptions {
  dataPath: string;
  expectedSha256: string | null;
  split: SplitOptions;
  backend: BackendName;
  network: Omit<TrainOptions, "onEpoch">;
  /** Networks with seeds seed, seed+1, …; the model's logit is the mean of theirs (each is monotone, so the mean is). */
  ensembleSize: number;
  /** Logistic baselines: same loop, their own learning rate and budget. */
  baseline: Omit<TrainOptions, "onEpoch" | "hiddenFree" | "hiddenMono">;
  bootstrap: BootstrapOptions;
  /** Use only the first N training rows (smoke test). */
  trainRowLimit?: number;
  /** Run the behavioural checks on only the first N test rows (smoke test); all of them by default. */
  robustnessRowLimit?: number;
  /** Where the ONNX file is written before it is checked (the caller decides the final place). */
  modelPath: string;
  log: (line: string) => void;
}

/**
 * The less-discriminatory-alternative term of the loss. Age is never an input, but in training the squared gaps
 * between each age band's mean PD among non-defaulters and the overall one are penalised, so the network leans
 * less on what stands in for age (young applicants' low limits and small payments). Weight 2: of 0, 2, 5 and 10,
 * the smallest that lifted the youngest band's validation DIR at the 0.28 threshold above 0.87 with validation
 * ECE under 0.015; larger weights cost more AUC (about 0.009 at 10) for no clear further gain on validation.
 * Every model, baselines included, trains with it, so the ΔAUC comparisons are like for like.
 */
export const EQUAL_OPPORTUNITY_PENALTY = { parityWeight: 2 } as const;

export const DEFAULT_OPTIONS: Omit<PipelineOptions, "modelPath" | "log"> = {
  dataPath: TRAINING_DATA_PATH,
  expectedSha256: TRAINING_DATA_SHA256,
  split: DEFAULT_SPLIT,
  backend: "wasm",
  ensembleSize: 5,
  network: {
    hiddenFree: 16,
    hiddenMono: 32,
    learningRate: 0.002,
    batchSize: 256,
    maxEpochs: 80,
    patience: 8,
    l2: 1e-4,
    seed: 7,
    ...EQUAL_OPPORTUNITY_PENALTY,
  },
  baseline: {
    learningRate: 0.01,
    batchSize: 256,
    maxEpochs: 60,
    patience: 6,
    l2: 1e-5,
    seed: 7,
    ...EQUAL_OPPORTUNITY_PENALTY,
  },
  bootstrap: DEFAULT_BOOTSTRAP,
};

interface Prepared {
  z: Block;
  m: Block;
  y: Uint8Array;
  /** Age band of each row (training rows only, for the equal-opportunity penalty). */
  groups?: { index: Int32Array; count: number };
}

export interface TrainingReport {
  modelVersion: string;
  createdWith: { backend: BackendName; opset: number; irVersion: number; seed: number };
  data: {
    path: string;
    sha256: string;
    rows: number;
    defaults: number;
    split: { seed: number; train: number; validation: number; test: number; testDefaultRate: number };
  };
  features: {
    inputs: readonly string[];
    directions: Readonly<Record<string, Direction>>;
    amountScales: typeof AMOUNT_SCALES;
    engineered: { free: string[]; mono: string[] };
    ops: readonly FeatureOp[];
    excluded: string[];
  };
  network: {
    options: Omit<TrainOptions, "onEpoch">;
    ensembleSize: number;
    bestEpochs: number[];
    epochsRun: number[];
    /** The first member's per-epoch history. */
    history: Omit<EpochReport, "elapsedMs">[];
    parameters: number;
    calibration: Calibration;
    /** Every sign-constrained weight of every member is ≥ 0 in the exported file. */
    constrainedWeightsNonNegative: boolean;
  };
  approvalPdThreshold: number;
  /** The validation scan of every threshold on the grid (the chosen one included). */
  thresholdCandidates: ThresholdCandidate[];
  test: {
    network: ModelEvaluation;
    logisticEngineered: ModelEvaluation;
    logisticMonotone: ModelEvaluation;
    logisticRaw: ModelEvaluation;
  };
  validationAuc: { network: number; logisticEngineered: number; logisticMonotone: number; logisticRaw: number };
  /** Paired bootstrap on the test split: the network against each baseline. */
  aucComparison: {
    logisticEngineered: AucComparison;
    logisticMonotone: AucComparison;
    logisticRaw: AucComparison;
    bootstrap: BootstrapOptions;
  };
  roc: { network: RocPoint[]; logisticEngineered: RocPoint[]; logisticRaw: RocPoint[] };
  fairness: {
    sex: FairnessReport;
    age: FairnessReport;
    ageBands: AgeBand[];
    mergedBands: string[];
    minBandSize: number;
  };
  parity: { rows: number; maxAbsDiff: number };
  robustness: { rows: number; sweeps: DirectionSweep[]; cliff: PaymentCliff; gaming: GamingReport };
  shapleyBaseline: { description: string; values: number[] };
  reference: { sha256: string; distributions: ReferenceDistributions };
  goldenApplicants: GoldenApplicants;
}

type RocPoint = ReturnType<typeof thinRoc>[number];

function prepare(
  data: Dataset,
  idx: Int32Array,
  ops: readonly FeatureOp[],
  stats?: { free: Standardiser; mono: Standardiser },
) {
  const raw = selectColumns(data, FEATURE_NAMES, idx);
  const { free, mono } = networkInputs(raw, FEATURE_NAMES, ops);
  const s = stats ?? { free: fitStandardiser(free), mono: fitStandardiser(mono) };
  return {
    raw,
    prepared: { z: standardise(free, s.free), m: standardise(mono, s.mono), y: subsetTarget(data, idx) } as Prepared,
    stats: s,
  };
}

function medianRow(raw: Float32Array, width: number): number[] {
  const n = raw.length / width;
  return Array.from({ length: width }, (_, c) => {
    const column = Float64Array.from({ length: n }, (_, r) => raw[r * width + c] as number).sort();
    return column[Math.floor((n - 1) / 2)] as number;
  });
}

export async function runPipeline(
  options: PipelineOptions,
): Promise<{ report: TrainingReport; modelBytes: Uint8Array }> {
  const log = options.log;
  checkFeatureDirections(FEATURE_OPS, INPUT_DIRECTIONS);
  await useBackend(options.backend);
  const data = loadDataset(options.dataPath, options.expectedSha256);
  log(`data: ${data.rows.length} rows, sha256 ${data.sha256}`);
  const split = stratifiedSplit(data.target, options.split);
  const trainIdx = options.trainRowLimit ? split.train.subarray(0, options.trainRowLimit) : split.train;
  log(
    `split (seed ${options.split.seed}): train ${trainIdx.length}, validation ${split.validation.length}, test ${split.test.length}`,
  );

  const train = prepare(data, trainIdx, FEATURE_OPS);
  const validation = prepare(data, split.validation, FEATURE_OPS, train.stats);
  const test = prepare(data, split.test, FEATURE_OPS, train.stats);
  const rawTrain = prepare(data, trainIdx, RAW_BASELINE_OPS);
  const rawValidation = prepare(data, split.validation, RAW_BASELINE_OPS, rawTrain.stats);
  const rawTest = prepare(data, split.test, RAW_BASELINE_OPS, rawTrain.stats);

  const ageTest = columnValues(data, "AGE", split.test);
  const { bands, merged } = mergeSmallBands(ageTest, MIN_BAND_SIZE);
  const bandLabels = bands.map((b) => b.label);
  const ageOf = (values: Float64Array) => (i: number) => ageBandOf(bands, values[i] as number);
  const bandIndex = (idx: Int32Array) => {
    const of = ageOf(columnValues(data, "AGE", idx));
    return {
      index: Int32Array.from({ length: idx.length }, (_, i) => bandLabels.indexOf(of(i))),
      count: bandLabels.length,
    };
  };
  train.prepared.groups = bandIndex(trainIdx);
  rawTrain.prepared.groups = train.prepared.groups;

  const fit = (label: string, kind: NetworkKind, tr: Prepared, va: Prepared, opts: Omit<TrainOptions, "onEpoch">) => {
    log(`training ${label} (${tr.z.cols} free + ${tr.m.cols} monotone features)`);
    return trainNetwork(kind, tr, va, {
      ...opts,
      onEpoch: (e) =>
        log(
          `  ${label} epoch ${String(e.epoch).padStart(3)}  loss ${e.trainLoss.toFixed(4)}  val loss ${e.validationLoss.toFixed(4)}  val AUC ${e.validationAuc.toFixed(4)}${e.best ? "  *" : ""}  (${(e.elapsedMs / 1000).toFixed(1)} s)`,
        ),
    });
  };
  const members = Array.from({ length: options.ensembleSize }, (_, k) =>
    fit(`network ${k + 1}/${options.ensembleSize}`, "mlp", train.prepared, validation.prepared, {
      ...options.network,
      seed: options.network.seed + k,
    }),
  );
  const memberWeights = members.map((member) => member.weights);
  const calibration = fitCalibration(
    ensembleLogitsWithTf(memberWeights, validation.prepared.z, validation.prepared.m),
    validation.prepared.y,
  );
  log(
    `Platt scaling on validation: pd = sigmoid(${calibration.scale.toFixed(4)} · mean logit + ${calibration.bias.toFixed(4)})`,
  );
  const ensemblePd = (p: Prepared) => predictEnsembleWithTf(memberWeights, calibration, p.z, p.m);
  const baselineOpts = { ...options.baseline, hiddenFree: 0, hiddenMono: 0 };
  const logisticEngineered = fit(
    "logistic (engineered features)",
    "logistic",
    train.prepared,
    validation.prepared,
    baselineOpts,
  );
  const logisticMonotone = fit(
    "monotone logistic (engineered features)",
    "monotoneLogistic",
    train.prepared,
    validation.prepared,
    baselineOpts,
  );
  const logisticRaw = fit("logistic (raw fields)", "logistic", rawTrain.prepared, rawValidation.prepared, baselineOpts);

  const predict = (w: NetworkWeights, p: Prepared) => predictWithTf(w, p.z, p.m);
  const validationPd = ensemblePd(validation.prepared);
  const validationNetworkAuc = auc(validationPd, validation.prepared.y);
  log(`ensemble validation AUC ${validationNetworkAuc.toFixed(4)}`);

  const sexOf = (values: Float64Array) => (i: number) => sexGroup(values[i] as number);
  const threshold = APPROVAL_PD_THRESHOLD;
  const candidates = scanThresholds(
    validationPd,
    validation.prepared.y,
    { groupOf: sexOf(columnValues(data, "SEX", split.validation)), groups: SEX_GROUPS },
    { groupOf: ageOf(columnValues(data, "AGE", split.validation)), groups: bandLabels },
  );
  const atThreshold = candidates.find((c) => c.threshold === threshold) as ThresholdCandidate;
  log(
    `validation at PD > ${threshold}: DIR sex ${atThreshold.dirSex.toFixed(3)}, age ${atThreshold.dirAge.toFixed(3)}; EOD sex ${atThreshold.eodSex.toFixed(3)}, age ${atThreshold.eodAge.toFixed(3)}`,
  );

  const testPd = ensemblePd(test.prepared);
  const testY = test.prepared.y;
  const baselinePd = {
    logisticEngineered: predict(logisticEngineered.weights, test.prepared),
    logisticMonotone: predict(logisticMonotone.weights, test.prepared),
    logisticRaw: predict(logisticRaw.weights, rawTest.prepared),
  };
  const evaluation = {
    network: evaluateScores(testPd, testY, threshold),
    logisticEngineered: evaluateScores(baselinePd.logisticEngineered, testY, threshold),
    logisticMonotone: evaluateScores(baselinePd.logisticMonotone, testY, threshold),
    logisticRaw: evaluateScores(baselinePd.logisticRaw, testY, threshold),
  };
  const aucComparison = {
    logisticEngineered: pairedAucBootstrap(testPd, baselinePd.logisticEngineered, testY, options.bootstrap),
    logisticMonotone: pairedAucBootstrap(testPd, baselinePd.logisticMonotone, testY, options.bootstrap),
    logisticRaw: pairedAucBootstrap(testPd, baselinePd.logisticRaw, testY, options.bootstrap),
    bootstrap: options.bootstrap,
  };
  const sexTest = columnValues(data, "SEX", split.test);
  const fairness = {
    sex: fairnessReport("sex", sexOf(sexTest), SEX_GROUPS, testPd, testY, threshold, options.bootstrap),
    age: fairnessReport("age band", ageOf(ageTest), bandLabels, testPd, testY, threshold, options.bootstrap),
    ageBands: bands,
    mergedBands: merged,
    minBandSize: MIN_BAND_SIZE,
  };
  const interval = (i: { estimate: number; lo: number; hi: number }) =>
    `${i.estimate.toFixed(4)} [${i.lo.toFixed(4)}, ${i.hi.toFixed(4)}]`;
  log(
    `test: network AUC ${evaluation.network.auc.toFixed(4)}, ΔAUC vs logistic (engineered) ${interval(aucComparison.logisticEngineered.delta)}, vs monotone logistic ${interval(aucComparison.logisticMonotone.delta)}, ECE ${evaluation.network.ece.toFixed(4)}`,
  );

  const reasonCodes = JSON.parse(readFileSync(REASON_CODES_PATH, "utf8")) as unknown;
  const baselineValues = medianRow(train.raw, FEATURE_NAMES.length);
  const reference = referenceDistributions(train.raw, ensemblePd(train.prepared));
  const referenceJson = JSON.stringify(reference);
  const metrics = {
    split: "test",
    test_rows: split.test.length,
    network: {
      auc: evaluation.network.auc,
      ks: evaluation.network.ks,
      brier: evaluation.network.brier,
      ece: evaluation.network.ece,
    },
    logistic_engineered: {
      auc: evaluation.logisticEngineered.auc,
      ks: evaluation.logisticEngineered.ks,
      brier: evaluation.logisticEngineered.brier,
      ece: evaluation.logisticEngineered.ece,
    },
    logistic_monotone: {
      auc: evaluation.logisticMonotone.auc,
      ks: evaluation.logisticMonotone.ks,
      brier: evaluation.logisticMonotone.brier,
      ece: evaluation.logisticMonotone.ece,
    },
    logistic_raw: {
      auc: evaluation.logisticRaw.auc,
      ks: evaluation.logisticRaw.ks,
      brier: evaluation.logisticRaw.brier,
      ece: evaluation.logisticRaw.ece,
    },
    fairness: {
      eod_sex: fairness.sex.equalOpportunityDifference.estimate,
      dir_sex: fairness.sex.disparateImpactRatio.estimate,
      eod_age_band: fairness.age.equalOpportunityDifference.estimate,
      dir_age_band: fairness.age.disparateImpactRatio.estimate,
    },
  };
  const modelBytes = buildOnnxModel({
    featureNames: FEATURE_NAMES,
    featureOps: FEATURE_OPS,
    freeStandardiser: train.stats.free,
    monoStandardiser: train.stats.mono,
    members: memberWeights,
    calibration,
    docString:
      "Verity credit model: probability of default from raw application fields (Taiwan credit-card data, Yeh & Lien 2009).",
    metadata: {
      feature_names: JSON.stringify(FEATURE_NAMES),
      feature_directions: JSON.stringify(FEATURE_NAMES.map((f) => INPUT_DIRECTIONS[f] ?? 0)),
      approval_pd_threshold: String(threshold),
      model_version: MODEL_VERSION,
      training_data_sha256: data.sha256,
      metrics: JSON.stringify(metrics),
      split_seed: String(options.split.seed),
      shapley_baseline: JSON.stringify(baselineValues),
      reason_codes: JSON.stringify(reasonCodes),
      reference_distributions: referenceJson,
    },
  });
  mkdirSync(dirname(options.modelPath), { recursive: true });
  writeFileSync(options.modelPath, modelBytes);

  const model = await loadCreditModel(options.modelPath);
  const ortPd = await model.predict(test.raw);
  let maxAbsDiff = 0;
  for (let i = 0; i < ortPd.length; i++)
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs((ortPd[i] as number) - (testPd[i] as number)));
  log(`onnxruntime vs tfjs on ${ortPd.length} test rows: max |Δpd| = ${maxAbsDiff.toExponential(2)}`);
  if (!(maxAbsDiff <= 1e-5)) throw new Error(`exported model disagrees with tfjs: max |Δpd| ${maxAbsDiff}`);

  const robustnessRows = Math.min(options.robustnessRowLimit ?? Infinity, split.test.length);
  const robustnessRaw = test.raw.subarray(0, robustnessRows * FEATURE_NAMES.length);
  const score = (raw: Float32Array) => model.predict(raw);
  const sweeps = await sweepDirections(score, robustnessRaw);
  const cliff = await paymentCliff(score, robustnessRaw);
  const gaming = await gamingReport(score, robustnessRaw, threshold);
  log(
    `direction sweeps on ${robustnessRows} test rows: ${sweeps.reduce((s, w) => s + w.violations, 0)} violations in ${sweeps.reduce((s, w) => s + w.steps, 0)} steps`,
  );
  log(`payment cliff (0 → NT$${cliff.amount}): max |ΔPD| ${(cliff.maxAbsChange * 100).toFixed(3)} pp`);
  log(
    `gaming (${gaming.applicants} applicants within ${gaming.band * 100} pp above the threshold): ${JSON.stringify(gaming.latestMonth)}`,
  );
  const golden = await goldenApplicants(model, FEATURE_NAMES, test.raw);

  const parameters = members.reduce(
    (sum, member) => sum + Object.values(member.weights.tensors).reduce((s, t) => s + t.data.length, 0),
    0,
  );
  const constrainedWeightsNonNegative = memberWeights.every((w) =>
    nonNegativeParameters(w.kind).every((name) => (w.tensors[name]?.data ?? []).every((v) => v >= 0)),
  );
  if (!constrainedWeightsNonNegative)
    throw new Error("a sign-constrained weight is negative: the monotone construction is broken");
  const first = members[0] as (typeof members)[number];
  const report: TrainingReport = {
    modelVersion: MODEL_VERSION,
    createdWith: { backend: options.backend, opset: OPSET_VERSION, irVersion: IR_VERSION, seed: options.network.seed },
    data: {
      path: "oracle/training/data/taiwan-default/train.csv",
      sha256: data.sha256,
      rows: data.rows.length,
      defaults: data.target.reduce((s, v) => s + v, 0),
      split: {
        seed: options.split.seed,
        train: trainIdx.length,
        validation: split.validation.length,
        test: split.test.length,
        testDefaultRate: testY.reduce((s, v) => s + v, 0) / testY.length,
      },
    },
    features: {
      inputs: FEATURE_NAMES,
      directions: INPUT_DIRECTIONS,
      amountScales: AMOUNT_SCALES,
      engineered: engineeredColumnNames(),
      ops: FEATURE_OPS,
      excluded: ["ID", "SEX", "MARRIAGE", "AGE", "EDUCATION"],
    },
    network: {
      options: options.network,
      ensembleSize: members.length,
      bestEpochs: members.map((member) => member.bestEpoch),
      epochsRun: members.map((member) => member.epochsRun),
      history: first.history.map(({ elapsedMs: _, ...epoch }) => epoch),
      parameters,
      calibration,
      constrainedWeightsNonNegative,
    },
    approvalPdThreshold: threshold,
    thresholdCandidates: candidates,
    test: evaluation,
    validationAuc: {
      network: validationNetworkAuc,
      logisticEngineered: auc(predict(logisticEngineered.weights, validation.prepared), validation.prepared.y),
      logisticMonotone: auc(predict(logisticMonotone.weights, validation.prepared), validation.prepared.y),
      logisticRaw: auc(predict(logisticRaw.weights, rawValidation.prepared), rawValidation.prepared.y),
    },
    aucComparison,
    roc: {
      network: thinRoc(testPd, testY),
      logisticEngineered: thinRoc(baselinePd.logisticEngineered, testY),
      logisticRaw: thinRoc(baselinePd.logisticRaw, testY),
    },
    fairness,
    parity: { rows: ortPd.length, maxAbsDiff },
    robustness: { rows: robustnessRows, sweeps, cliff, gaming },
    shapleyBaseline: { description: "median of each raw input over the training split", values: baselineValues },
    reference: { sha256: sha256Hex(new TextEncoder().encode(referenceJson)), distributions: reference },
    goldenApplicants: golden,
  };
  return { report, modelBytes };
}

export { sha256Hex };
