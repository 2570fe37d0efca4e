/**
 * The bureau's HTTP routes on the oracle's server plumbing (body limit, JSON depth, Content-Type and Host guards,
 * error envelope, drain). The route only translates: refusals become HttpErrors with their status and code.
 */
import { metricsRoute } from "../../../oracle/src/server/index.js";
import { healthRoute, HttpError, openApiRoute, type Route } from "../../../oracle/src/server/index.js";
import { releaseCreditFile, ReleaseRefused, type ReleaseDependencies } from "../release/index.js";
import type { BureauMetrics } from "./metrics.js";
import { bureauOpenApiDocument } from "./openapi.js";

export const CREDIT_FILES_PATH = "/v1/credit-files";

export function bureauRoutes(
  deps: ReleaseDependencies & { metrics: BureauMetrics; storeProblem: () => { problem?: string } },
): Route[] {
  return [
    {
      method: "POST",
      path: CREDIT_FILES_PATH,
      handler: ({ body, logFields }) => {
        try {
          const release = releaseCreditFile(body, deps);
          deps.metrics.releasesTotal.inc();
          // Addresses and hashes only: the fields never reach a log line.
          Object.assign(logFields, { borrower: release.creditFile.borrower, fileId: release.creditFile.fileId });
          return { status: 200, json: release };
        } catch (error) {
          if (!(error instanceof ReleaseRefused)) throw error;
          const headers =
            error.retryAfterSec === undefined ? undefined : { "retry-after": String(error.retryAfterSec) };
          throw new HttpError(error.status, error.code, error.message, {
            cause: error,
            ...(headers === undefined ? {} : { headers }),
          });
        }
      },
    },
    healthRoute({ nodeId: `bureau:${deps.policy.providerId}`, checks: [deps.storeProblem] }),
    metricsRoute(deps.metrics.registry),
    openApiRoute(bureauOpenApiDocument(CREDIT_FILES_PATH)),
  ];
}
