/**
 * Latency and throughput benchmark of the oracle node, on Hardhat's in-process chain with real HTTP on 127.0.0.1.
 *
 *   npm run bench:oracle                         # progress on stderr, a table with targets on stdout
 *   npm run bench:oracle -- --json               # exactly one JSON object on stdout
 *   npm run bench:oracle -- --check              # exits 1 if a figure misses its target (not in CI: timing varies)
 *   npm run bench:oracle -- --requests 500 --concurrency 16 --warmup 50
 *
 * Figures (percentiles are nearest-rank over the sorted samples: p-th = sorted[ceil(p/100 · n) − 1]):
 *   ortInferenceUs    median of single-row `session.run` calls on the shipped model (same session options as the
 *                     node: intra/inter-op threads 1), after a warm-up. Raw onnxruntime, no explanation.
 *   scoreP50Ms/P99Ms  one node whose on-chain operator set is itself with threshold 1: `POST /v1/applications`
 *                     (pull flow) one request at a time; application in, bundle signed by the node out. Includes
 *                     intake (borrower EIP-712 signature check), nonce claim and storage, scoring, the exact
 *                     Shapley explanation (one ORT batch of 2^G coalitions), report signing and the HTTP round trip.
 *   reportsPerSecond  the same node, `--concurrency` clients over keep-alive HTTP: completed bundles / wall time
 *                     over `--requests` applications.
 *   cosignedP99Ms     three nodes, k = 2 (operators re-set on chain), applications sent one at a time to their
 *                     round-0 leader (no forwarding hop): the leader scores, signs and gathers one co-signature
 *                     from a peer that re-verifies and re-scores. `cosignedForwardedP99Ms` (extra) sends every
 *                     application to node 0 instead, so two thirds of them include the forwarding hop.
 *   quorumThroughput_n3/_n5/_n7, quorumP99Ms_n3/_n5/_n7
 *                     n = 3/5/7 operators with k = 2/3/5, ONE OS PROCESS PER NODE (`node --import tsx
 *                     oracle/src/main.ts --config`, as `npm run oracle`), the in-process chain served to them over
 *                     JSON-RPC on 127.0.0.1 (rpc-server.ts): applications to their round-0 leader, one at a time
 *                     (p99, p50) and from `--concurrency` clients (co-signed bundles per second). Targets:
 *                     throughput n7 ≥ 0.8 × n3 and p99 n7 ≤ 1.3 × n3. Extras per n: the CPU all nodes spent per
 *                     report, the busiest node's share of it, and `quorumOwnMachineThroughput_n<n>` = reports per CPU
 *                     second of the busiest node: what the cluster would serve with a machine per node, which this
 *                     shared machine is not (all processes compete for its cores). `--quorum-only` runs just these.
 *
 * Every application is a fresh borrower wallet with its own nonce, signed before the timed phase (signing is the
 * client's cost). The clients run in a worker thread (load-client.ts): their own event loop and core, so the node
 * under test does not share its event loop with the load generator. The node logs at `--log-level` (default info, as in production) into /dev/null,
 * or, for the process clusters, into `--node-logs <dir>` (one log and one stderr file per node, kept after the run).
 * `--quorum-sizes 7` runs only the n = 7 cluster (or any list of 3, 5, 7).
 * Bounded: `--requests` per phase and a whole-run deadline (`--max-seconds`); every server is shut down at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

import { Command } from "commander";
import { BrowserProvider, HDNodeWallet, Wallet, keccak256, toBeHex, zeroPadValue } from "ethers";
import { network } from "hardhat";
import * as ort from "onnxruntime-node";
import { pino } from "pino";

import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { buildAddressBook } from "../deploy/address-book.js";
import { freePort } from "../lib/free-port.js";
import { GOOD_FEATURES } from "../lib/sample-applicant.js";
import { runLoad, type LoadJob, type LoadResult } from "./load-client.js";
import { serveJsonRpc } from "./rpc-server.js";
import {
  approveDataProviders,
  approveModel,
  deploySystem,
  shippedFeatureNames,
  shippedModel,
} from "../deploy/deploy-system.js";
import { defaultParameters } from "../deploy/parameters.js";
import { chainContext, readOperatorSet, type ChainContext } from "../../oracle/src/chain/index.js";
import { LOG_LEVELS, parseConfig, type NodeConfig } from "../../oracle/src/config/index.js";
import { selectLeader } from "../../oracle/src/consensus/index.js";
import { hashApplication } from "../../oracle/src/intake/index.js";
import { attestedApplicationBody } from "../lib/attested-application.js";
import { createKeystoreFile } from "../../oracle/src/keystore/index.js";
import { createLogger } from "../../oracle/src/log/index.js";
import { loadCreditModel, MODEL_INPUT_NAME } from "../../oracle/src/model/index.js";
import { startNode, type RunningNode } from "../../oracle/src/node/index.js";

/** The process clusters: n operators, threshold k. */
const QUORUM_SHAPES = [
  { n: 3, k: 2 },
  { n: 5, k: 3 },
  { n: 7, k: 5 },
] as const;

