/**
 * The borrower's side of the bureau API: build and sign a `Consent` with any ethers signer (a wallet, a
 * browser's EIP-1193 signer), POST it, and validate the answer. The demo and the dApp use this; the nodes
 * verify the returned file themselves. Browser-safe (fetch, Web Crypto).
 */
import { getAddress, hexlify, isAddress, isHexString, type Signer } from "ethers";
import { z } from "zod";

import {
  featureSchemaHash,
  consentPurposeHash,
  consentTypedData,
  type ConsentMessage,
  type CreditDataDomainParams,
  type CreditFileMessage,
} from "./eip712/credit-file.js";
import { serviceUrl } from "./service-url.js";

const bytes32 = z.string().refine((v) => isHexString(v, 32), "must be 32 bytes of hex");
const address = z
  .string()
  .refine((v) => isAddress(v), "must be an address")
  .transform((v) => getAddress(v))
  // What the bureau's OpenAPI document says of it (the transform only checksums): a 20-byte hex address.
  .meta({ override: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } });
const uint64 = z.int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const creditFileResponseSchema = z.strictObject({
  creditFile: z.strictObject({
    fileId: bytes32,
    borrower: address,
    provider: address,
    schemaHash: bytes32,
    fieldsHash: bytes32,
    asOf: uint64,
    validUntil: uint64,
  }),
  fields: z.record(
    z.string(),
    z.int().refine((v) => Number.isSafeInteger(v), "must be a safe integer"),
  ),
  providerSignature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte hex signature"),
});

export interface CreditFileResponse {
  creditFile: CreditFileMessage;
  /** The attested fields by name, in schema order. */
  fields: Record<string, number>;
  providerSignature: string;
}

/** The bureau refused (`status`, `code` name the check) or answered something that is not a credit file. */
export class BureauClientError extends Error {
  override readonly name = "BureauClientError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface RequestCreditFileOptions extends CreditDataDomainParams {
  /** The bureau's base URL, e.g. http://127.0.0.1:8600 */
  url: string;
  /** The borrower's signer; the consent is for its own address. */
  signer: Signer;
  /** The bureau's provider id. */
  provider: string;
  /** How long the consent lasts (default 600 s; the bureau caps it). */
  lifetimeSec?: number;
  /** Default: 256 random bits, so two consents never collide. */
  nonce?: bigint;
  nowSec?: number;
  timeoutMs?: number;
}

/** Builds the consent a borrower signs, and its typed data (what a wallet shows). */
export async function signConsent(
  options: RequestCreditFileOptions,
): Promise<{ consent: ConsentMessage; signature: string }> {
  const nowSec = options.nowSec ?? Math.floor(Date.now() / 1000);
  const consent: ConsentMessage = {
    borrower: getAddress(await options.signer.getAddress()),
    provider: getAddress(options.provider),
    purpose: consentPurposeHash(),
    oracle: getAddress(options.verifyingContract),
    expiresAt: nowSec + (options.lifetimeSec ?? 600),
    // Web Crypto, not node:crypto: the dApp runs this in a browser.
    nonce: options.nonce ?? BigInt(hexlify(globalThis.crypto.getRandomValues(new Uint8Array(32)))),
  };
  const typed = consentTypedData(options, consent);
  const signature = await options.signer.signTypedData(typed.domain, typed.types, typed.message);
  return { consent, signature };
}

/** The JSON body of `POST /v1/credit-files` for a signed consent. */
export function consentRequestBody(consent: ConsentMessage, signature: string): Record<string, unknown> {
  return { consent: { ...consent, nonce: consent.nonce.toString() }, signature };
}

/** Signs a consent, asks the bureau for the borrower's file and returns it validated; throws BureauClientError. */
export async function requestCreditFile(options: RequestCreditFileOptions): Promise<CreditFileResponse> {
  const { consent, signature } = await signConsent(options);
  let response: Response;
  try {
    response = await fetch(serviceUrl(options.url, "/v1/credit-files"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(consentRequestBody(consent, signature)),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new BureauClientError(0, "unreachable", `bureau ${options.url} did not answer: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BureauClientError(
      response.status,
      "invalid_response",
      `bureau answered ${response.status} with a body that is not JSON`,
      { cause: error },
    );
  }
  if (!response.ok) {
    const refusal = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(json);
    if (refusal.success)
      throw new BureauClientError(response.status, refusal.data.error.code, refusal.data.error.message);
    throw new BureauClientError(
      response.status,
      "invalid_response",
      `bureau answered ${response.status} without an error envelope`,
    );
  }
  const parsed = creditFileResponseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BureauClientError(
      response.status,
      "invalid_response",
      `bureau's answer is not a credit file: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/**
 * The feature names of a credit file, in the schema's order (the bureau sends the fields in that order), checked
 * against the file's signed `schemaHash`: the `featureNames` argument `signApplication` needs.
 */
export function featureNamesOf(response: Pick<CreditFileResponse, "creditFile" | "fields">): string[] {
  const names = Object.keys(response.fields);
  if (featureSchemaHash(names) !== response.creditFile.schemaHash)
    throw new BureauClientError(
      0,
      "schema_mismatch",
      `the file's fields (${names.join(", ")}) are not in the order its schemaHash attests`,
    );
  return names;
}
