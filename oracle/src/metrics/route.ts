import type { Registry } from "prom-client";

import type { Route } from "../server/index.js";

/** `/metrics` in the Prometheus text format. */
export function metricsRoute(registry: Registry): Route {
  return {
    method: "GET",
    path: "/metrics",
    handler: async () => ({ status: 200, text: await registry.metrics(), contentType: registry.contentType }),
  };
}
