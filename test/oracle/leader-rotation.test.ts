/**
 * Pull-flow forwarding past a faulty leader: whatever the round's leader does wrong (a clock beyond the tolerated
 * skew, a 4xx it makes up, a bundle that does not check out), the receiving node tries the next round's leader;
 * it is never the borrower's error. And a node whose clock drifts from the chain's says so on /health.
 */
import { createServer, type Server } from "node:http";

import { expect } from "chai";

import type { NodeConfig } from "../../oracle/src/config/index.js";
import { selectLeader } from "../../oracle/src/consensus/index.js";
import { hashApplication, hashApplicationFeatures } from "../../oracle/src/intake/index.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import {
  clusterConfigs,
  deployChain,
  GOOD_FEATURES,
  postJson,
  signedBody,
  startTestNode,
  type ChainFixture,
} from "./chain-fixture.js";
import { tempDir } from "./helpers.js";

const TIMING = { peerTimeoutMs: 3_000, coordinateTimeoutMs: 8_000, leaderTimeoutSec: 8, operatorSetTtlMs: 1_000 };
const CLOCK_AHEAD_SEC = 120;

describe("pull-flow forwarding past a faulty leader (3 operators, k = 2)", function () {
  this.timeout(60_000);
  let fixture: ChainFixture;
  let configs: NodeConfig[];
  let honest: RunningNode[];
  let cleanup: () => void;

  before(async () => {
    fixture = await deployChain();
    let dir: string;
    ({ dir, cleanup } = tempDir("leader-rotation"));
    configs = await clusterConfigs(dir, fixture);
    honest = await Promise.all(configs.slice(0, 2).map((config) => startTestNode(config, fixture)));
  });

  after(async () => {
    await Promise.all(honest.map((node) => node.shutdown("test done")));
    cleanup();
  });

  /** A signed application whose round-0 leader is operator 2 (found by trying nonces; each has a 1/3 chance). */
  async function applicationLedByOperator2(signerIndex: number) {
    const borrower = fixture.signers[signerIndex]!;
    const set = await honest[0]!.node.operatorSet();
    for (let attempt = 0; attempt < 60; attempt++) {
      const body = await signedBody(fixture, borrower);
      const applicationHash = hashApplication(
        { chainId: fixture.chainId, verifyingContract: fixture.oracleAddress },
        {
          borrower: borrower.address,
          featuresHash: hashApplicationFeatures(Object.keys(GOOD_FEATURES), body.features as Record<string, number>),
          nonce: BigInt(body.nonce),
          expiry: body.expiry,
        },
      );
      const { leader } = selectLeader({
        operators: set.operators,
        requestKey: applicationHash,
        operatorSetVersion: set.version,
        round: 0,
      });
      if (leader === fixture.operators[2]!.address) return body;
    }
    throw new Error("no application led by operator 2 in 60 tries");
  }

  async function expectScoredByTheHonestTwo(signerIndex: number) {
    const { status, json } = await postJson(
      `${honest[0]!.url}/v1/applications`,
      await applicationLedByOperator2(signerIndex),
    );
    expect(status, JSON.stringify(json)).to.equal(201);
    expect(json.signers).to.have.members([honest[0]!.address, honest[1]!.address]);
  }

  /** Operator 2's port answered by a stand-in that lies to forwarded applications and co-signs nothing. */
  async function withFakeOperator2(answer: { status: number; body: unknown }, run: () => Promise<void>) {
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const { status, body } =
          req.url === "/v1/peer/coordinate"
            ? answer
            : { status: 503, body: { error: { code: "down", message: "down" } } };
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(configs[2]!.listen.port, "127.0.0.1", resolve));
    try {
      await run();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it("a leader that answers with a made-up 4xx: the next round's leader scores it", async () => {
    await withFakeOperator2(
      { status: 409, body: { error: { code: "replayed_nonce", message: "nonce: 1 was already used" } } },
      () => expectScoredByTheHonestTwo(5),
    );
  });

  it("a leader that returns a bundle that does not check out: the next round's leader scores it", async () => {
    const bogus = {
      reportDigest: `0x${"11".repeat(32)}`,
      requestKey: `0x${"22".repeat(32)}`,
      leader: fixture.operators[2]!.address,
      report: {},
      signatures: "0x",
      signers: [],
      reasons: [],
    };
    await withFakeOperator2({ status: 201, body: bogus }, () => expectScoredByTheHonestTwo(6));
  });

  describe("a leader whose clock is 120 s ahead (beyond the 60 s tolerance)", () => {
    let skewed: RunningNode;
    before(async () => {
      skewed = await startTestNode(configs[2]!, fixture, {
        timing: { ...TIMING, now: () => Math.floor(Date.now() / 1000) + CLOCK_AHEAD_SEC },
      });
    });
    after(() => skewed.shutdown("test done"));

    it("refuses forwarded applications (401 peer_unauthorized), and the next round's leader scores them", async () => {
      await expectScoredByTheHonestTwo(7);
    });

    it("reports degraded /health (503) naming the drift once it sees a new block; the honest nodes stay ok", async () => {
      const [sender] = fixture.signers;
      await (await sender!.sendTransaction({ to: sender!.address, value: 0n })).wait();
      const deadline = Date.now() + 5_000;
      let health: any;
      for (;;) {
        const response = await fetch(`${skewed.url}/health`, { signal: AbortSignal.timeout(3_000) });
        health = await response.json();
        if (response.status === 503 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(health.status, JSON.stringify(health)).to.equal("degraded");
      expect(health.clock.problem).to.match(
        /this node's clock is at least \d+ s ahead of the chain's \(tolerance 60 s\)/,
      );
      for (const node of honest) {
        const response = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(3_000) });
        expect(response.status, node.url).to.equal(200);
      }
    });
  });
});
