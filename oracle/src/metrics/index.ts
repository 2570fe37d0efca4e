export { createMetrics, instrumentScorer, type OracleMetrics } from "./metrics.js";
export { metricsRoute } from "./route.js";
