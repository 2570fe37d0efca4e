/**
 * Co-signing, both sides. The leader scores, builds and signs the report, and asks only the k − 1 peers it needs
 * (the first of this request's `cosignerOrder`) with the proposal and, when it has it, the borrower-signed
 * application; a peer that refuses, fails, or is silent for the hedge delay (`quorum.hedgeDelayMs`, longer when the
 * peers answer slower lately: `hedge-delay.ts`) is replaced by the next one (`quorum-requests.ts`). Signatures are checked on arrival (`SignatureCollector`) and the leader stops at k. A peer
 * verifies the borrower's signature itself (or uses the application it verified and stored), refuses it once
 * expired, checks the proposal (`validateProposal`: expected leader, model, operator set, credit file, times) before
 * it spends an inference on it, then re-scores and checks PD within the tolerance and identical reason codes, for a
 * push report checks the request on chain (made by the borrower for this application, still open), and only then
 * signs.
 */
import { getAddress } from "ethers";

import type { OperatorSet } from "../chain/index.js";
import {
  cosignerOrder,
  requestKeyFromRequestId,
  selectLeader,
  SignatureCollector,
  toReasonCodeSlots,
  validateProposal,
  type ProposalProblem,
  type ScoreReportFields,
} from "../consensus/index.js";
import { IntakeError, type VerifiedApplication } from "../intake/index.js";
import { hashScoreReport } from "../signing/index.js";
import type { Proposal, StoredProposal } from "../store/index.js";
import { lapseOf, signedBodyOf, storeIfNew, verifySignedApplication, type Flow } from "./applications.js";
import { bundleOf, toSigningReport } from "./bundles.js";
import type { NodeContext } from "./context.js";
import { NodeError } from "./errors.js";
import { describePeerFailure, type PeerClient } from "./peer-client.js";
import { AdaptiveHedgeDelay } from "./hedge-delay.js";
import { requestHedged } from "./quorum-requests.js";
import { reportToJson, type CosignPayload, type CosignProposal, type ScoreBundle } from "./wire.js";

export interface LeadInput {
  flow: Flow;
  /**
   * What is scored. With nonce, expiry and signature (kept for every application since the store's third
   * migration), a peer that lacks the application gets the borrower-signed body with the proposal.
   */
  application: Pick<VerifiedApplication, "borrower" | "features" | "applicationHash"> &
    Partial<
      Pick<
        VerifiedApplication,
        "nonce" | "expiry" | "signature" | "creditFile" | "providerSignature" | "creditFileHash"
      >
    >;
  rawApplication?: Record<string, unknown>;
  requestKey: string;
  round: number;
  requestId?: string;
  chainRequestId?: bigint;
}

/** A peer's signature over the leader's report digest. */
export interface Cosignature {
  signer: string;
  signature: string;
  reportDigest: string;
}

export class CosignFlow {
  /** The co-sign round trips this node saw answered lately, which set its hedge delay (`hedge-delay.ts`). */
  private readonly hedgeDelay = new AdaptiveHedgeDelay();

  constructor(
    private readonly context: NodeContext,
    private readonly peerClient: PeerClient,
  ) {}

