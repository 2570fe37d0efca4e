/**
 * The credit networks, written directly with TensorFlow.js variables (so initialisation, shuffling and the
 * non-negativity projection are all explicit and seeded).
 *
 * MLP ("monotone MLP"): logit = freePath(z) + monoPath(m, z) + b
 * - freePath(z) = relu(z·W1 + b1)·W2: the bill-only columns, unconstrained.
 * - monoPath(m, z) = act(m·Wm + z·Wz + bm)·v with Wm ≥ 0 and v ≥ 0: the risk columns (each oriented so that it
 *   may only raise the PD, `features.ts`) can only raise the logit, while their effect still depends on the bills
 *   through Wz. `act` is relu on the first half of the units (convex) and min(x, 0) on the rest (concave), as in
 *   constrained monotonic networks (Runje & Shankaranarayana 2023): both are non-decreasing, so the PD follows
 *   every input's direction by construction, and together they fit both convex and concave responses, which
 *   relu alone (a sum of convex functions) cannot.
 * Logistic baselines: logit = z·wz + m·wm + b, on the same standardised features; unconstrained ("logistic") or
 * with wm ≥ 0 ("monotoneLogistic", the same directions as the network).
 */
import * as tf from "@tensorflow/tfjs";
import type { Block } from "./features.js";
import { auc, logLoss } from "./metrics.js";
import { mulberry32, shuffleInPlace } from "./random.js";

export type NetworkKind = "mlp" | "logistic" | "monotoneLogistic";

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface NetworkWeights {
  kind: NetworkKind;
  tensors: Record<string, NamedTensor>;
}

/** Parameters constrained to be non-negative (projected after every optimiser step). */
export function nonNegativeParameters(kind: NetworkKind): readonly string[] {
  return kind === "mlp" ? ["mono_Wm", "mono_v"] : kind === "monotoneLogistic" ? ["lin_wm"] : [];
}

/**
 * The monotone units' activation, as act(x) = sign·relu(x) + linear·x: relu (sign 1, linear 0) on the first
 * ceil(h/2) units, min(x, 0) = x − relu(x) (sign −1, linear 1) on the rest. Exact in float32 either way.
 */
export function monoActivation(hidden: number): { sign: Float32Array; linear: Float32Array } {
  const convex = Math.ceil(hidden / 2);
  return {
    sign: Float32Array.from({ length: hidden }, (_, j) => (j < convex ? 1 : -1)),
    linear: Float32Array.from({ length: hidden }, (_, j) => (j < convex ? 0 : 1)),
  };
}

export interface NetworkShape {
  kind: NetworkKind;
  freeInputs: number;
  monoInputs: number;
  hiddenFree: number;
  hiddenMono: number;
}

function parameterShapes(s: NetworkShape): Record<string, number[]> {
  if (s.kind !== "mlp") return { lin_wz: [s.freeInputs, 1], lin_wm: [s.monoInputs, 1], out_b: [1] };
  return {
    free_W1: [s.freeInputs, s.hiddenFree],
    free_b1: [s.hiddenFree],
    free_W2: [s.hiddenFree, 1],
    mono_Wm: [s.monoInputs, s.hiddenMono],
    mono_Wz: [s.freeInputs, s.hiddenMono],
    mono_b: [s.hiddenMono],
    mono_v: [s.hiddenMono, 1],
    out_b: [1],
  };
}

type Variables = Record<string, tf.Variable>;

/** tfjs variable names must be unique per process. */
let variableCounter = 0;

