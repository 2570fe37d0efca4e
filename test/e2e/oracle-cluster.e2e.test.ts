/**
 * End to end, across processes: `hardhat node` as a real JSON-RPC server on 127.0.0.1, the system deployed to it
 * with the deploy code (`deploySystem` + `approveModel`, through Hardhat's `localhost` network with its URL
 * overridden to the spawned node's port), and three oracle node processes (`node --import tsx oracle/src/main.ts
 * --config <file>`, k = 2) with fresh encrypted keystores. The nodes reach the chain through a TCP proxy on
 * loopback that the tests can cut (RPC outage); the tests themselves talk to the chain directly.
 *
 * Every wait is bounded; every child process is registered and killed (process group, SIGTERM then SIGKILL) in
 * `after`, and with SIGKILL on process exit. Node logs go to files in the temp dir; on a failure their tails are
 * printed (set VERITY_E2E_KEEP=1 to keep the dir).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Contract, getAddress, JsonRpcProvider, Network, parseEther, parseUnits, TypedDataEncoder } from "ethers";
import { network } from "hardhat";

import { DatabaseSync } from "../../oracle/src/store/sqlite.js";
import { addressBookSchema, type AddressBook } from "../../oracle/src/protocol/address-book.js";
import {
  approveDataProviders,
  approveModel,
  deploySystem,
  shippedFeatureNames,
  shippedModel,
  type DeployedSystem,
} from "../../scripts/deploy/deploy-system.js";
import { attestedApplicationBody, DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";
import { hashCreditFile, type CreditFileMessage } from "../../oracle/src/protocol/credit-file.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import { requestKeyFromRequestId, selectLeader } from "../../oracle/src/consensus/index.js";
import { applicationTypedData, hashApplicationFeatures } from "../../oracle/src/intake/index.js";
import { createKeystoreFile } from "../../oracle/src/keystore/index.js";
import { freePort } from "../../scripts/lib/free-port.js";
import { GOOD_FEATURES } from "../oracle/chain-fixture.js";

const ROOT = resolve(import.meta.dirname, "../..");
const MODEL_PATH = join(ROOT, "oracle/model/credit-model.onnx");
const PASSWORD_ENV = "VERITY_E2E_KEYSTORE_PASSWORD";
const PASSWORD = "e2e correct horse battery staple";
const WAD = 10n ** 18n;
const FEATURE_NAMES = Object.keys(GOOD_FEATURES);

// ---------------------------------------------------------------------------------------------------------------
// Child processes: a registry, so nothing outlives the test run, even on a failure or an abrupt exit.
// ---------------------------------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached: the child leads its own process group
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}
const killAllNow = () => {
  for (const child of children) killGroup(child, "SIGKILL");
};
process.on("exit", killAllNow);

function exited(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => resolveExit(undefined), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolveExit({ code, signal });
    });
  });
}

/** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
async function stopChild(
  child: ChildProcess,
  graceMs = 5_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  killGroup(child, "SIGTERM");
  let result = await exited(child, graceMs);
  if (result === undefined) {
    killGroup(child, "SIGKILL");
    result = (await exited(child, 5_000)) ?? { code: null, signal: "SIGKILL" };
  }
  children.delete(child);
  return result;
}

function spawnLogged(args: string[], logBase: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const out = openSync(`${logBase}.out.log`, "a");
  const err = openSync(`${logBase}.err.log`, "a");
  // process.execPath directly (not the tsx/hardhat wrappers): one process per child, so SIGKILL kills the node.
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", out, err], detached: true });
  closeSync(out);
  closeSync(err);
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function tail(path: string, lines = 25): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A TCP proxy on loopback between the oracle nodes and the JSON-RPC server, which the tests can cut.
// ---------------------------------------------------------------------------------------------------------------

class RpcProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;
  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, "127.0.0.1");
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once("close", () => this.sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((res, rej) => {
      this.server!.once("error", rej);
      this.server!.listen(0, "127.0.0.1", () => res());
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Refuses every connection (each is closed at once) and drops the open ones: the RPC is unreachable. */
  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The cluster.
