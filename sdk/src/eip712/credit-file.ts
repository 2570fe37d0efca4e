/**
 * The two EIP-712 structs of verified credit data: the provider-signed `CreditFile` and the borrower's `Consent`.
 * One definition for the bureau (which signs files and checks consents), the oracle nodes (which check files), the
 * dApp and the contracts (which store `creditFileHash`, the digest below, with every score).
 *
 *   domain  { name: "Verity Credit File", version: "1", chainId, verifyingContract: CreditScoreOracle }
 *   CreditFile(bytes32 fileId,address borrower,address provider,bytes32 schemaHash,bytes32 fieldsHash,
 *              uint64 asOf,uint64 validUntil)
 *
 *   domain  { name: "Verity Credit Consent", version: "1", chainId, verifyingContract: CreditScoreOracle }
 *   Consent(address borrower,address provider,bytes32 purpose,address oracle,uint64 expiresAt,uint256 nonce)
 *
 * - `provider` is the provider's id in the on-chain registry; the file is signed by one of that provider's approved
 *   signing keys (a provider can rotate keys without changing its id).
 * - `schemaHash` = keccak256(abi.encode(string[] featureNames)) in the model's order: a file attests one schema, and
 *   a provider is approved for one schema, so nobody can feed a model fields in another order or meaning.
 * - `fieldsHash` uses the application's featuresHash rule (keccak256(abi.encode(int256[] values)) in schema order),
 *   so "the scored fields are the attested ones" is one equality: fieldsHash == the application's featuresHash.
 * - `purpose` is keccak256 of the purpose string (`CONSENT_PURPOSE_CREDIT_SCORING`) so the struct stays static.
 * - Both domains name the CreditScoreOracle: a file or consent made for one deployment is void on any other.
 */
import { AbiCoder, getAddress, id, keccak256, recoverAddress, type TypedDataDomain } from "ethers";

import { encodeType, StructWords, typedDataDigest, typeHash, type TypedData } from "./typed-data.js";

export type { TypedData } from "./typed-data.js";

export const CREDIT_FILE_DOMAIN_NAME = "Verity Credit File";
export const CONSENT_DOMAIN_NAME = "Verity Credit Consent";
export const CREDIT_DATA_DOMAIN_VERSION = "1";

/** The only purpose a borrower consents to here (ECOA/FCRA permissible purpose: a credit transaction). */
export const CONSENT_PURPOSE_CREDIT_SCORING = "credit scoring";

export const CREDIT_FILE_TYPES = {
  CreditFile: [
    { name: "fileId", type: "bytes32" },
    { name: "borrower", type: "address" },
    { name: "provider", type: "address" },
    { name: "schemaHash", type: "bytes32" },
    { name: "fieldsHash", type: "bytes32" },
    { name: "asOf", type: "uint64" },
    { name: "validUntil", type: "uint64" },
  ],
};

export const CONSENT_TYPES = {
  Consent: [
    { name: "borrower", type: "address" },
    { name: "provider", type: "address" },
    { name: "purpose", type: "bytes32" },
    { name: "oracle", type: "address" },
    { name: "expiresAt", type: "uint64" },
    { name: "nonce", type: "uint256" },
  ],
};

const CREDIT_FILE_TYPEHASH = typeHash(encodeType(CREDIT_FILE_TYPES, "CreditFile"));
const CONSENT_TYPEHASH = typeHash(encodeType(CONSENT_TYPES, "Consent"));

/** The deployment a file, consent or application is bound to. */
export interface CreditDataDomainParams {
  chainId: bigint | number;
  /** The CreditScoreOracle contract's address. */
  verifyingContract: string;
}

export interface CreditFileMessage {
  fileId: string;
  borrower: string;
  provider: string;
  schemaHash: string;
  fieldsHash: string;
  /** When the provider's data was current, unix seconds. */
  asOf: number;
  /** After this (unix seconds) the provider no longer vouches for the file. */
  validUntil: number;
}

export interface ConsentMessage {
  borrower: string;
  provider: string;
  /** keccak256 of the purpose string; `consentPurposeHash()` for credit scoring. */
  purpose: string;
  oracle: string;
  expiresAt: number;
  nonce: bigint;
}