/** Glorot-uniform weights from seeded streams (non-negative ones drawn in [0, limit]); zero biases. */
function initialise(shape: NetworkShape, seed: number, baseRate: number): Variables {
  const vars: Variables = {};
  Object.entries(parameterShapes(shape)).forEach(([name, dims], i) => {
    let init: tf.Tensor;
    if (name === "out_b") init = tf.tensor1d([Math.log(baseRate / (1 - baseRate))]);
    else if (dims.length === 1) init = tf.zeros(dims);
    else {
      const limit = Math.sqrt(6 / ((dims[0] as number) + (dims[1] as number)));
      const lo = nonNegativeParameters(shape.kind).includes(name) ? 0 : -limit;
      init = tf.randomUniform(dims, lo, limit, "float32", seed * 101 + i);
    }
    vars[name] = tf.variable(init, true, `${name}_${++variableCounter}`);
    init.dispose();
  });
  return vars;
}

function forwardLogits(kind: NetworkKind, p: Record<string, tf.Tensor>, z: tf.Tensor2D, m: tf.Tensor2D): tf.Tensor2D {
  const w = (name: string) => p[name] as tf.Tensor2D;
  if (kind !== "mlp") return tf.add(tf.add(tf.matMul(z, w("lin_wz")), tf.matMul(m, w("lin_wm"))), w("out_b"));
  const free = tf.matMul(tf.relu(tf.add(tf.matMul(z, w("free_W1")), w("free_b1"))), w("free_W2"));
  const monoPre = tf.add(tf.add(tf.matMul(m, w("mono_Wm")), tf.matMul(z, w("mono_Wz"))), w("mono_b"));
  const act = monoActivation(monoPre.shape[1] as number);
  const monoHidden = tf.add(tf.mul(tf.relu(monoPre), tf.tensor1d(act.sign)), tf.mul(monoPre, tf.tensor1d(act.linear)));
  return tf.add(tf.add(free, tf.matMul(monoHidden, w("mono_v"))), w("out_b"));
}

function weightTensors(weights: NetworkWeights): Record<string, tf.Tensor> {
  const p: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(weights.tensors)) p[name] = tf.tensor(t.data, t.shape);
  return p;
}

/** PD for standardised inputs with given weights, computed by TensorFlow.js (the "training library" output). */
export function predictWithTf(weights: NetworkWeights, z: Block, m: Block): Float32Array {
  return tf.tidy(() => {
    const logits = forwardLogits(
      weights.kind,
      weightTensors(weights),
      tf.tensor2d(z.data, [z.rows, z.cols]),
      tf.tensor2d(m.data, [m.rows, m.cols]),
    );
    return tf.sigmoid(logits).dataSync() as Float32Array;
  });
}

/** Platt scaling of the ensemble's mean logit: pd = sigmoid(scale · logit + bias), scale > 0 keeps every direction. */
export interface Calibration {
  scale: number;
  bias: number;
}

/** Mean of the members' logits, each member a monotone network (so the mean is monotone too). */
export function ensembleLogitsWithTf(members: NetworkWeights[], z: Block, m: Block): Float32Array {
  return tf.tidy(() => {
    const zt = tf.tensor2d(z.data, [z.rows, z.cols]);
    const mt = tf.tensor2d(m.data, [m.rows, m.cols]);
    const logits = members.map((w) => forwardLogits(w.kind, weightTensors(w), zt, mt));
    return (
      logits.length === 1 ? (logits[0] as tf.Tensor) : tf.div(tf.addN(logits), logits.length)
    ).dataSync() as Float32Array;
  });
}

/** The shipped model's PD, as TensorFlow.js computes it: sigmoid(scale · mean logit + bias). */
export function predictEnsembleWithTf(
  members: NetworkWeights[],
  calibration: Calibration,
  z: Block,
  m: Block,
): Float32Array {
  const logits = ensembleLogitsWithTf(members, z, m);
  return tf.tidy(
    () =>
      tf.sigmoid(tf.add(tf.mul(tf.tensor1d(logits), calibration.scale), calibration.bias)).dataSync() as Float32Array,
  );
}

/**
 * Fits Platt scaling by Newton's method with step halving on (logit, label) pairs (float64, deterministic) and
 * rounds the result to float32, the precision the ONNX graph stores. The scale must come out positive.
 */
