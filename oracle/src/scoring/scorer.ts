/**
 * Scoring of one application with the loaded model: PD through onnxruntime (inside `explainApplication`, whose
 * exact Shapley pass evaluates the application itself as one of its coalitions), quantised to `pdBps`, and the
 * reason codes from the model's explainer. Pure of I/O apart from the model, so it is the same on every node.
 */
import { explainApplication } from "../explain/index.js";
import type { FeatureRangeValidator } from "../intake/index.js";
import { pdToBps, validateApplication, type CreditModel } from "../model/index.js";

export interface ApplicationScore {
  pdBps: number;
  /** The model's PD (0…1) before quantisation: what drift monitoring bins. */
  pd: number;
  /** Up to four reason codes, largest adverse push first (0-padding is the report's business). */
  reasonCodes: number[];
  /** The codes' adverse-action texts, for the borrower (never on chain). */
  reasons: { code: number; text: string }[];
  /** Wall time of inference and explanation, in ms. */
  inferenceMs: number;
}

/** Scores raw features given in `model.featureNames` order. Also a consensus `Scorer` (it returns a superset). */
export type ApplicationScorer = (features: number[]) => Promise<ApplicationScore>;

export function createScorer(model: CreditModel): ApplicationScorer {
  return async (features) => {
    const started = performance.now();
    const explanation = await explainApplication(model, features);
    return {
      pdBps: pdToBps(explanation.pd),
      pd: explanation.pd,
      reasonCodes: explanation.reasonCodes,
      reasons: explanation.reasons,
      inferenceMs: performance.now() - started,
    };
  };
}

/**
 * The model's documented ranges as the intake's `validateFeatures` hook. Both sides require integers (amounts are
 * whole NT$; the borrower signs int256 values), so the intake's `not_an_integer` and the range table agree.
 */
export function featureValidator(model: Pick<CreditModel, "featureNames">): FeatureRangeValidator {
  return (features) => {
    const check = validateApplication(model.featureNames, features);
    return check.ok ? { ok: true } : { ok: false, field: check.field, error: check.error };
  };
}
