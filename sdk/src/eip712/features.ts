/**
 * The features-hash rule: what a borrower's application commits to.
 *
 *   featuresHash = keccak256(abi.encode(int256[] values))
 *
 * with `values[i]` the feature named `featureNames[i]` (the model's metadata order, which is also the credit
 * file's schema order). int256 because raw fields can be negative (bill amounts) and every JSON-safe integer
 * fits; integers only, so the hash never depends on how a float is printed or rounded. A non-integer or an
 * integer beyond 2^53 − 1 is refused, not rounded. `abi.encode` of a dynamic array includes its offset word,
 * exactly as Solidity's `abi.encode(values)` does. The same rule gives a credit file's `fieldsHash`.
 */
import { keccak256 } from "ethers";

const WORD_BYTES = 32;

export type FeatureErrorCode = "unknown_field" | "missing_field" | "not_a_number" | "not_an_integer";

/** A feature set that cannot be hashed; `code` is the node's refusal code for the same problem. */
export class FeatureError extends Error {
  override readonly name = "FeatureError";

  constructor(
    readonly code: FeatureErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** As the node's `describeValue`: never serialises structures. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "undefined":
      return "undefined";
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}

/**
 * The feature values in `featureNames` order. Refuses a missing feature, one the model does not use (it would
 * not be covered by the signed hash), and anything but a safe integer.
 */
export function orderFeatures(featureNames: readonly string[], features: Readonly<Record<string, unknown>>): number[] {
  const expected = new Set(featureNames);
  for (const name of Object.keys(features)) {
    if (!expected.has(name)) throw new FeatureError("unknown_field", `features.${name}: not a feature of this model`);
  }
  return featureNames.map((name) => {
    const value = Object.hasOwn(features, name) ? features[name] : undefined;
    if (value === undefined) throw new FeatureError("missing_field", `features.${name}: required`);
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new FeatureError("not_a_number", `features.${name}: must be a number, got ${describe(value)}`);
    }
    if (!Number.isSafeInteger(value)) {
      throw new FeatureError(
        "not_an_integer",
        `features.${name}: must be an integer within ±(2^53 − 1), got ${value} (round amounts before signing)`,
      );
    }
    return value;
  });
}

/** keccak256(abi.encode(int256[])) of already-ordered integer features. */
export function hashOrderedFeatures(values: readonly number[]): string {
  for (const [i, value] of values.entries()) {
    if (!Number.isSafeInteger(value))
      throw new FeatureError("not_an_integer", `features[${i}]: must be a safe integer, got ${value}`);
  }
  return keccak256(encodeInt256Array(values));
}

/**
 * `abi.encode(int256[] values)`: the offset word (0x20), the length, then each value as a 32-byte two's
 * complement word. Written out rather than through ethers' AbiCoder (~0.2 ms per application) for what is a fixed
 * layout; `test/oracle/intake.test.ts` checks it against AbiCoder.
 */
function encodeInt256Array(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(WORD_BYTES * (2 + values.length));
  const view = new DataView(out.buffer);
  out[WORD_BYTES - 1] = WORD_BYTES;
  view.setUint32(2 * WORD_BYTES - 4, values.length);
  values.forEach((value, i) => {
    const end = (i + 3) * WORD_BYTES;
    // Safe integers fit in 64 bits; a negative value sign-extends with 0xff bytes.
    if (value < 0) out.fill(0xff, end - WORD_BYTES, end - 8);
    view.setBigInt64(end - 8, BigInt(value));
  });
  return out;
}

/** The `featuresHash` a borrower signs for `features`, in the model's `featureNames` order. */
export function hashApplicationFeatures(
  featureNames: readonly string[],
  features: Readonly<Record<string, unknown>>,
): string {
  return hashOrderedFeatures(orderFeatures(featureNames, features));
}
