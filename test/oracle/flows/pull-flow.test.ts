/** The pull flow against in-memory peers: leader rotation, forwarding, checked bundles. */
import { expect } from "chai";
import { Wallet } from "ethers";

import { selectLeader } from "../../../oracle/src/consensus/index.js";
import { IntakeError } from "../../../oracle/src/intake/index.js";
import { verifySignedApplication } from "../../../oracle/src/node/applications.js";
import { CosignFlow } from "../../../oracle/src/node/cosign-flow.js";
import { NodeError } from "../../../oracle/src/node/errors.js";
import { PullFlow } from "../../../oracle/src/node/pull-flow.js";
import { FakePeerClient, OPERATOR_WALLETS, PEERS, signedApplication, testNode, type TestNode } from "./fakes.js";

const borrower = new Wallet(`0x${"43".repeat(32)}`);

describe("pull flow (fake peers)", () => {
  let node: TestNode;
  let peers: FakePeerClient;
  let flow: PullFlow;

  beforeEach(() => {
    node = testNode();
    peers = new FakePeerClient(node);
    flow = new PullFlow(node.context, peers, new CosignFlow(node.context, peers));
  });
  afterEach(() => node.cleanup());

  /** A signed application whose leaders, round by round, satisfy `wanted` (tries nonces until one does). */
  async function applicationLedBy(wanted: (leaders: string[]) => boolean) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const raw = await signedApplication(borrower, { expiry: node.clock.now + 600 });
      const { applicationHash } = await verifySignedApplication(node.context, raw);
      const leaders = [0, 1, 2].map(
        (round) =>
          selectLeader({
            operators: node.set.operators,
            requestKey: applicationHash,
            operatorSetVersion: node.set.version,
            round,
          }).leader,
      );
      if (wanted(leaders)) return { raw, applicationHash, leaders };
    }
    throw new Error("no application with the wanted leaders in 200 nonces");
  }
  const self = OPERATOR_WALLETS[0]!.address;
  const peerId = (address: string) => PEERS.find((peer) => peer.address === address)!.id;

  it("leads a round it is the leader of, and keeps the bundle for GET /v1/scores", async () => {
    const { raw } = await applicationLedBy((leaders) => leaders[0] === self);
    const logFields: Record<string, unknown> = {};
    const bundle = await flow.submit(raw, "req-1", logFields);
    expect(bundle.leader).to.equal(self);
    expect(logFields.leader).to.equal("self");
    expect(peers.calls.some((call) => call.startsWith("forward:"))).to.equal(false);
    expect(await flow.latestBundle(borrower.address)).to.deep.equal(bundle);
  });

  it("forwards past a leader that is down to the next round's, checks its bundle and keeps a copy", async () => {
    const { raw, leaders } = await applicationLedBy((l) => l[0] !== self && l[1] !== self);
    peers.forward.set(leaders[0]!, "down");
    const logFields: Record<string, unknown> = {};
    const bundle = await flow.submit(raw, "req-2", logFields);
    expect(peers.calls).to.deep.equal([`forward:${peerId(leaders[0]!)}`, `forward:${peerId(leaders[1]!)}`]);
    expect(bundle.leader).to.equal(leaders[1]);
    expect(logFields.leader).to.equal(peerId(leaders[1]!));
    expect((await flow.latestBundle(borrower.address)).reportDigest).to.equal(bundle.reportDigest);
  });

  it("never hands the borrower a bundle without k operators' signatures: the next round leads instead", async () => {
    const { raw, leaders } = await applicationLedBy((l) => l[0] !== self && l[1] === self);
    peers.forward.set(leaders[0]!, "bad_signatures");
    const bundle = await flow.submit(raw, "req-3");
    expect(bundle.leader, "this node led round 1").to.equal(self);
  });

  it("refuses a leader's validly signed bundle that names another credit file: the next round leads instead", async () => {
    const { raw, leaders } = await applicationLedBy((l) => l[0] !== self && l[1] === self);
    peers.forward.set(leaders[0]!, "other_file");
    const bundle = await flow.submit(raw, "req-5");
    expect(bundle.leader, "this node led round 1").to.equal(self);
  });

  it("answers no_leader_available naming every round's failure when no round produces a bundle", async () => {
    const { raw, leaders } = await applicationLedBy((l) => l[0] !== self && l[1] !== self);
    peers.forward.set(leaders[0]!, "refuse");
    peers.forward.set(leaders[1]!, "bad_signatures");
    for (const peer of PEERS) peers.cosign.set(peer.address, "disagree");
    const error = await flow.submit(raw, "req-4").then(
      () => undefined,
      (e: unknown) => e as NodeError,
    );
    expect(error).to.be.instanceOf(NodeError);
    expect(error!.code).to.equal("no_leader_available");
    expect(error!.message).to.include(
      `round 0 (${leaders[0]}): leader ${peerId(leaders[0]!)} answered 503 quorum_not_met`,
    );
    expect(error!.message).to.include(
      `round 1 (${leaders[1]}): the leader's bundle does not carry 2 valid signatures of distinct operators`,
    );
    expect(error!.message).to.include(`round 2 (${self}): collected 1 of 2 signatures`);
  });

  it("claims the nonce on arrival: the same application again is a replay", async () => {
    const { raw } = await applicationLedBy((leaders) => leaders[0] === self);
    await flow.submit(raw, "req-5");
    const error = await flow.submit(raw, "req-6").then(
      () => undefined,
      (e: unknown) => e as IntakeError,
    );
    expect(error).to.be.instanceOf(IntakeError);
    expect(error!.code).to.equal("replayed_nonce");
  });

  it("refuses a forwarded application for a round this node does not lead", async () => {
    const { raw, leaders } = await applicationLedBy((l) => l[0] !== self);
    const error = await flow.coordinateForwarded(PEERS[0]!.address, { round: 0, application: raw }, "req-7").then(
      () => undefined,
      (e: unknown) => e as NodeError,
    );
    expect(error?.code).to.equal("not_leader");
    expect(error?.message).to.include(leaders[0]);
  });

  it("answers an application it already led to a quorum with the same bundle, asking no peer again", async () => {
    const { raw } = await applicationLedBy((l) => l[0] === self);
    const first = await flow.coordinateForwarded(PEERS[0]!.address, { round: 0, application: raw }, "req-8");
    node.clock.now += 5;
    const again = await flow.coordinateForwarded(PEERS[1]!.address, { round: 0, application: raw }, "req-9");
    expect(again).to.deep.equal(first);
    expect(peers.proposals, "one co-sign round").to.have.length(1);
  });

  it("has no bundle for a borrower it never scored", async () => {
    const error = await flow.latestBundle(Wallet.createRandom().address).then(
      () => undefined,
      (e: unknown) => e as NodeError,
    );
    expect(error?.code).to.equal("not_found");
  });
});