  /**
   * Leads: scores, signs and proposes; gathers k signatures from peers; stores and returns the bundle. A push-flow
   * retry (the last pass missed k) re-collects for this node's own recent proposal instead of proposing anew, so an
   * outage of peers leaves one proposal per request, not one per pass; signatures already gathered count. Throws
   * NodeError `quorum_not_met` listing each peer's refusal.
   */
  async lead(input: LeadInput): Promise<ScoreBundle> {
    const { store, log, metrics, address } = this.context;
    const set = await this.context.chain.operatorSet();
    const earlier =
      input.flow === "push" ? this.reusableProposal(input.requestKey, input.application.borrower, set) : undefined;
    const { proposal, signatures } = earlier ?? (await this.propose(input, set));
    const { reportDigest, report } = proposal;
    const collector = new SignatureCollector(reportDigest, set.operators, set.threshold);
    for (const signature of signatures) {
      if (signature.signer === address) collector.addOwn(signature.signature, signature.signer);
      else collector.add(signature.signature, signature.signer);
    }
    if (earlier !== undefined)
      log.info(
        { reportDigest, requestKey: input.requestKey, signatures: signatures.length },
        "collecting again for this node's earlier proposal",
      );

    const signed = new Set(collector.signatures().map((s) => s.signer));
    // The peers to ask, in this request's order (`cosignerOrder`): only those configured, never one that signed.
    const peerOf = new Map(this.context.peers.map((peer) => [peer.address, peer]));
    const candidates = cosignerOrder({
      operators: set.operators,
      leader: address,
      requestKey: input.requestKey,
      operatorSetVersion: set.version,
      round: input.round,
    }).flatMap((operator) => {
      const peer = peerOf.get(operator);
      return peer === undefined || signed.has(operator) ? [] : [peer];
    });
    const refusals: string[] = [];
    const needed = set.threshold - collector.signatures().length;
    // With k = 1 the node's own signature is the quorum: no peer is asked.
    const ask = this.peerClient.cosignRequest(this.cosignProposal(input, report), input.requestId);
    const { asked } = await requestHedged({
      candidates,
      needed,
      hedgeDelayMs: this.hedgeDelay.delayMs(this.context.cosignHedgeDelayMs),
      ask: async (peer, signal) => {
        const started = performance.now();
        const answer = await ask(peer, signal);
        // Only a peer that answered says how long answers take; a silence, failure or abort says nothing.
        if (answer.kind !== "unreachable") this.hedgeDelay.record(performance.now() - started);
        return answer;
      },
      onAnswer: (peer, answer) => {
        if (answer.kind !== "signed") {
          refusals.push(`${peer.id}: ${describePeerFailure(answer)}`);
          return false;
        }
        const outcome = collector.add(answer.signature, answer.signer);
        if (outcome.outcome === "added") {
          store.addSignature(reportDigest, {
            signer: outcome.signer,
            signature: collector.signatures().at(-1)!.signature,
          });
          return true;
        }
        if (outcome.outcome !== "already_complete") refusals.push(`${peer.id}: signature ${outcome.outcome}`);
        return false;
      },
    });
    if (!collector.complete && needed > candidates.length)
      refusals.push(
        `only ${candidates.length} peer(s) to ask for the ${needed} missing signature(s) (${set.operators.length} operators, ${this.context.peers.length} configured peers)`,
      );
    if (!collector.complete) {
      metrics.errorsTotal.inc({ code: "quorum_not_met" });
      log.warn({ reportDigest, refusals, asked: asked.map((peer) => peer.id) }, "quorum not met");
      throw new NodeError(
        "quorum_not_met",
        `collected ${collector.signatures().length} of ${set.threshold} signatures; ${refusals.join("; ") || "no peer answered"}`,
      );
    }
    if (refusals.length > 0)
      log.info({ reportDigest, refusals, asked: asked.map((peer) => peer.id) }, "some peers did not co-sign");
    log.info(
      {
        reportDigest,
        requestKey: input.requestKey,
        flow: input.flow,
        pdBps: report.pdBps,
        signers: collector.signatures().map((s) => s.signer),
      },
      "report co-signed",
    );
    return bundleOf({ ...proposal, signatures: collector.signatures() }, set.threshold, this.context.reasonTexts);
  }

