/**
 * The node's Prometheus metrics. A registry per node (not prom-client's global one), so several nodes can run in
 * one process (tests, the demo) without their series colliding.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import type { Scorer } from "../consensus/types.js";

export interface OracleMetrics {
  registry: Registry;
  requestsTotal: Counter<"route" | "status">;
  requestDurationSeconds: Histogram<"route">;
  inferenceDurationSeconds: Histogram;
  submissionsTotal: Counter<"result">;
  errorsTotal: Counter<"code">;
  operatorBalanceWei: Gauge;
}

export function createMetrics(options: { registry?: Registry; defaultMetrics?: boolean } = {}): OracleMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry, prefix: "verity_oracle_" });
  const registers = [registry];
  return {
    registry,
    requestsTotal: new Counter({
      name: "verity_oracle_requests_total",
      help: "HTTP requests handled, by route and status code",
      labelNames: ["route", "status"] as const,
      registers,
    }),
    requestDurationSeconds: new Histogram({
      name: "verity_oracle_request_duration_seconds",
      help: "HTTP request latency, by route",
      labelNames: ["route"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    inferenceDurationSeconds: new Histogram({
      name: "verity_oracle_inference_duration_seconds",
      help: "Time to score and explain one application",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    submissionsTotal: new Counter({
      name: "verity_oracle_submissions_total",
      help: "Score report submissions, by result (confirmed, failed, replaced, …)",
      labelNames: ["result"] as const,
      registers,
    }),
    errorsTotal: new Counter({
      name: "verity_oracle_errors_total",
      help: "Errors, by error code",
      labelNames: ["code"] as const,
      registers,
    }),
    operatorBalanceWei: new Gauge({
      name: "verity_oracle_operator_balance_wei",
      help: "The operator key's balance (pays for submitScore in the push flow), in wei",
      registers,
    }),
  };
}

/** Wraps a scorer so every call is timed in `verity_oracle_inference_duration_seconds` (failures included). */
export function instrumentScorer(scorer: Scorer, metrics: Pick<OracleMetrics, "inferenceDurationSeconds">): Scorer {
  return async (features) => {
    const stop = metrics.inferenceDurationSeconds.startTimer();
    try {
      return await scorer(features);
    } finally {
      stop();
    }
  };
}