const program = new Command()
  .name("bench:oracle")
  .description("Latency and throughput of the Verity oracle node (in-process chain, HTTP on 127.0.0.1)")
  .option("--json", "print one JSON object instead of a table")
  .option("--check", "exit with status 1 if a figure misses its target")
  .option("--requests <n>", "applications per timed phase", (v) => positiveInt("--requests", v), 1000)
  .option("--concurrency <c>", "concurrent clients in the throughput phase", (v) => positiveInt("--concurrency", v), 32)
  .option("--warmup <n>", "untimed applications before each phase", (v) => nonNegativeInt("--warmup", v), 50)
  .option("--log-level <level>", `node log level (${LOG_LEVELS.join(", ")}); lines go to /dev/null`, "info")
  .option("--max-seconds <s>", "abort the whole run after this long", (v) => positiveInt("--max-seconds", v), 900)
  .option(
    "--quorum-requests <n>",
    "applications per timed phase of the n = 3/5/7 process clusters",
    (v) => positiveInt("--quorum-requests", v),
    600,
  )
  .option("--hedge-delay-ms <ms>", "the process clusters' quorum.hedgeDelayMs (default: the node's)", (v) =>
    positiveInt("--hedge-delay-ms", v),
  )
  .option("--quorum-only", "run only the n = 3/5/7 process-cluster phases")
  .option("--quorum-sizes <list>", "which process clusters to run, e.g. 7 or 3,7 (default 3,5,7)", quorumSizes)
  .option(
    "--node-logs <dir>",
    "keep each node process's log (stdout, at --log-level) and stderr in <dir> instead of /dev/null, for debugging",
  )
  .parse();
const opts = program.opts<{
  json?: boolean;
  check?: boolean;
  requests: number;
  concurrency: number;
  warmup: number;
  logLevel: string;
  maxSeconds: number;
  quorumRequests: number;
  hedgeDelayMs?: number;
  quorumOnly?: boolean;
  quorumSizes?: number[];
  nodeLogs?: string;
}>();
const asJson = opts.json === true;
if (!(LOG_LEVELS as readonly string[]).includes(opts.logLevel))
  throw new Error(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
const logLevel = opts.logLevel as NodeConfig["logLevel"];

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return n;
}
function nonNegativeInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return n;
}

function quorumSizes(value: string): number[] {
  const sizes = value.split(",").map((v) => Number(v.trim()));
  const known = QUORUM_SHAPES.map((shape) => shape.n as number);
  const bad = sizes.filter((n) => !known.includes(n));
  if (sizes.length === 0 || bad.length > 0)
    throw new Error(`--quorum-sizes takes a comma-separated list of ${known.join(", ")}, got ${value}`);
  return sizes;
}

const TARGETS = {
  scoreP99Ms: 10,
  reportsPerSecond: 500,
  cosignedP99Ms: 30,
  quorumThroughputRatio: 0.8,
  quorumP99Ratio: 1.3,
} as const;
const MODEL_PATH = fileURLToPath(new URL("../../oracle/model/credit-model.onnx", import.meta.url));
const MODEL_CARD_PATH = fileURLToPath(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url));
const MNEMONIC = "test test test test test test test test test test test junk";
const PASSWORD_ENV = "VERITY_BENCH_KEYSTORE_PASSWORD";
const ENV = { [PASSWORD_ENV]: "bench password, local only" };
const REQUEST_TIMEOUT_MS = 15_000;
const deadline = Date.now() + opts.maxSeconds * 1000;

const progress = (message: string) => {
  if (!asJson) process.stderr.write(`[bench:oracle] ${message}\n`);
};
function checkDeadline(what: string): void {
  if (Date.now() > deadline) throw new Error(`--max-seconds ${opts.maxSeconds} exceeded during ${what}`);
}

