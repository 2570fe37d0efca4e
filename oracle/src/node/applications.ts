/**
 * Borrower-signed applications as every flow handles them: verified by this node itself (never on a peer's word),
 * recorded once, and handed on as the signed body so that the next node verifies them too.
 */
import {
  applicationBodyOf,
  IntakeError,
  verifyApplication,
  type IntakeContext,
  type VerifiedApplication,
} from "../intake/index.js";
import { featureValidator } from "../scoring/index.js";
import type { NodeContext } from "./context.js";

export type Flow = "pull" | "push";

/** The checks an application gets on arrival, against this node's clock. */
export function intakeContextOf(context: NodeContext): IntakeContext {
  return {
    chainId: context.chainId,
    verifyingContract: context.oracleAddress,
    featureNames: context.model.featureNames,
    nowSec: context.now(),
    applicationMaxAgeSec: context.applicationMaxAgeSec,
    creditFileMaxAgeSec: context.creditFileMaxAgeSec,
    providers: context.chain.dataProvider,
    validateFeatures: featureValidator(context.model),
  };
}

/**
 * Verifies an application from the borrower and claims its nonce, before anything is awaited: of two concurrent
 * submissions with one nonce the second is refused (IntakeError `replayed_nonce`) instead of racing the first.
 * `logFields` gets the request's hash and borrower as soon as they are known, a refusal included.
 */
export async function receiveApplication(
  context: NodeContext,
  raw: Record<string, unknown>,
  logFields: Record<string, unknown>,
): Promise<VerifiedApplication> {
  const verified = await verifyApplication(raw, intakeContextOf(context));
  Object.assign(logFields, { applicationHash: verified.applicationHash, borrower: verified.borrower });
  if (context.store.recordApplication({ ...verified, receivedAt: context.now() }) === "replayed_nonce")
    throw replayed(verified);
  return verified;
}

/**
 * Verifies a borrower-signed application handed over by a peer: signature, features, ranges and expiry exactly
 * as at intake (an expired application is never scored again, in any flow), with the latest accepted expiry
 * widened by the tolerated clock skew, since the receiving node checked it against its own clock.
 */
export function verifySignedApplication(
  context: NodeContext,
  raw: Record<string, unknown>,
): Promise<VerifiedApplication> {
  const intake = intakeContextOf(context);
  return verifyApplication(raw, {
    ...intake,
    applicationMaxAgeSec: intake.applicationMaxAgeSec + context.maxClockSkewSec,
    creditFileMaxAgeSec: intake.creditFileMaxAgeSec + context.maxClockSkewSec,
  });
}

/**
 * Why a stored application can no longer be scored at `nowSec`, or undefined while it can: it expired, or its
 * provider no longer vouches for its credit file (checked on arrival, but a file may lapse before the application).
 */
export function lapseOf(
  application: Pick<VerifiedApplication, "applicationHash" | "expiry"> &
    Partial<Pick<VerifiedApplication, "creditFile">>,
  nowSec: number,
): string | undefined {
  if (application.expiry <= nowSec) {
    return `expiry: application ${application.applicationHash} expired at ${application.expiry}, now is ${nowSec}`;
  }
  const fileValidUntil = application.creditFile?.validUntil;
  if (fileValidUntil !== undefined && fileValidUntil < nowSec) {
    return `creditFile.validUntil: the provider vouched for application ${application.applicationHash}'s file until ${fileValidUntil}, now is ${nowSec}`;
  }
  return undefined;
}

/** Stores a verified application unless this node already has it; true when stored now. */
export function storeIfNew(context: NodeContext, verified: VerifiedApplication): boolean {
  if (context.store.getApplication(verified.applicationHash) !== undefined) return false;
  return context.store.recordApplication({ ...verified, receivedAt: context.now() }) === "recorded";
}

/**
 * Records an application (already verified) this node is about to lead. Idempotent for the very same application
 * (same hash): a failed earlier round may have stored it here as a co-signer; a different application reusing the
 * nonce is a replay.
 */
export function acceptOrKnown(context: NodeContext, verified: VerifiedApplication): void {
  if (context.store.getApplication(verified.applicationHash) !== undefined) return;
  // `verified` was checked by this request's handler a moment ago (signature, expiry window, ranges): record it,
  // claiming the nonce, without recovering the borrower's signature a second time.
  if (context.store.recordApplication({ ...verified, receivedAt: context.now() }) === "replayed_nonce")
    throw replayed(verified);
}

/** The borrower-signed body of a stored application, when the store kept its signature. */
export function signedBodyOf(
  context: NodeContext,
  application: Partial<
    Pick<
      VerifiedApplication,
      "borrower" | "features" | "nonce" | "expiry" | "signature" | "creditFile" | "providerSignature"
    >
  >,
): Record<string, unknown> | undefined {
  const { borrower, features, nonce, expiry, signature, creditFile, providerSignature } = application;
  if (
    borrower === undefined ||
    features === undefined ||
    nonce === undefined ||
    expiry === undefined ||
    signature === undefined ||
    creditFile === undefined ||
    providerSignature === undefined
  )
    return undefined;
  return applicationBodyOf(context.model.featureNames, {
    borrower,
    features,
    nonce,
    expiry,
    signature,
    creditFile,
    providerSignature,
  });
}

function replayed(application: VerifiedApplication): IntakeError {
  return new IntakeError(
    "replayed_nonce",
    `nonce: ${application.nonce} was already used by ${application.borrower}; sign the application with a new nonce`,
  );
}
