/**
 * The pull flow. For every application all operators compute the same leader (`selectLeader` over the on-chain
 * set, keyed by the application hash). Any node accepts an application, claims its nonce, and finds a leader
 * (`leader-rotation.ts`): a round this node leads is co-signed here (`CosignFlow.lead`); otherwise the application
 * goes to the round's leader, whose bundle is checked before the borrower sees it. Whatever that leader does wrong
 * moves it on to the next round's leader, up to n rounds. The borrower talks to one node and gets the bundle back
 * from it; each node keeps the bundles it handed out for `GET /v1/scores/:borrower`.
 */
import type { OperatorSet } from "../chain/index.js";
import { selectLeader } from "../consensus/index.js";
import { verifyApplication, type VerifiedApplication } from "../intake/index.js";
import { acceptOrKnown, intakeContextOf, receiveApplication } from "./applications.js";
import { bundleOf, checkLeaderBundle } from "./bundles.js";
import type { NodeContext } from "./context.js";
import type { CosignFlow } from "./cosign-flow.js";
import { NodeError } from "./errors.js";
import { firstSuccessfulRound, LeaderRoundFailure } from "./leader-rotation.js";
import type { PeerClient } from "./peer-client.js";
import type { StoredProposal } from "../store/index.js";
import type { CoordinatePayload, ScoreBundle } from "./wire.js";

/** A leader's error message is relayed in the borrower's final error only this long. */
const MAX_RELAYED_MESSAGE = 200;

export class PullFlow {
  constructor(
    private readonly context: NodeContext,
    private readonly peerClient: PeerClient,
    private readonly cosign: CosignFlow,
  ) {}

  /**
   * A borrower's application: verified and its nonce claimed (IntakeError otherwise, nothing stored), then led
   * here or by the first peer that produces a checked bundle. Throws NodeError `no_leader_available` when no
   * round did.
   */
  async submit(
    raw: Record<string, unknown>,
    requestId: string,
    logFields: Record<string, unknown> = {},
  ): Promise<ScoreBundle> {
    const { context } = this;
    const verified = await receiveApplication(context, raw, logFields);
    const set = await context.chain.operatorSet();
    const { result: bundle, leader } = await firstSuccessfulRound({
      rounds: set.operators.length,
      leaderOf: (round) =>
        selectLeader({
          operators: set.operators,
          requestKey: verified.applicationHash,
          operatorSetVersion: set.version,
          round,
        }).leader,
      attempt: (round, leader) =>
        leader === context.address
          ? this.cosign.lead({
              flow: "pull",
              application: verified,
              rawApplication: raw,
              requestKey: verified.applicationHash,
              round,
              requestId,
            })
          : this.forwardToLeader({ round, leader, application: verified, rawApplication: raw, set, requestId }),
      onRoundFailed: (round, leader, error) =>
        context.log.warn(
          { round, leader, err: error },
          "a round's leader did not score the application; trying the next round",
        ),
    });
    logFields.leader =
      leader === context.address ? "self" : (context.peers.find((p) => p.address === leader)?.id ?? leader);
    return bundle;
  }

  /** An application a peer forwarded to this node as the leader of `payload.round`; `sender` is authenticated. */
  async coordinateForwarded(
    sender: string,
    payload: CoordinatePayload,
    requestId: string,
    logFields: Record<string, unknown> = {},
  ): Promise<ScoreBundle> {
    const { context } = this;
    const set = await context.chain.operatorSet();
    const { round, application: raw } = payload;
    // Checked as at intake, against this node's clock: the receiving node did the same a moment ago.
    const verified = await verifyApplication(raw, intakeContextOf(context));
    Object.assign(logFields, { forwardedBy: sender, applicationHash: verified.applicationHash, round });
    const { leader } = selectLeader({
      operators: set.operators,
      requestKey: verified.applicationHash,
      operatorSetVersion: set.version,
      round,
    });
    if (leader !== context.address)
      throw new NodeError("not_leader", `this node is not the leader of round ${round}; ${leader} is`);
    acceptOrKnown(context, verified);
    // This node led the application to a quorum already (the application sent again through a node that never
    // saw it): the same bundle, not a second report.
    const earlier = this.ownSignedProposal(verified.applicationHash, set);
    if (earlier !== undefined) {
      logFields.earlierReport = earlier.reportDigest;
      return bundleOf(earlier, set.threshold, context.reasonTexts);
    }
    return this.cosign.lead({
      flow: "pull",
      application: verified,
      rawApplication: raw,
      requestKey: verified.applicationHash,
      round,
      requestId,
    });
  }

  /** This node's own proposal for `requestKey` with k signatures of the current set, still valid; or undefined. */
  private ownSignedProposal(requestKey: string, set: OperatorSet): StoredProposal | undefined {
    const now = BigInt(this.context.now());
    return this.context.store
      .listProposals(requestKey)
      .filter(
        (p) =>
          p.leader === this.context.address &&
          p.signatures.length >= set.threshold &&
          p.report.operatorSetVersion === set.version &&
          p.report.validUntil > now,
      )
      .at(-1);
  }

  /** The borrower's newest bundle with k signatures at this node; NodeError `not_found` when there is none. */
  async latestBundle(borrower: string): Promise<ScoreBundle> {
    const { threshold } = await this.context.chain.operatorSet();
    const proposal = this.context.store.latestSignedProposal(borrower, threshold);
    if (proposal === undefined) throw new NodeError("not_found", `no signed score for ${borrower} at this node`);
    return bundleOf(proposal, threshold, this.context.reasonTexts);
  }

  /**
   * One round led by a peer: its bundle, checked, and a copy kept for `latestBundle`. Any failure (unreachable, an
   * error answer, a bundle that fails a check) is a LeaderRoundFailure: the leader's, never the borrower's.
   */
  private async forwardToLeader(input: {
    round: number;
    leader: string;
    application: VerifiedApplication;
    rawApplication: Record<string, unknown>;
    set: OperatorSet;
    requestId: string;
  }): Promise<ScoreBundle> {
    const { context } = this;
    const peer = context.peers.find((p) => p.address === input.leader);
    if (peer === undefined) throw new LeaderRoundFailure(`leader ${input.leader} is not a configured peer`);
    const answer = await this.peerClient.forwardToLeader(
      peer,
      { round: input.round, application: input.rawApplication },
      input.requestId,
    );
    if (answer.kind === "unreachable")
      throw new LeaderRoundFailure(`leader ${peer.id} unreachable (${answer.message})`);
    if (answer.kind === "refused") {
      throw new LeaderRoundFailure(
        `leader ${peer.id} answered ${answer.status} ${answer.code}: ${answer.message.slice(0, MAX_RELAYED_MESSAGE)}`,
      );
    }
    const checked = checkLeaderBundle(answer.body, {
      borrower: input.application.borrower,
      applicationHash: input.application.applicationHash,
      creditFileHash: input.application.creditFileHash,
      leader: input.leader,
      modelId: context.model.modelId,
      set: input.set,
      domain: context.domain,
    });
    context.store.saveProposal({
      reportDigest: checked.reportDigest,
      requestKey: checked.bundle.requestKey,
      leader: input.leader,
      report: checked.report,
    });
    for (const signature of checked.signatures) context.store.addSignature(checked.reportDigest, signature);
    return checked.bundle;
  }
}