function domainOf(name: string, params: CreditDataDomainParams): TypedDataDomain {
  return {
    name,
    version: CREDIT_DATA_DOMAIN_VERSION,
    chainId: params.chainId,
    verifyingContract: getAddress(params.verifyingContract),
  };
}

/** keccak256(abi.encode(string[] featureNames)): the schema a provider attests and a model reads. */
export function featureSchemaHash(featureNames: readonly string[]): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string[]"], [featureNames]));
}

/** keccak256 of a purpose string, as `Consent.purpose` carries it. */
export const consentPurposeHash = (purpose: string = CONSENT_PURPOSE_CREDIT_SCORING): string => id(purpose);

/** What a provider's key signs (`signer.signTypedData(domain, types, message)`) for a credit file. */
export function creditFileTypedData(
  params: CreditDataDomainParams,
  message: CreditFileMessage,
): TypedData<"CreditFile", CreditFileMessage> {
  return {
    domain: domainOf(CREDIT_FILE_DOMAIN_NAME, params),
    types: CREDIT_FILE_TYPES,
    primaryType: "CreditFile",
    message,
  };
}

/** What a borrower's wallet signs to release their file for one purpose. */
export function consentTypedData(
  params: CreditDataDomainParams,
  message: ConsentMessage,
): TypedData<"Consent", ConsentMessage> {
  return { domain: domainOf(CONSENT_DOMAIN_NAME, params), types: CONSENT_TYPES, primaryType: "Consent", message };
}

/** The EIP-712 digest of a credit file: the `creditFileHash` a score report commits to. */
export function hashCreditFile(params: CreditDataDomainParams, message: CreditFileMessage): string {
  const structHash = new StructWords(7, CREDIT_FILE_TYPEHASH)
    .bytes32("fileId", message.fileId)
    .address("borrower", message.borrower)
    .address("provider", message.provider)
    .bytes32("schemaHash", message.schemaHash)
    .bytes32("fieldsHash", message.fieldsHash)
    .uint("asOf", message.asOf, 64)
    .uint("validUntil", message.validUntil, 64)
    .hash();
  return typedDataDigest(domainOf(CREDIT_FILE_DOMAIN_NAME, params), structHash);
}

/** The EIP-712 digest of a consent. */
export function hashConsent(params: CreditDataDomainParams, message: ConsentMessage): string {
  const structHash = new StructWords(6, CONSENT_TYPEHASH)
    .address("borrower", message.borrower)
    .address("provider", message.provider)
    .bytes32("purpose", message.purpose)
    .address("oracle", message.oracle)
    .uint("expiresAt", message.expiresAt, 64)
    .uint("nonce", message.nonce, 256)
    .hash();
  return typedDataDigest(domainOf(CONSENT_DOMAIN_NAME, params), structHash);
}

/** The address that signed `digest` (ethers' recovery; throws on a malformed signature). */
export function recoverTypedDataSigner(digest: string, signature: string): string {
  return recoverAddress(digest, signature);
}

/**
 * The key that signed a credit file, checked against the keys a provider's registry entry lists. Returns the
 * file's digest (`creditFileHash`); throws an Error naming the problem.
 */
export function verifyCreditFileSignature(
  params: CreditDataDomainParams,
  file: CreditFileMessage,
  signature: string,
  signingKeys: readonly string[],
): string {
  const digest = hashCreditFile(params, file);
  const signer = recoverTypedDataSigner(digest, signature);
  if (!signingKeys.map((k) => getAddress(k)).includes(signer))
    throw new Error(
      `providerSignature: signed by ${signer}, not by a signing key of provider ${getAddress(file.provider)}`,
    );
  return digest;
}

/** Checks a consent's signature is the borrower's; returns its digest, or throws an Error naming the problem. */
export function verifyConsentSignature(
  params: CreditDataDomainParams,
  consent: ConsentMessage,
  signature: string,
): string {
  const digest = hashConsent(params, consent);
  const signer = recoverTypedDataSigner(digest, signature);
  if (signer !== getAddress(consent.borrower))
    throw new Error(`consent signature: signed by ${signer}, not by the borrower ${getAddress(consent.borrower)}`);
  return digest;
}
