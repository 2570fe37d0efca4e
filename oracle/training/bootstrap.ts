/**
 * Seeded bootstrap over the rows of an evaluation split: every resample draws n rows with replacement, held as
 * per-row counts (weights), so paired statistics (two models on the same resample) stay paired and each statistic
 * is O(n) per resample. Intervals are percentile intervals (2.5 % and 97.5 % by linear interpolation).
 */
import { mulberry32 } from "./random.js";

export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
}

export interface BootstrapOptions {
  resamples: number;
  seed: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { resamples: 2000, seed: 20240502 };

/** Row counts of each resample (a multinomial draw of n rows), generated lazily from the seed. */
export function* resampleWeights(n: number, options: BootstrapOptions): Generator<Uint16Array> {
  const random = mulberry32(options.seed);
  for (let r = 0; r < options.resamples; r++) {
    const weights = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      weights[j] = (weights[j] as number) + 1;
    }
    yield weights;
  }
}

export function percentileInterval(estimate: number, samples: number[], level = 0.95): Interval {
  const finite = samples.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = q * (finite.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, finite.length - 1);
    return (finite[lo] as number) + (pos - lo) * ((finite[hi] as number) - (finite[lo] as number));
  };
  return { estimate, lo: at((1 - level) / 2), hi: at(1 - (1 - level) / 2) };
}

/** Precomputed ascending order of the scores with tie groups, for O(n) weighted AUCs. */
export interface RankedScores {
  order: Int32Array;
  /** groupEnd[k] = index (in `order`) one past the tie group that order[k] belongs to. */
  groupEnd: Int32Array;
}

export function rankScores(scores: ArrayLike<number>): RankedScores {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number) || a - b,
  );
  const groupEnd = new Int32Array(order.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    for (let k = i; k <= j; k++) groupEnd[k] = j + 1;
    i = j + 1;
  }
  return { order, groupEnd };
}

/** AUC with row weights (ties count one half); with all weights 1 it equals the Mann–Whitney AUC. */
export function weightedAuc(ranked: RankedScores, labels: ArrayLike<number>, weights: ArrayLike<number>): number {
  const { order, groupEnd } = ranked;
  let negativesBelow = 0;
  let positives = 0;
  let sum = 0;
  for (let i = 0; i < order.length;) {
    const end = groupEnd[i] as number;
    let groupPos = 0;
    let groupNeg = 0;
    for (let k = i; k < end; k++) {
      const row = order[k] as number;
      const w = weights[row] as number;
      if (labels[row] === 1) groupPos += w;
      else groupNeg += w;
    }
    sum += groupPos * (negativesBelow + groupNeg / 2);
    positives += groupPos;
    negativesBelow += groupNeg;
    i = end;
  }
  return positives > 0 && negativesBelow > 0 ? sum / (positives * negativesBelow) : Number.NaN;
}

export interface AucComparison {
  auc: Interval;
  baselineAuc: Interval;
  /** AUC(model) − AUC(baseline), paired over the same resamples. */
  delta: Interval;
}

/** Paired bootstrap of the AUC difference between two scores of the same rows. */
export function pairedAucBootstrap(
  model: ArrayLike<number>,
  baseline: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: BootstrapOptions = DEFAULT_BOOTSTRAP,
): AucComparison {
  const a = rankScores(model);
  const b = rankScores(baseline);
  const ones = new Uint16Array(labels.length).fill(1);
  const estimateA = weightedAuc(a, labels, ones);
  const estimateB = weightedAuc(b, labels, ones);
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  const deltas: number[] = [];
  for (const w of resampleWeights(labels.length, options)) {
    const x = weightedAuc(a, labels, w);
    const y = weightedAuc(b, labels, w);
    samplesA.push(x);
    samplesB.push(y);
    deltas.push(x - y);
  }
  return {
    auc: percentileInterval(estimateA, samplesA),
    baselineAuc: percentileInterval(estimateB, samplesB),
    delta: percentileInterval(estimateA - estimateB, deltas),
  };
}
