/**
 * An RPC outage, as the pull flow sees it: the last operator set read is served for a bounded time (operators
 * keep scoring); beyond it an application gets 503 naming the cause at once, not a 500 after the RPC timeout.
 */
import { expect } from "chai";

import type { RunningNode } from "../../oracle/src/node/index.js";
import {
  clusterConfigs,
  deployChain,
  postJson,
  RpcOutage,
  signedBody,
  startTestNode,
  type ChainFixture,
} from "./chain-fixture.js";
import { tempDir } from "./helpers.js";

const RPC_TIMEOUT_MS = 1_000;
const TTL_MS = 1_000;
/** Long enough that the first test's application lands inside it on a loaded machine (no wall-clock assert). */
const MAX_STALE_MS = 8_000;

describe("pull flow during an RPC outage (3 nodes, k = 2)", function () {
  this.timeout(90_000);
  const outage = new RpcOutage();
  let fixture: ChainFixture;
  let nodes: RunningNode[];
  let cleanup: () => void;

  before(async () => {
    fixture = await deployChain();
    let dir: string;
    ({ dir, cleanup } = tempDir("rpc-outage"));
    const configs = await clusterConfigs(dir, fixture);
    nodes = await Promise.all(
      configs.map((config) =>
        startTestNode(config, fixture, {
          chain: fixture.chain(RPC_TIMEOUT_MS, outage),
          timing: {
            peerTimeoutMs: 3_000,
            coordinateTimeoutMs: 8_000,
            leaderTimeoutSec: 8,
            operatorSetTtlMs: TTL_MS,
            operatorSetMaxStaleMs: MAX_STALE_MS,
            providerTtlMs: TTL_MS,
            providerMaxStaleMs: MAX_STALE_MS,
          },
        }),
      ),
    );
    // Each node reads the data provider's registry entry once before the outage, as it would in service.
    for (const [i, node] of nodes.entries()) {
      const { status, json } = await postJson(
        `${node.url}/v1/applications`,
        await signedBody(fixture, fixture.signers[15 + i]!),
      );
      expect(status, JSON.stringify(json)).to.equal(201);
    }
  });

  after(async () => {
    outage.end();
    await Promise.all(nodes.map((node) => node.shutdown("test done")));
    cleanup();
  });

  it("scores from the last operator set read while it is younger than operatorSetMaxStaleMs", async () => {
    outage.begin();
    await new Promise((resolve) => setTimeout(resolve, 2 * TTL_MS));
    const { status, json } = await postJson(
      `${nodes[0]!.url}/v1/applications`,
      await signedBody(fixture, fixture.signers[5]!),
    );
    expect(status, JSON.stringify(json)).to.equal(201);
    expect(json.signers).to.have.length(2);
  });

  it("beyond it answers 503 chain_unavailable naming the cause, without waiting for the RPC timeout each time", async () => {
    await new Promise((resolve) => setTimeout(resolve, MAX_STALE_MS));
    const first = await postJson(`${nodes[0]!.url}/v1/applications`, await signedBody(fixture, fixture.signers[6]!));
    expect(first.status, JSON.stringify(first.json)).to.equal(503);
    expect(first.json.error.code).to.equal("chain_unavailable");
    // Intake reads the provider's registry entry first: it is the cause named.
    expect(first.json.error.message).to.match(
      /cannot read data provider 0x[0-9a-fA-F]{40} from the chain \(oracle\.providerInfo timed out after 1000 ms\)/,
    );
    // The second node waits out one RPC timeout, then fails fast: its next application asks the RPC nothing.
    const second = await postJson(`${nodes[1]!.url}/v1/applications`, await signedBody(fixture, fixture.signers[6]!));
    expect([second.status, second.json.error.code]).to.deep.equal([503, "chain_unavailable"]);
    const askedBefore = outage.requestsWhileDown;
    const third = await postJson(`${nodes[1]!.url}/v1/applications`, await signedBody(fixture, fixture.signers[6]!));
    expect([third.status, third.json.error.code]).to.deep.equal([503, "chain_unavailable"]);
    expect(outage.requestsWhileDown, "JSON-RPC requests made for the third application").to.equal(askedBefore);
  });

  it("scores again once the RPC is back", async () => {
    outage.end();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { status, json } = await postJson(
        `${nodes[2]!.url}/v1/applications`,
        await signedBody(fixture, fixture.signers[7]!),
      );
      if (status === 201) break;
      expect(json.error.code).to.equal("chain_unavailable");
      if (Date.now() > deadline) throw new Error(`the node did not recover within 10 s: ${JSON.stringify(json)}`);
      await new Promise((resolve) => setTimeout(resolve, TTL_MS));
    }
  });
});
