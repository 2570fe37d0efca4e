export {
  closeKeepAliveConnectionsOnlyWhenSilent,
  createOracleServer,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type HttpMethod,
  type HttpMetrics,
  type OracleHttpServer,
  type OracleServerOptions,
  type Route,
  type RouteContext,
  type RouteResponse,
  type ShutdownResult,
} from "./server.js";
export { HttpError, errorEnvelope, isClientFacingError, type ClientFacingError } from "./errors.js";
export {
  healthRoute,
  checkHealth,
  healthReportSchema,
  type HealthProviders,
  type HealthReport,
  type ChainStatus,
} from "./health.js";
export { metricsRoute } from "./metrics-route.js";
export {
  BODY_ERROR_STATUS,
  buildOpenApiDocument,
  errorEnvelopeSchema,
  errorResponses,
  OPENAPI_PATH,
  openApiRoute,
  SERVER_ERROR_STATUS,
  type OpenApiDocument,
} from "./openapi.js";
export { installGracefulShutdown, type GracefulShutdownOptions } from "./shutdown.js";
