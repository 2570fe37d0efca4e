/**
 * The checks that make a scored field an attested one: the application's features must be exactly the fields of
 * a credit file that a data provider the regulator approved on chain signed for this borrower, recently, for the
 * model's feature schema. Each check refuses with its own IntakeError code, and the message names the check.
 *
 * Local checks come first (borrower, age, validity, schema, fields), so a malformed file costs no RPC; then the
 * provider's registry entry (read through a cache of bounded staleness: the contract checks the provider again at
 * submission), its approved schema, and the signature by one of its signing keys.
 */
import { getAddress } from "ethers";

import {
  featureSchemaHash,
  hashCreditFile,
  recoverDigestSigner,
  type CreditDataDomainParams,
  type CreditFileMessage,
} from "../protocol/credit-file.js";
import { IntakeError } from "./errors.js";

/** A provider's registry entry as the intake needs it (`chain/provider-registry.ts` reads it). */
export interface ProviderView {
  status: string;
  signingKeys: readonly string[];
  schemaHash: string;
}

/** Reads a provider's registry entry; rejects (ChainUnavailableError) when the chain cannot be read. */
export type ProviderLookup = (provider: string) => Promise<ProviderView>;

export interface CreditFileContext extends CreditDataDomainParams {
  /** The model's feature order. */
  featureNames: readonly string[];
  nowSec: number;
  /** Oldest acceptable `asOf` is `nowSec - creditFileMaxAgeSec`. */
  creditFileMaxAgeSec: number;
  providers: ProviderLookup;
}

export interface CheckedCreditFile {
  creditFile: CreditFileMessage;
  providerSignature: string;
  /** hashCreditFile(domain, creditFile): what the score report commits to. */
  creditFileHash: string;
}

/**
 * `featureSchemaHash` of the model's feature list, remembered: ABI-encoding the names and hashing them took ~9 % of a
 * node's CPU when done for every application (leader and each co-signer), for a value that changes only with the
 * model. Keyed by the names themselves, so another list (another model) is hashed anew; one entry, as a node scores
 * with one model at a time.
 */
let lastModelSchema: { names: string; hash: string } | undefined;
function modelSchemaHash(featureNames: readonly string[]): string {
  const names = JSON.stringify(featureNames);
  if (lastModelSchema?.names !== names) lastModelSchema = { names, hash: featureSchemaHash(featureNames) };
  return lastModelSchema.hash;
}

/** Throws the IntakeError of the first failed check; returns the file's EIP-712 digest when every check passes. */
export async function verifyCreditFile(
  input: { borrower: string; featuresHash: string; creditFile: CreditFileMessage; providerSignature: string },
  context: CreditFileContext,
): Promise<CheckedCreditFile> {
  const { creditFile, providerSignature } = input;
  if (getAddress(creditFile.borrower) !== getAddress(input.borrower)) {
    throw new IntakeError(
      "credit_file_wrong_borrower",
      `creditFile.borrower: the file is ${creditFile.borrower}'s, the application is ${input.borrower}'s`,
    );
  }
  const oldestAsOf = context.nowSec - context.creditFileMaxAgeSec;
  if (creditFile.asOf < oldestAsOf) {
    throw new IntakeError(
      "credit_file_too_old",
      `creditFile.asOf: data as of ${creditFile.asOf} is older than ${context.creditFileMaxAgeSec} s (oldest accepted ${oldestAsOf}); fetch a fresh file`,
    );
  }
  if (creditFile.validUntil < context.nowSec) {
    throw new IntakeError(
      "credit_file_expired",
      `creditFile.validUntil: the provider vouched for the file until ${creditFile.validUntil}, now is ${context.nowSec}`,
    );
  }
  const modelSchema = modelSchemaHash(context.featureNames);
  if (creditFile.schemaHash.toLowerCase() !== modelSchema) {
    throw new IntakeError(
      "credit_file_schema_mismatch",
      `creditFile.schemaHash: ${creditFile.schemaHash} is not the model's feature schema ${modelSchema}`,
    );
  }
  if (creditFile.fieldsHash.toLowerCase() !== input.featuresHash.toLowerCase()) {
    throw new IntakeError(
      "credit_file_fields_mismatch",
      `creditFile.fieldsHash: the application's features (hash ${input.featuresHash}) are not the fields the provider attested (${creditFile.fieldsHash})`,
    );
  }

  const provider = await context.providers(creditFile.provider);
  if (provider.status !== "approved") {
    throw new IntakeError(
      "provider_not_approved",
      `creditFile.provider: ${creditFile.provider} is not an approved data provider on chain (status ${provider.status})`,
    );
  }
  if (creditFile.schemaHash.toLowerCase() !== provider.schemaHash.toLowerCase()) {
    throw new IntakeError(
      "provider_schema_mismatch",
      `creditFile.schemaHash: provider ${creditFile.provider} is approved to attest schema ${provider.schemaHash}, not ${creditFile.schemaHash}`,
    );
  }
  const creditFileHash = hashCreditFile(context, creditFile);
  let signer: string;
  try {
    signer = recoverDigestSigner(creditFileHash, providerSignature);
  } catch (error) {
    throw new IntakeError(
      "provider_signature_invalid",
      "providerSignature: not a valid secp256k1 signature over this credit file",
      { cause: error },
    );
  }
  if (!provider.signingKeys.some((key) => getAddress(key) === signer)) {
    throw new IntakeError(
      "provider_signature_invalid",
      `providerSignature: signed by ${signer}, which is not one of provider ${creditFile.provider}'s approved signing keys`,
    );
  }
  return { creditFile, providerSignature, creditFileHash };
}
