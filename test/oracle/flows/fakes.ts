/**
 * In-memory stand-ins for a node's surroundings, so each flow is tested without a chain or a network: a node
 * context over a temporary store and a scripted scorer, and a peer client whose peers can agree, disagree, time
 * out, or answer with bad signatures.
 */
import { getAddress, keccak256, toUtf8Bytes, Wallet, type BaseWallet } from "ethers";

import type { OperatorSet } from "../../../oracle/src/chain/index.js";
import { toReasonCodeSlots } from "../../../oracle/src/consensus/index.js";
import type { PeerConfig } from "../../../oracle/src/config/index.js";
import { verifyApplication } from "../../../oracle/src/intake/index.js";
import { createLogger } from "../../../oracle/src/log/index.js";
import { createMetrics } from "../../../oracle/src/metrics/index.js";
import { intakeContextOf } from "../../../oracle/src/node/applications.js";
import { toSigningReport } from "../../../oracle/src/node/bundles.js";
import type { NodeChainReads, NodeContext } from "../../../oracle/src/node/context.js";
import type { CosignAnswer, ForwardAnswer, PeerClient, PeerFailure } from "../../../oracle/src/node/peer-client.js";
import {
  reportSchema,
  reportToJson,
  type CoordinatePayload,
  type CosignProposal,
  type ScoreBundle,
} from "../../../oracle/src/node/wire.js";
import type { ApplicationScore } from "../../../oracle/src/scoring/index.js";
import { digestSigner, hashScoreReport, packSignatures, scoreReportDomain } from "../../../oracle/src/signing/index.js";
import { openStore } from "../../../oracle/src/store/index.js";
import { featureSchemaHash } from "../../../oracle/src/protocol/credit-file.js";
import { attestedApplicationBody, DEMO_PROVIDER } from "../../../scripts/lib/attested-application.js";
import { GOOD_FEATURES } from "../chain-fixture.js";
import { tempDir } from "../helpers.js";

export const CHAIN_ID = 31337;
export const ORACLE_ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const MODEL_ID = `0x${"ab".repeat(32)}`;
export const DOMAIN = scoreReportDomain(CHAIN_ID, ORACLE_ADDRESS);
export const FEATURE_NAMES = Object.keys(GOOD_FEATURES);
/** The fake model's answer for every application, unless a test scripts another. */
export const DEFAULT_SCORE: ApplicationScore = {
  pdBps: 1234,
  pd: 0.1234,
  reasonCodes: [3, 1],
  reasons: [],
  inferenceMs: 1,
};

/**
 * The fake peers' timeout and the test node's hedge delay: a silent peer is hedged long before it times out, and a
 * timer set later for less fires earlier, so the order of events does not depend on the machine's speed.
 */
export const FAKE_PEER_TIMEOUT_MS = 200;
export const FAKE_HEDGE_DELAY_MS = 20;
/** A "slow" peer's answer time: past the hedge delay, well within the timeout. */
export const FAKE_SLOW_MS = 50;

/** The node's clock at the start of every test (Unix seconds). */
export const START_SEC = 1_800_000_000;

/** Operator keys (fixed, so a failure reproduces); the node under test is operator 0. Up to seven operators. */
export const OPERATOR_WALLETS = [1, 2, 3, 4, 5, 6, 7].map((i) => new Wallet(`0x${i.toString(16).padStart(64, "0")}`));
/** Every other operator as a configured peer; `testNode` configures those of its operator set. */
export const ALL_PEERS: PeerConfig[] = OPERATOR_WALLETS.slice(1).map((wallet, i) => ({
  id: `node-${i + 2}`,
  url: `http://peer-${i + 2}.invalid`,
  address: wallet.address,
}));
/** The peers of the default three-operator node. */
export const PEERS: PeerConfig[] = ALL_PEERS.slice(0, 2);

export interface TestNode {
  context: NodeContext;
  /** Move the node's clock (Unix seconds). */
  clock: { now: number };
  set: OperatorSet;
  /** What the node's chain reads answer; tests replace them. */
  chain: { scorePosted: boolean; pushRequestCheck: NodeChainReads["checkOpenPushRequest"] };
  cleanup(): void;
}

