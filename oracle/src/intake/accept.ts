/**
 * Accepting an application: verification plus the one stateful check, nonce replay. The nonce is claimed in the
 * same store transaction that saves the application, so two concurrent submissions of one signed application
 * cannot both be accepted.
 */
import { verifyApplication, type IntakeContext, type VerifiedApplication } from "./application.js";
import { IntakeError } from "./errors.js";

export interface ReceivedApplication extends VerifiedApplication {
  /** Unix seconds when the node accepted it. */
  receivedAt: number;
}

/** Where accepted applications go (the node's store implements it). */
export interface ApplicationRecorder {
  /** Saves the application and claims (borrower, nonce) atomically; "replayed_nonce" when the pair was used. */
  recordApplication(application: ReceivedApplication): "recorded" | "replayed_nonce";
}

/** Verifies `raw` and records it; throws an IntakeError (`replayed_nonce` when the nonce was already used). */
export async function acceptApplication(
  raw: unknown,
  context: IntakeContext,
  recorder: ApplicationRecorder,
): Promise<ReceivedApplication> {
  const application: ReceivedApplication = { ...(await verifyApplication(raw, context)), receivedAt: context.nowSec };
  if (recorder.recordApplication(application) === "replayed_nonce") {
    throw new IntakeError(
      "replayed_nonce",
      `nonce: ${application.nonce} was already used by ${application.borrower}; sign the application with a new nonce`,
    );
  }
  return application;
}
