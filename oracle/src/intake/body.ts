/**
 * Shape of the application body, checked before any cryptography:
 * `{ borrower, features, nonce, expiry, signature }`; unknown top-level fields are refused.
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

import { decimalUint, valueAt } from "../validation/index.js";
import { IntakeError, type IntakeErrorCode } from "./errors.js";

const UINT64_MAX = (1n << 64n) - 1n;

const applicationBodySchema = z.strictObject({
  borrower: z
    .string()
    .refine((v) => isAddress(v), "must be a 20-byte hex address (mixed case must be a valid EIP-55 checksum)")
    .transform((v) => getAddress(v)),
  // Raw values are checked per feature against the model's list (orderFeatures), which names the feature.
  features: z.record(z.string(), z.unknown()),
  // A decimal string: JSON numbers cannot carry a uint256 exactly.
  nonce: decimalUint(256),
  expiry: z
    .number()
    .int("must be an integer (unix seconds)")
    .nonnegative("must be ≥ 0 (unix seconds)")
    .refine((v) => BigInt(v) <= UINT64_MAX, "must fit in uint64"),
  // 65-byte r‖s‖v, or a 64-byte EIP-2098 compact signature.
  signature: z.string().regex(/^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/, "must be a 64- or 65-byte hex signature"),
});

export type ApplicationBody = z.infer<typeof applicationBodySchema>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "body";
}

function toIntakeError(raw: unknown, issue: z.core.$ZodIssue): IntakeError {
  const field = pathOf(issue.path);
  if (issue.code === "unrecognized_keys") {
    return new IntakeError("unknown_field", `${issue.keys.map((k) => pathOf([...issue.path, k])).join(", ")}: unknown field`);
  }
  if (issue.code === "invalid_type") {
    if (valueAt(raw, issue.path) === undefined) return new IntakeError("missing_field", `${field}: required`);
    const code: IntakeErrorCode = issue.expected === "number" || issue.expected === "int" ? "not_a_number" : "invalid_field";
    return new IntakeError(code, `${field}: expected ${issue.expected}`);
  }
  return new IntakeError("invalid_field", `${field}: ${issue.message}`);
}

/** Validates the JSON body's shape; throws an IntakeError naming the first bad field. */
export function parseApplicationBody(raw: unknown): ApplicationBody {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new IntakeError("invalid_field", "body: must be a JSON object");
  }
  const result = applicationBodySchema.safeParse(raw);
  if (!result.success) {
    const [first] = result.error.issues;
    throw first === undefined ? new IntakeError("invalid_field", "body: invalid") : toIntakeError(raw, first);
  }
  return result.data;
}
