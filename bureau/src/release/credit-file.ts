/**
 * Building and signing the released `CreditFile`. One file per release: `fileId` commits to the provider, the
 * borrower and the consent that released it, so every score report's `creditFileHash` traces back to one
 * logged consent.
 */
import { AbiCoder, keccak256 } from "ethers";

import { hashOrderedFeatures } from "../../../oracle/src/intake/features.js";
import {
  hashCreditFile,
  type CreditDataDomainParams,
  type CreditFileMessage,
} from "../../../oracle/src/protocol/credit-file.js";
import type { DigestSigner } from "../../../oracle/src/signing/index.js";
import type { FeatureSchema } from "../schema/feature-schema.js";
import type { ConsentRecord, StoredCreditFile } from "../store/index.js";
import type { CheckedConsent } from "./consent.js";
import { ReleaseRefused } from "./errors.js";

/**
 * The API's answer: the signed file, its fields by name in schema order, and the provider's signature. Documented
 * (OpenAPI) by the schema the SDK parses it with, `creditFileResponseSchema`; the bureau's OpenAPI test checks
 * real answers against it.
 */
export interface CreditFileRelease {
  creditFile: CreditFileMessage;
  fields: Record<string, number>;
  providerSignature: string;
}

/** keccak256(abi.encode(address provider, address borrower, bytes32 consentDigest)). */
export function fileIdFor(provider: string, borrower: string, consentDigest: string): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["address", "address", "bytes32"], [provider, borrower, consentDigest]),
  );
}

export interface ReleaseContext {
  domain: CreditDataDomainParams;
  providerId: string;
  signer: DigestSigner;
  schema: FeatureSchema;
  validitySec: number;
  nowSec: number;
}

export function buildRelease(
  file: StoredCreditFile,
  checked: CheckedConsent,
  context: ReleaseContext,
): { value: CreditFileRelease; record: ConsentRecord } {
  if (file.schemaHash !== context.schema.schemaHash || file.fields.length !== context.schema.featureNames.length) {
    throw new ReleaseRefused(
      "file_schema_mismatch",
      `the credit file of ${file.borrower} was imported under another feature schema; the bureau must re-import it`,
    );
  }
  const { consent, digest } = checked;
  const creditFile: CreditFileMessage = {
    fileId: fileIdFor(context.providerId, consent.borrower, digest),
    borrower: consent.borrower,
    provider: context.providerId,
    schemaHash: context.schema.schemaHash,
    fieldsHash: hashOrderedFeatures(file.fields),
    asOf: file.asOf,
    validUntil: context.nowSec + context.validitySec,
  };
  const providerSignature = context.signer.signDigest(hashCreditFile(context.domain, creditFile));
  const fields = Object.fromEntries(context.schema.featureNames.map((name, i) => [name, file.fields[i] as number]));
  return {
    value: { creditFile, fields, providerSignature },
    record: {
      consentDigest: digest,
      borrower: consent.borrower,
      nonce: consent.nonce,
      purpose: consent.purpose,
      oracle: consent.oracle,
      expiresAt: consent.expiresAt,
      receivedAt: context.nowSec,
      fileId: creditFile.fileId,
      fieldsHash: creditFile.fieldsHash,
      asOf: creditFile.asOf,
      validUntil: creditFile.validUntil,
    },
  };
}
