/**
 * The borrower-signed application: EIP-712 typed data, and its verification (including the attested credit file
 * it carries, `credit-file.ts`).
 *
 *   domain  { name: "Verity Oracle Intake", version: "1", chainId, verifyingContract: CreditScoreOracle }
 *   Application(address borrower,bytes32 featuresHash,uint256 nonce,uint64 expiry)
 *
 * The domain binds the application to one chain and one oracle contract, so a signature cannot be replayed
 * against another deployment. `applicationHash` is the EIP-712 digest the borrower signed: it commits to the
 * borrower, the features (through featuresHash), the nonce, the expiry and the domain, and it is what the
 * borrower passes to `CreditScoreOracle.requestScore(applicationHash)` in the push flow. Applicant data itself
 * never leaves the node.
 */
import { secp256k1 } from "../signing/index.js";

import type { CreditFileMessage } from "../protocol/credit-file.js";
import {
  APPLICATION_DOMAIN_NAME,
  APPLICATION_DOMAIN_VERSION,
  APPLICATION_TYPES,
  applicationTypedData,
  hashApplication,
  type ApplicationDomainParams,
  type ApplicationMessage,
  type ApplicationTypedData,
} from "../../../sdk/src/eip712/application.js";
import { parseApplicationBody } from "./body.js";
import { verifyCreditFile, type ProviderLookup } from "./credit-file.js";
import { IntakeError } from "./errors.js";
import { hashOrderedFeatures, orderFeatures } from "./features.js";

// The typed data is the SDK's (`sdk/src/eip712/application.ts`): one definition for wallets and nodes.
export {
  APPLICATION_DOMAIN_NAME,
  APPLICATION_DOMAIN_VERSION,
  APPLICATION_TYPES,
  applicationTypedData,
  hashApplication,
  type ApplicationDomainParams,
  type ApplicationMessage,
  type ApplicationTypedData,
};

/** Result of a model's range check; `ApplicationCheck` from the model module has this shape. */
export type FeatureCheck = { ok: true } | { ok: false; field: string; error: string };

/** Checks raw features against the model's documented ranges (injected: the model module owns the ranges). */
export type FeatureRangeValidator = (features: Readonly<Record<string, number>>) => FeatureCheck;

export interface IntakeContext extends ApplicationDomainParams {
  /** The model's feature order (from its metadata). */
  featureNames: readonly string[];
  /** Current time, unix seconds. */
  nowSec: number;
  /** Latest acceptable expiry is `nowSec + applicationMaxAgeSec`: a signed application is short-lived. */
  applicationMaxAgeSec: number;
  /** Oldest acceptable credit-file `asOf` is `nowSec - creditFileMaxAgeSec`. */
  creditFileMaxAgeSec: number;
  /** The on-chain data-provider registry (cached by the node). */
  providers: ProviderLookup;
  validateFeatures?: FeatureRangeValidator;
}

export interface VerifiedApplication {
  borrower: string;
  /** Feature values in model order: what the scorer gets. */
  features: number[];
  featuresHash: string;
  nonce: bigint;
  expiry: number;
  applicationHash: string;
  /** The borrower's signature as received (64 or 65 bytes): kept so the signed application can be handed on. */
  signature: string;
  /** The provider-signed file the features are the fields of, and the provider's signature over it. */
  creditFile: CreditFileMessage;
  providerSignature: string;
  /** EIP-712 digest of `creditFile`: the score report's creditFileHash. */
  creditFileHash: string;
}

/**
 * The body the borrower posted, rebuilt from a verified application (features keyed by name again): what a node
 * hands a peer so that the peer checks the borrower's signature itself.
 */
export function applicationBodyOf(
  featureNames: readonly string[],
  application: Pick<
    VerifiedApplication,
    "borrower" | "features" | "nonce" | "expiry" | "signature" | "creditFile" | "providerSignature"
  >,
): Record<string, unknown> {
  if (application.features.length !== featureNames.length) {
    throw new Error(
      `application has ${application.features.length} feature values, the model ${featureNames.length} features`,
    );
  }
  return {
    borrower: application.borrower,
    features: Object.fromEntries(featureNames.map((name, i) => [name, application.features[i]])),
    nonce: application.nonce.toString(),
    expiry: application.expiry,
    signature: application.signature,
    creditFile: application.creditFile,
    providerSignature: application.providerSignature,
  };
}

/**
 * Checks an application body end to end: shape, features (model order, integers), expiry window, the borrower's
 * EIP-712 signature, the attested credit file (`verifyCreditFile`), then the model's ranges. Throws an IntakeError
 * with the first problem found (a ChainUnavailableError when the provider registry cannot be read).
 * Nonce replay is not checked here (it needs the store): see `acceptApplication`.
 */
export async function verifyApplication(raw: unknown, context: IntakeContext): Promise<VerifiedApplication> {
  const body = parseApplicationBody(raw);
  const features = orderFeatures(context.featureNames, body.features);
  const featuresHash = hashOrderedFeatures(features);

  if (body.expiry <= context.nowSec) {
    throw new IntakeError("expired", `expiry: application expired at ${body.expiry}, now is ${context.nowSec}`);
  }
  const latestExpiry = context.nowSec + context.applicationMaxAgeSec;
  if (body.expiry > latestExpiry) {
    throw new IntakeError(
      "expiry_too_far",
      `expiry: ${body.expiry} is more than ${context.applicationMaxAgeSec} s ahead (latest accepted ${latestExpiry})`,
    );
  }

  const message: ApplicationMessage = { borrower: body.borrower, featuresHash, nonce: body.nonce, expiry: body.expiry };
  const applicationHash = hashApplication(context, message);
  const signer = recoverSigner(applicationHash, body.signature);
  if (signer !== body.borrower) {
    throw new IntakeError("wrong_signer", `signature: signed by ${signer}, not by the borrower ${body.borrower}`);
  }

  const { creditFileHash } = await verifyCreditFile(
    { borrower: body.borrower, featuresHash, creditFile: body.creditFile, providerSignature: body.providerSignature },
    context,
  );

  if (context.validateFeatures !== undefined) {
    const check = context.validateFeatures(
      Object.fromEntries(context.featureNames.map((name, i) => [name, features[i] as number])),
    );
    if (!check.ok) throw new IntakeError("out_of_range", `features.${check.field}: ${check.error}`);
  }

  return {
    borrower: body.borrower,
    features,
    featuresHash,
    nonce: body.nonce,
    expiry: body.expiry,
    applicationHash,
    signature: body.signature,
    creditFile: body.creditFile,
    providerSignature: body.providerSignature,
    creditFileHash,
  };
}

function recoverSigner(applicationHash: string, signature: string): string {
  try {
    // Signature.from (inside) rejects malformed r/s/v before recovery; the result is the checksummed signer.
    return secp256k1.recoverAddress(applicationHash, signature);
  } catch (error) {
    throw new IntakeError("bad_signature", "signature: not a valid secp256k1 signature over this application", {
      cause: error,
    });
  }
}
