/**
 * Assembles and starts one oracle node from its validated config: keystore → model (sha256 = modelId) and its
 * validation report → chain checks (refuse unless the model is approved, its report is the one approved with it
 * and the model reproduces the report's schema and golden applicants, and this node is an operator) → store →
 * HTTP server → watcher and push loops. `shutdown` stops the loops, drains HTTP within a bound, then closes the
 * store and the provider.
 */
import { dirname, join } from "node:path";

import { readAddressBook, type AddressBook } from "../protocol/address-book.js";
import {
  assertModelApproved,
  checkOperatorMembership,
  ClockDriftMonitor,
  conciseError,
  connectChain,
  FundingMonitor,
  readOperatorSet,
  ScoreRequestWatcher,
  sleep,
  Submitter,
  type ChainContext,
  type SubmitterOptions,
} from "../chain/index.js";
import { explainingConfigPaths, type NodeConfig } from "../config/index.js";
import { loadOperatorWallet } from "../keystore/index.js";
import { createLogger, RepeatedLogFilter, type Logger } from "../log/index.js";
import { createMetrics, type OracleMetrics } from "../metrics/index.js";
import { loadCreditModel, loadValidationReport, pinModelToValidationReport } from "../model/index.js";
import { watchScorer, type DriftWatch } from "../monitoring/index.js";
import { onChainPublisher, startDriftWatch } from "./drift.js";
import { nodeOpenApiDocument } from "./openapi.js";
import { createScorer, type ApplicationScorer } from "../scoring/index.js";
import {
  createOracleServer,
  healthRoute,
  metricsRoute,
  openApiRoute,
  type Route,
  type ShutdownResult,
} from "../server/index.js";
import { openStore, type OracleStore } from "../store/index.js";
import { secp256k1, secp256k1LoadError } from "../signing/index.js";
import { OracleNode, type OracleNodeOptions } from "./oracle-node.js";

/** Where a model's validation report is looked for when the config names none: beside the model file. */
export const DEFAULT_VALIDATION_REPORT_FILE = "MODEL_CARD.json";

/** How often the push loop re-reads the operator's balance (for the metric and /health). */
const FUNDING_CHECK_INTERVAL_MS = 60_000;

export interface StartNodeOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** An existing chain connection (tests: Hardhat's in-process network); otherwise `config.chain.rpcUrl`. */
  chain?: ChainContext;
  addressBook?: AddressBook;
  /** Wraps the model's scorer (tests: a peer whose model disagrees). */
  wrapScorer?: (scorer: ApplicationScorer) => ApplicationScorer;
  /** Overrides `config.timing` (tests: short timeouts, an injected clock). */
  timing?: Pick<
    OracleNodeOptions,
    | "peerTimeoutMs"
    | "coordinateTimeoutMs"
    | "leaderTimeoutSec"
    | "operatorSetTtlMs"
    | "operatorSetMaxStaleMs"
    | "providerTtlMs"
    | "providerMaxStaleMs"
    | "maxClockSkewSec"
    | "now"
  >;
  submitter?: Partial<
    Pick<SubmitterOptions, "maxAttempts" | "backoff" | "receiptTimeoutMs" | "receiptPollMs" | "hooks">
  >;
  /** Run the ScoreRequested watcher and push loop (default true). */
  watch?: boolean;
  /** Collect process metrics (CPU, memory, event loop) too; default true (in-process test clusters turn it off). */
  defaultMetrics?: boolean;
  /** Bound on draining in-flight HTTP requests at shutdown. */
  drainTimeoutMs?: number;
}

export interface RunningNode {
  node: OracleNode;
  url: string;
  address: string;
  modelId: string;
  store: OracleStore;
  metrics: OracleMetrics;
  log: Logger;
  watcher: ScoreRequestWatcher;
  submitter: Submitter;
  /** Drift monitoring of the scored applications (undefined when `monitoring.enabled` is false). */
  drift: DriftWatch | undefined;
  /** The routes the node serves (method and path as routed), e.g. to check them against its OpenAPI document. */
  routes: readonly Pick<Route, "method" | "path">[];
  /** Idempotent: later calls return the first call's promise. */
  shutdown(reason: string): Promise<ShutdownResult>;
}

