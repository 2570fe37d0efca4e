/** The push flow against in-memory peers and a scripted chain. */
import { expect } from "chai";
import { Wallet } from "ethers";

import { SCORE_REQUESTED_STREAM } from "../../../oracle/src/chain/index.js";
import { requestKeyFromRequestId, selectLeader } from "../../../oracle/src/consensus/index.js";
import { CosignFlow } from "../../../oracle/src/node/cosign-flow.js";
import { PushFlow } from "../../../oracle/src/node/push-flow.js";
import type { Submission } from "../../../oracle/src/store/index.js";
import { FakePeerClient, OPERATOR_WALLETS, PEERS, signedApplication, testNode, type TestNode } from "./fakes.js";

const borrower = new Wallet(`0x${"44".repeat(32)}`);
const LEADER_TIMEOUT_SEC = 30;

describe("push flow (fake peers, scripted chain)", () => {
  let node: TestNode;
  let peers: FakePeerClient;
  let flow: PushFlow;
  let submitted: string[];

  beforeEach(() => {
    node = testNode();
    peers = new FakePeerClient(node);
    submitted = [];
    const submitter = {
      submit: async (reportDigest: string): Promise<Submission> => {
        submitted.push(reportDigest);
        const at = node.clock.now;
        return {
          reportDigest,
          status: "confirmed",
          txHash: null,
          txNonce: null,
          attempts: 1,
          lastError: null,
          confirmedBy: "self",
          createdAt: at,
          updatedAt: at,
        };
      },
    };
    flow = new PushFlow(node.context, peers, new CosignFlow(node.context, peers), {
      submitter,
      leaderTimeoutSec: LEADER_TIMEOUT_SEC,
    });
  });
  afterEach(() => node.cleanup());

  it("stores the application and hands it to every peer; a peer that is down is left out of distributedTo", async () => {
    peers.down.add(PEERS[1]!.address);
    const accepted = await flow.submit(await signedApplication(borrower, { expiry: node.clock.now + 600 }), "req-1");
    expect(accepted.borrower).to.equal(borrower.address);
    expect(accepted.distributedTo).to.deep.equal([PEERS[0]!.id]);
    expect(peers.calls).to.deep.equal(PEERS.map((peer) => `broadcast:${peer.id}`));
    expect(node.context.store.getApplication(accepted.applicationHash)).to.not.equal(undefined);
  });

  it("keeps a peer's broadcast once: stored the first time, known the second", async () => {
    const raw = await signedApplication(borrower, { expiry: node.clock.now + 600 });
    expect((await flow.receivePeerApplication(PEERS[0]!.address, raw)).stored).to.equal(true);
    expect((await flow.receivePeerApplication(PEERS[1]!.address, raw)).stored).to.equal(false);
  });

  /** A request recorded by the watcher for a fresh application, and the round (by waiting time) this node leads. */
  async function requestLedByThisNode(requestId: bigint, expiry = node.clock.now + 600, fileValidUntil?: number) {
    const raw = await signedApplication(borrower, {
      expiry,
      ...(fileValidUntil === undefined ? {} : { fileValidUntil }),
    });
    const { applicationHash } = await flow.receivePeerApplication(PEERS[0]!.address, raw);
    node.context.store.recordScoreRequests(
      SCORE_REQUESTED_STREAM,
      [{ requestId, borrower: borrower.address, applicationHash, blockNumber: 5 }],
      5,
    );
    const requestKey = requestKeyFromRequestId(requestId);
    const round = [0, 1, 2].find(
      (r) =>
        selectLeader({ operators: node.set.operators, requestKey, operatorSetVersion: node.set.version, round: r })
          .leader === OPERATOR_WALLETS[0]!.address,
    )!;
    node.clock.now += round * LEADER_TIMEOUT_SEC;
    return { requestKey };
  }

  it("leads the request in its round: k signatures, one submission, the request marked submitted", async () => {
    const { requestKey } = await requestLedByThisNode(11n);
    await flow.processRequests();
    const [proposal] = node.context.store.listProposals(requestKey);
    expect(submitted).to.deep.equal([proposal!.reportDigest]);
    expect(node.context.store.getScoreRequest(11n)?.status).to.equal("submitted");
  });

  it("marks a request done without leading once the chain holds a newer score", async () => {
    const { requestKey } = await requestLedByThisNode(12n);
    node.chain.scorePosted = true;
    await flow.processRequests();
    expect(node.context.store.getScoreRequest(12n)?.status).to.equal("submitted");
    expect(node.context.store.listProposals(requestKey)).to.have.length(0);
    expect(submitted).to.deep.equal([]);
  });

  it("gives up on a request whose application expired, and keeps going when peers do not answer", async () => {
    await requestLedByThisNode(13n, node.clock.now + 5);
    node.clock.now += 6;
    await flow.processRequests();
    expect(node.context.store.getScoreRequest(13n)?.status).to.equal("failed");

    for (const peer of PEERS) peers.down.add(peer.address);
    await requestLedByThisNode(14n);
    await flow.processRequests();
    expect(node.context.store.getScoreRequest(14n)?.status, "retried on the next pass").to.equal("pending");
  });

  it("gives up on a request whose credit file its provider stopped vouching for, before the application expires", async () => {
    const fileValidUntil = node.clock.now + 5;
    const { requestKey } = await requestLedByThisNode(15n, node.clock.now + 600, fileValidUntil);
    node.clock.now = Math.max(node.clock.now, fileValidUntil + 1);
    await flow.processRequests();
    expect(node.context.store.getScoreRequest(15n)?.status).to.equal("failed");
    expect(node.context.store.listProposals(requestKey), "nothing proposed on a lapsed file").to.have.length(0);
    expect(submitted).to.deep.equal([]);
  });
});
