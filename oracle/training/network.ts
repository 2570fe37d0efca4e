/**
 * The credit networks, written directly with TensorFlow.js variables (so initialisation, shuffling and the
 * non-negativity projection are all explicit and seeded).
 *
 * MLP ("monotone MLP"): logit = freePath(z) + monoPath(m, z) + b
 * - freePath(z) = relu(z·W1 + b1)·W2: amounts, utilisation and payment ratios, unconstrained.
 * - monoPath(m, z) = relu(m·Wm + z·Wz + bm)·v with Wm ≥ 0 and v ≥ 0: the payment-status features can only raise
 *   the logit, while their effect still depends on the amounts through Wz. relu is non-decreasing, so the PD is
 *   non-decreasing in every `PAY_*` code by construction.
 * Logistic baseline: logit = z·wz + m·wm + b (no constraint), on the same standardised features.
 */
import * as tf from "@tensorflow/tfjs";
import type { Block } from "./features.js";
import { auc, logLoss } from "./metrics.js";
import { mulberry32, shuffleInPlace } from "./random.js";

export type NetworkKind = "mlp" | "logistic";

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface NetworkWeights {
  kind: NetworkKind;
  tensors: Record<string, NamedTensor>;
}

/** Parameters constrained to be non-negative (projected after every optimiser step). */
export const NON_NEGATIVE_PARAMETERS: readonly string[] = ["mono_Wm", "mono_v"];

export interface NetworkShape {
  kind: NetworkKind;
  freeInputs: number;
  monoInputs: number;
  hiddenFree: number;
  hiddenMono: number;
}

function parameterShapes(s: NetworkShape): Record<string, number[]> {
  if (s.kind === "logistic") return { lin_wz: [s.freeInputs, 1], lin_wm: [s.monoInputs, 1], out_b: [1] };
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
      const lo = NON_NEGATIVE_PARAMETERS.includes(name) ? 0 : -limit;
      init = tf.randomUniform(dims, lo, limit, "float32", seed * 101 + i);
    }
    vars[name] = tf.variable(init, true, `${name}_${++variableCounter}`);
    init.dispose();
  });
  return vars;
}

function forwardLogits(kind: NetworkKind, p: Record<string, tf.Tensor>, z: tf.Tensor2D, m: tf.Tensor2D): tf.Tensor2D {
  const w = (name: string) => p[name] as tf.Tensor2D;
  if (kind === "logistic") return tf.add(tf.add(tf.matMul(z, w("lin_wz")), tf.matMul(m, w("lin_wm"))), w("out_b"));
  const free = tf.matMul(tf.relu(tf.add(tf.matMul(z, w("free_W1")), w("free_b1"))), w("free_W2"));
  const monoHidden = tf.relu(tf.add(tf.add(tf.matMul(m, w("mono_Wm")), tf.matMul(z, w("mono_Wz"))), w("mono_b")));
  return tf.add(tf.add(free, tf.matMul(monoHidden, w("mono_v"))), w("out_b"));
}

/** PD for standardised inputs with given weights, computed by TensorFlow.js (the "training library" output). */
export function predictWithTf(weights: NetworkWeights, z: Block, m: Block): Float32Array {
  return tf.tidy(() => {
    const p: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(weights.tensors)) p[name] = tf.tensor(t.data, t.shape);
    const logits = forwardLogits(weights.kind, p, tf.tensor2d(z.data, [z.rows, z.cols]), tf.tensor2d(m.data, [m.rows, m.cols]));
    return tf.sigmoid(logits).dataSync() as Float32Array;
  });
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
  /** Wall-clock bound on the loop; training stops at the end of the epoch that passes it. */
  timeBudgetMs: number;
  onEpoch?: (report: EpochReport) => void;
}

export interface TrainResult {
  weights: NetworkWeights;
  bestEpoch: number;
  epochsRun: number;
  history: EpochReport[];
}

function snapshot(kind: NetworkKind, vars: Variables): NetworkWeights {
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, v] of Object.entries(vars)) tensors[name] = { shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) };
  return { kind, tensors };
}

/**
 * Mini-batch Adam on the mean binary cross-entropy (+ L2), seeded shuffling, early stopping on validation
 * log loss with the best epoch's weights restored.
 */
export function trainNetwork(
  kind: NetworkKind,
  train: { z: Block; m: Block; y: Uint8Array },
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
  const penalised = Object.entries(vars).filter(([, v]) => v.shape.length === 2).map(([, v]) => v);
  const optimizer = tf.train.adam(options.learningRate);
  const zAll = tf.tensor2d(train.z.data, [train.z.rows, train.z.cols]);
  const mAll = tf.tensor2d(train.m.data, [train.m.rows, train.m.cols]);
  const yAll = tf.tensor2d(Float32Array.from(train.y), [train.y.length, 1]);
  const zVal = tf.tensor2d(validation.z.data, [validation.z.rows, validation.z.cols]);
  const mVal = tf.tensor2d(validation.m.data, [validation.m.rows, validation.m.cols]);
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
          const cost = optimizer.minimize(
            () => {
              const logits = forwardLogits(kind, vars, z, m);
              const bce = tf.losses.sigmoidCrossEntropy(y, logits);
              const l2 = penalised.reduce<tf.Scalar>((acc, v) => tf.add(acc, tf.sum(tf.square(v))), tf.scalar(0));
              return tf.add(bce, tf.mul(l2, options.l2)) as tf.Scalar;
            },
            true,
            varList,
          );
          for (const name of NON_NEGATIVE_PARAMETERS) {
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
      if (epoch - bestEpoch >= options.patience || Date.now() - started > options.timeBudgetMs) break;
    }
  } finally {
    tf.dispose([zAll, mAll, yAll, zVal, mVal, ...varList]);
    optimizer.dispose();
  }
  return { weights: best, bestEpoch, epochsRun: history.length, history };
}
