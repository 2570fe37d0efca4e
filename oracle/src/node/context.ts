/**
 * What every flow of one node shares: its identity and key, clock, settings, model, store and the few chain reads
 * the flows make. The coordinator (`oracle-node.ts`) builds it from the node's config and chain connection; unit
 * tests build it from fakes, so no flow needs a chain or a network to be tested.
 */
import type { OperatorSet } from "../chain/index.js";
import type { PeerConfig } from "../config/index.js";
import type { Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import type { CreditModel } from "../model/index.js";
import type { ApplicationScorer } from "../scoring/index.js";
import type { ProviderLookup } from "../intake/index.js";
import type { DigestSigner, ScoreReportDomain } from "../signing/index.js";
import type { OracleStore, ScoreRequest } from "../store/index.js";

/** The chain as the flows see it; each call has its own timeout and throws when the chain cannot be read. */
export interface NodeChainReads {
  /** The on-chain operator set (cached: stale for a bounded time during an RPC outage). */
  operatorSet(): Promise<OperatorSet>;
  /** Whether a score for `borrower` was posted at or after `fromBlock`. */
  scorePostedSince(borrower: string, fromBlock: number): Promise<boolean>;
  /**
   * The open push request the borrower made for the application; throws NodeError `push_request_refused`, or
   * ChainUnavailableError when the chain cannot be read (see `push-request-check.ts`).
   */
  checkOpenPushRequest(claim: { requestId: bigint; borrower: string; applicationHash: string }): Promise<ScoreRequest>;
  /** A data provider's registry entry (cached: stale for a bounded time during an RPC outage). */
  dataProvider: ProviderLookup;
}

export interface NodeContext {
  /** This node's operator address, checksummed. */
  address: string;
  signer: DigestSigner;
  /** Unix seconds. */
  now: () => number;
  chainId: bigint | number;
  oracleAddress: string;
  domain: ScoreReportDomain;
  chain: NodeChainReads;
  peers: readonly PeerConfig[];
  model: Pick<CreditModel, "modelId" | "featureNames">;
  /** The reason codes' adverse-action texts, returned with a bundle. */
  reasonTexts: ReadonlyMap<number, string>;
  scorer: ApplicationScorer;
  store: OracleStore;
  log: Logger;
  metrics: Pick<OracleMetrics, "errorsTotal" | "inferenceDurationSeconds">;
  /**
   * How long a leader waits for an asked peer before asking the next one as well (it asks only k − 1 peers, and
   * one more for each that refuses, fails or stays silent this long).
   */
  cosignHedgeDelayMs: number;
  /** PD difference (bps) within which a peer co-signs the leader's report. */
  tolerancePdBps: number;
  reportValiditySec: number;
  applicationMaxAgeSec: number;
  /** Oldest acceptable credit file: its `asOf` at most this many seconds ago. */
  creditFileMaxAgeSec: number;
  /** Clock difference tolerated between operators (report issuedAt, peer envelopes, application expiry). */
  maxClockSkewSec: number;
}
