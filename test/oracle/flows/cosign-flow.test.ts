/** Co-signing, both sides, against in-memory peers: no chain, no network. */
import { expect } from "chai";
import { recoverAddress, Wallet } from "ethers";

import {
  cosignerOrder,
  requestKeyFromRequestId,
  selectLeader,
  toReasonCodeSlots,
} from "../../../oracle/src/consensus/index.js";
import type { VerifiedApplication } from "../../../oracle/src/intake/index.js";
import { storeIfNew, verifySignedApplication } from "../../../oracle/src/node/applications.js";
import { toSigningReport } from "../../../oracle/src/node/bundles.js";
import { CosignFlow } from "../../../oracle/src/node/cosign-flow.js";
import { HEDGE_MIN_SAMPLES } from "../../../oracle/src/node/hedge-delay.js";
import { NodeError } from "../../../oracle/src/node/errors.js";
import { cosignPayloadSchema, reportToJson } from "../../../oracle/src/node/wire.js";
import { hashScoreReport } from "../../../oracle/src/signing/index.js";
import {
  ALL_PEERS,
  DEFAULT_SCORE,
  DOMAIN,
  FAKE_PEER_TIMEOUT_MS,
  FakePeerClient,
  MODEL_ID,
  OPERATOR_WALLETS,
  PEERS,
  signedApplication,
  testNode,
  type TestNode,
} from "./fakes.js";
import { DEMO_PROVIDER } from "../../../scripts/lib/attested-application.js";

const borrower = new Wallet(`0x${"42".repeat(32)}`);

async function rejection(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected a NodeError").to.be.instanceOf(NodeError);
  return error as NodeError;
}

describe("co-sign flow: the leader's side (fake peers)", () => {
  let node: TestNode;
  let peers: FakePeerClient;
  let flow: CosignFlow;
  let application: VerifiedApplication;

  beforeEach(async () => {
    node = testNode();
    peers = new FakePeerClient(node);
    flow = new CosignFlow(node.context, peers);
    application = await verifySignedApplication(
      node.context,
      await signedApplication(borrower, { expiry: node.clock.now + 600 }),
    );
  });
  afterEach(() => node.cleanup());

  const lead = () => flow.lead({ flow: "pull", application, requestKey: application.applicationHash, round: 0 });

  it("reaches k with one peer disagreeing, and the bundle carries exactly k valid signatures", async () => {
    peers.cosign.set(PEERS[0]!.address, "disagree");
    const bundle = await lead();
    expect(bundle.signers).to.deep.equal([OPERATOR_WALLETS[0]!.address, PEERS[1]!.address]);
    expect(bundle.reasons).to.deep.equal([
      { code: 3, text: "utilisation" },
      { code: 1, text: "payment history" },
    ]);
    const stored = node.context.store.listProposals(application.applicationHash);
    expect(stored[0]!.signatures.map((s) => s.signer)).to.deep.equal(bundle.signers);
  });

  it("stops at k: a silent peer is hedged by the next, whose signature completes the quorum", async () => {
    const [first, second] = orderFor(node, application.applicationHash, 0);
    peers.cosign.set(first!, "silent");
    const bundle = await lead();
    expect(bundle.signers).to.deep.equal([OPERATOR_WALLETS[0]!.address, second]);
    expect(peers.asked).to.deep.equal([[first, second]]);
  });

  it("sends the borrower-signed application with the proposal, so a peer verifies it itself", async () => {
    await flow.lead({
      flow: "pull",
      application: node.context.store.getApplication(application.applicationHash) ?? application,
      requestKey: application.applicationHash,
      round: 0,
    });
    expect(peers.proposals[0]!.application?.signature).to.equal(application.signature);
  });

  it("misses the quorum when peers time out or sign something else, and names each", async () => {
    peers.cosign.set(PEERS[0]!.address, "timeout");
    peers.cosign.set(PEERS[1]!.address, "bad_signature");
    const error = await rejection(lead());
    expect(error.code).to.equal("quorum_not_met");
    expect(error.message).to.match(/^collected 1 of 2 signatures/);
    expect(error.message).to.include(`${PEERS[1]!.id}: signature signer_mismatch`);
    expect(error.message).to.include(`${PEERS[0]!.id}: unreachable (The operation was aborted due to timeout)`);
  });

  it("does not count an unparseable signature", async () => {
    peers.cosign.set(PEERS[0]!.address, "garbage_signature");
    peers.cosign.set(PEERS[1]!.address, "disagree");
    const error = await rejection(lead());
    expect(error.message).to.include(`${PEERS[0]!.id}: signature invalid_signature`);
    expect(error.message).to.include(`${PEERS[1]!.id}: proposal_rejected`);
  });

  it("with k = 1 asks no peer", async () => {
    node.set.threshold = 1;
    const bundle = await lead();
    expect(bundle.signers).to.deep.equal([OPERATOR_WALLETS[0]!.address]);
    expect(peers.calls).to.deep.equal([]);
  });

  it("a push retry re-collects for its own earlier proposal instead of proposing anew", async () => {
    const requestKey = requestKeyFromRequestId(7n);
    const push = () => flow.lead({ flow: "push", application, requestKey, round: 0, chainRequestId: 7n });
    for (const peer of PEERS) peers.down.add(peer.address);
    await rejection(push());
    peers.down.clear();
    node.clock.now += 10;
    const bundle = await push();
    const proposals = node.context.store.listProposals(requestKey);
    expect(proposals).to.have.length(1);
    expect(bundle.reportDigest).to.equal(proposals[0]!.reportDigest);
    expect(peers.proposals[1]!.requestId).to.equal("7");
  });
});

