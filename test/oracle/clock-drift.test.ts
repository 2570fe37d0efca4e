/** The clock-drift check: fires only when a newly seen block proves the node's clock is beyond the tolerance. */
import { expect } from "chai";

import { ClockDriftMonitor } from "../../oracle/src/chain/index.js";

const T = 1_750_000_000;

describe("ClockDriftMonitor", () => {
  const poll = async (monitor: ClockDriftMonitor, head: number, at: number, timestamp: number) => {
    let asked: number | undefined;
    await monitor.onHeadPolled({ head, askedAtSec: at, answeredAtSec: at }, async (block) => {
      asked = block;
      return timestamp;
    });
    return asked;
  };

  it("measures nothing on the first poll or while the head stays, however old the head block is (an idle chain)", async () => {
    const monitor = new ClockDriftMonitor(60, () => T);
    expect(await poll(monitor, 10, T, T - 3_600), "first poll: no earlier poll to bound the block's age").to.equal(
      undefined,
    );
    expect(await poll(monitor, 10, T + 5, T - 3_600), "same head").to.equal(undefined);
    expect(monitor.status()).to.deep.equal({ toleranceSec: 60, measuredAtBlock: null, offsetSec: null });
  });

  it("bounds the offset with a new head's timestamp and stays ok within the tolerance", async () => {
    const monitor = new ClockDriftMonitor(60, () => T);
    await poll(monitor, 10, T, T - 3_600);
    expect(await poll(monitor, 12, T + 2, T + 1)).to.equal(12);
    expect(monitor.status()).to.deep.equal({ toleranceSec: 60, measuredAtBlock: 12, offsetSec: { min: -2, max: 2 } });
  });

  it("names a clock ahead of, or behind, the chain's beyond the tolerance", async () => {
    const ahead = new ClockDriftMonitor(60, () => T);
    await poll(ahead, 1, T + 120, 0);
    await poll(ahead, 2, T + 121, T);
    expect(ahead.status().problem).to.equal(
      "this node's clock is at least 119 s ahead of the chain's (tolerance 60 s)",
    );
    const behind = new ClockDriftMonitor(60, () => T);
    await poll(behind, 1, T - 120, 0);
    await poll(behind, 2, T - 119, T);
    expect(behind.status().problem).to.equal("this node's clock is at least 118 s behind the chain's (tolerance 60 s)");
  });

  it("does not fire when the block's age is unknown beyond the gap between polls (a slow poller on an idle chain)", async () => {
    const monitor = new ClockDriftMonitor(60, () => T);
    await poll(monitor, 1, T - 600, 0);
    // A block made 500 s ago, first seen now: the previous poll was 600 s ago, so the block may be that old.
    await poll(monitor, 2, T, T - 500);
    expect(monitor.status().problem).to.equal(undefined);
  });
});
