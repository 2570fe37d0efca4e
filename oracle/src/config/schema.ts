/**
 * The oracle node's configuration file, as a strict zod schema: unknown keys are errors (a typo must not silently
 * fall back to a default), cross-field rules are checked here once, and the rest of the node trusts the result.
 * Secrets are never part of it: the keystore password comes from an environment variable or a file it names.
 */
import { isIP } from "node:net";

import { getAddress, isAddress } from "ethers";
import { z } from "zod";

import { MAX_ISSUED_AT_SKEW_SEC } from "../signing/index.js";
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from "../server/index.js";
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from "../store/index.js";

/** Pino's levels, plus "silent" for tests and tools. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const nonEmpty = z.string().trim().min(1, "must not be empty");

/**
 * A file path. A relative one is resolved against the config file's folder, not the working directory
 * (`loadConfig`); errors about the file name the resolved path, this field and the config file.
 */
export const filePathSchema = z
  .string()
  .trim()
  .min(1, "must not be empty (a file path, relative to the config file's folder)");

/** An EVM address, normalised to its EIP-55 checksum form so comparisons are plain string equality. */
export const addressSchema = z
  .string()
  .refine(
    (value) => isAddress(value),
    "must be a 20-byte hex address (0x…; mixed case must be a valid EIP-55 checksum)",
  )
  .transform((value) => getAddress(value));

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const rpcUrl = z.url({ protocol: /^(https?|wss?)$/, error: "must be an http(s) or ws(s) URL" });

const positiveInt = z.int("must be an integer").positive("must be > 0");
const nonNegativeInt = z.int("must be an integer").nonnegative("must be ≥ 0");

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

export const listenSchema = z
  .strictObject({
    // Loopback by default: exposing the intake API is a deliberate decision, made by listing the host below.
    host: z.string().default("127.0.0.1"),
    port: z.int("must be an integer").min(0, "must be in 0..65535").max(65_535, "must be in 0..65535"),
    // Non-loopback addresses the node may listen on, and the names it serves: a request whose Host header names
    // none of these (nor a loopback name) is refused, so a web page cannot reach the node by DNS rebinding.
    allowedHosts: z.array(nonEmpty).default([]),
  })
  .superRefine((listen, ctx) => {
    if (listen.host !== "localhost" && isIP(listen.host) === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["host"],
        message: `must be an IP address or "localhost", got "${listen.host}"`,
      });
    } else if (!isLoopbackHost(listen.host) && !listen.allowedHosts.includes(listen.host)) {
      ctx.addIssue({
        code: "custom",
        path: ["host"],
        message: `"${listen.host}" is not a loopback address; list it in listen.allowedHosts to expose the node on it`,
      });
    }
  });

export const keystoreSchema = z
  .strictObject({
    path: filePathSchema,
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
      .optional(),
    passwordFile: filePathSchema.optional(),
  })
  .superRefine((keystore, ctx) => {
    const sources = [keystore.passwordEnv, keystore.passwordFile].filter((s) => s !== undefined).length;
    if (sources !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `must name exactly one password source, passwordEnv or passwordFile (found ${sources})`,
      });
    }
  });

const chainSchema = z.strictObject({
  rpcUrl,
  chainId: positiveInt,
  deploymentFile: filePathSchema,
  /** Confirmations a push request needs, counted as ethers does: its own block is the first (0 and 1: once mined). */
  confirmations: nonNegativeInt,
  pollIntervalMs: z.int("must be an integer").min(100, "must be ≥ 100 (ms)"),
  startBlock: nonNegativeInt.optional(),
});

const peerSchema = z.strictObject({ id: nonEmpty, url: httpUrl, address: addressSchema });

/**
 * Default `quorum.hedgeDelayMs`: a peer that usually answers in milliseconds and is silent for 1 s is slow; half
 * of `timing.peerTimeoutMs` when that is shorter.
 */
export const HEDGE_DELAY_DEFAULT_MS = 1_000;

/** The hedge delay a node uses: the configured one, or the default for its peer timeout. */
export function hedgeDelayMsOf(config: {
  quorum: { hedgeDelayMs?: number | undefined };
  timing: { peerTimeoutMs: number };
}): number {
  return config.quorum.hedgeDelayMs ?? Math.min(HEDGE_DELAY_DEFAULT_MS, Math.floor(config.timing.peerTimeoutMs / 2));
}

