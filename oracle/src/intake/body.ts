/**
 * Shape of the application body, checked before any cryptography:
 * `{ borrower, features, nonce, expiry, signature, creditFile, providerSignature }`; unknown top-level fields are
 * refused. `creditFile` and `providerSignature` are what the data provider returned (its `fields` become
 * `features`); an application without them is refused with `credit_file_required`: there is no self-declared path.
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

import { decimalUint, valueAt } from "../validation/index.js";
import { IntakeError, type IntakeErrorCode } from "./errors.js";

const UINT64_MAX = (1n << 64n) - 1n;

const address = z
  .string()
  .refine((v) => isAddress(v), "must be a 20-byte hex address (mixed case must be a valid EIP-55 checksum)")
  .transform((v) => getAddress(v));
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of 0x-prefixed hex");
const unixSeconds = z
  .number()
  .int("must be an integer (unix seconds)")
  .nonnegative("must be ≥ 0 (unix seconds)")
  .refine((v) => BigInt(v) <= UINT64_MAX, "must fit in uint64");
// 65-byte r‖s‖v, or a 64-byte EIP-2098 compact signature.
const signature = z.string().regex(/^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/, "must be a 64- or 65-byte hex signature");

/** The EIP-712 `CreditFile` (oracle/src/protocol/credit-file.ts) as JSON. */
const creditFileSchema = z.strictObject({
  fileId: bytes32,
  borrower: address,
  provider: address,
  schemaHash: bytes32,
  fieldsHash: bytes32,
  asOf: unixSeconds,
  validUntil: unixSeconds,
});

/** Top-level fields that carry the attested file: missing, the refusal says a credit file is required. */
const CREDIT_FILE_FIELDS: readonly PropertyKey[] = ["creditFile", "providerSignature"];

export const applicationBodySchema = z.strictObject({
  borrower: address,
  // Raw values are checked per feature against the model's list (orderFeatures), which names the feature.
  features: z.record(z.string(), z.unknown()),
  // A decimal string: JSON numbers cannot carry a uint256 exactly.
  nonce: decimalUint(256),
  expiry: unixSeconds,
  signature,
  creditFile: creditFileSchema,
  providerSignature: signature,
});

export type ApplicationBody = z.infer<typeof applicationBodySchema>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "body";
}

function toIntakeError(raw: unknown, issue: z.core.$ZodIssue): IntakeError {
  const field = pathOf(issue.path);
  if (issue.code === "unrecognized_keys") {
    return new IntakeError(
      "unknown_field",
      `${issue.keys.map((k) => pathOf([...issue.path, k])).join(", ")}: unknown field`,
    );
  }
  if (issue.code === "invalid_type") {
    if (valueAt(raw, issue.path) === undefined) {
      if (issue.path.length === 1 && CREDIT_FILE_FIELDS.includes(issue.path[0]!)) {
        return new IntakeError(
          "credit_file_required",
          `${field}: required; an application carries the credit file an approved data provider signed (no self-declared fields)`,
        );
      }
      return new IntakeError("missing_field", `${field}: required`);
    }
    const code: IntakeErrorCode =
      issue.expected === "number" || issue.expected === "int" ? "not_a_number" : "invalid_field";
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
