/**
 * The borrower-signed application: EIP-712 typed data, its digest (`applicationHash`), a builder for the JSON body
 * a node takes at `POST /v1/applications`, and a verifier of the borrower's signature.
 *
 *   domain  { name: "Verity Oracle Intake", version: "1", chainId, verifyingContract: CreditScoreOracle }
 *   Application(address borrower,bytes32 featuresHash,uint256 nonce,uint64 expiry)
 *
 * - `featuresHash` = keccak256(abi.encode(int256[] values)) in the model's feature order (`features.ts`); the
 *   features are the fields of the provider-signed credit file the body carries (the nodes refuse anything else).
 * - `nonce` is a uint256: the JSON body carries it as a decimal string (JSON numbers cannot hold it).
 * - `expiry` is unix seconds; nodes refuse an expired one and one too far ahead (their `applicationMaxAgeSec`).
 * - `flow` ("pull", the default, or "push") is a field of the JSON body only, beside the signed fields: it is not
 *   signed. Pull: the node answers 201 with the k-signed score bundle. Push: 202, then the borrower calls
 *   `CreditScoreOracle.requestScore(applicationHash)` and a node posts the score on chain.
 * The domain binds the application to one chain and one oracle contract: no replay against another deployment.
 */
import { getAddress, recoverAddress } from "ethers";

import type { CreditDataDomainParams, CreditFileMessage } from "./credit-file.js";
import { hashApplicationFeatures } from "./features.js";
import {
  encodeType,
  StructWords,
  typedDataDigest,
  typeHash,
  type AddressedTypedDataSigner,
  type TypedData,
} from "./typed-data.js";

export const APPLICATION_DOMAIN_NAME = "Verity Oracle Intake";
export const APPLICATION_DOMAIN_VERSION = "1";

export const APPLICATION_TYPES = {
  Application: [
    { name: "borrower", type: "address" },
    { name: "featuresHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "expiry", type: "uint64" },
  ],
};

const APPLICATION_TYPEHASH = typeHash(encodeType(APPLICATION_TYPES, "Application"));

/** The deployment an application is bound to (the same as a credit file's). */
export type ApplicationDomainParams = CreditDataDomainParams;

export interface ApplicationMessage {
  borrower: string;
  featuresHash: string;
  nonce: bigint;
  /** Unix seconds. */
  expiry: number;
}

export type ApplicationTypedData = TypedData<"Application", ApplicationMessage>;

/** The typed data a wallet signs (`signer.signTypedData(domain, types, message)`) for an application. */
export function applicationTypedData(
  params: ApplicationDomainParams,
  message: ApplicationMessage,
): ApplicationTypedData {
  return {
    domain: {
      name: APPLICATION_DOMAIN_NAME,
      version: APPLICATION_DOMAIN_VERSION,
      chainId: params.chainId,
      verifyingContract: getAddress(params.verifyingContract),
    },
    types: APPLICATION_TYPES,
    primaryType: "Application",
    message,
  };
}

/** The EIP-712 digest of an application: its `applicationHash` (what `requestScore` takes in the push flow). */
export function hashApplication(params: ApplicationDomainParams, message: ApplicationMessage): string {
  const structHash = new StructWords(4, APPLICATION_TYPEHASH)
    .address("borrower", message.borrower)
    .bytes32("featuresHash", message.featuresHash)
    .uint("nonce", message.nonce, 256)
    .uint("expiry", message.expiry, 64)
    .hash();
  return typedDataDigest(applicationTypedData(params, message).domain, structHash);
}

/** What a data provider returns to a consenting borrower: the signed file and the fields it attests. */
export interface AttestedCreditFile {
  creditFile: CreditFileMessage;
  /** The attested fields by name. */
  fields: Record<string, number>;
  providerSignature: string;
}

export type ApplicationFlow = "pull" | "push";

/** The JSON body of `POST /v1/applications`. */
export interface ApplicationBodyJson {
  borrower: string;
  features: Record<string, unknown>;
  /** Decimal: JSON numbers cannot carry a uint256. */
  nonce: string;
  expiry: number;
  signature: string;
  creditFile: CreditFileMessage;
  providerSignature: string;
  /** Not signed; absent means "pull". */
  flow?: ApplicationFlow;
}

export interface SignApplicationOptions {
  nonce: bigint;
  /** Unix seconds. */
  expiry: number;
  /** Signs with this key instead of the borrower's (tests: a forged application). */
  signer?: AddressedTypedDataSigner;
  /** The features applied with (default: the attested fields); differing from the file is refused by every node. */
  features?: Record<string, unknown>;
  /** Default: absent (pull). */
  flow?: ApplicationFlow;
}

/**
 * The borrower's signed application over a credit file the borrower holds: the body a node takes. `featureNames`
 * is the model's feature order (its metadata's `feature_names`, the same order as the provider's schema).
 */
export async function signApplication(
  params: ApplicationDomainParams,
  borrower: AddressedTypedDataSigner,
  featureNames: readonly string[],
  attested: AttestedCreditFile,
  options: SignApplicationOptions,
): Promise<ApplicationBodyJson> {
  const features = options.features ?? attested.fields;
  const message: ApplicationMessage = {
    borrower: getAddress(borrower.address),
    featuresHash: hashApplicationFeatures(featureNames, features),
    nonce: options.nonce,
    expiry: options.expiry,
  };
  const { domain, types } = applicationTypedData(params, message);
  const signature = await (options.signer ?? borrower).signTypedData(domain, types, { ...message });
  return {
    borrower: message.borrower,
    features,
    nonce: message.nonce.toString(),
    expiry: message.expiry,
    signature,
    creditFile: attested.creditFile,
    providerSignature: attested.providerSignature,
    ...(options.flow === undefined ? {} : { flow: options.flow }),
  };
}

/**
 * Checks the borrower's signature on an application body (the node checks far more: the file, the expiry window,
 * the model's ranges). Returns the `applicationHash`; throws an Error naming the problem.
 */
export function verifyApplicationSignature(
  params: ApplicationDomainParams,
  featureNames: readonly string[],
  body: Pick<ApplicationBodyJson, "borrower" | "features" | "nonce" | "expiry" | "signature">,
): string {
  if (!/^\d+$/.test(body.nonce)) throw new Error(`nonce: must be a decimal string, got ${JSON.stringify(body.nonce)}`);
  const message: ApplicationMessage = {
    borrower: getAddress(body.borrower),
    featuresHash: hashApplicationFeatures(featureNames, body.features),
    nonce: BigInt(body.nonce),
    expiry: body.expiry,
  };
  const applicationHash = hashApplication(params, message);
  let signer: string;
  try {
    signer = recoverAddress(applicationHash, body.signature);
  } catch (error) {
    throw new Error(`signature: malformed (${(error as Error).message.split(" (")[0]})`, { cause: error });
  }
  if (signer !== message.borrower)
    throw new Error(`signature: signed by ${signer}, not by the borrower ${message.borrower}`);
  return applicationHash;
}