const quorumSchema = z.strictObject({
  threshold: z.int("must be an integer").min(1, "must be ≥ 1"),
  tolerancePdBps: z.int("must be an integer").min(0, "must be in 0..10000").max(10_000, "must be in 0..10000"),
  /**
   * The leader asks k − 1 peers to co-sign; when one of them has not answered after this long, it asks the next
   * peer as well (a refusal or a failure asks the next one at once). A floor: when the peers answer slower lately,
   * the leader waits twice their recent p95 instead (`node/hedge-delay.ts`). Below `timing.peerTimeoutMs`; default
   * `hedgeDelayMsOf`.
   */
  hedgeDelayMs: z.int("must be an integer").min(10, "must be ≥ 10 (ms)").max(60_000, "must be ≤ 60000 (ms)").optional(),
});

const MAX_SKEW_SEC = Number(MAX_ISSUED_AT_SKEW_SEC);

/** The `timing` section's defaults (also the coordinator's, when it is built without a config). */
/** Default `intake.creditFileMaxAgeSec`: 30 days. */
export const CREDIT_FILE_MAX_AGE_DEFAULT_SEC = 30 * 24 * 3600;

export const TIMING_DEFAULTS = {
  peerTimeoutMs: 5_000,
  coordinateTimeoutMs: 15_000,
  leaderTimeoutSec: 30,
  operatorSetTtlMs: 10_000,
  operatorSetMaxStaleMs: 300_000,
  /** A data provider approved or retired on chain is seen within 10 s; during an RPC outage for at most 60 s. */
  providerTtlMs: 10_000,
  providerMaxStaleMs: 60_000,
  maxClockSkewSec: 60,
  checkpointIntervalMs: DEFAULT_CHECKPOINT_INTERVAL_MS,
  headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
} as const;

/**
 * How long the node waits for others. Optional: the defaults suit operators on one continent; raise the peer and
 * coordinate timeouts for operators far apart, and `leaderTimeoutSec` with them.
 */
const timingSchema = z
  .strictObject({
    /** Bound on one peer call: a co-signature, a forwarded application, a push-flow broadcast. */
    peerTimeoutMs: z.int("must be an integer").min(100, "must be ≥ 100 (ms)").default(TIMING_DEFAULTS.peerTimeoutMs),
    /** Bound on a forwarded application: the leader scores it and gathers co-signatures within this time. */
    coordinateTimeoutMs: z
      .int("must be an integer")
      .min(100, "must be ≥ 100 (ms)")
      .default(TIMING_DEFAULTS.coordinateTimeoutMs),
    /** Push flow: how long a round's leader has to post before the next round's leader takes over. */
    leaderTimeoutSec: z.int("must be an integer").min(1, "must be ≥ 1 (s)").default(TIMING_DEFAULTS.leaderTimeoutSec),
    /** How long the on-chain operator set is cached (0: read it on every request). */
    operatorSetTtlMs: nonNegativeInt.default(TIMING_DEFAULTS.operatorSetTtlMs),
    /**
     * During an RPC outage, how long the last operator set read is still served (reports carry its version, so
     * a report from a set retired meanwhile is refused on chain); beyond it applications get 503.
     */
    operatorSetMaxStaleMs: nonNegativeInt
      .max(3_600_000, "must be ≤ 3600000 (ms)")
      .default(TIMING_DEFAULTS.operatorSetMaxStaleMs),
    /** Clock difference tolerated between operators (report issuedAt, peer envelopes). */
    maxClockSkewSec: z
      .int("must be an integer")
      .min(1, "must be ≥ 1 (s)")
      .max(MAX_SKEW_SEC, `must be ≤ ${MAX_SKEW_SEC} (s): the oracle contract's issuedAt skew`)
      .default(TIMING_DEFAULTS.maxClockSkewSec),
    /** Slow-loris bound: a client gets this long to send its request headers. */
    headersTimeoutMs: z
      .int("must be an integer")
      .min(100, "must be ≥ 100 (ms)")
      .default(TIMING_DEFAULTS.headersTimeoutMs),
    /** Slow-loris bound: a client gets this long to send its whole request (headers and body). */
    requestTimeoutMs: z
      .int("must be an integer")
      .min(100, "must be ≥ 100 (ms)")
      .default(TIMING_DEFAULTS.requestTimeoutMs),
    /** Time between background checkpoints of the store's write-ahead log. */
    checkpointIntervalMs: z
      .int("must be an integer")
      .min(10, "must be ≥ 10 (ms)")
      .max(60_000, "must be ≤ 60000 (ms)")
      .default(TIMING_DEFAULTS.checkpointIntervalMs),
  })
  .superRefine((timing, ctx) => {
    // A forwarded application waits for the leader, which itself waits up to peerTimeoutMs for co-signers.
    if (timing.coordinateTimeoutMs <= timing.peerTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["coordinateTimeoutMs"],
        message: `must be greater than timing.peerTimeoutMs (${timing.peerTimeoutMs})`,
      });
    }
    if (timing.operatorSetMaxStaleMs < timing.operatorSetTtlMs) {
      ctx.addIssue({
        code: "custom",
        path: ["operatorSetMaxStaleMs"],
        message: `must be ≥ timing.operatorSetTtlMs (${timing.operatorSetTtlMs})`,
      });
    }
    if (timing.headersTimeoutMs > timing.requestTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["headersTimeoutMs"],
        message: `must be ≤ timing.requestTimeoutMs (${timing.requestTimeoutMs})`,
      });
    }
    if (timing.leaderTimeoutSec * 1000 <= timing.peerTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["leaderTimeoutSec"],
        message: `must be longer than timing.peerTimeoutMs (${timing.peerTimeoutMs} ms)`,
      });
    }
  });

