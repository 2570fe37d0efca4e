/**
 * The node's refusals that are not the borrower's fault in the application itself (those are IntakeErrors), as
 * domain errors with a stable `code` that clients and peers can switch on. Flows throw these and know nothing of
 * HTTP; `routes.ts` alone maps each code to a status.
 */

export type NodeErrorCode =
  /** No round's leader (this node included) produced a co-signed report. */
  | "no_leader_available"
  /** The chain could not be read and no recent enough copy of what was needed is at hand. */
  | "chain_unavailable"
  /** A leader asked its peers and did not gather k valid signatures. */
  | "quorum_not_met"
  /** The borrower's application expired before this node could co-sign a report for it. */
  | "application_expired"
  /** A push-flow proposal names a request the chain does not hold, holds differently, or has already answered. */
  | "push_request_refused"
  /** A peer's proposal disagrees with this node's own score or the rules of the protocol. */
  | "proposal_rejected"
  /** A forwarded application reached a node that does not lead the round it names. */
  | "not_leader"
  /** A proposal names an application this node does not hold and the leader did not send. */
  | "unknown_application"
  /** A peer request is not a signed envelope from a current operator. */
  | "peer_unauthorized"
  /** A peer's message is well signed but malformed or inconsistent. */
  | "invalid_peer_payload"
  /** The borrower-signed application inside a peer's message does not verify. */
  | "invalid_application"
  /** This node holds no co-signed score for the borrower. */
  | "not_found";

export class NodeError extends Error {
  override readonly name = "NodeError";

  constructor(
    readonly code: NodeErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
