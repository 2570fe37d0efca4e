/** The data-provider registry cache: one bounded-staleness read per provider, a bounded number of providers. */
import { expect } from "chai";

import { ChainUnavailableError, ProviderRegistry, type DataProvider } from "../../oracle/src/chain/index.js";
import { expectRejection } from "../helpers/assertions.js";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const C = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

describe("ProviderRegistry", () => {
  let nowMs: number;
  let reads: string[];
  let rpcDown: boolean;
  let status: DataProvider["status"];
  const registry = (maxProviders?: number) =>
    new ProviderRegistry({
      read: async (id) => {
        reads.push(id);
        if (rpcDown) throw new Error("connection refused");
        return {
          id,
          status,
          name: "Bureau",
          signingKeys: [A],
          schemaHash: `0x${"11".repeat(32)}`,
          dataQualityHash: `0x${"22".repeat(32)}`,
        };
      },
      ttlMs: 1_000,
      maxStaleMs: 10_000,
      onRefreshFailed: () => {},
      nowMs: () => nowMs,
      ...(maxProviders === undefined ? {} : { maxProviders }),
    });

  beforeEach(() => {
    nowMs = 0;
    reads = [];
    rpcDown = false;
    status = "approved";
  });

  it("reads a provider once per ttl, whatever case its id is given in, and sees a retirement after the ttl", async () => {
    const r = registry();
    expect((await r.get(A.toLowerCase())).status).to.equal("approved");
    await r.get(A);
    expect(reads).to.deep.equal([A]);
    status = "retired";
    nowMs = 999;
    expect((await r.get(A)).status).to.equal("approved");
    nowMs = 1_000;
    await r.get(A); // stale: served while a background read refreshes it
    await new Promise((resolve) => setImmediate(resolve));
    expect((await r.get(A)).status).to.equal("retired");
  });

  it("serves the last read during an outage up to maxStaleMs, then fails naming the provider", async () => {
    const r = registry();
    await r.get(A);
    rpcDown = true;
    nowMs = 9_999;
    expect((await r.get(A)).status).to.equal("approved");
    nowMs = 10_000;
    await expectRejection(
      r.get(A),
      new RegExp(`cannot read data provider ${A} from the chain \\(connection refused\\)`),
    );
    let caught: unknown;
    await r.get(A).catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(ChainUnavailableError);
  });

  it("keeps at most maxProviders entries, dropping the oldest read", async () => {
    const r = registry(2);
    await r.get(A);
    await r.get(B);
    await r.get(C); // A dropped
    await r.get(B);
    expect(reads).to.deep.equal([A, B, C]);
    await r.get(A);
    expect(reads).to.deep.equal([A, B, C, A]);
  });
});
