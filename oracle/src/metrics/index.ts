export { createMetrics, instrumentScorer, type OracleMetrics } from "./metrics.js";