/** Nearest-rank percentile of already sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no samples");
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
const sortedCopy = (samples: readonly number[]) => [...samples].sort((a, b) => a - b);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------------------------
// Chain: Verity deployed on the in-process network with one operator (threshold 1); later three (threshold 2).

const connection = await network.create();
const { ethers } = connection;
const signers = await ethers.getSigners();
const [deployer, governance, regulator, guardian, attester] = signers;
const roles = {
  deployer: deployer!,
  governance: governance!,
  regulator: regulator!,
  guardian: guardian!,
  attester: attester!,
};
const operators = Array.from({ length: 7 }, (_, i) =>
  HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${10 + i}`),
);
progress("deploying Verity on the in-process network");
const system = await deploySystem(ethers, roles, {
  ...defaultParameters,
  oracle: { operators: [operators[0]!.address], threshold: 1 },
});
const shipped = await shippedModel(MODEL_PATH, MODEL_CARD_PATH);
await approveModel(system.oracle, roles.regulator, shipped);
await approveDataProviders(
  system.oracle,
  roles.regulator,
  defaultParameters.dataProviders,
  await shippedFeatureNames(MODEL_CARD_PATH),
);
const oracleAddress = await system.oracle.getAddress();
const chainId = (await ethers.provider.getNetwork()).chainId;
const addressBook: AddressBook = await buildAddressBook("in-process", {
  chainId,
  system,
  roles,
  model: shipped,
  modelApproved: true,
});
const chain = (): ChainContext =>
  chainContext(
    new BrowserProvider(connection.provider, Number(chainId), { pollingInterval: 100 }),
    oracleAddress,
    chainId,
    {
      deployedAtBlock: system.deployedAtBlock,
      rpcTimeoutMs: 10_000,
    },
  );

const { dir: workDir, cleanup } = (() => {
  const dir = mkdtempSync(join(tmpdir(), "verity-bench-oracle-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
})();
const running: RunningNode[] = [];
const devNull = pino.destination({ dest: "/dev/null", sync: true });

async function startCluster(count: number, threshold: number, prefix: string): Promise<RunningNode[]> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const ids = ports.map((_, i) => `${prefix}-${i}`);
  const nodes: RunningNode[] = [];
  for (let i = 0; i < count; i++) {
    const keystorePath = join(workDir, `${ids[i]}.keystore.json`);
    await createKeystoreFile({
      outPath: keystorePath,
      password: ENV[PASSWORD_ENV],
      privateKey: operators[i]!.privateKey,
      scryptN: 16,
    });
    const config = parseConfig({
      nodeId: ids[i],
      operatorAddress: operators[i]!.address,
      listen: { host: "127.0.0.1", port: ports[i] },
      keystore: { path: keystorePath, passwordEnv: PASSWORD_ENV },
      model: { path: MODEL_PATH },
      chain: {
        rpcUrl: "http://127.0.0.1:1",
        chainId: Number(chainId),
        deploymentFile: join(workDir, "unused.json"),
        confirmations: 0,
        pollIntervalMs: 1_000,
      },
      peers: ports.flatMap((port, j) =>
        j === i ? [] : [{ id: ids[j], url: `http://127.0.0.1:${port}`, address: operators[j]!.address }],
      ),
      quorum: { threshold, tolerancePdBps: 5 },
      report: { validitySec: 86_400 },
      intake: { maxBodyBytes: 16_384, applicationMaxAgeSec: 900 },
      store: { path: join(workDir, `${ids[i]}.sqlite`) },
      logLevel,
    });
    const node = await startNode(config, {
      env: ENV,
      logger: createLogger({ nodeId: config.nodeId, level: config.logLevel, destination: devNull }),
      chain: chain(),
      addressBook,
      // Scoring only (pull flow): no ScoreRequested watcher, no push loop.
      watch: false,
      defaultMetrics: false,
      timing: { peerTimeoutMs: 5_000, coordinateTimeoutMs: 10_000, operatorSetTtlMs: 60_000 },
      drainTimeoutMs: 3_000,
    });
    running.push(node);
    nodes.push(node);
  }
  return nodes;
}

async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((node) => node.shutdown("bench done")));
}

// ---------------------------------------------------------------------------------------------------------------
// Process clusters: one OS process per node (`node --import tsx oracle/src/main.ts --config <file>`, as
// `npm run oracle` runs it), the in-process chain served to them over JSON-RPC on 127.0.0.1.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROCESS_START_TIMEOUT_MS = 120_000;
let rpcServer: import("node:http").Server | undefined;
let rpcUrl: string | undefined;
const children: { child: ChildProcess; stderrPath: string }[] = [];

async function chainRpcUrl(): Promise<string> {
  if (rpcUrl === undefined) {
    const port = await freePort();
    rpcServer = await serveJsonRpc(connection.provider, port);
    rpcUrl = `http://127.0.0.1:${port}`;
  }
  return rpcUrl;
}

/** Starts `count` node processes (operators 0..count−1, threshold k) and waits until each answers `/health`. */
async function startProcessCluster(
  count: number,
  threshold: number,
  prefix: string,
): Promise<{ address: string; url: string; pid: number | undefined }[]> {
  const url = await chainRpcUrl();
  const deploymentFile = join(workDir, "deployment.json");
  writeFileSync(deploymentFile, JSON.stringify(addressBook, null, 2));
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const ids = ports.map((_, i) => `${prefix}-${i}`);
  const started: { address: string; url: string; child: ChildProcess; stderrPath: string }[] = [];
  for (let i = 0; i < count; i++) {
    const keystorePath = join(workDir, `${ids[i]}.keystore.json`);
    await createKeystoreFile({
      outPath: keystorePath,
      password: ENV[PASSWORD_ENV],
      privateKey: operators[i]!.privateKey,
      scryptN: 16,
    });
    const configPath = join(workDir, `${ids[i]}.json`);
    const config = {
      nodeId: ids[i],
      operatorAddress: operators[i]!.address,
      listen: { host: "127.0.0.1", port: ports[i] },
      keystore: { path: keystorePath, passwordEnv: PASSWORD_ENV },
      model: { path: MODEL_PATH },
      chain: { rpcUrl: url, chainId: Number(chainId), deploymentFile, confirmations: 0, pollIntervalMs: 1_000 },
      peers: ports.flatMap((port, j) =>
        j === i ? [] : [{ id: ids[j], url: `http://127.0.0.1:${port}`, address: operators[j]!.address }],
      ),
      quorum: {
        threshold,
        tolerancePdBps: 5,
        ...(opts.hedgeDelayMs === undefined ? {} : { hedgeDelayMs: opts.hedgeDelayMs }),
      },
      report: { validitySec: 86_400 },
      intake: { maxBodyBytes: 16_384, applicationMaxAgeSec: 900 },
      store: { path: join(workDir, `${ids[i]}.sqlite`) },
      // Header and request bounds above the load client's own 15 s: on an overloaded shared machine a keep-alive
      // connection whose last request took longer than headersTimeoutMs was reset at its next request.
      timing: {
        peerTimeoutMs: 5_000,
        coordinateTimeoutMs: 10_000,
        operatorSetTtlMs: 60_000,
        headersTimeoutMs: 60_000,
        requestTimeoutMs: 120_000,
      },
      // Drift is watched as in production; no on-chain publication from a bench.
      monitoring: { publishOnChain: false },
      logLevel,
    };
    parseConfig(config); // a bad field fails here, naming it, not in a child's log
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const logDir = opts.nodeLogs ?? workDir;
    const stderrPath = join(logDir, `${ids[i]}.stderr.log`);
    const stderr = openSync(stderrPath, "w");
    const stdout = opts.nodeLogs === undefined ? "ignore" : openSync(join(logDir, `${ids[i]}.log`), "w");
    // process.execPath directly (not the npm/tsx wrappers): one process per node, its logs to /dev/null unless
    // --node-logs keeps them.
    const child = spawn(process.execPath, ["--import", "tsx", "oracle/src/main.ts", "--config", configPath], {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
      stdio: ["ignore", stdout, stderr],
    });
    closeSync(stderr);
    if (typeof stdout === "number") closeSync(stdout);
    children.push({ child, stderrPath });
    started.push({ address: operators[i]!.address, url: `http://127.0.0.1:${ports[i]}`, child, stderrPath });
  }
  const until = Date.now() + PROCESS_START_TIMEOUT_MS;
  for (const node of started) {
    for (;;) {
      if (node.child.exitCode !== null)
        throw new Error(
          `node process ${node.url} exited (${node.child.exitCode}) at start: ${readFileSync(node.stderrPath, "utf8").slice(-2_000)}`,
        );
      if (Date.now() > until)
        throw new Error(`node process ${node.url} did not answer /health within ${PROCESS_START_TIMEOUT_MS} ms`);
      checkDeadline("starting node processes");
      const up = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
        () => true,
        () => false,
      );
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return started.map(({ address, url: nodeUrl, child }) => ({ address, url: nodeUrl, pid: child.pid }));
}

/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat (Linux; clock ticks of 1/100 s, the
 * kernel's USER_HZ); undefined where there is no /proc.
 */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14, 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** SIGTERM to every node process, SIGKILL after 10 s; resolves once all have exited. */
async function stopProcesses(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Applications: a fresh borrower per application, signed before any timing.

const model = await loadCreditModel(MODEL_PATH);
const featureNames = [...model.featureNames];
for (const name of featureNames)
  if (GOOD_FEATURES[name] === undefined) throw new Error(`bench: no sample value for model feature ${name}`);

interface SignedApplication {
  body: string;
  applicationHash: string;
}
let applicationCounter = 0;

/** Applicants vary (limit, repayment status, bills) so no two rows are the same. */
function applicantFeatures(i: number): Record<string, number> {
  const features: Record<string, number> = {};
  for (const name of featureNames) features[name] = GOOD_FEATURES[name]!;
  features.LIMIT_BAL = 20_000 + (i % 97) * 10_000;
  features.PAY_0 = (i % 5) - 2;
  features.PAY_2 = (i % 3) - 1;
  features.BILL_AMT1 = 1_000 + (i % 89) * 1_500;
  features.PAY_AMT1 = (i % 31) * 700;
  const out: Record<string, number> = {};
  for (const name of featureNames) out[name] = features[name]!;
  return out;
}

async function signApplications(count: number): Promise<SignedApplication[]> {
  const params = { chainId, verifyingContract: oracleAddress };
  const expiry = Math.floor(Date.now() / 1000) + 850;
  const out: SignedApplication[] = [];
  for (let j = 0; j < count; j++) {
    const i = applicationCounter++;
    const borrower = new Wallet(keccak256(zeroPadValue(toBeHex(0xbe7c4000n + BigInt(i)), 32)));
    const features = applicantFeatures(i);
    const body = await attestedApplicationBody(params, borrower, featureNames, features, {
      nonce: BigInt(i + 1),
      expiry,
    });
    const message = {
      borrower: borrower.address,
      featuresHash: body.creditFile.fieldsHash,
      nonce: BigInt(i + 1),
      expiry,
    };
    out.push({ body: JSON.stringify(body), applicationHash: hashApplication(params, message) });
  }
  return out;
}

/** Sends `apps` through the load worker (warm-up first, untimed); returns the timed phase's result. */
async function load(
  name: string,
  target: (app: SignedApplication) => string,
  warmup: readonly SignedApplication[],
  apps: readonly SignedApplication[],
  mode: LoadJob["mode"],
  expectSigners: number,
  beforeTimed?: () => void,
): Promise<LoadResult> {
  const job = (jobName: string, list: readonly SignedApplication[]): LoadJob => ({
    name: jobName,
    requests: list.map((app) => ({ url: target(app), body: app.body })),
    mode,
    concurrency: opts.concurrency,
    expectSigners,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    deadline,
  });
  if (warmup.length > 0) await runLoad(job(`${name} (warm-up)`, warmup), progress);
  progress(`${name}: ${apps.length} applications`);
  beforeTimed?.();
  return runLoad(job(name, apps), progress);
}

// ---------------------------------------------------------------------------------------------------------------
// The run.

interface Results {
  ortInferenceUs?: number;
  scoreP50Ms?: number;
  scoreP99Ms?: number;
  reportsPerSecond?: number;
  cosignedP99Ms?: number;
  /** Absent when `--quorum-sizes` left that cluster out. */
  quorumThroughput_n3?: number;
  quorumThroughput_n5?: number;
  quorumThroughput_n7?: number;
  quorumP99Ms_n3?: number;
  quorumP99Ms_n5?: number;
  quorumP99Ms_n7?: number;
  [extra: string]: unknown;
}

/**
 * The n = 3/5/7 process clusters: for each, the operator set re-set on chain to its first n operators with
 * threshold k, n node processes, then applications sent to their round-0 leader: one at a time
 * (`quorumP99Ms_n<n>`, `quorumP50Ms_n<n>`) and from `--concurrency` clients (`quorumThroughput_n<n>`, co-signed
 * bundles per second). Each phase records the load average when it ended.
 */
async function runQuorumPhases(): Promise<Record<string, number | number[]>> {
  if (opts.nodeLogs !== undefined) mkdirSync(opts.nodeLogs, { recursive: true });
  const out: Record<string, number | number[]> = {};
  for (const { n, k } of QUORUM_SHAPES.filter(({ n }) => opts.quorumSizes?.includes(n) ?? true)) {
    checkDeadline(`the n = ${n} phase`);
    progress(`re-setting the operator set on chain: ${n} operators, threshold ${k}; starting ${n} node processes`);
    await (
      await system.oracle.connect(roles.governance).setOperators(
        operators.slice(0, n).map((o) => o.address),
        k,
      )
    ).wait();
    const nodes = await startProcessCluster(n, k, `n${n}`);
    try {
      const set = await readOperatorSet(chain());
      const urlOf = new Map(nodes.map((node) => [node.address, node.url]));
      const leaderUrl = (app: SignedApplication) =>
        urlOf.get(
          selectLeader({ operators: set.operators, requestKey: app.applicationHash, operatorSetVersion: set.version })
            .leader,
        )!;
      progress(`signing ${2 * opts.warmup + 2 * opts.quorumRequests} applications for the n = ${n} phases`);
      const seqWarm = await signApplications(opts.warmup);
      const seqApps = await signApplications(opts.quorumRequests);
      const concWarm = await signApplications(opts.warmup);
      const concApps = await signApplications(opts.quorumRequests);
      const sequential = sortedCopy(
        (await load(`${n} processes, k = ${k}, one at a time`, leaderUrl, seqWarm, seqApps, "sequential", k)).samplesMs,
      );
      progress(
        `n = ${n}, one at a time: p50 ${round(percentile(sequential, 50))} ms, p99 ${round(percentile(sequential, 99))} ms`,
      );
      // CPU each node spent on the timed concurrent phase: the busiest node bounds the cluster's throughput when each
      // node has its own machine, as operators do (on this shared machine they compete for the same cores).
      let cpuBefore: (number | undefined)[] = [];
      const { wallMs } = await load(
        `${n} processes, k = ${k}, ${opts.concurrency} concurrent clients`,
        leaderUrl,
        concWarm,
        concApps,
        "concurrent",
        k,
        () => {
          cpuBefore = nodes.map((node) => cpuSeconds(node.pid));
        },
      );
      const cpuUsed = nodes.map((node, i) => (cpuSeconds(node.pid) ?? NaN) - (cpuBefore[i] ?? NaN));
      if (cpuUsed.every(Number.isFinite)) {
        const busiest = cpuUsed.reduce((max, v) => Math.max(max, v), 0);
        out[`quorumCpuMsPerReport_n${n}`] = round(
          (cpuUsed.reduce((sum, v) => sum + v, 0) / opts.quorumRequests) * 1000,
        );
        out[`quorumBusiestNodeShare_n${n}`] = round(busiest / cpuUsed.reduce((sum, v) => sum + v, 0));
        out[`quorumOwnMachineThroughput_n${n}`] = round(opts.quorumRequests / busiest, 1);
      }
      out[`quorumThroughput_n${n}`] = round((opts.quorumRequests / wallMs) * 1000, 1);
      out[`quorumP99Ms_n${n}`] = round(percentile(sequential, 99));
      out[`quorumP50Ms_n${n}`] = round(percentile(sequential, 50));
      out[`quorumLoadAverage_n${n}`] = loadavg().map((l) => round(l));
      progress(
        `n = ${n}: ${JSON.stringify(Object.fromEntries(Object.entries(out).filter(([key]) => key.endsWith(`_n${n}`))))}`,
      );
    } catch (error) {
      // What the node processes said, before their folder goes: a crash or a refusal is named there.
      const tails = children.map(
        ({ child, stderrPath }) =>
          `pid ${String(child.pid)} (exit ${String(child.exitCode)}): ${readFileSync(stderrPath, "utf8").slice(-1_500)}`,
      );
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nnode processes' stderr:\n${tails.join("\n")}`,
        { cause: error },
      );
    } finally {
      await stopProcesses();
    }
  }
  return out;
}

async function measureOrt(): Promise<{ single: number; batch: number }> {
  // The node's own session options (load-model.ts): one intra-op and one inter-op thread.
  const session = await ort.InferenceSession.create(MODEL_PATH, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const width = featureNames.length;
  const row = Float32Array.from(featureNames.map((name) => GOOD_FEATURES[name]!));
  const batchRows = 256;
  const batch = new Float32Array(batchRows * width);
  for (let r = 0; r < batchRows; r++) batch.set(row, r * width);
  const time = async (data: Float32Array, rows: number, runs: number) => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const feeds = { [MODEL_INPUT_NAME]: new ort.Tensor("float32", data, [rows, width]) };
      const started = performance.now();
      await session.run(feeds);
      samples.push((performance.now() - started) * 1000);
    }
    return percentile(sortedCopy(samples), 50);
  };
  await time(row, 1, 500);
  const single = await time(row, 1, 5_000);
  await time(batch, batchRows, 100);
  const batchUs = await time(batch, batchRows, 1_000);
  await session.release();
  return { single, batch: batchUs };
}

async function run(): Promise<Results> {
  if (opts.quorumOnly === true) {
    const quorum = await runQuorumPhases();
    return { ...(quorum as unknown as Results), ...extras() };
  }
  progress("onnxruntime: single-row session.run (and a 256-row batch, for reference)");
  const ortTimes = await measureOrt();

  // Phase 1: one node, operator set = {node}, threshold 1.
  progress(`signing ${2 * opts.warmup + 2 * opts.requests} applications for the one-node phases`);
  const [single] = await startCluster(1, 1, "solo");
  const soloWarm = await signApplications(opts.warmup);
  const soloApps = await signApplications(opts.requests);
  const throughputWarm = await signApplications(opts.warmup);
  const throughputApps = await signApplications(opts.requests);
  checkDeadline("signing");

  const soloUrl = () => single!.url;
  const scoreSamples = sortedCopy(
    (await load("one node, sequential", soloUrl, soloWarm, soloApps, "sequential", 1)).samplesMs,
  );
  const { wallMs } = await load(
    `one node, ${opts.concurrency} concurrent clients`,
    soloUrl,
    throughputWarm,
    throughputApps,
    "concurrent",
    1,
  );
  await stopAll();

  // Phase 2: three nodes, k = 2.
  progress("re-setting the operator set on chain: 3 operators, threshold 2");
  await (
    await system.oracle.connect(roles.governance).setOperators(
      operators.slice(0, 3).map((o) => o.address),
      2,
    )
  ).wait();
  const cluster = await startCluster(3, 2, "quorum");
  const set = await readOperatorSet(chain());
  const urlOf = new Map(cluster.map((node) => [node.address, node.url]));
  const leaderUrl = (app: SignedApplication) =>
    urlOf.get(
      selectLeader({ operators: set.operators, requestKey: app.applicationHash, operatorSetVersion: set.version })
        .leader,
    )!;
  progress(`signing ${2 * opts.warmup + 2 * opts.requests} applications for the three-node phases`);
  const quorumWarm = await signApplications(opts.warmup);
  const quorumApps = await signApplications(opts.requests);
  const forwardWarm = await signApplications(opts.warmup);
  const forwardApps = await signApplications(opts.requests);
  checkDeadline("signing");
  const cosignSamples = sortedCopy(
    (await load("3 nodes, k = 2, to the leader", leaderUrl, quorumWarm, quorumApps, "sequential", 2)).samplesMs,
  );
  const forwardSamples = sortedCopy(
    (await load("3 nodes, k = 2, to node 0", () => cluster[0]!.url, forwardWarm, forwardApps, "sequential", 2))
      .samplesMs,
  );
  await stopAll();
  const quorum = await runQuorumPhases();

  return {
    ...(quorum as unknown as Results),
    ortInferenceUs: round(ortTimes.single, 1),
    scoreP50Ms: round(percentile(scoreSamples, 50)),
    scoreP99Ms: round(percentile(scoreSamples, 99)),
    reportsPerSecond: round((opts.requests / wallMs) * 1000, 1),
    cosignedP99Ms: round(percentile(cosignSamples, 99)),
    // extras
    ortBatch256Us: round(ortTimes.batch, 1),
    cosignedP50Ms: round(percentile(cosignSamples, 50)),
    cosignedForwardedP50Ms: round(percentile(forwardSamples, 50)),
    cosignedForwardedP99Ms: round(percentile(forwardSamples, 99)),
    ...extras(),
  };
}

function extras() {
  return {
    requests: opts.requests,
    quorumRequests: opts.quorumRequests,
    concurrency: opts.concurrency,
    warmup: opts.warmup,
    hedgeDelayMs: opts.hedgeDelayMs ?? "node default",
    logLevel,
    loadAverage: loadavg().map((l) => round(l)),
  };
}

let results: Results;
try {
  results = await run();
} finally {
  await stopProcesses().catch(() => undefined);
  rpcServer?.close();
  await stopAll().catch(() => undefined);
  await connection.close().catch(() => undefined);
  cleanup();
}

/** Each target with its figure; `met` is the verdict the table prints and `--check` enforces. */
const ranQuorumRatios = results.quorumThroughput_n3 !== undefined && results.quorumThroughput_n7 !== undefined;
const throughputRatio = round(results.quorumThroughput_n7! / results.quorumThroughput_n3!);
const p99Ratio = round(results.quorumP99Ms_n7! / results.quorumP99Ms_n3!);
const verdicts = [
  ...(results.scoreP99Ms === undefined
    ? []
    : [
        {
          metric: "scoreP99Ms",
          value: `${results.scoreP99Ms} ms`,
          target: `≤ ${TARGETS.scoreP99Ms}`,
          met: results.scoreP99Ms <= TARGETS.scoreP99Ms,
        },
        {
          metric: "reportsPerSecond",
          value: `${results.reportsPerSecond} /s`,
          target: `≥ ${TARGETS.reportsPerSecond}`,
          met: results.reportsPerSecond! >= TARGETS.reportsPerSecond,
        },
        {
          metric: "cosignedP99Ms",
          value: `${results.cosignedP99Ms} ms`,
          target: `≤ ${TARGETS.cosignedP99Ms}`,
          met: results.cosignedP99Ms! <= TARGETS.cosignedP99Ms,
        },
      ]),
  ...(ranQuorumRatios
    ? [
        {
          metric: "quorumThroughput n7/n3",
          value: `${throughputRatio}`,
          target: `≥ ${TARGETS.quorumThroughputRatio}`,
          met: throughputRatio >= TARGETS.quorumThroughputRatio,
        },
        {
          metric: "quorumP99Ms n7/n3",
          value: `${p99Ratio}`,
          target: `≤ ${TARGETS.quorumP99Ratio}`,
          met: p99Ratio <= TARGETS.quorumP99Ratio,
        },
      ]
    : []),
];
const verdictRow = (metric: string): [string, string, string, string] => {
  const v = verdicts.find((x) => x.metric === metric)!;
  return [v.metric, v.value, v.target, v.met ? "✓" : "✗"];
};

if (asJson) {
  process.stdout.write(`${JSON.stringify(results)}\n`);
} else {
  const rows: [string, string, string, string][] = [
    ...(results.scoreP99Ms === undefined
      ? []
      : ([
          ["ortInferenceUs", `${results.ortInferenceUs} µs`, "", ""],
          ["scoreP50Ms", `${results.scoreP50Ms} ms`, "", ""],
          verdictRow("scoreP99Ms"),
          verdictRow("reportsPerSecond"),
          verdictRow("cosignedP99Ms"),
          ["  ortBatch256Us", `${String(results.ortBatch256Us)} µs`, "", ""],
          ["  cosignedP50Ms", `${String(results.cosignedP50Ms)} ms`, "", ""],
          ["  cosignedForwardedP50Ms", `${String(results.cosignedForwardedP50Ms)} ms`, "", ""],
          ["  cosignedForwardedP99Ms", `${String(results.cosignedForwardedP99Ms)} ms`, "", ""],
        ] as [string, string, string, string][])),
    ...QUORUM_SHAPES.filter(({ n }) => results[`quorumThroughput_n${n}`] !== undefined).flatMap(
      ({ n, k }): [string, string, string, string][] => [
        [`quorumThroughput_n${n} (k = ${k})`, `${String(results[`quorumThroughput_n${n}`])} /s`, "", ""],
        [`quorumP99Ms_n${n}`, `${String(results[`quorumP99Ms_n${n}`])} ms`, "", ""],
        [`  quorumP50Ms_n${n}`, `${String(results[`quorumP50Ms_n${n}`])} ms`, "", ""],
        [`  quorumCpuMsPerReport_n${n}`, `${String(results[`quorumCpuMsPerReport_n${n}`])} ms`, "", ""],
        [`  quorumBusiestNodeShare_n${n}`, `${String(results[`quorumBusiestNodeShare_n${n}`])}`, "", ""],
        [`  quorumOwnMachineThroughput_n${n}`, `${String(results[`quorumOwnMachineThroughput_n${n}`])} /s`, "", ""],
        [`  load average after n = ${n}`, `${(results[`quorumLoadAverage_n${n}`] as number[]).join(" ")}`, "", ""],
      ],
    ),
    ...(ranQuorumRatios ? [verdictRow("quorumThroughput n7/n3"), verdictRow("quorumP99Ms n7/n3")] : []),
  ];
  const widths = [0, 1, 2].map((c) =>
    rows.reduce((max, r) => Math.max(max, r[c]!.length), ["metric", "value", "target"][c]!.length),
  );
  const line = (r: readonly string[]) =>
    `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3] ?? ""}`.trimEnd();
  console.log(line(["metric", "value", "target", ""]));
  for (const r of rows) console.log(line(r));
  console.log(
    `\n${String(results.requests)} applications per phase (${String(results.quorumRequests)} in the process clusters', hedge delay ${String(results.hedgeDelayMs)}), ${String(results.concurrency)} concurrent clients, warm-up ${String(results.warmup)}, node log level ${String(results.logLevel)}; ` +
      `load average ${(results.loadAverage as number[]).join(" ")} (shared machine: absolute figures are noisy)`,
  );
}
const missed = verdicts.filter((v) => !v.met);
if (opts.check === true && missed.length > 0) {
  console.error(
    `bench:oracle --check: ${missed.map((v) => `${v.metric} ${v.value} (target ${v.target})`).join(", ")} missed`,
  );
  process.exit(1);
}
process.exit(0);