export function fitCalibration(logits: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < logits.length; i++) {
      const t = a * (logits[i] as number) + b;
      // log(1 + e^t) − y·t, written to stay finite for large |t|.
      sum += Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t))) - (labels[i] as number) * t;
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0,
      gb = 0,
      haa = 0,
      hab = 0,
      hbb = 0;
    for (let i = 0; i < logits.length; i++) {
      const x = logits[i] as number;
      const p = 1 / (1 + Math.exp(-(a * x + b)));
      const r = p - (labels[i] as number);
      const w = p * (1 - p);
      ga += r * x;
      gb += r;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    while (step > 1e-6 && !(loss(a - step * da, b - step * db) <= current)) step /= 2;
    if (step <= 1e-6) break;
    a -= step * da;
    b -= step * db;
    const next = loss(a, b);
    const done = current - next < 1e-10 * Math.max(1, Math.abs(current));
    current = next;
    if (done) break;
  }
  if (!(a > 0)) throw new Error(`calibration scale ${a} is not positive: the ensemble ranks backwards on validation`);
  return { scale: Math.fround(a), bias: Math.fround(b) };
}

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validationAuc: number;
  best: boolean;
  elapsedMs: number;
}

export interface TrainOptions {
  hiddenFree: number;
  hiddenMono: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Early stopping: epochs without a better validation log loss before stopping. */
  patience: number;
  /** L2 penalty on weight matrices. */
  l2: number;
  seed: number;
  /**
   * Wall-clock bound on the loop (smoke tests only): training stops at the end of the epoch that passes it. The
   * shipped model leaves it unset so that it does not depend on the machine's speed.
   */
  timeBudgetMs?: number;
  /**
   * Weight of the equal-opportunity penalty (0 or absent: none): the sum of squared gaps between each group's
   * mean PD among the batch's non-defaulters and the mean over all of them. Needs `groups` on the training data;
   * the groups are never an input.
   */
  parityWeight?: number;
  onEpoch?: (report: EpochReport) => void;
}

export interface TrainResult {
  weights: NetworkWeights;
  bestEpoch: number;
  epochsRun: number;
  history: EpochReport[];
}

/** [B, G] one-hot of each batch row's group, zero for defaulters and rows without a group. */
function goodGroupMatrix(groups: { index: Int32Array; count: number }, y: Uint8Array, rows: Int32Array): tf.Tensor2D {
  const data = new Float32Array(rows.length * groups.count);
  rows.forEach((row, r) => {
    const g = groups.index[row] as number;
    if (g >= 0 && y[row] === 0) data[r * groups.count + g] = 1;
  });
  return tf.tensor2d(data, [rows.length, groups.count]);
}

/** Σ over groups present of (group mean PD − mean PD of all non-defaulters)². */
function parityPenalty(pd: tf.Tensor2D, goodByGroup: tf.Tensor2D): tf.Scalar {
  const counts = tf.sum(goodByGroup, 0);
  const sums = tf.reshape(tf.matMul(pd, goodByGroup, true, false), [-1]);
  const means = tf.div(sums, tf.maximum(counts, 1));
  const overall = tf.div(tf.sum(sums), tf.maximum(tf.sum(counts), 1));
  const present = tf.cast(tf.greater(counts, 0), "float32");
  return tf.sum(tf.mul(present, tf.square(tf.sub(means, overall))));
}

function snapshot(kind: NetworkKind, vars: Variables): NetworkWeights {
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, v] of Object.entries(vars))
    tensors[name] = { shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) };
  return { kind, tensors };
}

/**
 * Mini-batch Adam on the mean binary cross-entropy (+ L2), seeded shuffling, early stopping on validation
 * log loss with the best epoch's weights restored.
 */
