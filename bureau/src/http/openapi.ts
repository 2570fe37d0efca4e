/**
 * The credit bureau's OpenAPI 3.1 document, generated from the zod schemas the bureau parses requests with and the
 * SDK parses answers with. Served at `GET /openapi.json`.
 */
import { z } from "zod";

import {
  BODY_ERROR_STATUS,
  buildOpenApiDocument,
  errorEnvelopeSchema,
  errorResponses,
  healthReportSchema,
  OPENAPI_PATH,
  SERVER_ERROR_STATUS,
  type OpenApiDocument,
} from "../../../oracle/src/server/index.js";
import { creditFileResponseSchema } from "../../../sdk/src/bureau.js";
import { creditFileRequestSchema } from "../release/consent.js";
import { REFUSAL_STATUS } from "../release/errors.js";

/** The API version: the `/v1` of the paths. */
export const BUREAU_API_VERSION = "1";

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

export function bureauOpenApiDocument(creditFilesPath: string, version: string = BUREAU_API_VERSION): OpenApiDocument {
  return buildOpenApiDocument({
    info: {
      title: "Verity credit bureau",
      version,
      description:
        "A data provider's credit bureau: releases a borrower's signed credit file against the borrower's EIP-712 consent. Every error answers `{ error: { code, message } }`.",
    },
    paths: {
      [creditFilesPath]: {
        post: {
          summary: "Release a borrower's signed credit file against their consent",
          requestBody: {
            required: true,
            content: json(creditFileRequestSchema.meta({ id: "CreditFileRequest" })),
          },
          responses: {
            "200": {
              description: "The provider-signed credit file and its fields",
              content: json(creditFileResponseSchema.meta({ id: "CreditFileRelease" })),
            },
            ...errorResponses(SERVER_ERROR_STATUS, BODY_ERROR_STATUS, REFUSAL_STATUS),
          },
        },
      },
      "/health": {
        get: {
          summary: "The bureau and its store at a glance",
          responses: {
            "200": { description: "ok", content: json(healthReportSchema) },
            ...errorResponses({ host_not_allowed: 421, internal_error: 500 }),
            "503": {
              description: "degraded (a HealthReport naming its problems), or shutting_down (an ErrorEnvelope)",
              content: json(z.union([healthReportSchema, errorEnvelopeSchema])),
            },
          },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics",
          responses: {
            "200": {
              description: "The Prometheus text exposition format",
              content: { "text/plain": { schema: z.string() } },
            },
            ...errorResponses(SERVER_ERROR_STATUS),
          },
        },
      },
      [OPENAPI_PATH]: {
        get: {
          summary: "This document (OpenAPI 3.1)",
          responses: {
            "200": { description: "The OpenAPI document", content: json(z.looseObject({ openapi: z.string() })) },
            ...errorResponses(SERVER_ERROR_STATUS),
          },
        },
      },
    },
  });
}