// ---------------------------------------------------------------------------------------------------------------

interface OracleProc {
  id: string;
  index: number;
  address: string;
  port: number;
  url: string;
  configPath: string;
  storePath: string;
  logBase: string;
  child?: ChildProcess;
}

let nonceCounter = 1n;

describe("oracle cluster end to end (3 node processes, k = 2, hardhat node over JSON-RPC)", function () {
  this.timeout(60_000);

  let dir: string;
  let hardhatNode: ChildProcess;
  let rpcUrl: string;
  let proxy: RpcProxy;
  let provider: JsonRpcProvider;
  let signers: HardhatEthersSigner[];
  let system: DeployedSystem;
  let oracleAddress: string;
  let chainId: bigint;
  let modelId: string;
  let addressBook: AddressBook;
  let procs: OracleProc[];
  let readOracle: Contract;
  let failed = false;
  const signalHandler = (signal: NodeJS.Signals) => {
    killAllNow();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : 143);
  };

  async function health(node: OracleProc): Promise<{ status: number; json: any }> {
    const response = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(4_000) });
    return { status: response.status, json: await response.json() };
  }

  async function startOracle(node: OracleProc): Promise<void> {
    node.child = spawnLogged(["--import", "tsx", "oracle/src/main.ts", "--config", node.configPath], node.logBase, {
      ...process.env,
      [PASSWORD_ENV]: PASSWORD,
    });
    const child = node.child;
    await waitFor(
      `${node.id} /health 200`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${node.id} exited with ${child.exitCode}: ${tail(`${node.logBase}.err.log`, 5)}`);
        return (await health(node)).status === 200 ? true : undefined;
      },
      40_000,
      250,
    );
  }

  function openStoreReadOnly<T>(node: OracleProc, read: (db: DatabaseSync) => T): T {
    const db = new DatabaseSync(node.storePath, { readOnly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  function requestStatus(node: OracleProc, requestId: bigint): string | undefined {
    return openStoreReadOnly(
      node,
      (db) =>
        (
          db.prepare("SELECT status FROM score_requests WHERE request_id = ?").get(requestId.toString()) as
            { status: string } | undefined
        )?.status,
    );
  }

  async function scorePostedCount(borrower: string): Promise<number> {
    return (await readOracle.queryFilter(readOracle.filters.ScorePosted!(borrower), addressBook.deployedAtBlock))
      .length;
  }

  /** The demo provider's file of `fields` (default: the features, or GOOD_FEATURES), signed into an application. */
  async function signedBody(
    borrower: HardhatEthersSigner,
    options: {
      features?: Record<string, unknown>;
      fields?: Record<string, number>;
      nonce?: bigint;
      expiry?: number;
      signer?: HardhatEthersSigner;
    } = {},
  ) {
    const fields = options.fields ?? (options.features as Record<string, number> | undefined) ?? GOOD_FEATURES;
    return attestedApplicationBody({ chainId, verifyingContract: oracleAddress }, borrower, FEATURE_NAMES, fields, {
      nonce: options.nonce ?? nonceCounter++,
      expiry: options.expiry ?? Math.floor(Date.now() / 1000) + 600,
      ...(options.features === undefined ? {} : { features: options.features }),
      ...(options.signer === undefined ? {} : { signer: options.signer }),
    });
  }

  async function post(url: string, body: unknown, raw = false): Promise<{ status: number; json: any }> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw ? (body as string) : JSON.stringify(body),
      signal: AbortSignal.timeout(25_000),
    });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = { raw: text };
    }
    return { status: response.status, json };
  }

  /** Push flow: the application is stored on every node, then the borrower calls requestScore directly. */
  async function pushApplication(borrower: HardhatEthersSigner, via: OracleProc): Promise<string> {
    const { status, json } = await post(`${via.url}/v1/applications`, {
      ...(await signedBody(borrower)),
      flow: "push",
    });
    expect(status, JSON.stringify(json)).to.equal(202);
    return json.applicationHash as string;
  }

  async function requestScore(borrower: HardhatEthersSigner, applicationHash: string): Promise<bigint> {
    const receipt = await (await system.oracle.connect(borrower).requestScore(applicationHash)).wait();
    for (const log of receipt!.logs) {
      const parsed = readOracle.interface.parseLog(log);
      if (parsed?.name === "ScoreRequested") return parsed.args.requestId as bigint;
    }
    throw new Error("no ScoreRequested in the receipt");
  }

  /** The round-0 leader every node computes for a request key (push: the request id; pull: the application hash). */
  async function leaderOf(requestKey: bigint | string): Promise<OracleProc> {
    const [version, , operators] = (await readOracle.operatorSet!()) as [bigint, bigint, string[]];
    const key = typeof requestKey === "bigint" ? requestKeyFromRequestId(requestKey) : requestKey;
    const { leader } = selectLeader({
      operators: operators.map((o) => getAddress(o)),
      requestKey: key,
      operatorSetVersion: version,
      round: 0,
    });
    return procs.find((p) => p.address === leader)!;
  }

  /** A fresh nonce whose application (pull flow) the given node would lead in round 0. */
  async function nonceLedBy(borrower: string, node: OracleProc, expiry: number): Promise<bigint> {
    for (let tries = 0; tries < 64; tries++) {
      const nonce = nonceCounter++;
      const message = { borrower, featuresHash: hashApplicationFeatures(FEATURE_NAMES, GOOD_FEATURES), nonce, expiry };
      const { domain, types } = applicationTypedData({ chainId, verifyingContract: oracleAddress }, message);
      if ((await leaderOf(TypedDataEncoder.hash(domain, types, message))) === node) return nonce;
    }
    throw new Error(`no nonce led by ${node.id} in 64 tries`);
  }

  /** Posted exactly once: the event appears, every running node settles the request, and no second one follows. */
  async function expectPostedOnce(
    borrower: string,
    requestId: bigint,
    running: OracleProc[],
    timeoutMs = 30_000,
  ): Promise<void> {
    await waitFor(
      `ScorePosted for ${borrower}`,
      async () => ((await scorePostedCount(borrower)) >= 1 ? true : undefined),
      timeoutMs,
      200,
    );
    await waitFor(
      `request ${requestId} submitted on every node`,
      () => (running.every((node) => requestStatus(node, requestId) === "submitted") ? true : undefined),
      timeoutMs,
      200,
    );
    expect(await scorePostedCount(borrower), "ScorePosted events for the borrower").to.equal(1);
    // No failed submissions (a revert loop would leave failures or many attempts behind).
    for (const node of running) {
      const rows = openStoreReadOnly(
        node,
        (db) => db.prepare("SELECT status, attempts FROM submissions").all() as { status: string; attempts: number }[],
      );
      for (const row of rows) {
        expect(row.status, `${node.id} submission`).to.not.equal("failed");
        expect(row.attempts, `${node.id} submission attempts`).to.be.at.most(3);
      }
    }
  }

  before(async function () {
    this.timeout(120_000);
    process.once("SIGINT", signalHandler);
    process.once("SIGTERM", signalHandler);
    dir = mkdtempSync(join(tmpdir(), "verity-e2e-"));

    // 1. The JSON-RPC server.
    const rpcPort = await freePort();
    rpcUrl = `http://127.0.0.1:${rpcPort}`;
    hardhatNode = spawnLogged(
      [
        join(ROOT, "node_modules/hardhat/dist/src/cli.js"),
        "node",
        "--hostname",
        "127.0.0.1",
        "--port",
        String(rpcPort),
      ],
      join(dir, "hardhat-node"),
    );
    provider = new JsonRpcProvider(rpcUrl, Network.from(31337), { staticNetwork: true, pollingInterval: 200 });
    await waitFor(
      "hardhat node eth_chainId",
      async () => {
        if (hardhatNode.exitCode !== null)
          throw new Error(`hardhat node exited: ${tail(join(dir, "hardhat-node.err.log"), 10)}`);
        return BigInt(await provider.send("eth_chainId", [])) === 31337n ? true : undefined;
      },
      40_000,
      250,
    );

    // 2. Fresh operator keys, funded; the system deployed with them as the operator set (k = 2).
    const operatorAddresses: string[] = [];
    for (let i = 0; i < 3; i++) {
      operatorAddresses.push(
        await createKeystoreFile({ outPath: join(dir, `node-${i}.keystore.json`), password: PASSWORD, scryptN: 16 }),
      );
    }
    const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
    const { ethers } = connection;
    signers = await ethers.getSigners();
    const [deployer, governance, regulator, guardian, attester] = signers as [
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
    ];
    const roles = { deployer, governance, regulator, guardian, attester };
    system = await deploySystem(ethers, roles, {
      ...defaultParameters,
      oracle: { operators: operatorAddresses, threshold: 2 },
    });
    const model = await shippedModel(MODEL_PATH, join(ROOT, "oracle/model/MODEL_CARD.json"));
    await approveModel(system.oracle, regulator, model);
    await approveDataProviders(
      system.oracle,
      regulator,
      defaultParameters.dataProviders,
      await shippedFeatureNames(join(ROOT, "oracle/model/MODEL_CARD.json")),
    );
    for (const operator of operatorAddresses)
      await (await deployer.sendTransaction({ to: operator, value: parseEther("10") })).wait();
    modelId = model.modelId;
    oracleAddress = await system.oracle.getAddress();
    chainId = (await ethers.provider.getNetwork()).chainId;
    readOracle = new Contract(oracleAddress, system.oracle.interface, provider);
    addressBook = addressBookSchema.parse({
      network: "e2e",
      chainId: Number(chainId),
      deployedAtBlock: system.deployedAtBlock,
      deployedAt: new Date().toISOString(),
      contracts: {
        vusd: await system.vusd.getAddress(),
        creditScoreOracle: oracleAddress,
        supervisionPolicy: await system.policy.getAddress(),
        lendingPool: await system.pool.getAddress(),
        weth: system.wethAddress,
        wethUsdPriceFeed: system.priceFeedAddress,
      },
      roles: Object.fromEntries(Object.entries(roles).map(([name, signer]) => [name, signer.address])),
      model: { ...model, approved: true },
    });
    writeFileSync(join(dir, "deployment.json"), JSON.stringify(addressBook, null, 2));

    // 3. The proxy the nodes reach the chain through, and three node configs.
    proxy = new RpcProxy(rpcPort);
    await proxy.start();
    const ports = await Promise.all([0, 1, 2].map(() => freePort()));
    procs = ports.map((port, i) => ({
      id: `node-${i}`,
      index: i,
      address: operatorAddresses[i]!,
      port,
      url: `http://127.0.0.1:${port}`,
      configPath: join(dir, `node-${i}.json`),
      storePath: join(dir, `node-${i}.sqlite`),
      logBase: join(dir, `node-${i}`),
    }));
    for (const node of procs) writeFileSync(node.configPath, JSON.stringify(nodeConfig(node), null, 2));
    await Promise.all(procs.map((node) => startOracle(node)));
  });

  function nodeConfig(node: OracleProc, overrides: Record<string, unknown> = {}) {
    return {
      nodeId: node.id,
      operatorAddress: node.address,
      listen: { host: "127.0.0.1", port: node.port },
      keystore: { path: `node-${node.index}.keystore.json`, passwordEnv: PASSWORD_ENV },
      model: { path: MODEL_PATH },
      // confirmations 1, as in the example config: `hardhat node` automines, so no block follows a request's own.
      chain: {
        rpcUrl: `http://127.0.0.1:${proxy.port}`,
        chainId: Number(chainId),
        deploymentFile: "deployment.json",
        confirmations: 1,
        pollIntervalMs: 200,
      },
      peers: procs.filter((p) => p.address !== node.address).map((p) => ({ id: p.id, url: p.url, address: p.address })),
      quorum: { threshold: 2, tolerancePdBps: 5 },
      report: { validitySec: 86_400 },
      intake: { maxBodyBytes: 16_384, applicationMaxAgeSec: 900 },
      store: { path: `${node.id}.sqlite` },
      logLevel: "info",
      ...overrides,
    };
  }

  afterEach(function () {
    if (this.currentTest?.state !== "failed") return;
    failed = true;
    for (const node of procs ?? []) {
      console.log(
        `--- ${node.id} (${node.logBase}.*.log) ---\n${tail(`${node.logBase}.out.log`)}\n${tail(`${node.logBase}.err.log`, 10)}`,
      );
    }
  });

  after(async function () {
    this.timeout(40_000);
    await Promise.all([...children].map((child) => stopChild(child, 5_000)));
    await proxy?.close();
    provider?.destroy();
    process.off("SIGINT", signalHandler);
    process.off("SIGTERM", signalHandler);
    if (dir !== undefined) {
      if (process.env.VERITY_E2E_KEEP === "1" || (failed && process.env.CI === undefined))
        console.log(`e2e temp dir kept: ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pull flow: a borrower-signed application becomes a 2-signature bundle, and borrowWithReport succeeds", async () => {
    const borrower = signers[5]!;
    const body = await signedBody(borrower);
    const { status, json } = await post(`${procs[1]!.url}/v1/applications`, body);
    expect(status, JSON.stringify(json)).to.equal(201);
    expect(json.report.modelId).to.equal(modelId);
    expect(json.signers).to.have.length(2);
    expect(new Set(json.signers).size).to.equal(2);
    for (const signer of json.signers) expect(procs.map((p) => p.address)).to.include(signer);

    const pool = system.pool.connect(borrower);
    await (await system.weth!.connect(borrower).deposit({ value: 2n * WAD })).wait();
    await (await system.weth!.connect(borrower).approve(await pool.getAddress(), 2n * WAD)).wait();
    await (await pool.deposit(system.wethAddress, 2n * WAD, borrower.address)).wait();
    const report = {
      ...json.report,
      operatorSetVersion: BigInt(json.report.operatorSetVersion),
      issuedAt: BigInt(json.report.issuedAt),
      validUntil: BigInt(json.report.validUntil),
    };
    await (await pool.borrowWithReport(parseUnits("1000", 18), report, json.signatures)).wait();
    expect(await system.vusd.balanceOf(borrower.address)).to.equal(parseUnits("1000", 18));
    expect((await system.oracle.scoreOf(borrower.address)).valid).to.equal(true);
    // The posted score points at the attested file and its provider.
    const [posted] = await readOracle.queryFilter(
      readOracle.filters.ScorePosted!(borrower.address),
      addressBook.deployedAtBlock,
    );
    const file = body.creditFile as CreditFileMessage;
    expect([(posted as any).args.provider, (posted as any).args.creditFileHash]).to.deep.equal([
      DEMO_PROVIDER.id,
      hashCreditFile({ chainId, verifyingContract: oracleAddress }, file),
    ]);
  });

  it("an applicant who edits one field of the attested file is refused by every node, naming the check; nothing stored", async () => {
    const borrower = signers[12]!;
    for (const [i, node] of procs.entries()) {
      // The file attests PAY_0 = -1 (paid duly); the applicant signs an application claiming -2 (no consumption).
      const edited = await signedBody(borrower, {
        nonce: 7_000_000n + BigInt(i),
        fields: GOOD_FEATURES,
        features: { ...GOOD_FEATURES, PAY_0: -2 },
      });
      for (const flow of ["pull", "push"]) {
        const { status, json } = await post(`${node.url}/v1/applications`, { ...edited, flow });
        expect([status, json.error?.code], `${node.id} ${flow}: ${JSON.stringify(json)}`).to.deep.equal([
          422,
          "credit_file_fields_mismatch",
        ]);
        expect(json.error.message).to.match(
          /^creditFile\.fieldsHash: the application's features \(hash 0x[0-9a-f]{64}\) are not the fields the provider attested/,
        );
      }
    }
    for (const node of procs) {
      const stored = openStoreReadOnly(
        node,
        (db) =>
          db.prepare("SELECT COUNT(*) AS n FROM used_nonces WHERE borrower = ?").get(borrower.address) as { n: number },
      );
      expect(stored.n, `${node.id} used_nonces`).to.equal(0);
    }
    // The same applicant, with the file as attested, is scored.
    const { status, json } = await post(`${procs[0]!.url}/v1/applications`, await signedBody(borrower));
    expect(status, JSON.stringify(json)).to.equal(201);
  });

  it("a self-declared application (no credit file) is refused by every node", async () => {
    const { creditFile: _file, providerSignature: _signature, ...selfDeclared } = await signedBody(signers[13]!);
    for (const node of procs) {
      const { status, json } = await post(`${node.url}/v1/applications`, selfDeclared);
      expect([status, json.error?.code], `${node.id}: ${JSON.stringify(json)}`).to.deep.equal([
        400,
        "credit_file_required",
      ]);
    }
  });

  it("push flow: requestScore is answered by exactly one ScorePosted", async () => {
    const borrower = signers[6]!;
    const applicationHash = await pushApplication(borrower, procs[0]!);
    const requestId = await requestScore(borrower, applicationHash);
    await expectPostedOnce(borrower.address, requestId, procs, 20_000);
  });

  describe("bad input over HTTP to one node process: a 4xx naming the problem, nothing stored", () => {
    type Build = (borrower: HardhatEthersSigner, nonce: bigint) => Promise<unknown>;
    const cases: [string, Build, number, RegExp][] = [
      ["invalid JSON", async () => "{ not json", 400, /invalid_json|not valid JSON/],
      [
        "a missing field",
        async (b, nonce) => {
          const { signature: _s, ...rest } = await signedBody(b, { nonce });
          return rest;
        },
        400,
        /signature: required/,
      ],
      [
        "a missing feature",
        async (b, nonce) => {
          const { PAY_0: _p, ...features } = GOOD_FEATURES;
          return { ...(await signedBody(b, { nonce })), features };
        },
        400,
        /features\.PAY_0: required/,
      ],
      [
        "a NaN feature",
        async (b, nonce) => ({ ...(await signedBody(b, { nonce })), features: { ...GOOD_FEATURES, LIMIT_BAL: "NaN" } }),
        400,
        /features\.LIMIT_BAL: must be a number/,
      ],
      [
        "a non-number feature",
        async (b, nonce) => ({ ...(await signedBody(b, { nonce })), features: { ...GOOD_FEATURES, PAY_AMT2: null } }),
        400,
        /features\.PAY_AMT2: must be a number/,
      ],
      [
        "an out-of-range feature",
        async (b, nonce) => signedBody(b, { nonce, features: { ...GOOD_FEATURES, PAY_0: 12 } }),
        422,
        /features\.PAY_0: .*outside \[-2, 9\]/,
      ],
      [
        "a wrong signer",
        async (b, nonce) => signedBody(b, { nonce, signer: signers[15]! }),
        401,
        /signature: signed by 0x[0-9a-fA-F]{40}, not by the borrower/,
      ],
      [
        "an oversized body",
        async (b, nonce) => ({ ...(await signedBody(b, { nonce })), padding: "x".repeat(20_000) }),
        413,
        /exceeds the limit of 16384 bytes/,
      ],
    ];
    const BASE_NONCE = 5_000_000n;

    for (const [index, [name, build, expectedStatus, message]] of cases.entries()) {
      it(`${name} → ${expectedStatus}`, async () => {
        const borrower = signers[10]!;
        const body = await build(borrower, BASE_NONCE + BigInt(index));
        const { status, json } = await post(`${procs[2]!.url}/v1/applications`, body, typeof body === "string");
        expect(status, JSON.stringify(json)).to.equal(expectedStatus);
        expect(json.error?.message, JSON.stringify(json)).to.match(message);
      });
    }

    it("nothing was stored: no node holds any of those nonces, and a valid application may still use one", async () => {
      const borrower = signers[10]!;
      for (const node of procs) {
        const rows = openStoreReadOnly(node, (db) => ({
          nonces: db.prepare("SELECT COUNT(*) AS n FROM used_nonces WHERE borrower = ?").get(borrower.address) as {
            n: number;
          },
          applications: db
            .prepare("SELECT COUNT(*) AS n FROM applications WHERE borrower = ?")
            .get(borrower.address) as { n: number },
        }));
        expect(rows.nonces.n, `${node.id} used_nonces`).to.equal(0);
        expect(rows.applications.n, `${node.id} applications`).to.equal(0);
      }
      // The wrong-signer case's nonce was never accepted: the borrower's own application with it goes through.
      const nonce = BASE_NONCE + BigInt(cases.findIndex((c) => c[0] === "a wrong signer"));
      const { status, json } = await post(`${procs[2]!.url}/v1/applications`, await signedBody(borrower, { nonce }));
      expect(status, JSON.stringify(json)).to.equal(201);
    });

    it("a replayed nonce → 409 naming the nonce where it was seen, the same bundle elsewhere; the first application stays the only one", async () => {
      const borrower = signers[11]!;
      const body = await signedBody(borrower, { nonce: 42n });
      const first = await post(`${procs[2]!.url}/v1/applications`, body);
      expect(first.status).to.equal(201);
      // The receiving node and the report's signers hold the nonce: 409. A node that never saw the application (only
      // k − 1 peers are asked) forwards it to the leader, which answers with the bundle it already made.
      const refusedAt: string[] = [];
      for (const node of procs) {
        const replay = await post(`${node.url}/v1/applications`, body);
        if (replay.status === 201) {
          expect(replay.json.reportDigest, "no second report").to.equal(first.json.reportDigest);
          continue;
        }
        expect(replay.status, JSON.stringify(replay.json)).to.equal(409);
        expect(replay.json.error.message).to.match(/nonce: 42 was already used/);
        refusedAt.push(node.address);
      }
      expect(refusedAt, "the receiving node refuses").to.include(procs[2]!.address);
      expect(refusedAt, "every signer refuses").to.include.members(first.json.signers);
      const stored = openStoreReadOnly(
        procs[2]!,
        (db) =>
          db.prepare("SELECT COUNT(*) AS n FROM applications WHERE borrower = ?").get(borrower.address) as {
            n: number;
          },
      );
      expect(stored.n).to.equal(1);
    });
  });

  it("a tampered model file: a 4th node process refuses to start, naming the modelId as not approved", async () => {
    const bytes = readFileSync(MODEL_PATH);
    const at = bytes.indexOf("Reason codes of the Verity credit model");
    expect(at, "marker inside the model's metadata").to.be.greaterThan(-1);
    bytes[at] = "S".charCodeAt(0); // one byte flipped: still a loadable model, another sha256
    const tamperedPath = join(dir, "tampered.onnx");
    writeFileSync(tamperedPath, bytes);
    const tamperedId = `0x${createHash("sha256").update(bytes).digest("hex")}`;
    expect(tamperedId).to.not.equal(modelId);

    const node: OracleProc = {
      ...procs[0]!,
      id: "node-tampered",
      port: await freePort(),
      configPath: join(dir, "node-tampered.json"),
      logBase: join(dir, "node-tampered"),
    };
    copyFileSync(join(dir, "node-0.keystore.json"), join(dir, "node-tampered.keystore.json"));
    writeFileSync(
      node.configPath,
      JSON.stringify(
        nodeConfig(node, {
          keystore: { path: "node-tampered.keystore.json", passwordEnv: PASSWORD_ENV },
          model: { path: tamperedPath },
          store: { path: "node-tampered.sqlite" },
        }),
      ),
    );
    const child = spawnLogged(["--import", "tsx", "oracle/src/main.ts", "--config", node.configPath], node.logBase, {
      ...process.env,
      [PASSWORD_ENV]: PASSWORD,
    });
    const result = await exited(child, 30_000);
    if (result === undefined) await stopChild(child, 1_000);
    expect(result, "exited within 30 s").to.not.equal(undefined);
    expect(result!.code).to.not.equal(0);
    expect(result!.code).to.not.equal(null);
    const stderr = readFileSync(`${node.logBase}.err.log`, "utf8");
    expect(stderr).to.match(new RegExp(`modelId ${tamperedId}.*not approved`));
    // It never listened.
    await fetch(`http://127.0.0.1:${node.port}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      () => expect.fail("the tampered node is listening"),
      () => {},
    );
  });

  it("one peer down (SIGTERM): pull flow still reaches k = 2 with the other two; it restarts cleanly", async () => {
    const down = procs[2]!;
    const stopped = await stopChild(down.child!, 10_000);
    expect(stopped.code, "clean shutdown exit code").to.equal(0);
    const expiry = Math.floor(Date.now() / 1000) + 600;
    // One application whose round-0 leader is the stopped node (the receiving node must move on to round 1), one
    // led by the receiving node itself, and one by the other live node.
    for (const [index, leader] of [
      [12, down],
      [13, procs[0]!],
      [14, procs[1]!],
    ] as const) {
      const borrower = signers[index]!;
      const nonce = await nonceLedBy(borrower.address, leader, expiry);
      const { status, json } = await post(
        `${procs[0]!.url}/v1/applications`,
        await signedBody(borrower, { nonce, expiry }),
      );
      expect(status, `round-0 leader ${leader.id}: ${JSON.stringify(json)}`).to.equal(201);
      expect((await leaderOf(json.requestKey)).id, "computed leader").to.equal(leader.id);
      expect(json.signers).to.have.members([procs[0]!.address, procs[1]!.address]);
      expect(json.leader).to.not.equal(down.address);
    }
    await startOracle(down);
  });

  it("a leader killed (SIGKILL) mid-flow and restarted with the same store: posted exactly once", async () => {
    const borrower = signers[7]!;
    const applicationHash = await pushApplication(borrower, procs[0]!);
    const requestId = await requestScore(borrower, applicationHash);
    const leader = await leaderOf(requestId);
    // Kill it as soon as it has a proposal with signatures for the request (or at the latest after 10 s).
    const stage = await waitFor(
      "leader progress",
      () => {
        const status = requestStatus(leader, requestId);
        return status === "proposed" || status === "submitted" ? status : undefined;
      },
      10_000,
      5,
    ).catch(() => "pending/unknown");
    killGroup(leader.child!, "SIGKILL");
    expect(await exited(leader.child!, 5_000), "killed").to.not.equal(undefined);
    console.log(`      (leader ${leader.id} killed at stage: ${stage})`);
    await startOracle(leader);
    await expectPostedOnce(borrower.address, requestId, procs, 30_000);
  });

  it("RPC outage and recovery: /health reports it (503), the pending request is posted once after recovery", async () => {
    const borrower = signers[8]!;
    const applicationHash = await pushApplication(borrower, procs[1]!);
    proxy.cut();
    try {
      for (const node of procs) {
        const { json } = await waitFor(
          `${node.id} /health 503`,
          async () => {
            const h = await health(node);
            return h.status === 503 ? h : undefined;
          },
          10_000,
          200,
        );
        expect(json.status).to.equal("degraded");
        expect(json.chain).to.have.property("error");
      }
      // The request lands on chain while every node is cut off from it.
      const requestId = await requestScore(borrower, applicationHash);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await scorePostedCount(borrower.address), "nothing posted during the outage").to.equal(0);
      proxy.restore();
      for (const node of procs)
        await waitFor(
          `${node.id} /health 200 again`,
          async () => ((await health(node)).status === 200 ? true : undefined),
          15_000,
          250,
        );
      await expectPostedOnce(borrower.address, requestId, procs, 30_000);
    } finally {
      proxy.restore();
    }
  });
});
