/**
 * What an honest co-signer refuses to sign, whoever leads (issue 8, finding 1). Node 0 plays the rogue operator:
 * its `lead()` proposes whatever the test hands it, in the round it leads; node 1 is honest. With k = 2 the
 * rogue's signature plus node 1's would be a quorum, and `submitScore` is permissionless, so node 1 must refuse:
 * a push report for a request never made on chain, made by someone else, for another application, or already
 * answered; and any report for an expired application.
 */
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { ChainContext } from "../../oracle/src/chain/index.js";
import { requestKeyFromRequestId, selectLeader } from "../../oracle/src/consensus/index.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import type { StoredApplication } from "../../oracle/src/store/index.js";
import {
  clusterConfigs,
  deployChain,
  postJson,
  signedBody,
  startTestNode,
  type ChainFixture,
} from "./chain-fixture.js";
import { tempDir } from "./helpers.js";

describe("co-signer guards against a rogue leader (2 operators, k = 2)", function () {
  this.timeout(60_000);
  // One clock for both nodes, so a test can let an application expire.
  let clock = Math.floor(Date.now() / 1000);
  let fixture: ChainFixture;
  let nodes: RunningNode[];
  /** Each node's own view of the chain (its provider caches the head for a moment). */
  let chains: ChainContext[];
  let cleanup: () => void;

  before(async () => {
    fixture = await deployChain({ operators: 2, threshold: 2 });
    let dir: string;
    ({ dir, cleanup } = tempDir("cosign-guards"));
    const configs = await clusterConfigs(dir, fixture, 2);
    // No push loop: the test drives the rogue's lead() itself, and no honest leader answers requests meanwhile.
    chains = configs.map(() => fixture.chain());
    nodes = await Promise.all(
      configs.map((config, i) =>
        startTestNode(config, fixture, {
          chain: chains[i]!,
          watch: false,
          timing: {
            peerTimeoutMs: 3_000,
            coordinateTimeoutMs: 8_000,
            leaderTimeoutSec: 8,
            operatorSetTtlMs: 1_000,
            now: () => clock,
          },
        }),
      ),
    );
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.shutdown("test done")));
    cleanup();
  });

  /** A push application of `borrower`, held by both nodes (the receiving node broadcast it). */
  async function pushApplication(borrower: HardhatEthersSigner, expiry = clock + 600): Promise<StoredApplication> {
    const { status, json } = await postJson(`${nodes[0]!.url}/v1/applications`, {
      ...(await signedBody(fixture, borrower, { expiry })),
      flow: "push",
    });
    expect(status, JSON.stringify(json)).to.equal(202);
    expect(nodes[1]!.store.getApplication(json.applicationHash), "node 1 holds it").to.not.equal(undefined);
    return nodes[0]!.store.getApplication(json.applicationHash)!;
  }

  /** Makes a request on chain, and waits (bounded) until the honest node's provider has seen its block. */
  async function requestOnChain(borrower: HardhatEthersSigner, applicationHash: string): Promise<bigint> {
    const receipt = await (await fixture.system.oracle.connect(borrower).requestScore(applicationHash)).wait();
    const [event] = await fixture.system.oracle.queryFilter(
      fixture.system.oracle.filters.ScoreRequested(borrower.address),
      receipt!.blockNumber,
      receipt!.blockNumber,
    );
    const deadline = Date.now() + 5_000;
    while ((await chains[1]!.provider.getBlockNumber()) < receipt!.blockNumber) {
      if (Date.now() > deadline) throw new Error("node 1's provider did not see the request's block within 5 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return event!.args.requestId;
  }

  /** The rogue (node 0) leads a report for `application` in the round it leads; returns the outcome. */
  async function rogueLeads(
    input:
      | { flow: "push"; application: StoredApplication; requestId: bigint }
      | { flow: "pull"; application: StoredApplication },
  ) {
    const requestKey =
      input.flow === "push" ? requestKeyFromRequestId(input.requestId) : input.application.applicationHash;
    const set = await nodes[0]!.node.operatorSet();
    const round = [0, 1].find(
      (r) =>
        selectLeader({ operators: set.operators, requestKey, operatorSetVersion: set.version, round: r }).leader ===
        nodes[0]!.address,
    )!;
    return nodes[0]!.node
      .lead({
        flow: input.flow,
        application: input.application,
        requestKey,
        round,
        ...(input.flow === "push" ? { chainRequestId: input.requestId } : {}),
      })
      .then(
        (bundle) => ({ signed: true as const, bundle }),
        (error: Error & { code?: string }) => ({ signed: false as const, code: error.code, message: error.message }),
      );
  }

  function expectRefused(outcome: Awaited<ReturnType<typeof rogueLeads>>, reason: RegExp) {
    expect(outcome.signed, "the honest peer co-signed").to.equal(false);
    if (outcome.signed) return;
    expect(outcome.code).to.equal("quorum_not_met");
    expect(outcome.message, outcome.message).to.match(reason);
  }

  it("a push report for a request id never made on chain", async () => {
    const application = await pushApplication(fixture.signers[5]!);
    expectRefused(
      await rogueLeads({ flow: "push", application, requestId: 777_777n }),
      /push_request_refused: push request 777777: no such request on chain/,
    );
  });

  it("a push report from another application of the borrower than the one requested", async () => {
    const borrower = fixture.signers[6]!;
    const requested = await pushApplication(borrower);
    const earlier = await pushApplication(borrower);
    const requestId = await requestOnChain(borrower, requested.applicationHash);
    expectRefused(
      await rogueLeads({ flow: "push", application: earlier, requestId }),
      new RegExp(`requested for application ${requested.applicationHash}, not ${earlier.applicationHash}`),
    );
  });

  it("a push report for a request made by someone else", async () => {
    const victim = fixture.signers[7]!;
    const application = await pushApplication(victim);
    // The rogue requests a score for the victim's application from its own address.
    const requestId = await requestOnChain(fixture.signers[8]!, application.applicationHash);
    expectRefused(
      await rogueLeads({ flow: "push", application, requestId }),
      new RegExp(`requested by ${fixture.signers[8]!.address}, not by the application's borrower ${victim.address}`),
    );
  });

  it("a push report for a request already answered; an open one is co-signed, also when read from the watcher's store", async () => {
    const borrower = fixture.signers[9]!;
    const application = await pushApplication(borrower);
    const requestId = await requestOnChain(borrower, application.applicationHash);
    await nodes[1]!.watcher.poll();
    expect(
      nodes[1]!.store.getScoreRequest(requestId),
      "recorded by node 1's watcher: the check reads its store",
    ).to.not.equal(undefined);
    const first = await rogueLeads({ flow: "push", application, requestId });
    expect(first.signed, JSON.stringify(first)).to.equal(true);
    if (!first.signed) return;
    const report = {
      ...first.bundle.report,
      reasonCodes: [...first.bundle.report.reasonCodes] as [number, number, number, number],
      operatorSetVersion: BigInt(first.bundle.report.operatorSetVersion),
      issuedAt: BigInt(first.bundle.report.issuedAt),
      validUntil: BigInt(first.bundle.report.validUntil),
    };
    await (await fixture.system.oracle.submitScore(report, first.bundle.signatures)).wait();
    clock += 31; // past the window in which the rogue would re-collect for its first proposal
    expectRefused(
      await rogueLeads({ flow: "push", application, requestId }),
      /already answered: a score for 0x[0-9a-fA-F]{40} was posted at or after block \d+/,
    );
  });

  it("any report, pull or push, for an application that has expired", async () => {
    const borrower = fixture.signers[10]!;
    const application = await pushApplication(borrower, clock + 60);
    const requestId = await requestOnChain(borrower, application.applicationHash);
    clock += 120;
    expectRefused(await rogueLeads({ flow: "pull", application }), /application_expired|expired at/);
    expectRefused(await rogueLeads({ flow: "push", application, requestId }), /application_expired|expired at/);
    clock -= 120;
  });

  it("an honest push leader gives up on a request whose application expired before it was served", async () => {
    const borrower = fixture.signers[12]!;
    const application = await pushApplication(borrower, clock + 5);
    const requestId = await requestOnChain(borrower, application.applicationHash);
    for (const node of nodes) await node.watcher.poll();
    clock += 6;
    try {
      const set = await nodes[0]!.node.operatorSet();
      const { leader } = selectLeader({
        operators: set.operators,
        requestKey: requestKeyFromRequestId(requestId),
        operatorSetVersion: set.version,
        round: 0,
      });
      const leaderNode = nodes.find((node) => node.address === leader)!;
      await leaderNode.node.processPushRequests();
      expect(leaderNode.store.getScoreRequest(requestId)?.status).to.equal("failed");
      expect(leaderNode.store.listProposals(requestKeyFromRequestId(requestId)), "nothing proposed").to.have.length(0);
    } finally {
      clock -= 6;
    }
  });

  it("a push proposal without its request id is refused as malformed (400), not a crash", async () => {
    const application = await pushApplication(fixture.signers[11]!);
    const outcome = await nodes[0]!.node
      .lead({ flow: "push", application, requestKey: `0x${"00".repeat(31)}01`, round: 0 })
      .then(
        () => "signed",
        (error: Error) => error.message,
      );
    expect(outcome).to.match(/node-1: invalid_peer_payload: a push proposal must name its on-chain requestId/);
  });
});