/** Starts the node; an error about one of the config's files names the field and the config file it came from. */
export function startNode(config: NodeConfig, options: StartNodeOptions = {}): Promise<RunningNode> {
  return explainingConfigPaths(config, () => assembleNode(config, options));
}

async function assembleNode(config: NodeConfig, options: StartNodeOptions): Promise<RunningNode> {
  const log = options.logger ?? createLogger({ nodeId: config.nodeId, level: config.logLevel });
  if (secp256k1LoadError === undefined) log.info({ backend: secp256k1.backend }, "secp256k1 back end");
  else
    log.warn(
      { backend: secp256k1.backend, err: secp256k1LoadError },
      "libsecp256k1 addon did not load; signatures use the slower pure-JS back end",
    );
  const wallet = await loadOperatorWallet(config.keystore, {
    env: options.env ?? process.env,
    expectedAddress: config.operatorAddress,
  });
  const modelFile = await loadCreditModel(config.model.path);
  log.info(
    { modelId: modelFile.modelId, modelVersion: modelFile.modelVersion, features: modelFile.featureNames.length },
    "model loaded",
  );

  const addressBook = options.addressBook ?? (await readAddressBook(config.chain.deploymentFile));
  const chain = options.chain ?? (await connectChain(config.chain, addressBook));
  const opened: { close(): void }[] = [chain];
  try {
    const { validationReportHash } = await assertModelApproved(chain, modelFile.modelId, config.model.path);
    // The input order and golden applicants come from the report the regulator approved, not the file's metadata.
    const validationReport = await loadValidationReport(
      config.model.validationReportPath ?? join(dirname(config.model.path), DEFAULT_VALIDATION_REPORT_FILE),
    );
    const model = await pinModelToValidationReport(modelFile, validationReport, validationReportHash);
    log.info(
      { validationReport: validationReport.path, goldenApplicants: validationReport.golden.applicants.length },
      "model pinned to its approved validation report",
    );
    const set = await readOperatorSet(chain);
    for (const warning of checkOperatorMembership(set, wallet.address, config.peers, config.quorum.threshold))
      log.warn(warning);
    log.info(
      { operatorSetVersion: set.version.toString(), threshold: set.threshold, operators: set.operators.length },
      "chain checks passed",
    );

    // One clock for the node and its store: the push loop compares request timestamps from the store with the
    // node's `now`, and an injected clock (a chain that jumps ahead) must drive both.
    const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    const store = openStore(config.store.path, {
      ...(options.timing?.now === undefined ? {} : { now: options.timing.now }),
      backgroundCheckpoints: {
        intervalMs: config.timing.checkpointIntervalMs,
        onProblem: (error) => {
          metrics.errorsTotal.inc({ code: "wal_checkpointer_failed" });
          log.error({ err: error }, "background WAL checkpoints stopped; SQLite checkpoints inside commits again");
        },
      },
    });
    opened.push(store);
    const drift = startDriftWatch({
      config: config.monitoring,
      model,
      validationReport,
      metrics,
      log,
      ...(options.timing?.now === undefined ? {} : { now: options.timing.now }),
      publish: onChainPublisher(chain, wallet, model.modelId, log),
    });
    const baseScorer = drift === undefined ? createScorer(model) : watchScorer(createScorer(model), drift);
    const scorer = options.wrapScorer?.(baseScorer) ?? baseScorer;
    const submitter = new Submitter({ chain, store, wallet, log, metrics, ...options.submitter });
    // The key pays for push-flow submissions: say at start (and on /health) when it cannot.
    const funding = new FundingMonitor({ chain, address: wallet.address, log, metrics });
    await funding
      .check()
      .catch((error: unknown) => log.warn({ reason: conciseError(error) }, "could not check the operator's balance"));
    const {
      peerTimeoutMs,
      coordinateTimeoutMs,
      leaderTimeoutSec,
      operatorSetTtlMs,
      operatorSetMaxStaleMs,
      maxClockSkewSec,
    } = config.timing;
    const coordinatorTiming = {
      peerTimeoutMs,
      coordinateTimeoutMs,
      leaderTimeoutSec,
      operatorSetTtlMs,
      operatorSetMaxStaleMs,
      maxClockSkewSec,
    };
    const node = new OracleNode({
      config,
      wallet,
      model,
      scorer,
      chain,
      store,
      submitter,
      log,
      metrics,
      initialOperatorSet: set,
      ...coordinatorTiming,
      ...options.timing,
    });
    const nodeClock = options.timing?.now ?? (() => Math.floor(Date.now() / 1000));
    const clockDrift = new ClockDriftMonitor(
      options.timing?.maxClockSkewSec ?? config.timing.maxClockSkewSec,
      nodeClock,
    );
    const watcher = new ScoreRequestWatcher({
      chain,
      store,
      log,
      metrics,
      clockDrift,
      confirmations: config.chain.confirmations,
      pollIntervalMs: config.chain.pollIntervalMs,
      ...(config.chain.startBlock === undefined ? {} : { startBlock: config.chain.startBlock }),
    });

    const routes: Route[] = [
      ...node.routes(),
      healthRoute({
        nodeId: config.nodeId,
        modelId: () => model.modelId,
        chainStatus: async () => {
          const headBlock = await chain.provider.getBlockNumber();
          const lastProcessedBlock = watcher.lastProcessedBlock;
          return lastProcessedBlock === undefined ? { headBlock } : { headBlock, lastProcessedBlock };
        },
        clock: () => clockDrift.status(),
        funding: () => funding.status(),
        submissions: () => submitter.status(),
      }),
      metricsRoute(metrics.registry),
      ...(drift === undefined ? [] : [drift.route()]),
      openApiRoute(nodeOpenApiDocument()),
    ];
    const server = createOracleServer({
      logger: log,
      metrics,
      maxBodyBytes: config.intake.maxBodyBytes,
      allowedHosts: config.listen.allowedHosts,
      headersTimeoutMs: config.timing.headersTimeoutMs,
      requestTimeoutMs: config.timing.requestTimeoutMs,
      routes,
    });
    const address = await server.listen(config.listen.port, config.listen.host);
    const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

    // The push loop: never dies; each pass is bounded by RPC and peer timeouts.
    const loopAbort = new AbortController();
    let pushLoop: Promise<void> = Promise.resolve();
    if (options.watch !== false) {
      watcher.start();
      pushLoop = (async () => {
        let failures = 0;
        let fundingCheckedAt = Date.now();
        const repeated = new RepeatedLogFilter();
        while (!loopAbort.signal.aborted) {
          try {
            await submitter.resumePending();
            await node.processPushRequests();
            if (Date.now() - fundingCheckedAt >= FUNDING_CHECK_INTERVAL_MS) {
              fundingCheckedAt = Date.now();
              await funding.check();
            }
            failures = 0;
          } catch (error) {
            failures += 1;
            metrics.errorsTotal.inc({ code: "push_loop_failed" });
            const reason = conciseError(error);
            const suppressed = repeated.admit(reason);
            if (suppressed !== undefined) log.error({ reason, failures, suppressed }, "push loop pass failed");
          }
          await sleep(Math.min(config.chain.pollIntervalMs * 2 ** Math.min(failures, 5), 60_000), loopAbort.signal);
        }
      })();
    }
    log.info({ url, operator: wallet.address, nodeId: config.nodeId }, "oracle node started");

    let stopping: Promise<ShutdownResult> | undefined;
    const shutdown = (reason: string) =>
      (stopping ??= (async () => {
        log.info({ reason }, "shutting down");
        loopAbort.abort();
        await watcher.stop();
        await pushLoop;
        const result = await server.shutdown(options.drainTimeoutMs ?? 10_000);
        await store.stopBackgroundCheckpoints();
        store.close();
        chain.close();
        log.info(result, "shut down");
        return result;
      })());

    return {
      node,
      url,
      address: wallet.address,
      modelId: model.modelId,
      store,
      metrics,
      log,
      watcher,
      submitter,
      drift,
      routes: routes.map(({ method, path }) => ({ method, path })),
      shutdown,
    };
  } catch (error) {
    for (const resource of opened.reverse()) resource.close();
    throw error;
  }
}
