/**
 * Explanation of one application through the shipped model (onnxruntime-node): exact group Shapley values
 * against the model's documented baseline applicant, and the adverse-action reason codes derived from them.
 *
 * The reason-code table and the baseline are read from the model file's metadata (`reason_codes`,
 * `shapley_baseline`), so the model id pins them as well and every node explains with the same inputs.
 */
import type { CreditModel } from "../model/load-model.js";
import { parseReasonCodes, selectReasonCodes, type ReasonCode } from "./reason-codes.js";
import { exactGroupShapley } from "./shapley.js";

export interface Attribution {
  /** Feature group id (see the reason-code table). */
  feature: string;
  /** Raw inputs of the group. */
  features: string[];
  /** Change in PD this group accounts for, relative to the baseline applicant. */
  value: number;
}

export interface Explanation {
  pd: number;
  /** PD of the baseline applicant; `pd − baselinePd` = Σ attributions. */
  baselinePd: number;
  attributions: Attribution[];
  /** Up to four codes, largest adverse push first. */
  reasonCodes: number[];
  reasons: { code: number; text: string }[];
}

interface ExplainerSetup {
  table: ReasonCode[];
  baseline: number[];
  groups: number[][];
}

const setups = new WeakMap<CreditModel, ExplainerSetup>();

function setupFor(model: CreditModel): ExplainerSetup {
  const cached = setups.get(model);
  if (cached) return cached;
  const { reason_codes: codesJson, shapley_baseline: baselineJson } = model.metadata;
  if (codesJson === undefined || baselineJson === undefined) {
    throw new Error(
      `credit model ${model.modelId}: metadata "reason_codes" and "shapley_baseline" are required to explain`,
    );
  }
  const table = parseReasonCodes(JSON.parse(codesJson), model.featureNames);
  const baseline = JSON.parse(baselineJson) as unknown;
  if (!Array.isArray(baseline) || baseline.length !== model.featureNames.length || !baseline.every(Number.isFinite)) {
    throw new Error(
      `credit model ${model.modelId}: metadata "shapley_baseline" must be ${model.featureNames.length} numbers`,
    );
  }
  const groups = table.map((entry) => entry.features.map((f) => model.featureNames.indexOf(f)));
  const setup = { table, baseline: baseline as number[], groups };
  setups.set(model, setup);
  return setup;
}

/** Scores and explains one application given as raw features in `model.featureNames` order. */
export async function explainApplication(model: CreditModel, features: number[]): Promise<Explanation> {
  if (features.length !== model.featureNames.length) {
    throw new Error(`explain: expected ${model.featureNames.length} features, got ${features.length}`);
  }
  const { table, baseline, groups } = setupFor(model);
  const shapley = await exactGroupShapley((rows) => model.predict(rows), features, baseline, groups);
  const chosen = selectReasonCodes(table, shapley.values);
  return {
    pd: shapley.fx,
    baselinePd: shapley.fBaseline,
    attributions: table.map((entry, i) => ({
      feature: entry.group,
      features: entry.features,
      value: shapley.values[i] as number,
    })),
    reasonCodes: chosen.map((c) => c.code),
    reasons: chosen.map((c) => ({ code: c.code, text: c.text })),
  };
}