/** The `monitoring` section's defaults (drift monitoring of the scored applications, `oracle/src/monitoring/`). */
export const MONITORING_DEFAULTS = {
  enabled: true,
  windowApplications: 1_000,
  warnPsi: 0.1,
  criticalPsi: 0.25,
  unitsWarnRatio: 1.5,
  unitsCriticalRatio: 3,
  alertIntervalSec: 300,
  publishOnChain: true,
} as const;

const psiThreshold = z.number("must be a number").gt(0, "must be > 0").max(10, "must be ≤ 10");

/** Drift monitoring. Optional: the defaults are the issue's thresholds (warn at PSI 0.10, critical at 0.25). */
const monitoringSchema = z
  .strictObject({
    enabled: z.boolean("must be true or false").default(MONITORING_DEFAULTS.enabled),
    /** Size of the rolling window, in applications. */
    windowApplications: z
      .int("must be an integer")
      .min(10, "must be ≥ 10")
      .max(1_000_000, "must be ≤ 1000000")
      .default(MONITORING_DEFAULTS.windowApplications),
    /** Applications a window needs before it is judged (default: windowApplications). */
    minApplications: z.int("must be an integer").min(10, "must be ≥ 10").optional(),
    warnPsi: psiThreshold.default(MONITORING_DEFAULTS.warnPsi),
    criticalPsi: psiThreshold.default(MONITORING_DEFAULTS.criticalPsi),
    /** Median LIMIT_BAL over the reference median (or its inverse) at which the units check warns / is critical. */
    unitsWarnRatio: z.number("must be a number").gt(1, "must be > 1").default(MONITORING_DEFAULTS.unitsWarnRatio),
    unitsCriticalRatio: z
      .number("must be a number")
      .gt(1, "must be > 1")
      .default(MONITORING_DEFAULTS.unitsCriticalRatio),
    /** A window that stays at warn or critical is logged again at most this often. */
    alertIntervalSec: z
      .int("must be an integer")
      .min(1, "must be ≥ 1 (s)")
      .default(MONITORING_DEFAULTS.alertIntervalSec),
    /** Publish a critical window's summary on chain (`publishMonitoringReport`), at most once per window. */
    publishOnChain: z.boolean("must be true or false").default(MONITORING_DEFAULTS.publishOnChain),
  })
  .superRefine((m, ctx) => {
    if (m.criticalPsi <= m.warnPsi)
      ctx.addIssue({
        code: "custom",
        path: ["criticalPsi"],
        message: `must be greater than monitoring.warnPsi (${m.warnPsi})`,
      });
    if (m.unitsCriticalRatio <= m.unitsWarnRatio) {
      ctx.addIssue({
        code: "custom",
        path: ["unitsCriticalRatio"],
        message: `must be greater than monitoring.unitsWarnRatio (${m.unitsWarnRatio})`,
      });
    }
    if (m.minApplications !== undefined && m.minApplications > m.windowApplications) {
      ctx.addIssue({
        code: "custom",
        path: ["minApplications"],
        message: `must be ≤ monitoring.windowApplications (${m.windowApplications})`,
      });
    }
  })
  .transform((m) => ({ ...m, minApplications: m.minApplications ?? m.windowApplications }));

