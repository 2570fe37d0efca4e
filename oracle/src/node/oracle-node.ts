/**
 * The coordinator: the node's behaviour behind its HTTP routes and its push-flow loop.
 *
 * Leadership. For every request all operators compute the same leader (`selectLeader` over the on-chain set,
 * keyed by the application hash in the pull flow and the request id in the push flow). Any node accepts an
 * application, claims its nonce, and finds a leader (`leader-rotation.ts`): a node that is not the round's leader
 * forwards it (`/v1/peer/coordinate`, `forward-to-leader.ts`); whatever that leader does wrong moves it on to the
 * next round's leader, up to n rounds (a round whose leader is this node is coordinated here). The borrower talks
 * to one node and gets the bundle back from it.
 *
 * Co-signing. The leader scores, builds and signs the report, and asks every peer in parallel (`/v1/cosign`) with
 * the proposal and, in the pull flow, the borrower-signed application. A peer verifies the borrower's signature
 * itself (or uses the one it verified and stored), refuses it once expired, re-scores, checks the proposal
 * (`validateProposal`: expected leader, model, operator set, PD within the tolerance, identical reason codes,
 * times), for a push report checks the request on chain (`push-request-check.ts`: made by the borrower for this
 * application, still open), and only then signs. Signatures are checked on arrival (`SignatureCollector`) and
 * the leader stops at k.
 *
 * Push flow. Applications sent with `"flow": "push"` are verified and stored by the receiving node and broadcast
 * to every peer (`/v1/peer/applications`, each peer verifies the borrower signature itself), so whichever node
 * leads the later `ScoreRequested` has the data. The watcher records requests; the leader gathers k signatures
 * and submits once (the submitter is idempotent by report digest). If the leader does not post within
 * `leaderTimeoutSec`, the next round's leader takes over; every leader first checks whether the chain already
 * holds a score newer than the request.
 *
 * Peer authentication: every peer request is an envelope signed by the sender's operator key, accepted only from
 * a member of the on-chain operator set (see `peer.ts`); a co-sign request must come from the expected leader.
 */
import { getAddress } from "ethers";

