/** The operator-set cache: fresh, stale within a bound (refreshed in the background), then 503-worthy errors. */
import { expect } from "chai";

import { ChainUnavailableError, OperatorSetCache, type OperatorSet } from "../../oracle/src/chain/index.js";
import { expectRejection } from "../helpers/assertions.js";

const SET: OperatorSet = { version: 3n, threshold: 2, operators: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"] };

describe("OperatorSetCache", () => {
  let nowMs: number;
  let reads: number;
  let rpcDown: boolean;
  let refreshFailures: unknown[];
  const cache = () =>
    new OperatorSetCache({
      read: async () => {
        reads += 1;
        if (rpcDown) throw new Error("connection refused");
        return SET;
      },
      ttlMs: 1_000,
      maxStaleMs: 10_000,
      onRefreshFailed: (error) => refreshFailures.push(error),
      nowMs: () => nowMs,
    });

  beforeEach(() => {
    nowMs = 0;
    reads = 0;
    rpcDown = false;
    refreshFailures = [];
  });

  it("reads once, then serves from the cache until the ttl; concurrent first callers share one read", async () => {
    const c = cache();
    const [a, b] = await Promise.all([c.get(), c.get()]);
    expect([a, b, reads]).to.deep.equal([SET, SET, 1]);
    nowMs = 999;
    await c.get();
    expect(reads).to.equal(1);
  });

  it("during an outage serves the stale set at once until maxStaleMs, logging each failed background refresh", async () => {
    const c = cache();
    c.prime(SET);
    rpcDown = true;
    nowMs = 5_000;
    const served = await Promise.all(Array.from({ length: 50 }, () => c.get()));
    expect(served.every((set) => set === SET)).to.equal(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect([reads, refreshFailures.length], "one background read for 50 requests, one failure logged").to.deep.equal([
      1, 1,
    ]);
    expect(refreshFailures[0]).to.be.instanceOf(ChainUnavailableError);
    nowMs = 5_500;
    await c.get();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads, "no new read within a ttl of the failure").to.equal(1);
    nowMs = 6_000;
    await c.get();
    await new Promise((resolve) => setImmediate(resolve));
    expect([reads, refreshFailures.length], "one more a ttl later").to.deep.equal([2, 2]);
  });

  it("beyond maxStaleMs throws ChainUnavailableError naming the cause, and fails fast for a ttl after a failed read", async () => {
    const c = cache();
    c.prime(SET);
    rpcDown = true;
    nowMs = 10_000;
    await expectRejection(c.get(), /cannot read the operator set from the chain \(connection refused\)/);
    expect(reads).to.equal(1);
    nowMs = 10_500;
    await expectRejection(c.get(), /connection refused/);
    expect(reads, "failed fast: no second read within the ttl").to.equal(1);
    rpcDown = false;
    nowMs = 11_000;
    expect(await c.get()).to.equal(SET);
    expect(reads).to.equal(2);
  });
});
