/**
 * The application's features in model order, and the hash the borrower signs over them: the rule is the SDK's
 * (`sdk/src/eip712/features.ts`: featuresHash = keccak256(abi.encode(int256[] values)) in the model's order);
 * here its refusals become the node's IntakeErrors (same codes).
 */
import {
  FeatureError,
  hashApplicationFeatures as sdkHashApplicationFeatures,
  hashOrderedFeatures as sdkHashOrderedFeatures,
  orderFeatures as sdkOrderFeatures,
} from "../../../sdk/src/eip712/features.js";
import { IntakeError } from "./errors.js";

function asIntakeError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FeatureError) throw new IntakeError(error.code, error.message);
    throw error;
  }
}

/**
 * The feature values in `featureNames` order. Refuses a missing feature, one the model does not use (it would
 * not be covered by the signed hash), and anything but a safe integer.
 */
export function orderFeatures(featureNames: readonly string[], features: Readonly<Record<string, unknown>>): number[] {
  return asIntakeError(() => sdkOrderFeatures(featureNames, features));
}

/** keccak256(abi.encode(int256[])) of already-ordered integer features. */
export function hashOrderedFeatures(values: readonly number[]): string {
  return asIntakeError(() => sdkHashOrderedFeatures(values));
}

/** The `featuresHash` a borrower signs for `features`, in the model's `featureNames` order. */
export function hashApplicationFeatures(
  featureNames: readonly string[],
  features: Readonly<Record<string, unknown>>,
): string {
  return asIntakeError(() => sdkHashApplicationFeatures(featureNames, features));
}