/** The co-signers the node under test asks, in order, when it leads `requestKey`'s round `round`. */
function orderFor(node: TestNode, requestKey: string, round: number): string[] {
  return cosignerOrder({
    operators: node.set.operators,
    leader: node.context.address,
    requestKey,
    operatorSetVersion: node.set.version,
    round,
  });
}

describe("co-sign flow: the leader asks only the k − 1 peers it needs (n = 7, k = 5)", () => {
  let node: TestNode;
  let peers: FakePeerClient;
  let flow: CosignFlow;
  let application: VerifiedApplication;
  let order: string[];

  beforeEach(async () => {
    node = testNode({ operators: 7, threshold: 5 });
    peers = new FakePeerClient(node);
    flow = new CosignFlow(node.context, peers);
    application = await verifySignedApplication(
      node.context,
      await signedApplication(borrower, { expiry: node.clock.now + 600 }),
    );
    order = orderFor(node, application.applicationHash, 0);
  });
  afterEach(() => node.cleanup());

  const lead = (requestKey = application.applicationHash, round = 0) =>
    flow.lead({ flow: "pull", application, requestKey, round });
  const signersOf = (bundle: { signers: string[] }) => bundle.signers.slice(1);

  it("asks exactly four peers when they all agree, and the other two stay idle", async () => {
    const bundle = await lead();
    expect(peers.asked).to.deep.equal([order.slice(0, 4)]);
    expect(bundle.signers).to.have.length(5);
    expect(new Set(signersOf(bundle))).to.deep.equal(new Set(order.slice(0, 4)));
  });

  it("a refusal asks exactly one more peer", async () => {
    peers.cosign.set(order[1]!, "disagree");
    const bundle = await lead();
    expect(peers.asked).to.deep.equal([order.slice(0, 5)]);
    expect(new Set(signersOf(bundle))).to.deep.equal(new Set([order[0], order[2], order[3], order[4]]));
  });

  it("a signature that does not count asks exactly one more peer", async () => {
    peers.cosign.set(order[0]!, "bad_signature");
    await lead();
    expect(peers.asked).to.deep.equal([order.slice(0, 5)]);
  });

  it("a silent peer asks exactly one more after the hedge delay, and its abort asks no one else", async () => {
    peers.cosign.set(order[2]!, "silent");
    const bundle = await lead();
    expect(peers.asked).to.deep.equal([order.slice(0, 5)]);
    expect(signersOf(bundle)).to.not.include(order[2]);
  });

  it("hedges peers that are all slow only until it has seen them answer that slowly, then asks exactly four", async () => {
    for (const address of order) peers.cosign.set(address, "slow");
    // Each early round hedges all four asked peers after the configured 20 ms and so asks all six; every answer
    // teaches the node that peers take ~50 ms. Bounded: the delay adapts after HEDGE_MIN_SAMPLES answers.
    const rounds = Math.ceil(HEDGE_MIN_SAMPLES / 4) + 1;
    for (let i = 0; i < rounds; i++) await lead();
    expect(peers.asked[0]).to.deep.equal(order);
    expect(peers.asked.at(-1)).to.deep.equal(order.slice(0, 4));
  });

  it("still hedges a silent peer at the configured delay once it has seen the others answer", async () => {
    for (let i = 0; i < Math.ceil(HEDGE_MIN_SAMPLES / 4) + 1; i++) await lead();
    peers.cosign.set(order[1]!, "silent");
    const bundle = await lead();
    expect(peers.asked.at(-1)).to.deep.equal(order.slice(0, 5));
    expect(signersOf(bundle)).to.not.include(order[1]);
  });

  it("with a hedge delay longer than the peer timeout, the timeout itself asks exactly one more", async () => {
    node.context.cosignHedgeDelayMs = 10 * FAKE_PEER_TIMEOUT_MS;
    peers.cosign.set(order[3]!, "timeout");
    await lead();
    expect(peers.asked).to.deep.equal([order.slice(0, 5)]);
  });

  it("fails with quorum_not_met once fewer peers remain than signatures are missing, asking none twice", async () => {
    peers.cosign.set(order[0]!, "disagree");
    peers.cosign.set(order[1]!, "timeout");
    peers.cosign.set(order[4]!, "garbage_signature");
    const error = await rejection(lead());
    expect(error.code).to.equal("quorum_not_met");
    expect(error.message).to.match(/^collected 4 of 5 signatures/);
    expect(error.message).to.include(`${idOf(order[0]!)}: proposal_rejected`);
    expect(error.message).to.include(`${idOf(order[4]!)}: signature invalid_signature`);
    const asked = peers.asked[0]!;
    expect(new Set(asked).size, "no peer asked twice").to.equal(asked.length);
    expect(asked).to.have.length(6);
  });

  it("fails at once, asking no one, when fewer than k − 1 peers are configured", async () => {
    node.context.peers = ALL_PEERS.slice(0, 3);
    const error = await rejection(lead());
    expect(error.code).to.equal("quorum_not_met");
    expect(error.message).to.include("only 3 peer(s) to ask for the 4 missing signature(s)");
    expect(peers.calls).to.deep.equal([]);
  });

  it("never asks a peer twice, whatever mix of refusals, silences and bad signatures", async () => {
    const behaviours = ["disagree", "timeout", "bad_signature", "agree", "garbage_signature", "agree"] as const;
    for (let shift = 0; shift < 6; shift++) {
      peers.cosign.clear();
      order.forEach((address, i) => peers.cosign.set(address, behaviours[(i + shift) % 6]!));
      await lead().catch((error: unknown) => expect((error as NodeError).code).to.equal("quorum_not_met"));
      const asked = peers.asked.at(-1)!;
      expect(new Set(asked).size, `shift ${shift}: ${asked.join(",")}`).to.equal(asked.length);
    }
  });

  it("different requests and rounds ask different peers, and every peer does a share", async () => {
    const sets = new Set<string>();
    const perPeer = new Map<string, number>();
    for (let i = 0; i < 24; i++) {
      await lead(requestKeyFromRequestId(BigInt(1_000 + i)), i % 3);
      const asked = peers.asked.at(-1)!;
      expect(asked).to.have.length(4);
      sets.add([...asked].sort().join(","));
      for (const address of asked) perPeer.set(address, (perPeer.get(address) ?? 0) + 1);
    }
    expect(sets.size, "distinct sets of asked peers").to.be.greaterThan(2);
    expect([...perPeer.keys()].sort()).to.deep.equal([...order].sort());
  });
});

