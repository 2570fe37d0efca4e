/**
 * The oracle quorum over real HTTP: three in-process nodes on 127.0.0.1 ephemeral ports, threshold 2, against a
 * Verity deployment on Hardhat's in-process network. Pull flow end to end (application in → bundle out →
 * `borrowWithReport` succeeds), push flow (ScoreRequested → one submission), a peer down, a peer that disagrees,
 * and every bad input of the application API (4xx naming the problem, nothing stored).
 */
import { expect } from "chai";
import { type HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { parseUnits } from "ethers";

import type { NodeConfig } from "../../oracle/src/config/index.js";
import { requestKeyFromRequestId, selectLeader } from "../../oracle/src/consensus/index.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import { clusterConfigs, deployChain, GOOD_FEATURES, postJson as post, signedBody, startTestNode, type ChainFixture } from "./chain-fixture.js";
import { tempDir } from "./helpers.js";

const WAD = 10n ** 18n;
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("oracle node quorum (3 nodes, k = 2, real HTTP)", function () {
  this.timeout(120_000);
  let fixture: ChainFixture;
  let nodes: RunningNode[];
  let cleanup: () => void;

  before(async () => {
    fixture = await deployChain();
    let dir: string;
    ({ dir, cleanup } = tempDir("quorum"));
    const configs = await clusterConfigs(dir, fixture);
    nodes = await Promise.all(configs.map((config) => startTestNode(config, fixture)));
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.shutdown("test done")));
    cleanup();
  });

  it("pull flow: application in, k-signed bundle out, borrowWithReport succeeds on chain", async () => {
    const borrower = fixture.signers[5]!;
    const body = await signedBody(fixture, borrower);
    const { status, json } = await post(`${nodes[1]!.url}/v1/applications`, body);
    expect(status, JSON.stringify(json)).to.equal(201);
    expect(json.report.borrower).to.equal(borrower.address);
    expect(json.report.modelId).to.equal(fixture.model.modelId);
    expect(json.signers).to.have.length(2);
    expect(new Set(json.signers).size).to.equal(2);
    expect((json.signatures.length - 2) / 130).to.equal(2);
    expect(json.report.reasonCodes).to.have.length(4);
    for (const reason of json.reasons) expect(reason.text).to.be.a("string").and.not.equal("");

    const fetched = await fetch(`${nodes[1]!.url}/v1/scores/${borrower.address}`, { signal: AbortSignal.timeout(5_000) });
    expect(fetched.status).to.equal(200);
    const bundle = (await fetched.json()) as any;
    expect(bundle.reportDigest).to.equal(json.reportDigest);
    // Any k distinct operators' signatures are valid on chain (borrowWithReport below uses these): the receiving
    // node may hold more than the leader's k, since it may also have co-signed, and it stored its own first.
    expect(new Set(bundle.signers).size).to.equal(2);
    expect(fixture.operators.map((o) => o.address)).to.include.members(bundle.signers);

    const { system } = fixture;
    const pool = system.pool.connect(borrower);
    await (await system.weth!.connect(borrower).deposit({ value: 2n * WAD })).wait();
    await (await system.weth!.connect(borrower).approve(await pool.getAddress(), 2n * WAD)).wait();
    await (await pool.deposit(fixture.system.wethAddress, 2n * WAD, borrower.address)).wait();
    const report = { ...bundle.report, operatorSetVersion: BigInt(bundle.report.operatorSetVersion), issuedAt: BigInt(bundle.report.issuedAt), validUntil: BigInt(bundle.report.validUntil) };
    await (await pool.borrowWithReport(parseUnits("1000", 18), report, bundle.signatures)).wait();
    expect(await system.vusd.balanceOf(borrower.address)).to.equal(parseUnits("1000", 18));
    const score = await system.oracle.scoreOf(borrower.address);
    expect(score.valid).to.equal(true);
    expect(Number(score.pdBps)).to.equal(bundle.report.pdBps);
  });

  it("push flow: the application is broadcast, ScoreRequested is answered by one submission", async () => {
    const borrower = fixture.signers[6]!;
    const body = await signedBody(fixture, borrower);
    const { status, json } = await post(`${nodes[0]!.url}/v1/applications`, { ...body, flow: "push" });
    expect(status, JSON.stringify(json)).to.equal(202);
    expect(json.distributedTo).to.have.length(2);
    for (const node of nodes) expect(node.store.getApplication(json.applicationHash), "every node holds it").to.not.equal(undefined);

    await (await fixture.system.oracle.connect(borrower).requestScore(json.applicationHash)).wait();
    await waitFor("score posted", async () => ((await fixture.system.oracle.scoreOf(borrower.address)).valid ? true : undefined));
    await waitFor("every node marks the request submitted", async () =>
      nodes.every((node) => node.store.listScoreRequests("submitted").some((r) => r.borrower === borrower.address)) ? true : undefined,
    );
    const posted = await fixture.system.oracle.queryFilter(fixture.system.oracle.filters.ScorePosted(borrower.address));
    expect(posted).to.have.length(1);
  });

  describe("application API refuses bad input with a 4xx naming the problem, storing nothing", () => {
    const cases: [string, (f: ChainFixture, b: HardhatEthersSigner, nonce: bigint) => Promise<unknown>, number, RegExp][] = [
      ["invalid JSON", async () => "{ not json", 400, /invalid_json|not valid JSON/],
      ["a missing field", async (f, b, nonce) => { const { signature: _s, ...rest } = await signedBody(f, b, { nonce }); return rest; }, 400, /signature: required/],
      ["a missing feature", async (f, b, nonce) => { const body = await signedBody(f, b, { nonce }); const { PAY_0: _p, ...features } = GOOD_FEATURES; return { ...body, features }; }, 400, /features\.PAY_0: required/],
      ["a NaN feature", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), features: { ...GOOD_FEATURES, BILL_AMT1: "NaN" } }), 400, /features\.BILL_AMT1: must be a number/],
      ["a null feature", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), features: { ...GOOD_FEATURES, PAY_AMT2: null } }), 400, /features\.PAY_AMT2: must be a number/],
      ["a fractional amount", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), features: { ...GOOD_FEATURES, BILL_AMT2: 10.5 } }), 400, /features\.BILL_AMT2: must be an integer/],
      ["an out-of-range feature", async (f, b, nonce) => signedBody(f, b, { nonce, features: { ...GOOD_FEATURES, PAY_0: 12 } }), 422, /features\.PAY_0: .*outside \[-2, 9\]/],
      ["an unknown feature", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), features: { ...GOOD_FEATURES, SEX: 2 } }), 400, /features\.SEX: not a feature/],
      ["a wrong signer", async (f, b, nonce) => signedBody(f, b, { nonce, signer: f.signers[8]! }), 401, /signature: signed by 0x[0-9a-fA-F]{40}, not by the borrower/],
      ["tampered features", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), features: { ...GOOD_FEATURES, LIMIT_BAL: 900_000 } }), 401, /not by the borrower/],
      ["an expired application", async (f, b, nonce) => signedBody(f, b, { nonce, expiry: Math.floor(Date.now() / 1000) - 5 }), 400, /expiry: application expired/],
      ["an expiry too far ahead", async (f, b, nonce) => signedBody(f, b, { nonce, expiry: Math.floor(Date.now() / 1000) + 86_400 }), 400, /expiry: .* more than 900 s ahead/],
      ["an unknown flow", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), flow: "carrier-pigeon" }), 400, /flow: must be "pull" or "push"/],
      ["a nonce in exponent notation", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), nonce: "1e3" }), 400, /nonce: must be a uint256 as a decimal string/],
      ["a NaN nonce", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), nonce: "NaN" }), 400, /nonce: must be a uint256 as a decimal string/],
      ["a nonce in full-width digits", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), nonce: "１２３" }), 400, /nonce: must be a uint256 as a decimal string/],
      ["a feature nested 3,000 levels deep", async (f, b, nonce) => JSON.stringify({ ...(await signedBody(f, b, { nonce })), features: { ...GOOD_FEATURES, BILL_AMT1: "DEEP" } }).replace('"DEEP"', `${"[".repeat(3_000)}1${"]".repeat(3_000)}`), 400, /nested deeper than \d+ levels/],
      ["a flow nested 3,000 levels deep", async (f, b, nonce) => JSON.stringify({ ...(await signedBody(f, b, { nonce })), flow: "DEEP" }).replace('"DEEP"', `${"[".repeat(3_000)}1${"]".repeat(3_000)}`), 400, /nested deeper than \d+ levels/],
      ["an oversized body", async (f, b, nonce) => ({ ...(await signedBody(f, b, { nonce })), padding: "x".repeat(20_000) }), 413, /exceeds the limit of 16384 bytes/],
    ];
    for (const [name, build, expectedStatus, message] of cases) {
      it(`${name} → ${expectedStatus}`, async () => {
        const borrower = fixture.signers[7]!;
        const nonce = 1_000_000n + BigInt(cases.findIndex((c) => c[0] === name));
        const body = await build(fixture, borrower, nonce);
        const { status, json } = await post(`${nodes[2]!.url}/v1/applications`, body, typeof body === "string");
        expect(status, JSON.stringify(json)).to.equal(expectedStatus);
        expect(json.error.message).to.match(message);
        for (const node of nodes) expect(node.store.isNonceUsed(borrower.address, nonce), `${node.address} stored nothing`).to.equal(false);
      });
    }

    it("a body sent as text/plain, a form or multipart (a browser's pre-flight-free request) → 415, nothing stored", async () => {
      const borrower = fixture.signers[7]!;
      const body = JSON.stringify(await signedBody(fixture, borrower, { nonce: 2_000_000n }));
      for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
        const response = await fetch(`${nodes[2]!.url}/v1/applications`, { method: "POST", headers: { "content-type": contentType }, body, signal: AbortSignal.timeout(5_000) });
        expect(response.status, contentType).to.equal(415);
        expect(((await response.json()) as any).error.message).to.match(/Content-Type must be application\/json/);
      }
      for (const node of nodes) expect(node.store.isNonceUsed(borrower.address, 2_000_000n)).to.equal(false);
    });

    it("a replayed nonce → 409, and the first application stays the only one", async () => {
      const borrower = fixture.signers[7]!;
      const body = await signedBody(fixture, borrower, { nonce: 42n });
      const first = await post(`${nodes[0]!.url}/v1/applications`, body);
      expect(first.status).to.equal(201);
      // The receiving node, the leader and the asked co-signer hold the nonce: 409. A node that never saw the
      // application (k − 1 = 1 peer is asked) forwards it to the leader, which answers with the same bundle.
      const refusedAt: string[] = [];
      for (const node of [nodes[0]!, nodes[1]!, nodes[2]!]) {
        const replay = await post(`${node.url}/v1/applications`, body);
        if (replay.status === 201) {
          expect(replay.json.reportDigest, "no second report").to.equal(first.json.reportDigest);
          continue;
        }
        expect(replay.status).to.equal(409);
        expect(replay.json.error.message).to.match(/nonce: 42 was already used/);
        refusedAt.push(node.address);
      }
      expect(refusedAt).to.include(nodes[0]!.address);
      expect(refusedAt).to.include.members(first.json.signers);
      expect(new Set(nodes[0]!.store.listProposals(first.json.requestKey).map((p) => p.reportDigest))).to.have.length(1);
    });
  });

  it("concurrent submissions sharing one nonce: exactly one is co-signed, every other one gets 409 (3 trials)", async () => {
    const borrower = fixture.signers[11]!;
    for (let trial = 0; trial < 3; trial++) {
      const nonce = 3_000_000n + BigInt(trial);
      // Distinct applications (different fields, so different hashes and leaders) and one exact duplicate.
      const bodies = await Promise.all(Array.from({ length: 8 }, (_, i) => signedBody(fixture, borrower, { nonce, features: { ...GOOD_FEATURES, LIMIT_BAL: 300_000 + i * 10_000 } })));
      bodies.push(bodies[0]!);
      const answers = await Promise.all(bodies.map((body) => post(`${nodes[trial]!.url}/v1/applications`, body)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses, `trial ${trial}: ${JSON.stringify(answers.map((a) => a.json.error?.message ?? "bundle"))}`).to.deep.equal([201, ...Array(8).fill(409)]);
      for (const answer of answers.filter((a) => a.status === 409)) expect(answer.json.error.code).to.equal("replayed_nonce");
    }
  });

  it("/health reports the chain head and watcher lag; /metrics exposes requests, latency, inference, submissions", async () => {
    const health = (await (await fetch(`${nodes[0]!.url}/health`)).json()) as any;
    expect(health.status).to.equal("ok");
    expect(health.modelId).to.equal(fixture.model.modelId);
    expect(health.chain.headBlock).to.be.a("number");
    const metrics = await (await fetch(`${nodes[0]!.url}/metrics`)).text();
    for (const name of ["verity_oracle_requests_total", "verity_oracle_request_duration_seconds", "verity_oracle_inference_duration_seconds", "verity_oracle_submissions_total", "verity_oracle_errors_total"]) {
      expect(metrics).to.include(name);
    }
  });

  it("every application a node scored feeds its drift monitor: /v1/monitoring/drift and the /metrics gauges", async () => {
    const drift = (await (await fetch(`${nodes[0]!.url}/v1/monitoring/drift`)).json()) as any;
    expect(drift.modelId).to.equal(fixture.model.modelId);
    expect(drift.windows.rolling.applications).to.be.greaterThan(0);
    expect(drift.windows.rolling.applications).to.equal(nodes[0]!.drift!.report().windows.rolling.applications);
    expect(Object.keys(drift.windows.rolling.psi)).to.include.members(["score", "utilisation.BILL_AMT1", "paymentRatio.PAY_AMT1", "payStatus.PAY_0", "limitBal"]);
    const metrics = await (await fetch(`${nodes[0]!.url}/metrics`)).text();
    expect(metrics).to.include('verity_oracle_drift_psi{window="rolling",quantity="score"}');
    expect(metrics).to.include('verity_oracle_drift_level{window="day"}');
  });

  describe("one peer down", () => {
    it("the remaining two still reach k = 2 (forwarding skips a dead leader)", async () => {
      await nodes[2]!.shutdown("simulated outage");
      for (const index of [8, 9, 10]) {
        const borrower = fixture.signers[index]!;
        const { status, json } = await post(`${nodes[0]!.url}/v1/applications`, await signedBody(fixture, borrower));
        expect(status, JSON.stringify(json)).to.equal(201);
        expect(json.signers).to.have.members([nodes[0]!.address, nodes[1]!.address]);
      }
    });
  });
});