export const nodeConfigSchema = z
  .strictObject({
    nodeId: nonEmpty,
    // The address the keystore must decrypt to. Stating it here lets every cross-field rule (own address not a
    // peer) be checked before the slow scrypt decryption, and catches a wrong keystore mounted on the node.
    operatorAddress: addressSchema,
    listen: listenSchema,
    keystore: keystoreSchema,
    model: z.strictObject({
      path: filePathSchema,
      // The model's validation report (its MODEL_CARD.json), whose sha256 the chain records with the model: the
      // node takes the feature order and golden applicants from it. Default: MODEL_CARD.json beside the model.
      validationReportPath: filePathSchema.optional(),
    }),
    chain: chainSchema,
    peers: z.array(peerSchema),
    quorum: quorumSchema,
    report: z.strictObject({ validitySec: positiveInt }),
    intake: z.strictObject({
      maxBodyBytes: positiveInt,
      applicationMaxAgeSec: positiveInt,
      /**
       * Oldest credit-file data (`creditFile.asOf`) a node scores, in seconds before now: a bureau's file older
       * than this no longer says what the borrower's history is. Default 30 days (bureaus report monthly).
       */
      creditFileMaxAgeSec: positiveInt.default(CREDIT_FILE_MAX_AGE_DEFAULT_SEC),
    }),
    // The SQLite store; its folder is created at start.
    store: z.strictObject({ path: filePathSchema }),
    timing: timingSchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    logLevel: z.enum(LOG_LEVELS).default("info"),
  })
  .superRefine((config, ctx) => {
    const operators = config.peers.length + 1;
    if (config.quorum.threshold > operators) {
      ctx.addIssue({
        code: "custom",
        path: ["quorum", "threshold"],
        message: `must be ≤ number of operators (${operators})`,
      });
    }
    if (config.quorum.hedgeDelayMs !== undefined && config.quorum.hedgeDelayMs >= config.timing.peerTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["quorum", "hedgeDelayMs"],
        message: `must be less than timing.peerTimeoutMs (${config.timing.peerTimeoutMs}): a peer is given up on after that anyway`,
      });
    }
    reportDuplicates(ctx, config.peers, "id", [config.nodeId], "nodeId");
    reportDuplicates(ctx, config.peers, "address", [config.operatorAddress], "operatorAddress");
    reportDuplicates(ctx, config.peers, "url", [], "");
  });

type Peer = z.infer<typeof peerSchema>;

/** Flags a peer whose `field` repeats an earlier peer's or equals this node's own value. */
function reportDuplicates(
  ctx: z.RefinementCtx,
  peers: Peer[],
  field: keyof Peer,
  own: string[],
  ownName: string,
): void {
  const seen = new Map<string, number>();
  peers.forEach((peer, index) => {
    // URLs and addresses compare case-insensitively: two spellings of one endpoint are still one operator.
    const key = field === "id" ? peer[field] : peer[field].toLowerCase();
    const message = own.some((value) => value.toLowerCase() === key)
      ? `must differ from this node's own ${ownName} (${peer[field]})`
      : seen.has(key)
        ? `duplicates peers[${seen.get(key)}].${field} (${peer[field]})`
        : undefined;
    if (message !== undefined) ctx.addIssue({ code: "custom", path: ["peers", index, field], message });
    if (!seen.has(key)) seen.set(key, index);
  });
}

export type NodeConfig = z.infer<typeof nodeConfigSchema> & {
  /** The file the config was loaded from (absolute), when it came from one: errors about its paths name it. */
  configFile?: string;
};
export type NodeConfigInput = z.input<typeof nodeConfigSchema>;
export type PeerConfig = NodeConfig["peers"][number];
export type KeystoreConfig = NodeConfig["keystore"];
export type MonitoringConfig = NodeConfig["monitoring"];