export function trainNetwork(
  kind: NetworkKind,
  train: { z: Block; m: Block; y: Uint8Array; groups?: { index: Int32Array; count: number } },
  validation: { z: Block; m: Block; y: Uint8Array },
  options: TrainOptions,
): TrainResult {
  const shape: NetworkShape = {
    kind,
    freeInputs: train.z.cols,
    monoInputs: train.m.cols,
    hiddenFree: options.hiddenFree,
    hiddenMono: options.hiddenMono,
  };
  const baseRate = train.y.reduce((s, v) => s + v, 0) / train.y.length;
  const vars = initialise(shape, options.seed, baseRate);
  const varList = Object.values(vars);
  const penalised = Object.entries(vars)
    .filter(([, v]) => v.shape.length === 2)
    .map(([, v]) => v);
  const optimizer = tf.train.adam(options.learningRate);
  const zAll = tf.tensor2d(train.z.data, [train.z.rows, train.z.cols]);
  const mAll = tf.tensor2d(train.m.data, [train.m.rows, train.m.cols]);
  const yAll = tf.tensor2d(Float32Array.from(train.y), [train.y.length, 1]);
  const zVal = tf.tensor2d(validation.z.data, [validation.z.rows, validation.z.cols]);
  const mVal = tf.tensor2d(validation.m.data, [validation.m.rows, validation.m.cols]);
  const parity = options.parityWeight && train.groups ? { weight: options.parityWeight, groups: train.groups } : null;
  const random = mulberry32(options.seed);
  const order = Int32Array.from({ length: train.y.length }, (_, i) => i);
  const history: EpochReport[] = [];
  const started = Date.now();
  let best: NetworkWeights = snapshot(kind, vars);
  let bestLoss = Infinity;
  let bestEpoch = 0;
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
      shuffleInPlace(order, random);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < order.length; start += options.batchSize) {
        const idx = order.subarray(start, Math.min(start + options.batchSize, order.length));
        const loss = tf.tidy(() => {
          const indices = tf.tensor1d(idx, "int32");
          const z = tf.gather(zAll, indices);
          const m = tf.gather(mAll, indices);
          const y = tf.gather(yAll, indices);
          const goodByGroup = parity ? goodGroupMatrix(parity.groups, train.y, idx) : null;
          const cost = optimizer.minimize(
            () => {
              const logits = forwardLogits(kind, vars, z, m);
              const bce = tf.losses.sigmoidCrossEntropy(y, logits);
              const l2 = penalised.reduce<tf.Scalar>((acc, v) => tf.add(acc, tf.sum(tf.square(v))), tf.scalar(0));
              const loss = tf.add(bce, tf.mul(l2, options.l2)) as tf.Scalar;
              if (!goodByGroup || !parity) return loss;
              return tf.add(loss, tf.mul(parityPenalty(tf.sigmoid(logits), goodByGroup), parity.weight)) as tf.Scalar;
            },
            true,
            varList,
          );
          for (const name of nonNegativeParameters(kind)) {
            const v = vars[name];
            if (v !== undefined) v.assign(tf.relu(v));
          }
          return (cost as tf.Scalar).dataSync()[0] as number;
        });
        lossSum += loss;
        batches++;
      }
      const pd = tf.tidy(() => tf.sigmoid(forwardLogits(kind, vars, zVal, mVal)).dataSync() as Float32Array);
      const validationLoss = logLoss(pd, validation.y);
      const improved = validationLoss < bestLoss - 1e-5;
      if (improved) {
        bestLoss = validationLoss;
        bestEpoch = epoch;
        best = snapshot(kind, vars);
      }
      const report: EpochReport = {
        epoch,
        trainLoss: lossSum / batches,
        validationLoss,
        validationAuc: auc(pd, validation.y),
        best: improved,
        elapsedMs: Date.now() - started,
      };
      history.push(report);
      options.onEpoch?.(report);
      if (epoch - bestEpoch >= options.patience || Date.now() - started > (options.timeBudgetMs ?? Infinity)) break;
    }
  } finally {
    tf.dispose([zAll, mAll, yAll, zVal, mVal, ...varList]);
    optimizer.dispose();
  }
  return { weights: best, bestEpoch, epochsRun: history.length, history };
}