function idOf(address: string): string {
  return ALL_PEERS.find((peer) => peer.address === address)!.id;
}

describe("co-sign flow: the peer's side", () => {
  let node: TestNode;
  let flow: CosignFlow;

  beforeEach(() => {
    node = testNode();
    flow = new CosignFlow(node.context, new FakePeerClient(node));
  });
  afterEach(() => node.cleanup());

  /** A proposal for a fresh application as the round's leader would send it; `pdBps` and sender are the test's. */
  async function proposal(
    options: {
      pdBps?: number;
      expiry?: number;
      flow?: "pull" | "push";
      requestId?: bigint;
      withApplication?: boolean;
      stored?: boolean;
      fileValidUntil?: number;
    } = {},
  ) {
    const raw = await signedApplication(borrower, {
      expiry: options.expiry ?? node.clock.now + 600,
      ...(options.fileValidUntil === undefined ? {} : { fileValidUntil: options.fileValidUntil }),
    });
    const verified = await verifySignedApplication(node.context, raw);
    const { applicationHash } = verified;
    if (options.stored === true) storeIfNew(node.context, verified);
    const requestKey = options.requestId === undefined ? applicationHash : requestKeyFromRequestId(options.requestId);
    const { leader } = selectLeader({
      operators: node.set.operators,
      requestKey,
      operatorSetVersion: node.set.version,
      round: 0,
    });
    const issuedAt = BigInt(node.clock.now);
    const report = {
      borrower: borrower.address,
      pdBps: options.pdBps ?? DEFAULT_SCORE.pdBps,
      reasonCodes: toReasonCodeSlots(DEFAULT_SCORE.reasonCodes),
      modelId: MODEL_ID,
      operatorSetVersion: node.set.version,
      issuedAt,
      validUntil: issuedAt + 3600n,
      creditFileHash: verified.creditFileHash,
      provider: DEMO_PROVIDER.id,
    };
    const payload = cosignPayloadSchema.parse({
      flow: options.flow ?? "pull",
      requestKey,
      round: 0,
      applicationHash,
      ...(options.requestId === undefined ? {} : { requestId: options.requestId.toString() }),
      ...(options.withApplication === false ? {} : { application: raw }),
      report: reportToJson(report),
    });
    return { leader, payload, digest: hashScoreReport(DOMAIN, toSigningReport(report)) };
  }

  it("refuses a proposal that fails a rule needing no score before it spends an inference on it", async () => {
    let scored = 0;
    const scorer = node.context.scorer;
    node.context.scorer = (features) => {
      scored += 1;
      return scorer(features);
    };
    const wrongLeader = await proposal();
    const outsider = OPERATOR_WALLETS.find((w) => w.address !== wrongLeader.leader)!.address;
    const error = await rejection(flow.cosign(outsider, wrongLeader.payload));
    expect(error.message).to.match(/^wrong_leader: /);
    const stale = await proposal();
    node.clock.now += 3_600;
    expect((await rejection(flow.cosign(stale.leader, stale.payload))).code).to.equal("application_expired");
    expect(scored, "no inference for a refused proposal").to.equal(0);
    node.clock.now -= 3_600;
    const fine = await proposal();
    await flow.cosign(fine.leader, fine.payload);
    expect(scored, "one inference for a proposal that passed the other rules").to.equal(1);
  });

  it("signs a proposal within the tolerance from the round's leader, over the report's digest", async () => {
    const { leader, payload, digest } = await proposal({ pdBps: DEFAULT_SCORE.pdBps + 50 });
    const answer = await flow.cosign(leader, payload);
    expect(answer.reportDigest).to.equal(digest);
    expect(recoverAddress(digest, answer.signature)).to.equal(node.context.address);
  });

  it("refuses a PD beyond the tolerance, and a proposal from anyone but the round's leader", async () => {
    const far = await proposal({ pdBps: DEFAULT_SCORE.pdBps + 51 });
    const error = await rejection(flow.cosign(far.leader, far.payload));
    expect(error.code).to.equal("proposal_rejected");
    expect(error.message).to.match(/^pd_disagreement: leader pdBps 1285 vs own 1234/);
    const fresh = await proposal();
    const impostor = node.set.operators.find((operator) => operator !== fresh.leader)!;
    const wrong = await rejection(flow.cosign(impostor, fresh.payload));
    expect(wrong.code).to.equal("proposal_rejected");
    expect(wrong.message).to.match(/^wrong_leader/);
  });

  it("refuses an expired application, a push proposal without its request id, and one it cannot find", async () => {
    const expired = await proposal({ expiry: node.clock.now + 5 });
    node.clock.now += 10;
    expect((await rejection(flow.cosign(expired.leader, expired.payload))).code).to.equal("application_expired");
    node.clock.now -= 10;
    const expiredStored = await proposal({ expiry: node.clock.now + 5, withApplication: false, stored: true });
    node.clock.now += 10;
    expect(
      (await rejection(flow.cosign(expiredStored.leader, expiredStored.payload))).code,
      "the stored copy expired too",
    ).to.equal("application_expired");
    node.clock.now -= 10;
    // The stored copy's file stops being vouched for before the application expires: refused from that second on.
    const fileEnds = await proposal({ fileValidUntil: node.clock.now + 5, withApplication: false, stored: true });
    node.clock.now += 5;
    const lastSecond = await flow.cosign(fileEnds.leader, fileEnds.payload);
    expect(lastSecond.signer, "vouched for until validUntil inclusive").to.equal(node.context.address);
    node.clock.now += 1;
    const afterFile = await rejection(flow.cosign(fileEnds.leader, fileEnds.payload));
    expect(afterFile.code).to.equal("application_expired");
    expect(afterFile.message).to.match(
      /^creditFile\.validUntil: the provider vouched for application 0x[0-9a-f]{64}'s file until/,
    );
    node.clock.now -= 6;

    const push = await proposal({ flow: "push" });
    expect((await rejection(flow.cosign(push.leader, push.payload))).code).to.equal("invalid_peer_payload");

    const unknown = await proposal({ withApplication: false });
    expect((await rejection(flow.cosign(unknown.leader, unknown.payload))).code).to.equal("unknown_application");
  });

  it("signs a push report only once the chain check passes", async () => {
    node.chain.pushRequestCheck = async (claim) => {
      throw new NodeError("push_request_refused", `push request ${claim.requestId}: already answered`);
    };
    const refused = await proposal({ flow: "push", requestId: 9n });
    expect((await rejection(flow.cosign(refused.leader, refused.payload))).code).to.equal("push_request_refused");
    expect(node.context.store.listProposals(refused.payload.requestKey), "nothing signed").to.have.length(0);
  });
});
