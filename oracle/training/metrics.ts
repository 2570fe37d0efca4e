/** Discrimination and calibration metrics for binary scores (labels 1 = default). */

/** Area under the ROC curve by the rank-sum (Mann–Whitney) statistic; ties count one half. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/** ROC curve from the highest threshold down (one point per distinct score). */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  const negatives = labels.length - positives;
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    const idx = order[i] as number;
    if (labels[idx] === 1) tp++;
    else fp++;
    const next = order[i + 1];
    if (next === undefined || scores[next] !== scores[idx]) {
      points.push({ threshold: scores[idx] as number, fpr: fp / negatives, tpr: tp / positives });
    }
  }
  return points;
}

/** Kolmogorov–Smirnov statistic: the largest gap between the score distributions of defaulters and others. */
export function ks(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return rocCurve(scores, labels).reduce((best, p) => Math.max(best, p.tpr - p.fpr), 0);
}

export function brier(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += ((scores[i] as number) - (labels[i] as number)) ** 2;
  return sum / scores.length;
}

export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(Math.max(scores[i] as number, 1e-7), 1 - 1e-7);
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / scores.length;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Reliability curve over equal-width PD bins; empty bins are kept with count 0. */
export function reliability(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i] as number;
    const b = Math.min(Math.floor(p * bins), bins - 1);
    count[b] = (count[b] as number) + 1;
    sumP[b] = (sumP[b] as number) + p;
    sumY[b] = (sumY[b] as number) + (labels[i] as number);
  }
  return count.map((n, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: n,
    meanPredicted: n > 0 ? (sumP[b] as number) / n : Number.NaN,
    observedRate: n > 0 ? (sumY[b] as number) / n : Number.NaN,
  }));
}

/** Expected calibration error: bin-size-weighted mean |observed − predicted| over 10 equal-width bins. */
export function ece(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): number {
  return reliability(scores, labels, bins).reduce(
    (sum, bin) =>
      bin.count > 0 ? sum + (bin.count / scores.length) * Math.abs(bin.observedRate - bin.meanPredicted) : sum,
    0,
  );
}

export interface Confusion {
  threshold: number;
  /** Denied (PD > threshold) and defaulted. */
  truePositives: number;
  /** Denied but repaid. */
  falsePositives: number;
  /** Approved and repaid. */
  trueNegatives: number;
  /** Approved but defaulted. */
  falseNegatives: number;
  approvalRate: number;
  /** Default rate among approved applicants. */
  approvedDefaultRate: number;
}

/** Confusion matrix of the decision "deny when PD > threshold". */
export function confusion(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const denied = (scores[i] as number) > threshold;
    const bad = labels[i] === 1;
    if (denied && bad) tp++;
    else if (denied) fp++;
    else if (bad) fn++;
    else tn++;
  }
  const approved = tn + fn;
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    approvalRate: approved / scores.length,
    approvedDefaultRate: approved > 0 ? fn / approved : 0,
  };
}