export function testNode(
  options: {
    threshold?: number;
    operators?: number;
    score?: (features: number[]) => ApplicationScore;
    hedgeDelayMs?: number;
  } = {},
): TestNode {
  const { dir, cleanup } = tempDir("flow");
  const clock = { now: START_SEC };
  // One clock for the node and its store, as in start.ts: the push flow compares the store's timestamps with it.
  const store = openStore(`${dir}/store.sqlite`, { now: () => clock.now });
  const wallet = OPERATOR_WALLETS[0]!;
  const set: OperatorSet = {
    version: 1n,
    threshold: options.threshold ?? 2,
    operators: OPERATOR_WALLETS.slice(0, options.operators ?? 3).map((w) => w.address),
  };
  const chain: TestNode["chain"] = {
    scorePosted: false,
    pushRequestCheck: async (claim) => ({
      requestId: claim.requestId,
      borrower: claim.borrower,
      applicationHash: claim.applicationHash,
      blockNumber: 1,
    }),
  };
  const context: NodeContext = {
    address: wallet.address,
    signer: digestSigner(wallet),
    now: () => clock.now,
    chainId: CHAIN_ID,
    oracleAddress: ORACLE_ADDRESS,
    domain: DOMAIN,
    chain: {
      operatorSet: async () => set,
      scorePostedSince: async () => chain.scorePosted,
      checkOpenPushRequest: (claim) => chain.pushRequestCheck(claim),
      // The demo bureau, approved for this schema: the credit-file checks themselves are intake's tests.
      dataProvider: async () => ({
        status: "approved",
        signingKeys: [DEMO_PROVIDER.signer.address],
        schemaHash: featureSchemaHash(FEATURE_NAMES),
      }),
    },
    peers: ALL_PEERS.slice(0, (options.operators ?? 3) - 1),
    model: { modelId: MODEL_ID, featureNames: FEATURE_NAMES },
    reasonTexts: new Map([
      [1, "payment history"],
      [3, "utilisation"],
    ]),
    scorer: async (features) => options.score?.(features) ?? DEFAULT_SCORE,
    store,
    log: createLogger({ nodeId: "node-1", level: "silent" }),
    metrics: createMetrics(),
    tolerancePdBps: 50,
    cosignHedgeDelayMs: options.hedgeDelayMs ?? FAKE_HEDGE_DELAY_MS,
    reportValiditySec: 3600,
    applicationMaxAgeSec: 3600,
    creditFileMaxAgeSec: 30 * 86_400,
    maxClockSkewSec: 60,
  };
  return {
    context,
    clock,
    set,
    chain,
    cleanup: () => {
      store.close();
      cleanup();
    },
  };
}

let nonce = 1n;

/**
 * A borrower-signed application body over a demo-bureau credit file, as the dApp sends it (a fresh nonce each call
 * unless given; the file current as of the tests' start clock).
 */
export async function signedApplication(
  borrower: Wallet,
  options: { expiry: number; nonce?: bigint; fileValidUntil?: number },
): Promise<Record<string, unknown>> {
  const body = await attestedApplicationBody(
    { chainId: CHAIN_ID, verifyingContract: ORACLE_ADDRESS },
    borrower,
    FEATURE_NAMES,
    GOOD_FEATURES,
    {
      nonce: options.nonce ?? nonce++,
      expiry: options.expiry,
      nowSec: START_SEC,
      ...(options.fileValidUntil === undefined ? {} : { file: { validUntil: options.fileValidUntil } }),
    },
  );
  return { ...body };
}

/** How a fake peer answers a co-sign request. */
export type CosignBehaviour =
  "agree" | "slow" | "disagree" | "timeout" | "silent" | "bad_signature" | "garbage_signature";
/** How a fake peer leads a forwarded application. */
export type ForwardBehaviour = "lead" | "down" | "refuse" | "bad_signatures" | "other_file";

const TIMEOUT: PeerFailure = { kind: "unreachable", message: "The operation was aborted due to timeout" };

/**
 * The other operators, in memory. Each peer answers as scripted and at once, except one that times out: it answers
 * `unreachable` after FAKE_PEER_TIMEOUT_MS, or as soon as the leader aborts the request (as fetch does); a silent
 * one only on the abort; a slow one agrees after FAKE_SLOW_MS (or answers the abort).
 */
export class FakePeerClient implements PeerClient {
  readonly cosign = new Map<string, CosignBehaviour>();
  readonly forward = new Map<string, ForwardBehaviour>();
  readonly down = new Set<string>();
  /** Every call, in order: `cosign:<peer id>` (a co-sign request sent), `forward:<id>`, `broadcast:<id>`. */
  readonly calls: string[] = [];
  /** One per co-sign round: the proposal, and the peers asked in it, in order. */
  readonly proposals: CosignProposal[] = [];
  readonly asked: string[][] = [];

  constructor(private readonly node: TestNode) {}

