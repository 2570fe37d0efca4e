/**
 * The bureau's Prometheus series, in a registry of its own (not prom-client's global one), so a bureau and
 * oracle nodes can run in one process (tests, the demo) without their series colliding.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import type { HttpMetrics } from "../../../oracle/src/server/index.js";

export interface BureauMetrics extends HttpMetrics {
  registry: Registry;
  releasesTotal: Counter;
}

export function createBureauMetrics(options: {
  counts: () => { creditFiles: number };
  defaultMetrics?: boolean;
}): BureauMetrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry, prefix: "verity_bureau_" });
  const registers = [registry];
  new Gauge({
    name: "verity_bureau_credit_files",
    help: "Credit files held (one per borrower)",
    registers,
    collect() {
      this.set(options.counts().creditFiles);
    },
  });
  return {
    registry,
    requestsTotal: new Counter({
      name: "verity_bureau_requests_total",
      help: "HTTP requests handled, by route and status code",
      labelNames: ["route", "status"] as const,
      registers,
    }),
    requestDurationSeconds: new Histogram({
      name: "verity_bureau_request_duration_seconds",
      help: "HTTP request latency, by route",
      labelNames: ["route"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    errorsTotal: new Counter({
      name: "verity_bureau_refusals_total",
      help: "Requests refused or failed, by code (the check that refused them)",
      labelNames: ["code"] as const,
      registers,
    }),
    releasesTotal: new Counter({
      name: "verity_bureau_releases_total",
      help: "Credit files released (signed and logged)",
      registers,
    }),
  };
}