  /**
   * Co-signs a peer's proposal if this node agrees: re-scores the application, checks the proposal and, for a push
   * report, the request on chain. `sender` is the authenticated leader.
   */
  async cosign(sender: string, proposal: CosignPayload, logFields: Record<string, unknown> = {}): Promise<Cosignature> {
    const { context } = this;
    const set = await context.chain.operatorSet();
    const nowSec = context.now();
    Object.assign(logFields, { leader: sender, requestKey: proposal.requestKey, flow: proposal.flow });

    if (proposal.flow === "push" && proposal.requestId === undefined) {
      throw new NodeError("invalid_peer_payload", "a push proposal must name its on-chain requestId");
    }
    const application = await this.applicationForCosign(proposal, nowSec);
    const expectedKey =
      proposal.requestId === undefined ? application.applicationHash : requestKeyFromRequestId(proposal.requestId);
    if (proposal.requestKey !== expectedKey) {
      throw new NodeError(
        "invalid_peer_payload",
        `requestKey ${proposal.requestKey} does not match the ${proposal.flow} request (${expectedKey})`,
      );
    }
    const { leader: expectedLeader } = selectLeader({
      operators: set.operators,
      requestKey: proposal.requestKey,
      operatorSetVersion: set.version,
      round: proposal.round,
    });
    const report: ScoreReportFields = proposal.report;
    const checks = {
      expectedLeader,
      borrower: application.borrower,
      modelId: context.model.modelId,
      operatorSetVersion: set.version,
      tolerancePdBps: context.tolerancePdBps,
      nowSec,
      maxClockSkewSec: context.maxClockSkewSec,
      maxValiditySec: context.reportValiditySec,
      creditFile:
        application.creditFileHash === undefined
          ? undefined
          : { creditFileHash: application.creditFileHash, provider: application.creditFile?.provider ?? "" },
    };
    const refuse = (problems: ProposalProblem[]) => {
      context.metrics.errorsTotal.inc({ code: "cosign_refused" });
      logFields.refused = problems.map((p) => p.code);
      return new NodeError("proposal_rejected", problems.map((p) => `${p.code}: ${p.message}`).join("; "));
    };
    // Every rule that needs no score first: a proposal refused for them costs this node no inference.
    const unscored = validateProposal({ leader: sender, report }, undefined, checks);
    if (!unscored.ok) throw refuse(unscored.problems);
    const own = await context.scorer(application.features);
    context.metrics.inferenceDurationSeconds.observe(own.inferenceMs / 1000);
    const verdict = validateProposal({ leader: sender, report }, own, checks);
    if (!verdict.ok) throw refuse(verdict.problems);
    if (proposal.flow === "push" && proposal.requestId !== undefined) {
      // Last, as it costs RPC calls: a push report only for an open request the borrower made for this application.
      await context.chain.checkOpenPushRequest({
        requestId: proposal.requestId,
        borrower: application.borrower,
        applicationHash: application.applicationHash,
      });
    }
    const reportDigest = hashScoreReport(context.domain, toSigningReport(report));
    const signature = context.signer.signDigest(reportDigest);
    // Kept for audit: what this node signed, for whom, at whose proposal.
    context.store.saveSignedProposal(
      { reportDigest, requestKey: proposal.requestKey, leader: sender, report },
      { signer: context.address, signature },
    );
    return { signer: context.address, signature, reportDigest };
  }

  private cosignProposal(input: LeadInput, report: ScoreReportFields): CosignProposal {
    const rawApplication = input.rawApplication ?? signedBodyOf(this.context, input.application);
    return {
      flow: input.flow,
      requestKey: input.requestKey,
      round: input.round,
      applicationHash: input.application.applicationHash,
      ...(input.chainRequestId === undefined ? {} : { requestId: input.chainRequestId.toString() }),
      ...(rawApplication === undefined ? {} : { application: rawApplication }),
      report: reportToJson(report),
    };
  }