describe("oracle node quorum with a disagreeing peer", function () {
  this.timeout(120_000);
  let fixture: ChainFixture;
  let nodes: RunningNode[];
  let cleanup: () => void;

  before(async () => {
    fixture = await deployChain();
    let dir: string;
    ({ dir, cleanup } = tempDir("disagree"));
    const configs = await clusterConfigs(dir, fixture);
    nodes = await Promise.all(
      configs.map((config, i) =>
        startTestNode(config, fixture, i === 2 ? { wrapScorer: (scorer) => async (features) => { const score = await scorer(features); return { ...score, pdBps: score.pdBps + 50 }; } } : {}),
      ),
    );
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.shutdown("test done")));
    cleanup();
  });

  it("a peer whose PD differs beyond the tolerance never co-signs; the honest two still reach k", async () => {
    // A leader asks one peer (k − 1) in a per-request order, so the disagreeing peer is asked in some rounds only:
    // applications until it has refused at least once (three at least, fourteen at most).
    const refused = async () =>
      (await nodes[2]!.metrics.errorsTotal.get()).values.find((v) => v.labels.code === "cosign_refused")?.value ?? 0;
    let sent = 0;
    for (const index of [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]) {
      if (sent >= 3 && (await refused()) > 0) break;
      const borrower = fixture.signers[index]!;
      const { status, json } = await post(`${nodes[0]!.url}/v1/applications`, await signedBody(fixture, borrower));
      expect(status, JSON.stringify(json)).to.equal(201);
      expect(json.signers).to.not.include(nodes[2]!.address);
      expect(json.signers).to.have.members([nodes[0]!.address, nodes[1]!.address]);
      sent += 1;
    }
    expect(await refused()).to.be.greaterThan(0);
  });
});

