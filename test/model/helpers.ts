/** Shared fixtures for the model tests: the committed model and the committed data's test split. */
import { fileURLToPath } from "node:url";
import { loadCreditModel, type CreditModel } from "../../oracle/src/model/index.js";
import { loadDataset, selectColumns, subsetTarget, type Dataset } from "../../oracle/training/data.js";
import { FEATURE_NAMES } from "../../oracle/training/features.js";
import { stratifiedSplit, DEFAULT_SPLIT } from "../../oracle/training/split.js";

export const MODEL_PATH = fileURLToPath(new URL("../../oracle/model/credit-model.onnx", import.meta.url));

let model: Promise<CreditModel> | undefined;
export function committedModel(): Promise<CreditModel> {
  model ??= loadCreditModel(MODEL_PATH);
  return model;
}

let cached: { data: Dataset; raw: Float32Array; y: Uint8Array; rows: number } | undefined;
/** Raw features (model order) and labels of the test split, re-derived from the committed data and seed. */
export function testSplit(): { data: Dataset; raw: Float32Array; y: Uint8Array; rows: number } {
  if (!cached) {
    const data = loadDataset();
    const idx = stratifiedSplit(data.target, DEFAULT_SPLIT).test;
    cached = { data, raw: selectColumns(data, FEATURE_NAMES, idx), y: subsetTarget(data, idx), rows: idx.length };
  }
  return cached;
}

export function rowOf(raw: Float32Array, i: number, width = FEATURE_NAMES.length): number[] {
  return Array.from(raw.subarray(i * width, (i + 1) * width));
}

/**
 * |actual − expected| ≤ tolerance for floats. chai's own `closeTo` is replaced by hardhat-ethers-chai-matchers
 * with a bigint-only version once the contract tests load it, so model tests use this instead.
 */
export function expectClose(actual: number, expected: number, tolerance: number, what = "value"): void {
  const diff = Math.abs(actual - expected);
  if (!(diff <= tolerance)) {
    throw new Error(`${what}: expected ${expected} ± ${tolerance}, got ${actual} (off by ${diff})`);
  }
}
