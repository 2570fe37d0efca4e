import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { ConfigError, hedgeDelayMsOf, loadConfig, MONITORING_DEFAULTS, parseConfig, type NodeConfigInput } from "../../oracle/src/config/index.js";
import { tempDir, TEST_ADDRESSES } from "./helpers.js";

const [OWN, PEER_A, PEER_B] = TEST_ADDRESSES;

function validConfig(): NodeConfigInput {
  return {
    nodeId: "node-0",
    operatorAddress: OWN,
    listen: { port: 8080 },
    keystore: { path: "keys/operator.json", passwordEnv: "VERITY_KEYSTORE_PASSWORD" },
    model: { path: "model/credit-model.onnx" },
    chain: {
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      deploymentFile: "deployments/localhost.json",
      confirmations: 1,
      pollIntervalMs: 1000,
    },
    peers: [
      { id: "node-1", url: "http://127.0.0.1:8081", address: PEER_A },
      { id: "node-2", url: "http://127.0.0.1:8082", address: PEER_B },
    ],
    quorum: { threshold: 2, tolerancePdBps: 5 },
    report: { validitySec: 86_400 },
    intake: { maxBodyBytes: 16_384, applicationMaxAgeSec: 900 },
    store: { path: "data/node.sqlite" },
  };
}

/** Deep-ish copy with one edit, so each test states only what it breaks. */
function withEdit(edit: (config: any) => void): unknown {
  const config = structuredClone(validConfig());
  edit(config);
  return config;
}

function expectConfigError(raw: unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    parseConfig(raw);
  } catch (error) {
    caught = error;
  }
  expect(caught, "parseConfig should throw").to.be.instanceOf(ConfigError);
  for (const fragment of fragments) expect((caught as Error).message).to.include(fragment);
}

