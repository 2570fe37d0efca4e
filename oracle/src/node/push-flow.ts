/**
 * The push flow. Applications sent with `"flow": "push"` are verified and stored by the receiving node and
 * broadcast to every peer (each peer verifies the borrower's signature itself), so whichever node leads the later
 * `ScoreRequested` has the data. The watcher records requests; each pass, the leader of each request (by round,
 * from how long the request has waited) gathers k signatures and submits once (the submitter is idempotent by
 * report digest). If the leader does not post within `leaderTimeoutSec`, the next round's leader takes over; every
 * leader first checks whether the chain already holds a score newer than the request.
 */
import { getAddress } from "ethers";

import { conciseError, type Submitter } from "../chain/index.js";
import { requestKeyFromRequestId, selectLeader } from "../consensus/index.js";
import { RepeatedLogFilter } from "../log/index.js";
import type { StoredScoreRequest } from "../store/index.js";
import { lapseOf, receiveApplication, storeIfNew, verifySignedApplication } from "./applications.js";
import type { NodeContext } from "./context.js";
import type { CosignFlow } from "./cosign-flow.js";
import { describePeerFailure, type PeerClient } from "./peer-client.js";

export interface PushFlowOptions {
  submitter: Pick<Submitter, "submit">;
  /** How long a round's leader has to post before the next round's leader takes over. */
  leaderTimeoutSec: number;
}

export class PushFlow {
  /** Failure lines, rate-limited per distinct reason. */
  private readonly repeatedLog = new RepeatedLogFilter();

  constructor(
    private readonly context: NodeContext,
    private readonly peerClient: PeerClient,
    private readonly cosign: CosignFlow,
    private readonly options: PushFlowOptions,
  ) {}

  /**
   * A borrower's application for a later on-chain request: verified and its nonce claimed (IntakeError otherwise,
   * nothing stored), then handed to every peer in the operator set. Returns the ids of the peers that took it.
   */
  async submit(raw: Record<string, unknown>, requestId: string, logFields: Record<string, unknown> = {}) {
    const verified = await receiveApplication(this.context, raw, logFields);
    const set = await this.context.chain.operatorSet();
    const peers = this.context.peers.filter((peer) => set.operators.includes(peer.address));
    const results = await this.peerClient.broadcastApplication(peers, raw, requestId);
    for (const { peer, failure } of results) {
      if (failure !== undefined)
        this.context.log.warn(
          { peer: peer.id, reason: describePeerFailure(failure) },
          "push application not delivered to a peer",
        );
    }
    const distributedTo = results.flatMap(({ peer, failure }) => (failure === undefined ? [peer.id] : []));
    return { applicationHash: verified.applicationHash, borrower: verified.borrower, distributedTo };
  }

  /** An application a peer broadcast (`sender` is authenticated); verified here too. True when stored now. */
  async receivePeerApplication(sender: string, raw: Record<string, unknown>, logFields: Record<string, unknown> = {}) {
    const verified = await verifySignedApplication(this.context, raw);
    Object.assign(logFields, { from: sender, applicationHash: verified.applicationHash });
    return { applicationHash: verified.applicationHash, stored: storeIfNew(this.context, verified) };
  }

  /**
   * One pass over the push requests the watcher recorded: the leader of each gathers signatures and submits; other
   * nodes mark a request done once the chain holds a score newer than the request's block. Never throws for one
   * bad request: it is logged and the pass goes on.
   */
  async processRequests(): Promise<void> {
    const { store, log, metrics } = this.context;
    const requests = [...store.listScoreRequests("pending"), ...store.listScoreRequests("proposed")];
    for (const request of requests) {
      try {
        await this.processRequest(request);
      } catch (error) {
        metrics.errorsTotal.inc({ code: "push_request_failed" });
        // One short line per distinct reason and minute: an unfunded key fails every request on every pass.
        const reason = conciseError(error);
        const suppressed = this.repeatedLog.admit(reason);
        if (suppressed !== undefined)
          log.warn(
            { reason, requestId: request.requestId.toString(), suppressed },
            "push request not handled this pass; will retry",
          );
      }
    }
  }

  private async processRequest(request: StoredScoreRequest): Promise<void> {
    const { store, chain, log, address } = this.context;
    const requestKey = requestKeyFromRequestId(request.requestId);
    // A proposal of ours with a quorum already exists (a restart after signing): submit it, never re-propose.
    const signedBefore = store
      .listProposals(requestKey)
      .find(
        (p) => p.leader === address && p.signatures.length >= 1 && store.getSubmission(p.reportDigest) !== undefined,
      );
    if (signedBefore !== undefined) return this.postReport(request, signedBefore.reportDigest);

    // Done once a score for the borrower was posted at or after the request's block, by anyone (clock-free).
    if (await chain.scorePostedSince(request.borrower, request.blockNumber)) {
      store.setScoreRequestStatus(request.requestId, "submitted");
      return;
    }
    const set = await chain.operatorSet();
    const waited = Math.max(0, this.context.now() - request.updatedAt);
    const round = Math.floor(waited / this.options.leaderTimeoutSec);
    if (round >= 2 * set.operators.length) {
      store.setScoreRequestStatus(request.requestId, "failed");
      log.error({ requestId: request.requestId.toString(), round }, "push request gave up: no leader posted a report");
      return;
    }
    const { leader } = selectLeader({
      operators: set.operators,
      requestKey,
      operatorSetVersion: set.version,
      round: round % set.operators.length,
    });
    if (leader !== address) return;
    const application = store.getApplication(request.applicationHash);
    if (application === undefined) {
      log.warn(
        { requestId: request.requestId.toString(), applicationHash: request.applicationHash },
        "leading a push request whose application this node does not hold; the next round's leader may",
      );
      return;
    }
    if (application.borrower !== getAddress(request.borrower)) {
      store.setScoreRequestStatus(request.requestId, "failed");
      log.warn(
        { requestId: request.requestId.toString() },
        "push request refused: the requester is not the application's borrower",
      );
      return;
    }
    const lapse = lapseOf(application, this.context.now());
    if (lapse !== undefined) {
      // Peers refuse to co-sign on a lapsed application or file; the borrower applies (and requests) again.
      store.setScoreRequestStatus(request.requestId, "failed");
      log.warn(
        { requestId: request.requestId.toString(), lapse },
        "push request refused: it lapsed before it was served",
      );
      return;
    }
    const bundle = await this.cosign.lead({
      flow: "push",
      application,
      requestKey,
      round: round % set.operators.length,
      chainRequestId: request.requestId,
    });
    store.ensureSubmission(bundle.reportDigest);
    store.setScoreRequestStatus(request.requestId, "proposed");
    await this.postReport(request, bundle.reportDigest);
  }

  /** Posts the co-signed report (once, whoever asks again) and records the request's outcome. */
  private async postReport(request: StoredScoreRequest, reportDigest: string): Promise<void> {
    const submission = await this.options.submitter.submit(reportDigest);
    if (submission.status === "confirmed") this.context.store.setScoreRequestStatus(request.requestId, "submitted");
    else if (submission.status === "failed") this.context.store.setScoreRequestStatus(request.requestId, "failed");
  }
}
