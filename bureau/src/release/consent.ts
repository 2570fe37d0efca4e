/**
 * The borrower's consent, checked before anything is read from the store, in a fixed order (the first failed
 * check is the refusal): shape, provider, oracle, purpose, expiry, lifetime, signature. Pure: the clock and the
 * deployment come in as arguments.
 */
import { getAddress, isAddress, isHexString } from "ethers";
import { z } from "zod";

import {
  consentPurposeHash,
  hashConsent,
  recoverDigestSigner,
  type ConsentMessage,
  type CreditDataDomainParams,
} from "../../../oracle/src/protocol/credit-file.js";
import { decimalUint, valueAt } from "../../../oracle/src/validation/index.js";
import { ReleaseRefused } from "./errors.js";

const UINT64_MAX = 2n ** 64n - 1n;
const address = z
  .string("must be a string")
  .refine((v) => isAddress(v), "must be a 20-byte hex address (mixed case must be a valid EIP-55 checksum)")
  .transform((v) => getAddress(v));

const consentSchema = z.strictObject({
  borrower: address,
  provider: address,
  purpose: z
    .string("must be a string")
    .refine((v) => isHexString(v, 32), "must be 32 bytes of hex (0x + 64 digits)")
    .transform((v) => v.toLowerCase()),
  oracle: address,
  expiresAt: z
    .int("must be an integer (unix seconds)")
    .nonnegative("must be ≥ 0 (unix seconds)")
    .refine((v) => BigInt(v) <= UINT64_MAX, "must fit in uint64"),
  // A decimal string: a JSON number cannot carry a uint256 exactly.
  nonce: decimalUint(256),
});

export const creditFileRequestSchema = z.strictObject({
  consent: consentSchema,
  // 65-byte r‖s‖v, or a 64-byte EIP-2098 compact signature.
  signature: z
    .string("must be a string")
    .regex(/^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/, "must be a 64- or 65-byte hex signature"),
});

export interface ConsentPolicy extends CreditDataDomainParams {
  /** This bureau's provider id. */
  providerId: string;
  maxLifetimeSec: number;
}

export interface CheckedConsent {
  consent: ConsentMessage;
  /** The consent's EIP-712 digest: the key of the consent log. */
  digest: string;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "body";
}

/** Validates the request's shape; a ReleaseRefused `invalid_body` names the first bad field. */
export function parseCreditFileRequest(raw: unknown): z.infer<typeof creditFileRequestSchema> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new ReleaseRefused("invalid_body", "body: must be a JSON object");
  const result = creditFileRequestSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new ReleaseRefused("invalid_body", "body: invalid");
  if (issue.code === "unrecognized_keys")
    throw new ReleaseRefused(
      "invalid_body",
      `${issue.keys.map((k) => fieldName([...issue.path, k])).join(", ")}: unknown field`,
    );
  if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined)
    throw new ReleaseRefused("invalid_body", `${fieldName(issue.path)}: required`);
  throw new ReleaseRefused("invalid_body", `${fieldName(issue.path)}: ${issue.message}`);
}

/** Runs every consent check against `policy` at `nowSec`; returns the consent and its digest, or throws the refusal. */
export function checkConsent(raw: unknown, policy: ConsentPolicy, nowSec: number): CheckedConsent {
  const { consent: body, signature } = parseCreditFileRequest(raw);
  const consent: ConsentMessage = { ...body };
  if (consent.provider !== getAddress(policy.providerId)) {
    throw new ReleaseRefused(
      "wrong_provider",
      `consent.provider ${consent.provider} is not this bureau (${getAddress(policy.providerId)})`,
    );
  }
  if (consent.oracle !== getAddress(policy.verifyingContract)) {
    throw new ReleaseRefused(
      "wrong_oracle",
      `consent.oracle ${consent.oracle} is not the CreditScoreOracle this bureau serves (${getAddress(policy.verifyingContract)})`,
    );
  }
  if (consent.purpose !== consentPurposeHash()) {
    throw new ReleaseRefused(
      "wrong_purpose",
      `consent.purpose must be keccak256("credit scoring") = ${consentPurposeHash()}, got ${consent.purpose}`,
    );
  }
  if (consent.expiresAt <= nowSec) {
    throw new ReleaseRefused(
      "consent_expired",
      `consent.expiresAt ${consent.expiresAt} is not in the future (now ${nowSec})`,
    );
  }
  if (consent.expiresAt - nowSec > policy.maxLifetimeSec) {
    throw new ReleaseRefused(
      "consent_too_long",
      `consent.expiresAt ${consent.expiresAt} is ${consent.expiresAt - nowSec} s away; this bureau accepts at most ${policy.maxLifetimeSec} s`,
    );
  }
  const digest = hashConsent(policy, consent);
  let signer: string;
  try {
    signer = recoverDigestSigner(digest, signature);
  } catch (error) {
    throw new ReleaseRefused(
      "bad_signature",
      `signature: not a valid secp256k1 signature (${(error as Error).message.slice(0, 80)})`,
      { cause: error },
    );
  }
  if (signer !== consent.borrower) {
    throw new ReleaseRefused(
      "bad_signature",
      `signature: the consent was signed by ${signer}, not by the borrower ${consent.borrower} (or for another chain or oracle)`,
    );
  }
  return { consent, digest };
}