describe("oracle config", () => {
  it("defaults intake.creditFileMaxAgeSec to 30 days, takes 1 s, and refuses 0", () => {
    expect(parseConfig(validConfig()).intake.creditFileMaxAgeSec).to.equal(30 * 24 * 3600);
    expect(parseConfig(withEdit((c) => (c.intake.creditFileMaxAgeSec = 1))).intake.creditFileMaxAgeSec).to.equal(1);
    expectConfigError(withEdit((c) => (c.intake.creditFileMaxAgeSec = 0)), "config.intake.creditFileMaxAgeSec");
  });

  it("accepts a valid config, applies defaults and checksums addresses", () => {
    const config = parseConfig(withEdit((c) => (c.peers[0].address = PEER_A.toLowerCase())));
    expect(config.listen.host).to.equal("127.0.0.1");
    expect(config.listen.allowedHosts).to.deep.equal([]);
    expect(config.logLevel).to.equal("info");
    expect(config.peers[0]?.address).to.equal(PEER_A);
  });

  it("fills every timing knob with its default when the section is absent, and keeps the ones given", () => {
    expect(parseConfig(validConfig()).timing).to.deep.equal({
      peerTimeoutMs: 5_000,
      coordinateTimeoutMs: 15_000,
      leaderTimeoutSec: 30,
      operatorSetTtlMs: 10_000,
      operatorSetMaxStaleMs: 300_000,
      maxClockSkewSec: 60,
      checkpointIntervalMs: 500,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    });
    const timing = parseConfig(withEdit((c) => (c.timing = { peerTimeoutMs: 20_000, coordinateTimeoutMs: 45_000, leaderTimeoutSec: 90 }))).timing;
    expect(timing).to.deep.include({ peerTimeoutMs: 20_000, coordinateTimeoutMs: 45_000, leaderTimeoutSec: 90, maxClockSkewSec: 60 });
  });

  it("fills the monitoring section with its defaults (minApplications = windowApplications) and names a bad field", () => {
    expect(parseConfig(validConfig()).monitoring).to.deep.equal({ ...MONITORING_DEFAULTS, minApplications: MONITORING_DEFAULTS.windowApplications });
    const monitoring = (m: Record<string, unknown>) => withEdit((c) => (c.monitoring = m));
    expect(parseConfig(monitoring({ windowApplications: 200, minApplications: 50 })).monitoring).to.deep.include({ windowApplications: 200, minApplications: 50 });
    expectConfigError(monitoring({ windowApplications: 9 }), "config.monitoring.windowApplications: must be ≥ 10");
    expectConfigError(monitoring({ windowApplications: 100, minApplications: 101 }), "config.monitoring.minApplications: must be ≤ monitoring.windowApplications (100)");
    expectConfigError(monitoring({ warnPsi: 0.3 }), "config.monitoring.criticalPsi: must be greater than monitoring.warnPsi (0.3)");
    expectConfigError(monitoring({ warnPsi: 0 }), "config.monitoring.warnPsi: must be > 0");
    expectConfigError(monitoring({ unitsWarnRatio: 1 }), "config.monitoring.unitsWarnRatio: must be > 1");
    expectConfigError(monitoring({ unitsCriticalRatio: 1.2 }), "config.monitoring.unitsCriticalRatio: must be greater than monitoring.unitsWarnRatio (1.5)");
    expectConfigError(monitoring({ windowSize: 10 }), "config.monitoring");
  });

  it("checks each timing knob on both sides of its limit, and the timeouts against each other", () => {
    const timing = (t: Record<string, number>) => withEdit((c) => (c.timing = t));
    expect(parseConfig(timing({ peerTimeoutMs: 100, coordinateTimeoutMs: 101 })).timing.peerTimeoutMs).to.equal(100);
    expectConfigError(timing({ peerTimeoutMs: 99 }), "config.timing.peerTimeoutMs: must be ≥ 100 (ms)");
    expect(parseConfig(timing({ peerTimeoutMs: 100, coordinateTimeoutMs: 101 })).quorum.hedgeDelayMs, "optional").to.equal(undefined);
    expect(hedgeDelayMsOf(parseConfig(timing({ peerTimeoutMs: 100, coordinateTimeoutMs: 101 }))), "half a short peer timeout").to.equal(50);
    expect(hedgeDelayMsOf(parseConfig(timing({}))), "1 s by default").to.equal(1_000);
    expectConfigError(timing({ peerTimeoutMs: 6_000, coordinateTimeoutMs: 6_000 }), "config.timing.coordinateTimeoutMs: must be greater than timing.peerTimeoutMs (6000)");
    expect(parseConfig(timing({ peerTimeoutMs: 5_999, leaderTimeoutSec: 6 })).timing.leaderTimeoutSec).to.equal(6);
    expectConfigError(timing({ peerTimeoutMs: 6_000, leaderTimeoutSec: 6 }), "config.timing.leaderTimeoutSec: must be longer than timing.peerTimeoutMs (6000 ms)");
    expect(parseConfig(timing({ maxClockSkewSec: 300 })).timing.maxClockSkewSec).to.equal(300);
    expectConfigError(timing({ maxClockSkewSec: 301 }), "config.timing.maxClockSkewSec: must be ≤ 300 (s)");
    expect(parseConfig(timing({ operatorSetTtlMs: 0 })).timing.operatorSetTtlMs).to.equal(0);
    expectConfigError(timing({ operatorSetTtlMs: -1 }), "config.timing.operatorSetTtlMs: must be ≥ 0");
    expect(parseConfig(timing({ operatorSetTtlMs: 5_000, operatorSetMaxStaleMs: 5_000 })).timing.operatorSetMaxStaleMs).to.equal(5_000);
    expectConfigError(timing({ operatorSetTtlMs: 5_000, operatorSetMaxStaleMs: 4_999 }), "config.timing.operatorSetMaxStaleMs: must be ≥ timing.operatorSetTtlMs (5000)");
    expectConfigError(timing({ operatorSetMaxStaleMs: 3_600_001 }), "config.timing.operatorSetMaxStaleMs: must be ≤ 3600000 (ms)");
    expect(parseConfig(timing({ checkpointIntervalMs: 10 })).timing.checkpointIntervalMs).to.equal(10);
    expectConfigError(timing({ checkpointIntervalMs: 9 }), "config.timing.checkpointIntervalMs: must be ≥ 10 (ms)");
    expect(parseConfig(timing({ headersTimeoutMs: 100, requestTimeoutMs: 100 })).timing.headersTimeoutMs).to.equal(100);
    expectConfigError(timing({ headersTimeoutMs: 99 }), "config.timing.headersTimeoutMs: must be ≥ 100 (ms)");
    expectConfigError(timing({ headersTimeoutMs: 2_000, requestTimeoutMs: 1_999 }), "config.timing.headersTimeoutMs: must be ≤ timing.requestTimeoutMs (1999)");
    expectConfigError(timing({ leaderTimeoutSecs: 30 }), "config.timing.leaderTimeoutSecs: unknown field");
  });

  it("bounds quorum.hedgeDelayMs to 10..60000 ms and below timing.peerTimeoutMs", () => {
    const quorum = (hedgeDelayMs: number, timing: Record<string, number> = {}) =>
      withEdit((c) => {
        c.quorum.hedgeDelayMs = hedgeDelayMs;
        c.timing = timing;
      });
    expect(parseConfig(quorum(10)).quorum.hedgeDelayMs).to.equal(10);
    expectConfigError(quorum(9), "config.quorum.hedgeDelayMs: must be ≥ 10 (ms)");
    expectConfigError(quorum(2.5), "config.quorum.hedgeDelayMs: must be an integer");
    expect(parseConfig(quorum(59_999, { peerTimeoutMs: 60_000, coordinateTimeoutMs: 90_000, leaderTimeoutSec: 120 })).quorum.hedgeDelayMs).to.equal(59_999);
    expectConfigError(quorum(60_001, { peerTimeoutMs: 70_000, coordinateTimeoutMs: 90_000, leaderTimeoutSec: 120 }), "config.quorum.hedgeDelayMs: must be ≤ 60000 (ms)");
    expect(parseConfig(quorum(4_999)).quorum.hedgeDelayMs).to.equal(4_999);
    expectConfigError(quorum(5_000), "config.quorum.hedgeDelayMs: must be less than timing.peerTimeoutMs (5000)");
  });

  it("names the threshold when it exceeds the operator count", () => {
    expectConfigError(withEdit((c) => (c.quorum.threshold = 4)), "config.quorum.threshold: must be ≤ number of operators (3)");
  });

  it("rejects a threshold of zero", () => {
    expectConfigError(withEdit((c) => (c.quorum.threshold = 0)), "config.quorum.threshold: must be ≥ 1");
  });

  it("accepts a threshold equal to the operator count", () => {
    expect(parseConfig(withEdit((c) => (c.quorum.threshold = 3))).quorum.threshold).to.equal(3);
  });

  it("rejects its own address among the peers, in any case", () => {
    expectConfigError(
      withEdit((c) => (c.peers[1].address = OWN.toLowerCase())),
      "config.peers[1].address: must differ from this node's own operatorAddress",
    );
  });

  it("rejects duplicate peer ids, addresses and urls", () => {
    expectConfigError(withEdit((c) => (c.peers[1].id = "node-1")), "config.peers[1].id: duplicates peers[0].id");
    expectConfigError(withEdit((c) => (c.peers[1].address = PEER_A)), "config.peers[1].address: duplicates peers[0].address");
    expectConfigError(withEdit((c) => (c.peers[1].url = "http://127.0.0.1:8081")), "config.peers[1].url: duplicates peers[0].url");
    expectConfigError(withEdit((c) => (c.peers[0].id = "node-0")), "config.peers[0].id: must differ from this node's own nodeId");
  });

  it("requires exactly one keystore password source", () => {
    expectConfigError(
      withEdit((c) => (c.keystore.passwordFile = "secret.txt")),
      "config.keystore: must name exactly one password source, passwordEnv or passwordFile (found 2)",
    );
    expectConfigError(withEdit((c) => delete c.keystore.passwordEnv), "(found 0)");
  });

  it("refuses a keystore password in the file itself (unknown field)", () => {
    expectConfigError(withEdit((c) => (c.keystore.password = "hunter2")), "config.keystore.password: unknown field");
  });

  it("keeps the API on loopback unless the host is explicitly allowed", () => {
    expectConfigError(withEdit((c) => (c.listen.host = "0.0.0.0")), "config.listen.host:", "not a loopback address");
    const exposed = parseConfig(withEdit((c) => (c.listen = { host: "10.0.0.5", port: 8080, allowedHosts: ["10.0.0.5"] })));
    expect(exposed.listen.host).to.equal("10.0.0.5");
    expect(parseConfig(withEdit((c) => (c.listen.host = "::1"))).listen.host).to.equal("::1");
    expectConfigError(withEdit((c) => (c.listen.host = "example.com")), "config.listen.host: must be an IP address");
  });

  it("names missing and mistyped fields", () => {
    expectConfigError(withEdit((c) => delete c.chain.chainId), "config.chain.chainId: required");
    expectConfigError(withEdit((c) => (c.chain.confirmations = 1.5)), "config.chain.confirmations: must be an integer");
    expectConfigError(withEdit((c) => (c.peers[0].url = "ftp://x")), "config.peers[0].url: must be an http(s) URL");
    expectConfigError(withEdit((c) => (c.peers[0].address = "0x1234")), "config.peers[0].address: must be a 20-byte hex address");
    expectConfigError(withEdit((c) => (c.logLevel = "loud")), "config.logLevel:");
    expectConfigError(withEdit((c) => (c.store.path = " ")), "config.store.path: must not be empty (a file path, relative to the config file's folder)");
  });

  describe("loadConfig", () => {
    let dir: string;
    let cleanup: () => void;
    beforeEach(() => ({ dir, cleanup } = tempDir("config")));
    afterEach(() => cleanup());

    it("reads a file and resolves its paths against the file's directory", async () => {
      const path = join(dir, "node.json");
      writeFileSync(path, JSON.stringify(validConfig()));
      const config = await loadConfig(path);
      expect(config.keystore.path).to.equal(join(dir, "keys/operator.json"));
      expect(config.store.path).to.equal(join(dir, "data/node.sqlite"));
      expect(config.chain.deploymentFile).to.equal(join(dir, "deployments/localhost.json"));
      expect(config.model.validationReportPath, "optional: beside the model by default").to.equal(undefined);
      writeFileSync(path, JSON.stringify(withEdit((c) => (c.model = { path: "model/credit-model.onnx", validationReportPath: "model/MODEL_CARD.json" }))));
      expect((await loadConfig(path)).model).to.deep.equal({ path: join(dir, "model/credit-model.onnx"), validationReportPath: join(dir, "model/MODEL_CARD.json") });
    });

    it("accepts the shipped example config", async () => {
      const config = await loadConfig(join(process.cwd(), "oracle", "node.example.json"));
      expect(config.quorum.threshold).to.equal(2);
      expect(config.model.path).to.equal(join(process.cwd(), "oracle", "model", "credit-model.onnx"));
      expect(config.model.validationReportPath).to.equal(join(process.cwd(), "oracle", "model", "MODEL_CARD.json"));
    });

    it("the example config's keystore is where the README's keystore command writes it, and keys and stores are git-ignored", async () => {
      const { execFileSync } = await import("node:child_process");
      const { readFileSync } = await import("node:fs");
      const { relative } = await import("node:path");
      const config = await loadConfig(join(process.cwd(), "oracle", "node.example.json"));
      const readme = readFileSync("README.md", "utf8");
      const out = /npm run oracle:keystore -- create --out ([^\s`]+)/.exec(readme)?.[1];
      expect(out, "README shows the keystore command").to.be.a("string");
      expect(join(process.cwd(), out!), "README's --out (run from the repo root) = example's keystore.path").to.equal(config.keystore.path);
      const copy = /cp oracle\/node\.example\.json ([^\s`]+)/.exec(readme)?.[1];
      expect(copy, "README shows where the config is copied").to.be.a("string");
      expect(join(process.cwd(), copy!, ".."), "the copy sits beside the example, so its relative paths still hold").to.equal(join(process.cwd(), "oracle"));
      const files = [config.keystore.path, config.store.path, `${config.store.path}-wal`, `${config.store.path}-shm`, copy!, "data/operator-2.keystore.json", "some/where/node.sqlite"];
      for (const file of files) {
        const path = relative(process.cwd(), file);
        // check-ignore exits 0 when the path is ignored (non-zero throws).
        expect(() => execFileSync("git", ["check-ignore", "-q", "--no-index", path]), `${path} is git-ignored`).not.to.throw();
      }
    });

    it("names the file when it is missing or not JSON", async () => {
      const missing = join(dir, "absent.json");
      await expectRejection(loadConfig(missing), `cannot read node config file ${missing}: ENOENT`);
      const broken = join(dir, "broken.json");
      writeFileSync(broken, "{ nodeId: ");
      await expectRejection(loadConfig(broken), `node config file ${broken} is not valid JSON`);
    });

    it("names the file and the field when validation fails", async () => {
      const path = join(dir, "node.json");
      writeFileSync(path, JSON.stringify(withEdit((c) => (c.quorum.threshold = 9))));
      await expectRejection(loadConfig(path), path, "config.quorum.threshold: must be ≤ number of operators (3)");
    });
  });
});

async function expectRejection(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected a rejection").to.be.instanceOf(ConfigError);
  for (const fragment of fragments) expect((error as Error).message).to.include(fragment);
}
