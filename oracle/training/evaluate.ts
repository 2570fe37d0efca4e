/** Test-split evaluation of one model: discrimination, calibration and the decision at the approval threshold. */
import {
  auc,
  brier,
  confusion,
  ece,
  ks,
  logLoss,
  reliability,
  rocCurve,
  type Confusion,
  type ReliabilityBin,
  type RocPoint,
} from "./metrics.js";

export interface ModelEvaluation {
  auc: number;
  ks: number;
  brier: number;
  logLoss: number;
  ece: number;
  reliability: ReliabilityBin[];
  confusion: Confusion;
}

export function evaluateScores(pd: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ModelEvaluation {
  return {
    auc: auc(pd, labels),
    ks: ks(pd, labels),
    brier: brier(pd, labels),
    logLoss: logLoss(pd, labels),
    ece: ece(pd, labels),
    reliability: reliability(pd, labels),
    confusion: confusion(pd, labels, threshold),
  };
}

/** At most `points` ROC points, evenly spaced along the curve, for plotting. */
export function thinRoc(pd: ArrayLike<number>, labels: ArrayLike<number>, points = 200): RocPoint[] {
  const roc = rocCurve(pd, labels);
  const step = Math.max(1, Math.floor(roc.length / points));
  return roc.filter((_, i) => i % step === 0 || i === roc.length - 1);
}
