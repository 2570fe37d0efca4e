/**
 * The model's validation report (its model card, `MODEL_CARD.json`): the regulator approves a model by its file
 * hash (`modelId`) together with the sha256 of this report (`validationReportHash` on chain). The node takes the
 * feature schema from the report, not from the model file's own metadata, and checks the model against it before
 * serving: the metadata's `feature_names` must list the same features in the same order, and the model must give
 * the report's golden applicants (raw fields by name, with their PD) the same PD within the stated tolerance.
 * A model file whose bytes were approved but whose metadata reorders the inputs is refused at start instead of
 * scoring every applicant with shuffled fields.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

import { z } from "zod";

import type { CreditModel } from "./load-model.js";

/** The largest PD tolerance a report may state: golden applicants pin the model, they cannot loosen it. */
export const MAX_GOLDEN_PD_TOLERANCE = 1e-3;

const goldenApplicantSchema = z.strictObject({
  /** Raw application fields by name: what a borrower signs, independent of any input order. */
  features: z.record(z.string(), z.number().finite()),
  /** The PD the approved model gives this applicant. */
  pd: z.number().min(0).max(1),
});

export const goldenApplicantsSchema = z.strictObject({
  description: z.string(),
  tolerancePd: z.number().positive().max(MAX_GOLDEN_PD_TOLERANCE),
  applicants: z.array(goldenApplicantSchema).min(1),
});

export type GoldenApplicants = z.infer<typeof goldenApplicantsSchema>;

/** The parts of the report the node relies on; the rest (metrics, fairness, plots) is for people. */
const validationReportSchema = z.object({
  modelId: z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x and 64 lower-case hex digits"),
  features: z.object({ inputs: z.array(z.string().min(1)).min(1) }),
  goldenApplicants: goldenApplicantsSchema,
  /** The sha256 of the model's reference distributions (metadata JSON), for drift monitoring. */
  reference: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits") }).optional(),
});

export interface ValidationReport {
  path: string;
  /** 0x-prefixed sha256 of the file's bytes: what the chain records as the model's validationReportHash. */
  sha256: string;
  modelId: string;
  /** The model's input order. */
  featureNames: readonly string[];
  golden: GoldenApplicants;
  /** sha256 (hex) of the model's `reference_distributions` metadata, when the report records it. */
  referenceSha256?: string;
}

/** The model cannot be served: it does not match its approved validation report. */
export class ModelPinningError extends Error {
  override readonly name = "ModelPinningError";
}

/** Reads and parses a validation report; throws a ModelPinningError naming the file and the problem. */
export async function loadValidationReport(path: string): Promise<ValidationReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ModelPinningError(
      `validation report ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ModelPinningError(`validation report ${path}: not JSON`);
  }
  const parsed = validationReportSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new ModelPinningError(
      `validation report ${path}: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const featureNames = parsed.data.features.inputs;
  if (new Set(featureNames).size !== featureNames.length)
    throw new ModelPinningError(`validation report ${path}: features.inputs has duplicates`);
  return {
    path,
    sha256: `0x${createHash("sha256").update(bytes).digest("hex")}`,
    modelId: parsed.data.modelId,
    featureNames,
    golden: parsed.data.goldenApplicants,
    ...(parsed.data.reference === undefined ? {} : { referenceSha256: parsed.data.reference.sha256 }),
  };
}

/**
 * Checks `model` against `report`, whose sha256 must be `approvedReportHash` (the chain's record for the model),
 * and returns the model with its feature order taken from the report. Throws a ModelPinningError naming the
 * first mismatch.
 */
export async function pinModelToValidationReport(
  model: CreditModel,
  report: ValidationReport,
  approvedReportHash: string,
): Promise<CreditModel> {
  const refuse = (problem: string) => new ModelPinningError(`refusing to serve model ${model.modelId}: ${problem}`);
  if (report.sha256 !== approvedReportHash.toLowerCase()) {
    throw refuse(
      `validation report ${report.path} has sha256 ${report.sha256}, but the chain approved the model with validationReportHash ${approvedReportHash}`,
    );
  }
  if (report.modelId !== model.modelId) throw refuse(`validation report ${report.path} is for model ${report.modelId}`);
  const firstDifference = report.featureNames.findIndex((name, i) => model.featureNames[i] !== name);
  if (firstDifference >= 0 || model.featureNames.length !== report.featureNames.length) {
    const at = firstDifference >= 0 ? firstDifference : Math.min(model.featureNames.length, report.featureNames.length);
    throw refuse(
      `the model file's metadata feature_names differ from the validation report's input order at position ${at} ` +
        `(${model.featureNames[at] ?? "none"} vs ${report.featureNames[at] ?? "none"}); the report, approved on chain, decides`,
    );
  }
  const pinned: CreditModel = { ...model, featureNames: report.featureNames };
  await checkGoldenApplicants(pinned, report);
  return pinned;
}

/** Scores every golden applicant in the report's input order; throws unless each PD is within the tolerance. */
async function checkGoldenApplicants(model: CreditModel, report: ValidationReport): Promise<void> {
  const { applicants, tolerancePd } = report.golden;
  const rows = applicants.map((applicant, i) => {
    const names = Object.keys(applicant.features);
    const unknown = names.find((name) => !report.featureNames.includes(name));
    if (unknown !== undefined || names.length !== report.featureNames.length) {
      throw new ModelPinningError(
        `validation report ${report.path}: golden applicant ${i} must give exactly the features ${report.featureNames.join(", ")}`,
      );
    }
    return report.featureNames.map((name) => applicant.features[name] as number);
  });
  const pds = await model.predict(rows);
  applicants.forEach((applicant, i) => {
    const pd = pds[i] as number;
    if (!(Math.abs(pd - applicant.pd) <= tolerancePd)) {
      throw new ModelPinningError(
        `refusing to serve model ${model.modelId}: golden applicant ${i} of ${report.path} scores PD ${pd}, the report says ${applicant.pd} ` +
          `(tolerance ${tolerancePd}); the model does not read its inputs as validated`,
      );
    }
  });
}
