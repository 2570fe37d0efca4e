/**
 * requestHedged, the leader's hedged co-signature requests: a judge that throws (the node's store refusing a write
 * once it is shutting down) must reject the request's promise, not become an unhandled rejection that ends the
 * process; the peers still in flight are aborted.
 */
import { expect } from "chai";

import type { CosignAnswer } from "../../oracle/src/node/peer-client.js";
import { requestHedged } from "../../oracle/src/node/quorum-requests.js";

const refused: CosignAnswer = { kind: "refused", status: 409, code: "nonce_used", message: "nonce already used" };

describe("oracle: hedged co-signature requests", () => {
  it("a judge that throws rejects the promise with its error and aborts the peers still asked", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const aborted: string[] = [];
      const outcome = requestHedged({
        candidates: ["a", "b"],
        needed: 2,
        hedgeDelayMs: 60_000,
        ask: (peer, signal) =>
          new Promise<CosignAnswer>((resolve) => {
            if (peer === "a") return setTimeout(() => resolve(refused), 5);
            signal.addEventListener("abort", () => {
              aborted.push(peer);
              resolve({ kind: "unreachable", message: "aborted" });
            });
          }),
        onAnswer: () => {
          throw new Error("database is not open");
        },
      });
      await outcome.then(
        () => expect.fail("should reject"),
        (error: Error) => expect(error.message).to.equal("database is not open"),
      );
      expect(aborted).to.deep.equal(["b"]);
      await new Promise((wake) => setTimeout(wake, 20));
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("a judge that does not throw: resolves with the peers asked, never the same twice", async () => {
    const { asked } = await requestHedged({
      candidates: ["a", "b", "c"],
      needed: 1,
      hedgeDelayMs: 60_000,
      ask: async (peer) => (peer === "a" ? refused : { kind: "unreachable", message: "down" }),
      onAnswer: () => false,
    });
    expect(asked).to.deep.equal(["a", "b", "c"]);
  });
});
