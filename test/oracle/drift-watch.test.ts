/** The node's side of drift monitoring: scorer hook, gauges on /metrics, the JSON route, rate-limited alert logs. */
import { Writable } from "node:stream";

import { expect } from "chai";
import { Registry } from "prom-client";

import { createLogger } from "../../oracle/src/log/index.js";
import {
  DRIFT_ROUTE_PATH,
  DriftWatch,
  maxPsiBps,
  parseReference,
  watchScorer,
  type WindowReport,
} from "../../oracle/src/monitoring/index.js";
import type { ApplicationScore } from "../../oracle/src/scoring/index.js";

const FEATURES = ["LIMIT_BAL", "PAY_0", "BILL_AMT1", "BILL_AMT2", "PAY_AMT1"];
const two = (definition: string, edge: number) => ({ definition, edges: [edge], shares: [0.5, 0.5] });
const REFERENCE = JSON.stringify({
  version: 1,
  source: "test",
  rows: 100,
  binRule:
    "bin 0 holds v < edges[0]; bin i holds edges[i-1] <= v < edges[i]; the last bin holds v >= edges[edges.length-1]",
  score: two("model PD", 0.2),
  utilisation: { BILL_AMT1: two("u", 0.5) },
  paymentRatio: { PAY_AMT1: two("p", 0.1) },
  payStatus: { categories: ["-2", "-1", "0", "1", "2", ">=3"], shares: { PAY_0: [0, 0, 0.5, 0.5, 0, 0] } },
  limitBal: { ...two("l", 100_000), median: 100_000 },
});
const low = [50_000, 0, 10_000, 100_000, 0];
const high = [200_000, 1, 150_000, 10_000, 5_000];

function setup(publish?: (report: WindowReport) => Promise<void>) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const clock = { t: 1_000 * 86_400 };
  const registry = new Registry();
  const watch = new DriftWatch({
    reference: parseReference(REFERENCE),
    modelId: `0x${"ab".repeat(32)}`,
    featureNames: FEATURES,
    registry,
    log: createLogger({ nodeId: "n", level: "info", destination }),
    windowApplications: 4,
    minApplications: 4,
    warnPsi: 0.1,
    criticalPsi: 0.25,
    unitsWarnRatio: 1.5,
    unitsCriticalRatio: 3,
    alertIntervalSec: 60,
    now: () => clock.t,
    ...(publish === undefined ? {} : { publish }),
  });
  const drift = () => lines.filter((l) => typeof l.msg === "string" && l.msg.startsWith("input drift"));
  return { watch, registry, clock, drift, lines };
}

describe("drift monitoring: the node's watch", () => {
  it("feeds every application the scorer scores, with its unquantised PD", async () => {
    const { watch } = setup();
    const scorer = watchScorer(
      async (features) =>
        ({
          pdBps: 5000,
          pd: features[0] === 50_000 ? 0.1 : 0.5,
          reasonCodes: [],
          reasons: [],
          inferenceMs: 1,
        }) as ApplicationScore,
      watch,
    );
    for (const row of [low, high, low, high]) await scorer(row);
    const { rolling } = watch.report().windows;
    expect(rolling.applications).to.equal(4);
    expect(rolling.psi.score).to.equal(0);
  });

  it("exposes PSI per window and quantity, the level, applications and the units ratio on /metrics", async () => {
    const { watch, registry } = setup();
    for (let i = 0; i < 4; i++) watch.observe(high, 0.5);
    const text = await registry.metrics();
    expect(text).to.match(/verity_oracle_drift_psi\{window="rolling",quantity="utilisation.BILL_AMT1"\} 4\.\d+/);
    expect(text).to.include('verity_oracle_drift_psi{window="day",quantity="score"}');
    expect(text).to.include('verity_oracle_drift_level{window="rolling"} 2');
    expect(text).to.include('verity_oracle_drift_window_applications{window="day"} 4');
    expect(text).to.include('verity_oracle_drift_limit_bal_median_ratio{window="rolling"} 2');
  });

  it("serves the snapshot, thresholds and reference hash at GET /v1/monitoring/drift", async () => {
    const { watch } = setup();
    for (let i = 0; i < 4; i++) watch.observe(high, 0.5);
    const route = watch.route();
    expect([route.method, route.path]).to.deep.equal(["GET", DRIFT_ROUTE_PATH]);
    const response = (await route.handler({} as never)) as { status: number; json: ReturnType<DriftWatch["report"]> };
    expect(response.status).to.equal(200);
    expect(response.json.level).to.equal("critical");
    expect(response.json.thresholds).to.deep.include({ warnPsi: 0.1, criticalPsi: 0.25 });
    expect(response.json.referenceSha256).to.match(/^[0-9a-f]{64}$/);
    expect(response.json.windows.rolling.summaryHash).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("logs a critical window once per level change, again only after alertIntervalSec, and the return to ok", () => {
    const { watch, clock, drift } = setup();
    for (let i = 0; i < 3; i++) watch.observe(high, 0.5);
    expect(drift()).to.have.length(0); // not judged before minApplications
    watch.observe(high, 0.5);
    expect(drift().map((l) => [l.window, l.level, l.msg])).to.deep.equal([
      ["rolling", "critical", "input drift critical"],
      ["day", "critical", "input drift critical"],
    ]);
    for (let i = 0; i < 10; i++) watch.observe(high, 0.5);
    expect(drift()).to.have.length(2);
    clock.t += 60;
    watch.observe(high, 0.5);
    expect(drift()).to.have.length(4);
    for (const row of [low, high, low]) watch.observe(row, row === low ? 0.1 : 0.5);
    expect(drift().at(-1)).to.deep.include({ window: "rolling", level: "ok", msg: "input drift back within bounds" });
  });

  it("publishes a critical window at most once per window: rolling after a whole new window, day once per UTC day", async () => {
    const published: WindowReport[] = [];
    const { watch, clock } = setup(async (report) => {
      published.push(report);
    });
    for (let i = 0; i < 3; i++) watch.observe(high, 0.5);
    expect(published).to.have.length(0);
    watch.observe(high, 0.5);
    expect(published.map((p) => p.window)).to.deep.equal(["rolling", "day"]);
    expect(published[0]).to.deep.include({ applications: 4, level: "critical" });
    expect(maxPsiBps(published[0]!)).to.equal(Math.round(published[0]!.maxPsi * 10_000));
    expect(maxPsiBps({ maxPsi: 8.7 })).to.equal(65_535);
    for (let i = 0; i < 3; i++) watch.observe(high, 0.5);
    expect(published).to.have.length(2);
    watch.observe(high, 0.5); // a whole new rolling window since the last publication
    expect(published.map((p) => p.window)).to.deep.equal(["rolling", "day", "rolling"]);
    clock.t += 86_400;
    for (let i = 0; i < 4; i++) watch.observe(high, 0.5);
    expect(published.map((p) => p.window)).to.deep.equal(["rolling", "day", "rolling", "rolling", "day"]);
  });

  it("a failed publication is logged, and the watch goes on", async () => {
    const { watch, lines } = setup(() => Promise.reject(new Error("rpc down")));
    for (let i = 0; i < 4; i++) watch.observe(high, 0.5);
    await new Promise((resolve) => setImmediate(resolve));
    const failures = lines.filter((l) => l.msg === "could not publish the drift window on chain");
    expect(failures.map((l) => [l.window, l.reason])).to.deep.equal([
      ["rolling", "rpc down"],
      ["day", "rpc down"],
    ]);
    expect(watch.report().windows.rolling.applications).to.equal(4);
  });
});
