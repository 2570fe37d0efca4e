/**
 * The operator's balance against what posting a report costs (start-up warning, metric, /health), and the rate
 * limit on repeated identical error lines.
 */
import { expect } from "chai";
import { parseEther, Wallet } from "ethers";

import {
  conciseError,
  FundingMonitor,
  InsufficientFundsError,
  SUBMIT_SCORE_GAS_BOUND,
} from "../../oracle/src/chain/index.js";
import { createLogger, RepeatedLogFilter } from "../../oracle/src/log/index.js";
import { createMetrics } from "../../oracle/src/metrics/index.js";
import { checkHealth } from "../../oracle/src/server/index.js";
import { deployChain, type ChainFixture } from "./chain-fixture.js";

const log = createLogger({ nodeId: "funding-test", level: "silent" });

describe("operator funding", function () {
  this.timeout(60_000);
  let fixture: ChainFixture;
  before(async () => {
    fixture = await deployChain();
  });

  it("an unfunded key is low: the needed amount is the submitScore gas bound × the max fee × the headroom, on /metrics and /health", async () => {
    const metrics = createMetrics();
    const unfunded = Wallet.createRandom().address;
    const monitor = new FundingMonitor({ chain: fixture.chain(), address: unfunded, log, metrics });
    const status = await monitor.check();
    const fees = await fixture.chain().provider.getFeeData();
    expect(status.balanceWei).to.equal(0n);
    expect(status.neededWei).to.equal(SUBMIT_SCORE_GAS_BOUND * fees.maxFeePerGas! * monitor.headroom);
    expect(status.problem).to.match(
      new RegExp(`^low balance: operator ${unfunded} holds 0\\.0 ETH, needs ≥ [0-9.]+ ETH`),
    );
    expect(await metrics.registry.getSingleMetricAsString("verity_oracle_operator_balance_wei")).to.match(
      /verity_oracle_operator_balance_wei 0$/m,
    );

    const health = await checkHealth({
      nodeId: "n",
      modelId: () => "0xmodel",
      funding: () => monitor.status(),
      submissions: () => ({}),
    });
    expect(health.status).to.equal("degraded");
    expect(health.problems).to.deep.equal([status.problem]);

    await (await fixture.signers[0]!.sendTransaction({ to: unfunded, value: parseEther("1") })).wait();
    expect((await monitor.check()).problem).to.equal(undefined);
    expect(
      (await checkHealth({ nodeId: "n", modelId: () => "0xmodel", funding: () => monitor.status() })).status,
    ).to.equal("ok");
    expect(await metrics.registry.getSingleMetricAsString("verity_oracle_operator_balance_wei")).to.include(
      `verity_oracle_operator_balance_wei ${parseEther("1")}`,
    );
  });

  it("/health says why it is degraded when submissions keep failing", async () => {
    const health = await checkHealth({
      nodeId: "n",
      modelId: () => "0xmodel",
      submissions: () => ({ problem: "submissions failing: 3 in a row; last: reverted" }),
    });
    expect(health.status).to.equal("degraded");
    expect(health.problems).to.deep.equal(["submissions failing: 3 in a row; last: reverted"]);
  });
});

describe("repeated log lines", () => {
  it("a log line's reason is one short line: the error's own, or the ethers code and the first line of its message", () => {
    const funds = new InsufficientFundsError("0x12E5FE462E85dd46f2c98fACEA79950A5F221615", 0n, 10n ** 15n, 5_000);
    expect(conciseError(funds)).to.equal(
      "INSUFFICIENT_FUNDS: operator 0x12E5FE462E85dd46f2c98fACEA79950A5F221615 holds 0.0 ETH, a submitScore needs up to 0.001 ETH (gas limit × max fee); fund it",
    );
    const ethersDump = Object.assign(
      new Error(`could not coalesce error (error={ "message": "boom" }, payload=${"0x".padEnd(6_000, "ab")})`),
      { code: "UNKNOWN_ERROR" },
    );
    const reason = conciseError(ethersDump);
    expect(reason).to.match(/^UNKNOWN_ERROR: could not coalesce error/);
    expect(reason.length).to.be.at.most(240);
  });

  it("lets the first of identical lines through, then one per interval with the count suppressed meanwhile", () => {
    let now = 0;
    const filter = new RepeatedLogFilter(60_000, () => now);
    expect(filter.admit("INSUFFICIENT_FUNDS")).to.equal(0);
    expect(filter.admit("INSUFFICIENT_FUNDS")).to.equal(undefined);
    expect(filter.admit("other")).to.equal(0);
    now = 30_000;
    expect(filter.admit("INSUFFICIENT_FUNDS")).to.equal(undefined);
    now = 60_001;
    expect(filter.admit("INSUFFICIENT_FUNDS"), "two lines suppressed since").to.equal(2);
    expect(filter.admit("INSUFFICIENT_FUNDS")).to.equal(undefined);
  });
});
