/**
 * The coordinator: one node's flows, wired to its chain, store and peers. It composes and implements nothing:
 * the pull flow (`pull-flow.ts`), co-signing (`cosign-flow.ts`) and the push flow (`push-flow.ts`) speak domain
 * errors through a peer client (`peer-client.ts`, over HTTP in `http-peer-client.ts`); `routes.ts` puts them
 * behind the HTTP API.
 *
 * Peer authentication: every peer request is an envelope signed by the sender's operator key, accepted only from
 * a member of the on-chain operator set (`peer-envelope.ts`); a co-sign request must come from the expected leader.
 */
import { getAddress } from "ethers";

import {
  OperatorSetCache,
  ProviderRegistry,
  readDataProvider,
  readOperatorSet,
  scorePostedSince,
  type ChainContext,
  type OperatorSet,
  type Submitter,
} from "../chain/index.js";
import { hedgeDelayMsOf, TIMING_DEFAULTS, type NodeConfig } from "../config/index.js";
import { parseReasonCodes } from "../explain/index.js";
import type { OperatorWallet } from "../keystore/index.js";
import type { Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import type { CreditModel } from "../model/index.js";
import type { ApplicationScorer } from "../scoring/index.js";
import type { Route } from "../server/index.js";
import { digestSigner, scoreReportDomain } from "../signing/index.js";
import type { OracleStore } from "../store/index.js";
import type { NodeContext } from "./context.js";
import { CosignFlow, type LeadInput } from "./cosign-flow.js";
import { HttpPeerClient } from "./http-peer-client.js";
import { PullFlow } from "./pull-flow.js";
import { checkOpenPushRequest } from "./push-request-check.js";
import { PushFlow } from "./push-flow.js";
import { nodeRoutes } from "./routes.js";
import type { ScoreBundle } from "./wire.js";

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

export class OracleNode {
  readonly address: string;
  private readonly context: NodeContext;
  private readonly cosign: CosignFlow;
  private readonly pull: PullFlow;
  private readonly push: PushFlow;

  constructor(options: OracleNodeOptions) {
    const { config, chain, model, log, metrics } = options;
    this.address = getAddress(options.wallet.address);
    // The operator key, decoded once; signs with libsecp256k1 when it loads (see signing/ecdsa.ts).
    const signer = digestSigner(options.wallet);
    const now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const operatorSets = new OperatorSetCache({
      read: () => readOperatorSet(chain),
      ttlMs: options.operatorSetTtlMs ?? TIMING_DEFAULTS.operatorSetTtlMs,
      maxStaleMs: options.operatorSetMaxStaleMs ?? TIMING_DEFAULTS.operatorSetMaxStaleMs,
      onRefreshFailed: (error, staleForMs) => {
        metrics.errorsTotal.inc({ code: "operator_set_refresh_failed" });
        log.warn({ err: error, staleForMs }, "cannot refresh the operator set; serving the last one read");
      },
    });
    if (options.initialOperatorSet !== undefined) operatorSets.prime(options.initialOperatorSet);
    const providers = new ProviderRegistry({
      read: (id) => readDataProvider(chain, id),
      ttlMs: options.providerTtlMs ?? TIMING_DEFAULTS.providerTtlMs,
      maxStaleMs: options.providerMaxStaleMs ?? TIMING_DEFAULTS.providerMaxStaleMs,
      onRefreshFailed: (error, staleForMs) => {
        metrics.errorsTotal.inc({ code: "provider_refresh_failed" });
        log.warn(
          { err: error, staleForMs },
          "cannot refresh a data provider's registry entry; serving the last one read",
        );
      },
    });
    const pushRequestCheck = {
      chain,
      store: options.store,
      confirmations: config.chain.confirmations,
      ...(config.chain.startBlock === undefined ? {} : { startBlock: config.chain.startBlock }),
    };
    const reasonCodes = parseReasonCodes(JSON.parse(model.metadata.reason_codes ?? "{}"), model.featureNames);
    this.context = {
      address: this.address,
      signer,
      now,
      chainId: chain.chainId,
      oracleAddress: chain.oracleAddress,
      domain: scoreReportDomain(chain.chainId, chain.oracleAddress),
      chain: {
        operatorSet: () => operatorSets.get(),
        scorePostedSince: (borrower, fromBlock) => scorePostedSince(chain, borrower, fromBlock),
        checkOpenPushRequest: (claim) => checkOpenPushRequest(claim, pushRequestCheck),
        dataProvider: (id) => providers.get(id),
      },
      peers: config.peers,
      model,
      reasonTexts: new Map(reasonCodes.map((entry) => [entry.code, entry.text])),
      scorer: options.scorer,
      store: options.store,
      log,
      metrics,
      tolerancePdBps: config.quorum.tolerancePdBps,
      cosignHedgeDelayMs: hedgeDelayMsOf(config),
      reportValiditySec: config.report.validitySec,
      applicationMaxAgeSec: config.intake.applicationMaxAgeSec,
      creditFileMaxAgeSec: config.intake.creditFileMaxAgeSec,
      maxClockSkewSec: options.maxClockSkewSec ?? TIMING_DEFAULTS.maxClockSkewSec,
    };
    const peerClient = new HttpPeerClient({
      signer,
      now,
      peerTimeoutMs: options.peerTimeoutMs ?? TIMING_DEFAULTS.peerTimeoutMs,
      coordinateTimeoutMs: options.coordinateTimeoutMs ?? TIMING_DEFAULTS.coordinateTimeoutMs,
    });
    this.cosign = new CosignFlow(this.context, peerClient);
    this.pull = new PullFlow(this.context, peerClient, this.cosign);
    this.push = new PushFlow(this.context, peerClient, this.cosign, {
      submitter: options.submitter,
      leaderTimeoutSec: options.leaderTimeoutSec ?? TIMING_DEFAULTS.leaderTimeoutSec,
    });
  }

  routes(): Route[] {
    return nodeRoutes({ context: this.context, pull: this.pull, cosign: this.cosign, push: this.push });
  }

  /** The on-chain operator set, cached (see OperatorSetCache: stale for a bounded time during an RPC outage). */
  operatorSet(): Promise<OperatorSet> {
    return this.context.chain.operatorSet();
  }

  /** Leads one co-signing round for a request (see `CosignFlow.lead`). */
  lead(input: LeadInput): Promise<ScoreBundle> {
    return this.cosign.lead(input);
  }

  /** One pass of the push loop over the requests the watcher recorded (see `PushFlow.processRequests`). */
  processPushRequests(): Promise<void> {
    return this.push.processRequests();
  }
}