  /** Scores the application and records this node's signed report for `requestKey`. */
  private async propose(
    input: {
      application: { borrower: string; features: number[]; creditFile?: { provider: string }; creditFileHash?: string };
      requestKey: string;
    },
    set: OperatorSet,
  ) {
    const { store, metrics, model, address, domain, signer } = this.context;
    const { creditFile, creditFileHash } = input.application;
    // Applications stored before credit files existed: no report made from them would be accepted on chain.
    if (creditFile === undefined || creditFileHash === undefined)
      throw new IntakeError(
        "credit_file_required",
        "the application carries no attested credit file; apply again with one",
      );
    const score = await this.context.scorer(input.application.features);
    metrics.inferenceDurationSeconds.observe(score.inferenceMs / 1000);
    const issuedAt = BigInt(this.context.now());
    const report: ScoreReportFields = {
      borrower: input.application.borrower,
      pdBps: score.pdBps,
      reasonCodes: toReasonCodeSlots(score.reasonCodes),
      modelId: model.modelId,
      operatorSetVersion: set.version,
      issuedAt,
      validUntil: issuedAt + BigInt(this.context.reportValiditySec),
      creditFileHash,
      provider: getAddress(creditFile.provider),
    };
    const reportDigest = hashScoreReport(domain, toSigningReport(report));
    const own = { signer: address, signature: signer.signDigest(reportDigest) };
    const proposal: Proposal = { reportDigest, requestKey: input.requestKey, leader: address, report };
    store.saveSignedProposal(proposal, own);
    return { proposal, signatures: [own] };
  }

  /**
   * This node's newest proposal for `requestKey` that peers would still co-sign: same model, same operator set,
   * and issued no longer ago than half the tolerated clock skew (peers refuse an issuedAt older than the skew).
   */
  private reusableProposal(
    requestKey: string,
    borrower: string,
    set: OperatorSet,
  ): { proposal: Proposal; signatures: StoredProposal["signatures"] } | undefined {
    const { store, address, model, maxClockSkewSec } = this.context;
    const oldestIssuedAt = BigInt(this.context.now() - Math.floor(maxClockSkewSec / 2));
    const found = store
      .listProposals(requestKey)
      .filter(
        (p) =>
          p.leader === address &&
          p.report.borrower === borrower &&
          p.report.modelId === model.modelId &&
          p.report.operatorSetVersion === set.version &&
          p.report.issuedAt >= oldestIssuedAt,
      )
      .at(-1);
    return found === undefined ? undefined : { proposal: found, signatures: found.signatures };
  }

  /**
   * The application a proposal is for, as this node itself verified it as borrower-signed: the signed body the
   * leader sent (verified now), or the one this node stored (every stored application was verified on arrival).
   * Refused once expired, whichever flow.
   */
  private async applicationForCosign(
    proposal: { flow: Flow; applicationHash: string; application?: Record<string, unknown> | undefined },
    nowSec: number,
  ): Promise<
    Pick<VerifiedApplication, "borrower" | "features" | "applicationHash"> &
      Partial<Pick<VerifiedApplication, "creditFile" | "creditFileHash">>
  > {
    let application: Pick<VerifiedApplication, "borrower" | "features" | "applicationHash" | "expiry"> &
      Partial<Pick<VerifiedApplication, "creditFile" | "creditFileHash">>;
    if (proposal.application !== undefined) {
      let verified: VerifiedApplication;
      try {
        verified = await verifySignedApplication(this.context, proposal.application);
      } catch (error) {
        if (error instanceof IntakeError && error.code === "expired")
          throw new NodeError("application_expired", error.message, { cause: error });
        if (error instanceof IntakeError)
          throw new NodeError("invalid_application", `the proposal's application is invalid: ${error.message}`, {
            cause: error,
          });
        throw error;
      }
      if (verified.applicationHash !== proposal.applicationHash)
        throw new NodeError("invalid_peer_payload", "applicationHash does not match the application");
      storeIfNew(this.context, verified);
      application = verified;
    } else {
      const stored = this.context.store.getApplication(proposal.applicationHash);
      if (stored === undefined)
        throw new NodeError("unknown_application", `this node does not hold application ${proposal.applicationHash}`);
      application = stored;
    }
    const lapse = lapseOf(application, nowSec);
    if (lapse !== undefined) throw new NodeError("application_expired", lapse);
    return application;
  }
}
