import type { Registry } from "prom-client";

import type { Route } from "./server.js";

/**
 * `/metrics` in the Prometheus text format. A server route (the server counts requests into the metrics, so the
 * metrics must not depend on the server).
 */
export function metricsRoute(registry: Registry): Route {
  return {
    method: "GET",
    path: "/metrics",
    handler: async () => ({ status: 200, text: await registry.metrics(), contentType: registry.contentType }),
  };
}