import { TIMING_DEFAULTS, type NodeConfig } from "../config/index.js";
import { conciseError, OperatorSetCache, ProviderRegistry, readDataProvider, readOperatorSet, scorePostedSince, type ChainContext, type OperatorSet, type Submitter } from "../chain/index.js";
import { requestKeyFromRequestId, selectLeader, SignatureCollector, toReasonCodeSlots, validateProposal, type ScoreReportFields } from "../consensus/index.js";
import { parseReasonCodes } from "../explain/index.js";
import { applicationBodyOf, IntakeError, verifyApplication, type IntakeContext, type VerifiedApplication } from "../intake/index.js";
import type { OperatorWallet } from "../keystore/index.js";
import { RepeatedLogFilter, type Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import type { CreditModel } from "../model/index.js";
import { featureValidator, type ApplicationScorer } from "../scoring/index.js";
import { HttpError, type Route } from "../server/index.js";
import { describeValue } from "../validation/index.js";
import { digestSigner, hashScoreReport, packSignatures, scoreReportDomain, type DigestSigner, type ScoreReportDomain } from "../signing/index.js";
import type { OracleStore, Proposal, StoredProposal, StoredScoreRequest } from "../store/index.js";
import { NodeError, withNodeErrorStatuses } from "./errors.js";
import { forwardToLeader } from "./forward-to-leader.js";
import { firstSuccessfulRound } from "./leader-rotation.js";
import { peerError, postJson, signPeerEnvelope, verifyPeerEnvelope } from "./peer.js";
import { checkOpenPushRequest, type PushRequestCheckContext } from "./push-request-check.js";
import {
  coordinatePayloadSchema,
  cosignPayloadSchema,
  peerApplicationPayloadSchema,
  reportToJson,
  type ScoreBundle,
} from "./wire.js";

export const ROUTES = {
  applications: "/v1/applications",
  scores: "/v1/scores/:borrower",
  cosign: "/v1/cosign",
  coordinate: "/v1/peer/coordinate",
  peerApplications: "/v1/peer/applications",
} as const;

export interface OracleNodeOptions {
  config: NodeConfig;
  wallet: OperatorWallet;
  model: CreditModel;
  scorer: ApplicationScorer;
  chain: ChainContext;
  store: OracleStore;
  submitter: Submitter;
  log: Logger;
  metrics: OracleMetrics;
  /** Unix seconds (injectable for tests). */
  now?: () => number;
  /** Bound on one peer call (co-sign, forward, broadcast). */
  peerTimeoutMs?: number;
  /** Bound on a forwarded application: the leader scores and collects within it. */
  coordinateTimeoutMs?: number;
  /** Push flow: how long a round's leader has to post before the next round's leader takes over. */
  leaderTimeoutSec?: number;
  /** How long the on-chain operator set is cached. */
  operatorSetTtlMs?: number;
  /** During an RPC outage, how long the last operator set read is still served. */
  operatorSetMaxStaleMs?: number;
  /** How long a data provider's registry entry is cached, and served at most during an RPC outage. */
  providerTtlMs?: number;
  providerMaxStaleMs?: number;
  /** The operator set read at start-up: the cache starts with it. */
  initialOperatorSet?: OperatorSet;
  /** Clock difference tolerated between operators (report issuedAt, peer envelopes). */
  maxClockSkewSec?: number;
}

type Flow = "pull" | "push";

export class OracleNode {
  readonly address: string;
  /** The operator key, decoded once; signs with libsecp256k1 when it loads (see signing/ecdsa.ts). */
  private readonly signer: DigestSigner;
  private readonly now: () => number;
  private readonly peerTimeoutMs: number;
  private readonly coordinateTimeoutMs: number;
  private readonly leaderTimeoutSec: number;
  private readonly maxClockSkewSec: number;
  /** Push-flow failure lines, rate-limited per distinct reason. */
  private readonly repeatedLog = new RepeatedLogFilter();
  private readonly domain: ScoreReportDomain;
  private readonly reasonTexts: Map<number, string>;
  private readonly operatorSets: OperatorSetCache;
  private readonly providers: ProviderRegistry;

  constructor(private readonly options: OracleNodeOptions) {
    this.address = getAddress(options.wallet.address);
    this.signer = digestSigner(options.wallet);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.peerTimeoutMs = options.peerTimeoutMs ?? TIMING_DEFAULTS.peerTimeoutMs;
    this.coordinateTimeoutMs = options.coordinateTimeoutMs ?? TIMING_DEFAULTS.coordinateTimeoutMs;
    this.leaderTimeoutSec = options.leaderTimeoutSec ?? TIMING_DEFAULTS.leaderTimeoutSec;
    this.operatorSets = new OperatorSetCache({
      read: () => readOperatorSet(options.chain),
      ttlMs: options.operatorSetTtlMs ?? TIMING_DEFAULTS.operatorSetTtlMs,
      maxStaleMs: options.operatorSetMaxStaleMs ?? TIMING_DEFAULTS.operatorSetMaxStaleMs,
      onRefreshFailed: (error, staleForMs) => {
        options.metrics.errorsTotal.inc({ code: "operator_set_refresh_failed" });
        options.log.warn({ err: error, staleForMs }, "cannot refresh the operator set; serving the last one read");
      },
    });
    if (options.initialOperatorSet !== undefined) this.operatorSets.prime(options.initialOperatorSet);
    this.providers = new ProviderRegistry({
      read: (id) => readDataProvider(options.chain, id),
      ttlMs: options.providerTtlMs ?? TIMING_DEFAULTS.providerTtlMs,
      maxStaleMs: options.providerMaxStaleMs ?? TIMING_DEFAULTS.providerMaxStaleMs,
      onRefreshFailed: (error, staleForMs) => {
        options.metrics.errorsTotal.inc({ code: "provider_refresh_failed" });
        options.log.warn({ err: error, staleForMs }, "cannot refresh a data provider's registry entry; serving the last one read");
      },
    });
    this.maxClockSkewSec = options.maxClockSkewSec ?? TIMING_DEFAULTS.maxClockSkewSec;
    this.domain = scoreReportDomain(options.chain.chainId, options.chain.oracleAddress);
    const table = parseReasonCodes(JSON.parse(options.model.metadata.reason_codes ?? "{}"), options.model.featureNames);
    this.reasonTexts = new Map(table.map((entry) => [entry.code, entry.text]));
  }

  routes(): Route[] {
    return withNodeErrorStatuses([
      { method: "POST", path: ROUTES.applications, handler: ({ body, requestId, logFields }) => this.submitApplication(body, requestId, logFields) },
      { method: "GET", path: ROUTES.scores, handler: ({ params }) => this.getScore(params.borrower ?? "") },
      { method: "POST", path: ROUTES.cosign, handler: ({ body, logFields }) => this.cosign(body, logFields) },
      { method: "POST", path: ROUTES.coordinate, handler: ({ body, requestId, logFields }) => this.coordinateForwarded(body, requestId, logFields) },
      { method: "POST", path: ROUTES.peerApplications, handler: ({ body, logFields }) => this.receivePeerApplication(body, logFields) },
    ]);
  }

  /** The on-chain operator set, cached (see OperatorSetCache: stale for a bounded time during an RPC outage). */
  operatorSet(): Promise<OperatorSet> {
    return this.operatorSets.get();
  }

  // ---- client API ----

  /**
   * POST /v1/applications: verify (4xx, nothing stored) and claim the nonce, then coordinate (pull) or broadcast
   * (push). The claim is made before anything is awaited, so of two concurrent submissions with one nonce the
   * second is refused (409) instead of racing the first through a leader.
   */
  private async submitApplication(body: unknown, requestId: string, logFields: Record<string, unknown>) {
    const { flow, application: raw } = splitFlow(body);
    const verified = await verifyApplication(raw, this.intakeContext());
    Object.assign(logFields, { flow, applicationHash: verified.applicationHash, borrower: verified.borrower });
    if (this.options.store.recordApplication({ ...verified, receivedAt: this.now() }) === "replayed_nonce") throw replayed(verified);

    if (flow === "push") {
      const distributedTo = await this.broadcastApplication(raw, requestId);
      return {
        status: 202,
        json: {
          flow,
          applicationHash: verified.applicationHash,
          borrower: verified.borrower,
          distributedTo,
          next: "call CreditScoreOracle.requestScore(applicationHash) from the borrower's address",
        },
      };
    }

    const set = await this.operatorSet();
    const { result: bundle, leader } = await firstSuccessfulRound({
      rounds: set.operators.length,
      leaderOf: (round) => selectLeader({ operators: set.operators, requestKey: verified.applicationHash, operatorSetVersion: set.version, round }).leader,
      attempt: (round, leader) =>
        leader === this.address
          ? this.lead({ flow: "pull", application: verified, rawApplication: raw, requestKey: verified.applicationHash, round, requestId })
          : this.forwardToLeader({ round, leader, application: verified, rawApplication: raw, set, requestId }),
      onRoundFailed: (round, leader, error) => this.options.log.warn({ round, leader, err: error }, "a round's leader did not score the application; trying the next round"),
    });
    logFields.leader = leader === this.address ? "self" : (this.options.config.peers.find((p) => p.address === leader)?.id ?? leader);
    return { status: 201, json: bundle };
  }

  /** GET /v1/scores/:borrower: the borrower's newest bundle with k signatures. */
  private async getScore(borrowerParam: string) {
    let borrower: string;
    try {
      borrower = getAddress(borrowerParam);
    } catch {
      throw new HttpError(400, "invalid_field", `borrower: "${borrowerParam}" is not a 20-byte hex address`);
    }
    const { threshold } = await this.operatorSet();
    const proposal = this.options.store.latestSignedProposal(borrower, threshold);
    if (proposal === undefined) throw new HttpError(404, "not_found", `no signed score for ${borrower} at this node`);
    return { status: 200, json: this.bundleOf(proposal, threshold) };
  }

  // ---- peer API ----

  /** POST /v1/peer/coordinate: a peer forwards an application to this node as the leader of `round`. */
  private async coordinateForwarded(body: unknown, requestId: string, logFields: Record<string, unknown>) {
    const set = await this.operatorSet();
    const { sender, payload } = verifyPeerEnvelope(body, ROUTES.coordinate, set.operators, this.now(), this.maxClockSkewSec);
    const parsed = coordinatePayloadSchema.safeParse(payload);
    if (!parsed.success) throw new HttpError(400, "invalid_peer_payload", `coordinate payload: ${parsed.error.issues[0]?.message}`);
    const { round, application: raw } = parsed.data;
    const verified = await verifyApplication(raw, this.intakeContext());
    Object.assign(logFields, { forwardedBy: sender, applicationHash: verified.applicationHash, round });
    const { leader } = selectLeader({ operators: set.operators, requestKey: verified.applicationHash, operatorSetVersion: set.version, round });
    if (leader !== this.address) throw new HttpError(409, "not_leader", `this node is not the leader of round ${round}; ${leader} is`);
    this.acceptOrKnown(verified);
    const bundle = await this.lead({ flow: "pull", application: verified, rawApplication: raw, requestKey: verified.applicationHash, round, requestId });
    return { status: 201, json: bundle };
  }

  /** POST /v1/cosign: re-score, check the leader's proposal and sign it if it agrees. */
  private async cosign(body: unknown, logFields: Record<string, unknown>) {
    const set = await this.operatorSet();
    const nowSec = this.now();
    const { sender, payload } = verifyPeerEnvelope(body, ROUTES.cosign, set.operators, nowSec, this.maxClockSkewSec);
    const parsed = cosignPayloadSchema.safeParse(payload);
    if (!parsed.success) throw new HttpError(400, "invalid_peer_payload", `cosign payload: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    const proposal = parsed.data;
    Object.assign(logFields, { leader: sender, requestKey: proposal.requestKey, flow: proposal.flow });

    if (proposal.flow === "push" && proposal.requestId === undefined) {
      throw new HttpError(400, "invalid_peer_payload", "a push proposal must name its on-chain requestId");
    }
    const application = await this.applicationForCosign(proposal, nowSec);
    const expectedKey = proposal.requestId === undefined ? application.applicationHash : requestKeyFromRequestId(proposal.requestId);
    if (proposal.requestKey !== expectedKey) {
      throw new HttpError(400, "invalid_peer_payload", `requestKey ${proposal.requestKey} does not match the ${proposal.flow} request (${expectedKey})`);
    }
    const own = await this.options.scorer(application.features);
    this.options.metrics.inferenceDurationSeconds.observe(own.inferenceMs / 1000);
    const { leader: expectedLeader } = selectLeader({ operators: set.operators, requestKey: proposal.requestKey, operatorSetVersion: set.version, round: proposal.round });
    const report: ScoreReportFields = proposal.report;
    const verdict = validateProposal({ leader: sender, report }, own, {
      expectedLeader,
      borrower: application.borrower,
      modelId: this.options.model.modelId,
      operatorSetVersion: set.version,
      tolerancePdBps: this.options.config.quorum.tolerancePdBps,
      nowSec,
      maxClockSkewSec: this.maxClockSkewSec,
      maxValiditySec: this.options.config.report.validitySec,
      creditFile: application.creditFileHash === undefined ? undefined : { creditFileHash: application.creditFileHash, provider: application.creditFile?.provider ?? "" },
    });
    if (!verdict.ok) {
      this.options.metrics.errorsTotal.inc({ code: "cosign_refused" });
      logFields.refused = verdict.problems.map((p) => p.code);
      throw new HttpError(409, "proposal_rejected", verdict.problems.map((p) => `${p.code}: ${p.message}`).join("; "));
    }
    if (proposal.flow === "push" && proposal.requestId !== undefined) {
      // Last, as it costs RPC calls: a push report only for an open request the borrower made for this application.
      await checkOpenPushRequest({ requestId: proposal.requestId, borrower: application.borrower, applicationHash: application.applicationHash }, this.pushRequestContext());
    }
    const reportDigest = hashScoreReport(this.domain, toSigningReport(report));
    const signature = this.signer.signDigest(reportDigest);
    // Kept for audit: what this node signed, for whom, at whose proposal.
    this.options.store.saveSignedProposal({ reportDigest, requestKey: proposal.requestKey, leader: sender, report }, { signer: this.address, signature });
    return { status: 200, json: { signer: this.address, signature, reportDigest } };
  }

  /** POST /v1/peer/applications: a push-flow application broadcast by the node that received it. */
  private async receivePeerApplication(body: unknown, logFields: Record<string, unknown>) {
    const set = await this.operatorSet();
    const { sender, payload } = verifyPeerEnvelope(body, ROUTES.peerApplications, set.operators, this.now(), this.maxClockSkewSec);
    const parsed = peerApplicationPayloadSchema.safeParse(payload);
    if (!parsed.success) throw new HttpError(400, "invalid_peer_payload", "application payload: must be { application }");
    const verified = await this.verifySignedApplication(parsed.data.application);
    Object.assign(logFields, { from: sender, applicationHash: verified.applicationHash });
    const stored = this.storeIfNew(verified);
    return { status: stored ? 201 : 200, json: { applicationHash: verified.applicationHash, stored } };
  }

  // ---- leading ----

  /**
   * Scores, signs and proposes; gathers k signatures from peers; stores and returns the bundle. A push-flow retry
   * (the last pass missed k) re-collects for this node's own recent proposal instead of proposing anew, so an
   * outage of peers leaves one proposal per request, not one per pass; signatures already gathered count.
   */
  async lead(input: {
    flow: Flow;
    /**
     * What is scored. With nonce, expiry and signature (kept for every application since the store's third
     * migration), a peer that lacks the application gets the borrower-signed body with the proposal.
     */
    application: Pick<VerifiedApplication, "borrower" | "features" | "applicationHash"> &
      Partial<Pick<VerifiedApplication, "nonce" | "expiry" | "signature" | "creditFile" | "providerSignature" | "creditFileHash">>;
    rawApplication?: Record<string, unknown>;
    requestKey: string;
    round: number;
    requestId?: string;
    chainRequestId?: bigint;
  }): Promise<ScoreBundle> {
    const { store, log, metrics } = this.options;
    const set = await this.operatorSet();
    const earlier = input.flow === "push" ? this.reusableProposal(input.requestKey, input.application.borrower, set) : undefined;
    const { proposal, signatures } = earlier ?? (await this.propose(input, set));
    const { reportDigest, report } = proposal;
    const collector = new SignatureCollector(reportDigest, set.operators, set.threshold);
    for (const signature of signatures) {
      if (signature.signer === this.address) collector.addOwn(signature.signature, signature.signer);
      else collector.add(signature.signature, signature.signer);
    }
    if (earlier !== undefined) log.info({ reportDigest, requestKey: input.requestKey, signatures: signatures.length }, "collecting again for this node's earlier proposal");

    const rawApplication = input.rawApplication ?? this.signedBodyOf(input.application);
    const signed = new Set(collector.signatures().map((s) => s.signer));
    const peers = this.options.config.peers.filter((peer) => set.operators.includes(peer.address) && !signed.has(peer.address));
    // With k = 1 the node's own signature is the quorum: no envelope to sign, no peer to ask.
    const envelope =
      collector.complete || peers.length === 0
        ? undefined
        : signPeerEnvelope(this.signer, ROUTES.cosign, {
            flow: input.flow,
            requestKey: input.requestKey,
            round: input.round,
            applicationHash: input.application.applicationHash,
            ...(input.chainRequestId === undefined ? {} : { requestId: input.chainRequestId.toString() }),
            ...(rawApplication === undefined ? {} : { application: rawApplication }),
            report: reportToJson(report),
          }, this.now());
    const refusals: string[] = [];
    await new Promise<void>((resolve) => {
      let pending = peers.length;
      if (envelope === undefined) return resolve();
      for (const peer of peers) {
        postJson(`${peer.url}${ROUTES.cosign}`, envelope, this.peerTimeoutMs, input.requestId)
          .then((response) => {
            if (response.status !== 200) {
              const { code, message } = peerError(response);
              refusals.push(`${peer.id}: ${code}: ${message}`);
              return;
            }
            const answer = response.body as { signer?: unknown; signature?: unknown };
            const outcome = collector.add(String(answer.signature), typeof answer.signer === "string" ? answer.signer : undefined);
            if (outcome.outcome === "added") store.addSignature(reportDigest, { signer: outcome.signer, signature: collector.signatures().at(-1)!.signature });
            else if (outcome.outcome !== "already_complete") refusals.push(`${peer.id}: signature ${outcome.outcome}`);
          })
          .catch((error: unknown) => refusals.push(`${peer.id}: unreachable (${(error as Error).message})`))
          .finally(() => {
            pending -= 1;
            if (collector.complete || pending === 0) resolve();
          });
      }
    });
    if (!collector.complete) {
      metrics.errorsTotal.inc({ code: "quorum_not_met" });
      log.warn({ reportDigest, refusals }, "quorum not met");
      throw new HttpError(
        503,
        "quorum_not_met",
        `collected ${collector.signatures().length} of ${set.threshold} signatures; ${refusals.join("; ") || "no peer answered"}`,
      );
    }
    if (refusals.length > 0) log.info({ reportDigest, refusals }, "some peers did not co-sign");
    log.info({ reportDigest, requestKey: input.requestKey, flow: input.flow, pdBps: report.pdBps, signers: collector.signatures().map((s) => s.signer) }, "report co-signed");
    return this.bundleOf({ ...proposal, signatures: collector.signatures() }, set.threshold);
  }

  /** Scores the application and records this node's signed report for `requestKey`. */
  private async propose(input: { application: { borrower: string; features: number[]; creditFile?: { provider: string }; creditFileHash?: string }; requestKey: string }, set: OperatorSet) {
    const { store, metrics, model, config } = this.options;
    const { creditFile, creditFileHash } = input.application;
    // Applications stored before credit files existed: no report made from them would be accepted on chain.
    if (creditFile === undefined || creditFileHash === undefined) throw new IntakeError("credit_file_required", "the application carries no attested credit file; apply again with one");
    const score = await this.options.scorer(input.application.features);
    metrics.inferenceDurationSeconds.observe(score.inferenceMs / 1000);
    const issuedAt = BigInt(this.now());
    const report: ScoreReportFields = {
      borrower: input.application.borrower,
      pdBps: score.pdBps,
      reasonCodes: toReasonCodeSlots(score.reasonCodes),
      modelId: model.modelId,
      operatorSetVersion: set.version,
      issuedAt,
      validUntil: issuedAt + BigInt(config.report.validitySec),
      creditFileHash,
      provider: getAddress(creditFile.provider),
    };
    const reportDigest = hashScoreReport(this.domain, toSigningReport(report));
    const own = { signer: this.address, signature: this.signer.signDigest(reportDigest) };
    const proposal: Proposal = { reportDigest, requestKey: input.requestKey, leader: this.address, report };
    store.saveSignedProposal(proposal, own);
    return { proposal, signatures: [own] };
  }

  /**
   * This node's newest proposal for `requestKey` that peers would still co-sign: same model, same operator set,
   * and issued no longer ago than half the tolerated clock skew (peers refuse an issuedAt older than the skew).
   */
  private reusableProposal(requestKey: string, borrower: string, set: OperatorSet): { proposal: Proposal; signatures: StoredProposal["signatures"] } | undefined {
    const oldestIssuedAt = BigInt(this.now() - Math.floor(this.maxClockSkewSec / 2));
    const found = this.options.store
      .listProposals(requestKey)
      .filter(
        (p) =>
          p.leader === this.address &&
          p.report.borrower === borrower &&
          p.report.modelId === this.options.model.modelId &&
          p.report.operatorSetVersion === set.version &&
          p.report.issuedAt >= oldestIssuedAt,
      )
      .at(-1);
    return found === undefined ? undefined : { proposal: found, signatures: found.signatures };
  }

  // ---- push flow ----

  /**
   * One pass over the push requests the watcher recorded: the leader of each (by round, from how long the
   * request has waited) gathers signatures and submits; other nodes mark a request done once the chain holds a
   * score newer than the request's block. Never throws for one bad request: it is logged and the pass goes on.
   */
  async processPushRequests(): Promise<void> {
    const { store, log } = this.options;
    const requests = [...store.listScoreRequests("pending"), ...store.listScoreRequests("proposed")];
    for (const request of requests) {
      try {
        await this.processPushRequest(request);
      } catch (error) {
        this.options.metrics.errorsTotal.inc({ code: "push_request_failed" });
        // One short line per distinct reason and minute: an unfunded key fails every request on every pass.
        const reason = conciseError(error);
        const suppressed = this.repeatedLog.admit(reason);
        if (suppressed !== undefined) log.warn({ reason, requestId: request.requestId.toString(), suppressed }, "push request not handled this pass; will retry");
      }
    }
  }

  private async processPushRequest(request: StoredScoreRequest): Promise<void> {
    const { store, chain, log, submitter } = this.options;
    const requestKey = requestKeyFromRequestId(request.requestId);
    // A proposal of ours with a quorum already exists (a restart after signing): submit it, never re-propose.
    const signedBefore = store.listProposals(requestKey).find((p) => p.leader === this.address && p.signatures.length >= 1 && store.getSubmission(p.reportDigest) !== undefined);
    if (signedBefore !== undefined) return this.finishPush(request, signedBefore.reportDigest);

    // Done once a score for the borrower was posted at or after the request's block, by anyone (clock-free).
    if (await scorePostedSince(chain, request.borrower, request.blockNumber)) {
      store.setScoreRequestStatus(request.requestId, "submitted");
      return;
    }
    const set = await this.operatorSet();
    const waited = Math.max(0, this.now() - request.updatedAt);
    const round = Math.floor(waited / this.leaderTimeoutSec);
    if (round >= 2 * set.operators.length) {
      store.setScoreRequestStatus(request.requestId, "failed");
      log.error({ requestId: request.requestId.toString(), round }, "push request gave up: no leader posted a report");
      return;
    }
    const { leader } = selectLeader({ operators: set.operators, requestKey, operatorSetVersion: set.version, round: round % set.operators.length });
    if (leader !== this.address) return;
    const application = store.getApplication(request.applicationHash);
    if (application === undefined) {
      log.warn({ requestId: request.requestId.toString(), applicationHash: request.applicationHash }, "leading a push request whose application this node does not hold; the next round's leader may");
      return;
    }
    if (application.borrower !== getAddress(request.borrower)) {
      store.setScoreRequestStatus(request.requestId, "failed");
      log.warn({ requestId: request.requestId.toString() }, "push request refused: the requester is not the application's borrower");
      return;
    }
    if (application.expiry <= this.now()) {
      // Peers refuse to co-sign for an expired application; the borrower has to apply (and request) again.
      store.setScoreRequestStatus(request.requestId, "failed");
      log.warn({ requestId: request.requestId.toString(), expiry: application.expiry }, "push request refused: its application expired before it was served");
      return;
    }
    const bundle = await this.lead({ flow: "push", application, requestKey, round: round % set.operators.length, chainRequestId: request.requestId });
    store.ensureSubmission(bundle.reportDigest);
    store.setScoreRequestStatus(request.requestId, "proposed");
    await this.finishPush(request, bundle.reportDigest, submitter);
  }

  private async finishPush(request: StoredScoreRequest, reportDigest: string, submitter = this.options.submitter): Promise<void> {
    const submission = await submitter.submit(reportDigest);
    if (submission.status === "confirmed") this.options.store.setScoreRequestStatus(request.requestId, "submitted");
    else if (submission.status === "failed") this.options.store.setScoreRequestStatus(request.requestId, "failed");
  }

  // ---- helpers ----

  private pushRequestContext(): PushRequestCheckContext {
    const { chain, store, config } = this.options;
    return { chain, store, confirmations: config.chain.confirmations, ...(config.chain.startBlock === undefined ? {} : { startBlock: config.chain.startBlock }) };
  }

  private intakeContext(): IntakeContext {
    return {
      chainId: this.options.chain.chainId,
      verifyingContract: this.options.chain.oracleAddress,
      featureNames: this.options.model.featureNames,
      nowSec: this.now(),
      applicationMaxAgeSec: this.options.config.intake.applicationMaxAgeSec,
      creditFileMaxAgeSec: this.options.config.intake.creditFileMaxAgeSec,
      providers: (id) => this.providers.get(id),
      validateFeatures: featureValidator(this.options.model),
    };
  }

  /**
   * Verifies a borrower-signed application handed over by a peer: signature, features, ranges and expiry exactly
   * as at intake (an expired application is never scored again, in any flow), with the latest accepted expiry
   * widened by the tolerated clock skew, since the receiving node checked it against its own clock.
   */
  private verifySignedApplication(raw: Record<string, unknown>): Promise<VerifiedApplication> {
    const context = this.intakeContext();
    return verifyApplication(raw, {
      ...context,
      applicationMaxAgeSec: context.applicationMaxAgeSec + this.maxClockSkewSec,
      creditFileMaxAgeSec: context.creditFileMaxAgeSec + this.maxClockSkewSec,
    });
  }

  /**
   * The application a proposal is for, as this node itself verified it as borrower-signed: the signed body the
   * leader sent (verified now), or the one this node stored (every stored application was verified on arrival).
   * Refused once expired, whichever flow.
   */
  private async applicationForCosign(
    proposal: { flow: Flow; applicationHash: string; application?: Record<string, unknown> | undefined },
    nowSec: number,
  ): Promise<Pick<VerifiedApplication, "borrower" | "features" | "applicationHash"> & Partial<Pick<VerifiedApplication, "creditFile" | "creditFileHash">>> {
    let application: Pick<VerifiedApplication, "borrower" | "features" | "applicationHash" | "expiry"> & Partial<Pick<VerifiedApplication, "creditFile" | "creditFileHash">>;
    if (proposal.application !== undefined) {
      try {
        application = await this.verifySignedApplication(proposal.application);
      } catch (error) {
        if (error instanceof IntakeError && error.code === "expired") throw new NodeError("application_expired", error.message, { cause: error });
        if (error instanceof IntakeError) throw new HttpError(400, "invalid_application", `the proposal's application is invalid: ${error.message}`);
        throw error;
      }
      if (application.applicationHash !== proposal.applicationHash) throw new HttpError(400, "invalid_peer_payload", "applicationHash does not match the application");
      this.storeIfNew(application as VerifiedApplication);
    } else {
      const stored = this.options.store.getApplication(proposal.applicationHash);
      if (stored === undefined) throw new HttpError(409, "unknown_application", `this node does not hold application ${proposal.applicationHash}`);
      application = stored;
    }
    if (application.expiry <= nowSec) {
      throw new NodeError("application_expired", `expiry: application ${application.applicationHash} expired at ${application.expiry}, now is ${nowSec}`);
    }
    return application;
  }

  /**
   * Records an application (already verified) this node is about to lead. Idempotent for the very same application (same hash): a
   * failed earlier round may have stored it here as a co-signer; a different application reusing the nonce is a
   * replay (409).
   */
  private acceptOrKnown(verified: VerifiedApplication): void {
    if (this.options.store.getApplication(verified.applicationHash) !== undefined) return;
    // `verified` was checked by this request's handler a moment ago (signature, expiry window, ranges): record
    // it, claiming the nonce, without recovering the borrower's signature a second time.
    if (this.options.store.recordApplication({ ...verified, receivedAt: this.now() }) === "replayed_nonce") throw replayed(verified);
  }

  /** The borrower-signed body of a stored application, when the store kept its signature. */
  private signedBodyOf(
    application: Partial<Pick<VerifiedApplication, "borrower" | "features" | "nonce" | "expiry" | "signature" | "creditFile" | "providerSignature">>,
  ): Record<string, unknown> | undefined {
    const { borrower, features, nonce, expiry, signature, creditFile, providerSignature } = application;
    if (borrower === undefined || features === undefined || nonce === undefined || expiry === undefined || signature === undefined) return undefined;
    if (creditFile === undefined || providerSignature === undefined) return undefined;
    return applicationBodyOf(this.options.model.featureNames, { borrower, features, nonce, expiry, signature, creditFile, providerSignature });
  }

  /** Stores a verified application unless this node already has it; true when stored now. */
  private storeIfNew(verified: VerifiedApplication): boolean {
    if (this.options.store.getApplication(verified.applicationHash) !== undefined) return false;
    return this.options.store.recordApplication({ ...verified, receivedAt: this.now() }) === "recorded";
  }

  private async broadcastApplication(raw: Record<string, unknown>, requestId: string): Promise<string[]> {
    const set = await this.operatorSet();
    const envelope = signPeerEnvelope(this.signer, ROUTES.peerApplications, { application: raw }, this.now());
    const peers = this.options.config.peers.filter((peer) => set.operators.includes(peer.address));
    const results = await Promise.allSettled(
      peers.map(async (peer) => {
        const response = await postJson(`${peer.url}${ROUTES.peerApplications}`, envelope, this.peerTimeoutMs, requestId);
        if (response.status >= 300) throw new Error(`${peer.id}: ${peerError(response).message}`);
        return peer.id;
      }),
    );
    results.forEach((result) => {
      if (result.status === "rejected") this.options.log.warn({ err: result.reason }, "push application not delivered to a peer");
    });
    return results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  }

  /** One pull-flow round led by a peer; keeps a copy of the checked bundle for GET /v1/scores. */
  private async forwardToLeader(input: Parameters<typeof forwardToLeader>[0]): Promise<ScoreBundle> {
    const checked = await forwardToLeader(input, {
      signer: this.signer,
      peers: this.options.config.peers,
      route: ROUTES.coordinate,
      timeoutMs: this.coordinateTimeoutMs,
      nowSec: this.now(),
      modelId: this.options.model.modelId,
      domain: this.domain,
    });
    this.options.store.saveProposal({ reportDigest: checked.reportDigest, requestKey: checked.bundle.requestKey, leader: input.leader, report: checked.report });
    for (const signature of checked.signatures) this.options.store.addSignature(checked.reportDigest, signature);
    return checked.bundle;
  }

  private bundleOf(proposal: Proposal & Pick<StoredProposal, "signatures">, threshold: number): ScoreBundle {
    const signatures = proposal.signatures.slice(0, threshold);
    return {
      reportDigest: proposal.reportDigest,
      requestKey: proposal.requestKey,
      leader: proposal.leader,
      report: reportToJson(proposal.report),
      signatures: packSignatures(signatures.map((s) => s.signature)),
      signers: signatures.map((s) => s.signer),
      reasons: proposal.report.reasonCodes.filter((code) => code !== 0).map((code) => ({ code, text: this.reasonTexts.get(code) ?? "" })),
    };
  }
}

/** Splits the optional `flow` field off an application body (the signed body itself is strict). */
function splitFlow(body: unknown): { flow: Flow; application: Record<string, unknown> } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new IntakeError("invalid_field", "body: must be a JSON object");
  const { flow = "pull", ...application } = body as Record<string, unknown>;
  if (flow !== "pull" && flow !== "push") throw new IntakeError("invalid_field", `flow: must be "pull" or "push", got ${describeValue(flow)}`);
  return { flow, application };
}

function replayed(application: VerifiedApplication): IntakeError {
  return new IntakeError(
    "replayed_nonce",
    `nonce: ${application.nonce} was already used by ${application.borrower}; sign the application with a new nonce`,
  );
}

function toSigningReport(report: ScoreReportFields) {
  return { ...report, reasonCodes: [...report.reasonCodes] as [number, number, number, number] };
}

