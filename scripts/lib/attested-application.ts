/**
 * Applications as a borrower sends them: the fields of a credit file a data provider signed, plus the borrower's
 * own EIP-712 signature over them. The one place tests, the demo and the benches build applications, so every
 * one of them carries a provider-signed file, as the oracle nodes require (there is no self-declared path).
 *
 * `DEMO_PROVIDER` stands in for a credit bureau on local chains: its keys are derived from fixed strings, so the
 * files it signs are the same run after run. It is approved on chain by the local deployment (`deploy.ts`, the
 * demo, the test fixtures) and never holds value; a real bureau keeps its key in its own service.
 */
import { dataSlice, getAddress, id, Wallet } from "ethers";

import {
  creditFileTypedData,
  featureSchemaHash,
  hashApplicationFeatures,
  signApplication as sdkSignApplication,
  type AddressedTypedDataSigner,
  type ApplicationBodyJson,
  type AttestedCreditFile,
  type CreditDataDomainParams,
  type CreditFileMessage,
} from "../../sdk/src/index.js";

export type { ApplicationBodyJson, AttestedCreditFile } from "../../sdk/src/index.js";

/** A data provider as the registry knows it, with the key it signs files with. */
export interface DataProviderIdentity {
  /** Registry id (an address; not a key). */
  id: string;
  name: string;
  signer: Wallet;
  /** sha256 of the regulator's data-quality assessment of this provider. */
  dataQualityHash: string;
}

/** The local chains' bureau (deterministic; see the header). */
export const DEMO_PROVIDER: DataProviderIdentity = {
  id: getAddress(dataSlice(id("verity:demo-bureau:registry-id"), 12)),
  name: "Verity Demo Bureau",
  signer: new Wallet(id("verity:demo-bureau:signing-key:1")),
  dataQualityHash: id("verity:demo-bureau:data-quality-assessment:2026"),
};

/** How long before "now" the demo bureau's data was current, and how long it vouches for a file. */
export const DEMO_FILE_AGE_SEC = 3600;
export const DEMO_FILE_VALIDITY_SEC = 30 * 24 * 3600;

/** Anything that signs EIP-712 typed data the ethers v6 way and has an address (a wallet, a Hardhat signer). */
export type TypedSigner = AddressedTypedDataSigner;

export interface AttestOptions {
  /** Unix seconds the file's asOf/validUntil are relative to (default: the wall clock). */
  nowSec?: number;
  provider?: DataProviderIdentity;
  /** Fields of the signed file to override (a stale asOf, another schema, another borrower...). */
  file?: Partial<CreditFileMessage>;
  /** Signs the file with this key instead of the provider's (a forged file). */
  fileSigner?: TypedSigner;
}

/** A provider-signed credit file attesting `fields` (in `featureNames` order) for `borrower`. */
export async function attestCreditFile(
  params: CreditDataDomainParams,
  borrower: string,
  featureNames: readonly string[],
  fields: Record<string, number>,
  options: AttestOptions = {},
): Promise<AttestedCreditFile> {
  const provider = options.provider ?? DEMO_PROVIDER;
  const nowSec = options.nowSec ?? Math.floor(Date.now() / 1000);
  const creditFile: CreditFileMessage = {
    fileId: id(`credit file of ${borrower} at ${nowSec}`),
    borrower,
    provider: provider.id,
    schemaHash: featureSchemaHash(featureNames),
    fieldsHash: hashApplicationFeatures(featureNames, fields),
    asOf: nowSec - DEMO_FILE_AGE_SEC,
    validUntil: nowSec + DEMO_FILE_VALIDITY_SEC,
    ...options.file,
  };
  const { domain, types, message } = creditFileTypedData(params, creditFile);
  const providerSignature = await (options.fileSigner ?? provider.signer).signTypedData(domain, types, { ...message });
  return { creditFile, fields, providerSignature };
}

export interface ApplicationOptions extends AttestOptions {
  nonce: bigint;
  expiry: number;
  /** Signs the application with this key instead of the borrower's (a forged application). */
  signer?: TypedSigner;
  /**
   * The features the borrower applies with (default: the attested fields). Differing from the file is the
   * self-declared edit every node must refuse.
   */
  features?: Record<string, unknown>;
}

/** The JSON body of `POST /v1/applications` for `borrower`, with a file attesting `fields`. */
export async function attestedApplicationBody(
  params: CreditDataDomainParams,
  borrower: TypedSigner,
  featureNames: readonly string[],
  fields: Record<string, number>,
  options: ApplicationOptions,
): Promise<ApplicationBodyJson> {
  const attested = await attestCreditFile(params, borrower.address, featureNames, fields, options);
  return signApplication(params, borrower, featureNames, attested, options);
}

/** The borrower's signed application over a file the borrower already holds (`features` may differ from it). */
export async function signApplication(
  params: CreditDataDomainParams,
  borrower: TypedSigner,
  featureNames: readonly string[],
  attested: AttestedCreditFile,
  options: Pick<ApplicationOptions, "nonce" | "expiry" | "signer" | "features">,
): Promise<ApplicationBodyJson> {
  return sdkSignApplication(params, borrower, featureNames, attested, options);
}
