/**
 * The feature schema the bureau attests: the model's input names in the model's order. By default it is read
 * from the shipped model card (the validation report whose hash the chain approves with the model), so the
 * bureau's files carry exactly the fields, in exactly the order, that the nodes will score.
 */
import { fileURLToPath } from "node:url";

import { FEATURE_RANGES, type FieldRange } from "../../../oracle/src/model/application.js";
import { loadValidationReport } from "../../../oracle/src/model/validation-report.js";
import { featureSchemaHash } from "../../../oracle/src/protocol/credit-file.js";

export const SHIPPED_MODEL_CARD = fileURLToPath(new URL("../../../oracle/model/MODEL_CARD.json", import.meta.url));

export interface FeatureSchema {
  featureNames: readonly string[];
  /** keccak256(abi.encode(string[] featureNames)): the `schemaHash` of every file released under it. */
  schemaHash: string;
  /** Each feature's documented range, in schema order. */
  ranges: readonly FieldRange[];
}

/** The schema could not be built; the message names the source and the bad feature. */
export class FeatureSchemaError extends Error {
  override readonly name = "FeatureSchemaError";
}

/** Builds the schema from explicit names; every name must be unique and have a documented range. */
export function featureSchema(featureNames: readonly string[], source = "schema.featureNames"): FeatureSchema {
  const seen = new Set<string>();
  const ranges = featureNames.map((name) => {
    if (seen.has(name)) throw new FeatureSchemaError(`${source}: feature ${name} is listed twice`);
    seen.add(name);
    const range = FEATURE_RANGES[name];
    if (range === undefined) {
      throw new FeatureSchemaError(
        `${source}: feature ${name} has no documented range (known: ${Object.keys(FEATURE_RANGES).join(", ")})`,
      );
    }
    return range;
  });
  return { featureNames: [...featureNames], schemaHash: featureSchemaHash(featureNames), ranges };
}

/** The configured schema: explicit names, or the named (default: shipped) model card's `features.inputs`. */
export async function loadFeatureSchema(config: {
  featureNames?: readonly string[];
  modelCardPath?: string;
}): Promise<FeatureSchema> {
  if (config.featureNames !== undefined) return featureSchema(config.featureNames);
  const path = config.modelCardPath ?? SHIPPED_MODEL_CARD;
  const report = await loadValidationReport(path);
  return featureSchema(report.featureNames, `model card ${path}`);
}
