/**
 * A node publishes a critical drift window on chain by itself: `MonitoringReportPublished` from its operator key,
 * carrying the window the node serves at /v1/monitoring/drift; once per window.
 */
import { expect } from "chai";

import { MONITORING_DEFAULTS } from "../../oracle/src/config/index.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import { FEATURE_NAMES } from "../../oracle/training/features.js";
import { clusterConfigs, deployChain, GOOD_FEATURES, startTestNode, type ChainFixture } from "./chain-fixture.js";
import { tempDir } from "./helpers.js";

describe("drift monitoring: on-chain publication by the node", function () {
  this.timeout(60_000);
  let fixture: ChainFixture;
  let node: RunningNode;
  let cleanup: () => void;

  before(async () => {
    fixture = await deployChain();
    let dir: string;
    ({ dir, cleanup } = tempDir("drift-publish"));
    const [config] = await clusterConfigs(dir, fixture, 3, {
      monitoring: { ...MONITORING_DEFAULTS, windowApplications: 10, minApplications: 10 },
    });
    node = await startTestNode(config!, fixture, { watch: false });
  });

  after(async () => {
    await node.shutdown("test done");
    cleanup();
  });

  it("a currency-unit error (amounts ÷ 30) goes critical and the node posts the window's summary, once", async () => {
    const unitError = Object.fromEntries(
      Object.entries(GOOD_FEATURES).map(([name, v]) => [name, /AMT|LIMIT/.test(name) ? Math.round(v / 30) : v]),
    );
    const features = FEATURE_NAMES.map((name) => unitError[name] as number);
    for (let i = 0; i < 12; i++) node.drift!.observe(features, 0.3);
    const oracle = fixture.chain().oracle;
    const filter = oracle.filters.MonitoringReportPublished();
    const deadline = Date.now() + 20_000;
    let events = await oracle.queryFilter(filter);
    while (events.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      events = await oracle.queryFilter(filter);
    }
    // The rolling and the day window, each once (12 applications are not a second whole rolling window).
    expect(events).to.have.length(2);
    const { windows } = node.drift!.report();
    for (const event of events) {
      expect(event.args.modelId).to.equal(node.modelId);
      expect(event.args.operator).to.equal(node.address);
      expect(event.args.maxPsiBps).to.equal(65_535n);
    }
    expect(events.map((e) => Number(e.args.applications)).sort((a, b) => a - b)).to.deep.equal([10, 10]);
    expect(windows.rolling.level).to.equal("critical");
  });
});
