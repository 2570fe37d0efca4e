/** The ScoreRequested watcher on the in-process chain: bounded ranges, confirmations, resume after restart. */
import { expect } from "chai";
import { id } from "ethers";

import { ScoreRequestWatcher, SCORE_REQUESTED_STREAM } from "../../oracle/src/chain/index.js";
import { createLogger } from "../../oracle/src/log/index.js";
import { openStore } from "../../oracle/src/store/index.js";
import { deployChain, type ChainFixture } from "./chain-fixture.js";
import { tempDir } from "./helpers.js";

const log = createLogger({ nodeId: "watcher-test", level: "silent" });

describe("ScoreRequested watcher", function () {
  this.timeout(60_000);
  let fixture: ChainFixture;

  before(async () => {
    fixture = await deployChain();
  });

  /** ethers dedupes identical provider calls for 250 ms; a poll right after mining may see the previous head. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
  const request = async (signerIndex: number, tag: string) =>
    (await (await fixture.system.oracle.connect(fixture.signers[signerIndex]!).requestScore(id(tag))).wait())!
      .blockNumber;

  it("records requests in bounded ranges, waits for confirmations, and resumes from its cursor after a restart", async () => {
    const { dir, cleanup } = tempDir("watcher");
    try {
      const path = `${dir}/node.sqlite`;
      let store = openStore(path);
      const watcherOn = (s: typeof store) =>
        new ScoreRequestWatcher({
          chain: fixture.chain(),
          store: s,
          log,
          confirmations: 3,
          pollIntervalMs: 100,
          maxBlockRange: 3,
        });

      const first = await request(5, "application-1");
      await request(6, "application-2");
      await fixture.connection.networkHelpers.mine(1);
      let watcher = watcherOn(store);
      let found = await watcher.poll();
      // The second request has 2 confirmations (its block and one on top), fewer than 3: only the first is recorded.
      expect(found.map((r) => r.applicationHash)).to.deep.equal([id("application-1")]);
      expect(store.getCursor(SCORE_REQUESTED_STREAM)).to.equal((await fixture.ethers.provider.getBlockNumber()) - 2);
      expect(found[0]!.blockNumber).to.equal(first);

      await fixture.connection.networkHelpers.mine(1);
      await settle();
      found = await watcher.poll();
      expect(found.map((r) => r.applicationHash)).to.deep.equal([id("application-2")]);

      // Restart: a new watcher on the reopened store reads on from the cursor; nothing twice, nothing lost.
      store.close();
      await request(7, "application-3");
      await fixture.connection.networkHelpers.mine(2);
      store = openStore(path);
      watcher = watcherOn(store);
      await settle();
      found = await watcher.poll();
      expect(found.map((r) => r.applicationHash)).to.deep.equal([id("application-3")]);
      const pending = store.listScoreRequests("pending");
      expect(pending.map((r) => r.applicationHash)).to.deep.equal([
        id("application-1"),
        id("application-2"),
        id("application-3"),
      ]);
      expect(new Set(pending.map((r) => r.requestId.toString())).size).to.equal(3);
      expect(pending[2]!.borrower).to.equal(fixture.signers[7]!.address);
      store.close();
    } finally {
      cleanup();
    }
  });

  it("confirmations: 1 counts the request's own block (ethers semantics), so an automining chain needs no further block", async () => {
    const { dir, cleanup } = tempDir("watcher-automine");
    const store = openStore(`${dir}/node.sqlite`);
    try {
      const watcher = new ScoreRequestWatcher({
        chain: fixture.chain(),
        store,
        log,
        confirmations: 1,
        pollIntervalMs: 100,
      });
      const mined = await request(9, "application-automine");
      await settle();
      // No block after the request's: it has exactly 1 confirmation.
      expect(await fixture.ethers.provider.getBlockNumber()).to.equal(mined);
      const found = await watcher.poll();
      expect(found.map((r) => r.applicationHash)).to.include(id("application-automine"));
      expect(store.getCursor(SCORE_REQUESTED_STREAM)).to.equal(mined);
    } finally {
      store.close();
      cleanup();
    }
  });

  it("the loop keeps running through RPC failures and stops within its bound", async () => {
    const { dir, cleanup } = tempDir("watcher-loop");
    const store = openStore(`${dir}/node.sqlite`);
    try {
      const chain = fixture.chain();
      let failures = 2;
      const realGetBlockNumber = chain.provider.getBlockNumber.bind(chain.provider);
      chain.provider.getBlockNumber = async () => {
        if (failures-- > 0) throw Object.assign(new Error("connection reset"), { code: "NETWORK_ERROR" });
        return realGetBlockNumber();
      };
      const watcher = new ScoreRequestWatcher({
        chain,
        store,
        log,
        confirmations: 0,
        pollIntervalMs: 100,
        backoff: { baseDelayMs: 20, maxDelayMs: 50 },
      });
      await request(8, "application-loop");
      watcher.start();
      const deadline = Date.now() + 10_000;
      while (!store.listScoreRequests("pending").some((r) => r.applicationHash === id("application-loop"))) {
        if (Date.now() > deadline) throw new Error("watcher did not recover");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const stopped = Date.now();
      await watcher.stop();
      expect(Date.now() - stopped).to.be.lessThan(2_000);
    } finally {
      store.close();
      cleanup();
    }
  });
});