  cosignRequest(proposal: CosignProposal) {
    this.proposals.push(proposal);
    const askedThisRound: string[] = [];
    this.asked.push(askedThisRound);
    return (peer: PeerConfig, signal: AbortSignal): Promise<CosignAnswer> => {
      this.calls.push(`cosign:${peer.id}`);
      askedThisRound.push(peer.address);
      const behaviour = this.behaviour(peer);
      if (behaviour !== "timeout" && behaviour !== "silent" && behaviour !== "slow")
        return Promise.resolve(this.cosignAnswer(peer, proposal));
      return new Promise((resolve) => {
        // A silent peer answers only when the leader gives up on it: a leader that waits for it never finishes.
        const timer =
          behaviour === "timeout"
            ? setTimeout(() => resolve(TIMEOUT), FAKE_PEER_TIMEOUT_MS)
            : behaviour === "slow"
              ? setTimeout(() => resolve(this.cosignAnswer(peer, proposal)), FAKE_SLOW_MS)
              : undefined;
        signal.addEventListener("abort", () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve({ kind: "unreachable", message: "This operation was aborted" });
        });
      });
    };
  }

  async forwardToLeader(leader: PeerConfig, payload: CoordinatePayload): Promise<ForwardAnswer> {
    this.calls.push(`forward:${leader.id}`);
    const behaviour = this.forward.get(leader.address) ?? "lead";
    if (behaviour === "down") return TIMEOUT;
    if (behaviour === "refuse")
      return { kind: "refused", status: 503, code: "quorum_not_met", message: "collected 1 of 2 signatures" };
    // An honest leader's bundle carries its own signature and this node's (k = 2); a faulty one, outsiders'.
    const signers =
      behaviour === "bad_signatures"
        ? [Wallet.createRandom(), Wallet.createRandom()]
        : [walletOf(leader.address), OPERATOR_WALLETS[0]!];
    const { borrower, applicationHash, creditFileHash } = await verifyApplication(
      payload.application,
      intakeContextOf(this.node.context),
    );
    // A leader that lies about the data: k valid signatures over a report naming a file the borrower never sent.
    const fileNamed = behaviour === "other_file" ? keccak256(toUtf8Bytes("another credit file")) : creditFileHash;
    return {
      kind: "bundle",
      body: this.leaderBundle(leader.address, borrower, applicationHash, fileNamed, signers),
    };
  }

  async broadcastApplication(peers: readonly PeerConfig[]) {
    return peers.map((peer) => {
      this.calls.push(`broadcast:${peer.id}`);
      return { peer, failure: this.down.has(peer.address) ? TIMEOUT : undefined };
    });
  }

  private behaviour(peer: PeerConfig): CosignBehaviour {
    return this.down.has(peer.address) ? "timeout" : (this.cosign.get(peer.address) ?? "agree");
  }

  private cosignAnswer(peer: PeerConfig, proposal: CosignProposal): CosignAnswer {
    const digest = hashScoreReport(DOMAIN, toSigningReport(reportSchema.parse(proposal.report)));
    const key = walletOf(peer.address).signingKey;
    switch (this.behaviour(peer)) {
      case "agree":
      case "slow":
        return { kind: "signed", signer: peer.address, signature: key.sign(digest).serialized };
      case "disagree":
        return {
          kind: "refused",
          status: 409,
          code: "proposal_rejected",
          message: "pd_out_of_range: own PD differs by 900 bps",
        };
      case "timeout":
      case "silent":
        return TIMEOUT;
      case "bad_signature":
        return {
          kind: "signed",
          signer: peer.address,
          signature: key.sign(keccak256(toUtf8Bytes("another report"))).serialized,
        };
      case "garbage_signature":
        return { kind: "signed", signer: peer.address, signature: "0x1234" };
    }
  }

  /** The bundle a leader would return for `borrower`, signed by `signers`. */
  private leaderBundle(
    leader: string,
    borrower: string,
    applicationHash: string,
    creditFileHash: string,
    signers: BaseWallet[],
  ): ScoreBundle {
    const issuedAt = BigInt(this.node.clock.now);
    const report = {
      borrower: getAddress(borrower),
      pdBps: DEFAULT_SCORE.pdBps,
      reasonCodes: toReasonCodeSlots(DEFAULT_SCORE.reasonCodes),
      modelId: MODEL_ID,
      operatorSetVersion: this.node.set.version,
      issuedAt,
      validUntil: issuedAt + 3600n,
      creditFileHash,
      provider: DEMO_PROVIDER.id,
    };
    const reportDigest = hashScoreReport(DOMAIN, toSigningReport(report));
    return {
      reportDigest,
      requestKey: applicationHash,
      leader,
      report: reportToJson(report),
      signatures: packSignatures(signers.map((wallet) => wallet.signingKey.sign(reportDigest).serialized)),
      signers: signers.map((wallet) => wallet.address),
      reasons: [],
    };
  }
}

export function walletOf(address: string): Wallet {
  const wallet = OPERATOR_WALLETS.find((w) => w.address === address);
  if (wallet === undefined) throw new Error(`no fake operator ${address}`);
  return wallet;
}
