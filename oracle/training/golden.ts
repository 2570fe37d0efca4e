/**
 * Golden applicants for the model card: a few test-split applicants spread over the PD range, with the PD the
 * exported ONNX model gives them. A node scores them at start in the card's input order and refuses a model that
 * does not reproduce them (`oracle/src/model/validation-report.ts`), which pins how the model reads its inputs to
 * the card whose hash the regulator approves, not to the model file's own metadata. Computed from the model, so
 * adding them never changes the ONNX bytes.
 */
import type { CreditModel, GoldenApplicants } from "../src/model/index.js";

/** PD quantiles of the applicants kept: a safe one, the middle, a risky one, and in between. */
const GOLDEN_QUANTILES = [0.02, 0.25, 0.5, 0.75, 0.98] as const;
/** As the export parity check: onnxruntime on another machine may differ in the last float32 bits. */
export const GOLDEN_PD_TOLERANCE = 1e-5;

/** `raw` holds the candidates' raw fields, row-major, in `featureNames` order (e.g. the test split). */
export async function goldenApplicants(
  model: Pick<CreditModel, "predict">,
  featureNames: readonly string[],
  raw: Float32Array,
): Promise<GoldenApplicants> {
  const width = featureNames.length;
  const pds = await model.predict(raw);
  const byPd = Array.from(pds.keys()).sort((a, b) => (pds[a] as number) - (pds[b] as number) || a - b);
  const rows = [...new Set(GOLDEN_QUANTILES.map((q) => byPd[Math.floor(q * (byPd.length - 1))] as number))];
  return {
    description: `test-split applicants at PD quantiles ${GOLDEN_QUANTILES.join(", ")}, scored by this ONNX file; a node refuses the model unless it reproduces each PD`,
    tolerancePd: GOLDEN_PD_TOLERANCE,
    applicants: rows.map((row) => ({
      features: Object.fromEntries(featureNames.map((name, c) => [name, raw[row * width + c] as number])),
      pd: pds[row] as number,
    })),
  };
}