describe("oracle node push-flow retries (2 nodes, k = 2)", function () {
  this.timeout(120_000);
  // One clock for both nodes, so a test can let time pass; set when the suite starts, not when mocha loads the file
  // (applications expire by the wall clock, and the suites before this one may take minutes).
  let clock = 0;
  // No push loop: each test drives the leader's passes (`lead()`) itself.
  const start = (config: NodeConfig) =>
    startTestNode(config, fixture, { watch: false, timing: { peerTimeoutMs: 3_000, coordinateTimeoutMs: 8_000, leaderTimeoutSec: 8, operatorSetTtlMs: 1_000, now: () => clock } });
  let fixture: ChainFixture;
  let configs: NodeConfig[];
  let nodes: RunningNode[];
  let cleanup: () => void;

  before(async () => {
    clock = Math.floor(Date.now() / 1000);
    fixture = await deployChain({ operators: 2, threshold: 2 });
    let dir: string;
    ({ dir, cleanup } = tempDir("push-retry"));
    configs = await clusterConfigs(dir, fixture, 2);
    nodes = await Promise.all(configs.map(start));
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.shutdown("test done")));
    cleanup();
  });

  /**
   * A push application from `borrower` held by both nodes, the borrower's request for it on chain, and node 0
   * leading that request in the round it leads (with two operators, round 0 or 1). `lead()` is one pass of the
   * push loop.
   */
  async function pushRequestLedByNode0(borrower: HardhatEthersSigner) {
    const { status, json } = await post(`${nodes[0]!.url}/v1/applications`, { ...(await signedBody(fixture, borrower)), flow: "push" });
    expect(status, JSON.stringify(json)).to.equal(202);
    const applicationHash = json.applicationHash as string;
    const application = nodes[0]!.store.getApplication(json.applicationHash)!;
    const receipt = await (await fixture.system.oracle.connect(borrower).requestScore(applicationHash)).wait();
    const [requested] = await fixture.system.oracle.queryFilter(fixture.system.oracle.filters.ScoreRequested(borrower.address), receipt!.blockNumber, receipt!.blockNumber);
    const chainRequestId = requested!.args.requestId;
    const requestKey = requestKeyFromRequestId(chainRequestId);
    const set = await nodes[0]!.node.operatorSet();
    const round = [0, 1].find((r) => selectLeader({ operators: set.operators, requestKey, operatorSetVersion: set.version, round: r }).leader === nodes[0]!.address)!;
    const lead = () => nodes[0]!.node.lead({ flow: "push", application, requestKey, round, chainRequestId });
    const failedPass = async () => {
      const error = await lead().then(() => undefined, (e: unknown) => e as Error & { code?: string });
      expect(error?.code).to.equal("quorum_not_met");
      return nodes[0]!.store.listProposals(requestKey);
    };
    return { applicationHash, requestKey, lead, failedPass };
  }

  it("a leader that misses k re-collects for its one proposal, and completes it with the same digest once the peer is back", async () => {
    const { requestKey, lead, failedPass } = await pushRequestLedByNode0(fixture.signers[7]!);
    await nodes[1]!.shutdown("simulated outage");
    for (let pass = 0; pass < 3; pass++) await failedPass();
    const proposals = nodes[0]!.store.listProposals(requestKey);
    expect(proposals, "one proposal however many passes").to.have.length(1);
    expect(proposals[0]!.signatures.map((s) => s.signer)).to.deep.equal([nodes[0]!.address]);

    nodes[1] = await start(configs[1]!); // the same store: it still holds the broadcast application
    const bundle = await lead();
    expect(bundle.reportDigest).to.equal(proposals[0]!.reportDigest);
    expect(bundle.signers).to.have.members([nodes[0]!.address, nodes[1]!.address]);
    expect(nodes[0]!.store.listProposals(requestKey)).to.have.length(1);
  });

  it("re-collects for a proposal up to half the tolerated clock skew old (30 s), and proposes afresh one second later", async () => {
    const { failedPass } = await pushRequestLedByNode0(fixture.signers[9]!);
    await nodes[1]!.shutdown("simulated outage");
    expect(await failedPass()).to.have.length(1);
    clock += 30;
    expect(await failedPass(), "30 s later: the same proposal").to.have.length(1);
    clock += 1;
    expect(await failedPass(), "31 s later: a new one").to.have.length(2);
  });

  it("a peer that missed the push broadcast co-signs from the borrower-signed application the leader sends", async () => {
    await nodes[1]!.shutdown("down during the broadcast");
    const { applicationHash, lead } = await pushRequestLedByNode0(fixture.signers[10]!);
    nodes[1] = await start(configs[1]!);
    expect(nodes[1].store.getApplication(applicationHash), "the peer never got the broadcast").to.equal(undefined);
    const bundle = await lead();
    expect(bundle.signers).to.have.members([nodes[0]!.address, nodes[1].address]);
    expect(nodes[1].store.getApplication(applicationHash)?.signature, "verified and kept by the peer").to.be.a("string");
  });
});
