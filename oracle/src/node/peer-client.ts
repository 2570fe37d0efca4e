/**
 * What the flows need from the other operators, and nothing about how it travels: ask a peer to co-sign, forward
 * an application to a round's leader, broadcast a push-flow application. The node uses the HTTP implementation
 * (`http-peer-client.ts`: signed envelopes, timeouts); unit tests use an in-memory one that can disagree, time
 * out or return bad signatures. Peer failures are answers, not exceptions: what a peer does wrong is the flow's
 * to judge (a refusal, a missing signature, a next round).
 */
import type { PeerConfig } from "../config/index.js";
import type { CoordinatePayload, CosignProposal } from "./wire.js";

/** A peer that did not do what was asked: it answered with an error, or not at all (down, slow). */
export type PeerFailure =
  { kind: "refused"; status: number; code: string; message: string } | { kind: "unreachable"; message: string };

/** A peer's answer to a co-sign request: its signature (checked by the leader, not here) or a failure. */
export type CosignAnswer = { kind: "signed"; signer: string | undefined; signature: string } | PeerFailure;

/** A leader's answer to a forwarded application: its bundle, unchecked, or a failure. */
export type ForwardAnswer = { kind: "bundle"; body: unknown } | PeerFailure;

export interface PeerClient {
  /**
   * Prepares one co-sign request (signed once) for the peers the leader will ask: `ask(peer, signal)` sends it to
   * that peer and resolves with its answer, or a failure when it does not answer in time or `signal` aborts; it
   * never rejects. Which peers are asked, and when, is the leader's (`quorum-requests.ts`).
   */
  cosignRequest(
    proposal: CosignProposal,
    requestId?: string,
  ): (peer: PeerConfig, signal: AbortSignal) => Promise<CosignAnswer>;
  /** Forwards a borrower-signed application to the leader of `payload.round`. */
  forwardToLeader(leader: PeerConfig, payload: CoordinatePayload, requestId: string): Promise<ForwardAnswer>;
  /** Hands a push-flow application to every peer; one result per peer, in `peers` order. */
  broadcastApplication(
    peers: readonly PeerConfig[],
    application: Record<string, unknown>,
    requestId: string,
  ): Promise<{ peer: PeerConfig; failure: PeerFailure | undefined }[]>;
}

/** One line for a log or an error message. */
export function describePeerFailure(failure: PeerFailure): string {
  return failure.kind === "refused" ? `${failure.code}: ${failure.message}` : `unreachable (${failure.message})`;
}
