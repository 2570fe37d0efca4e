/**
 * OpenAPI 3.1 support shared by the node and the credit bureau: the error envelope's schema, error responses built
 * from a route's `code → status` table (so the document lists exactly the codes a route can answer), and the
 * `GET /openapi.json` route serving a document generated once from the zod schemas (zod-openapi).
 */
import { z } from "zod";
import { createDocument, type ZodOpenApiObject, type ZodOpenApiResponsesObject } from "zod-openapi";

import type { Route } from "./server.js";

export const OPENAPI_PATH = "/openapi.json";

export type OpenApiDocument = ReturnType<typeof createDocument>;

/** The JSON body of every error response (`errorEnvelope` writes it). */
export const errorEnvelopeSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: "Stable, machine-readable; clients switch on it" }),
      message: z.string().meta({ description: "Names the field or check that failed; safe to show" }),
    }),
  })
  .meta({ id: "ErrorEnvelope" });

/** Refusals the server plumbing itself answers on any route, before or around the handler. */
export const SERVER_ERROR_STATUS = {
  host_not_allowed: 421,
  shutting_down: 503,
  internal_error: 500,
} as const;

/** Refusals the server answers on any POST route while reading its body. */
export const BODY_ERROR_STATUS = {
  invalid_json: 400,
  body_read_failed: 400,
  unsupported_media_type: 415,
  body_too_large: 413,
} as const;

/**
 * Error responses for a route: one per status, each an ErrorEnvelope whose `code` is the enum of the codes that
 * status carries on this route.
 */
export function errorResponses(...tables: readonly Readonly<Record<string, number>>[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, string[]>();
  for (const table of tables)
    for (const [code, status] of Object.entries(table)) {
      const codes = byStatus.get(status) ?? [];
      if (!codes.includes(code)) codes.push(code);
      byStatus.set(status, codes);
    }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, codes] of [...byStatus.entries()].sort(([a], [b]) => a - b)) {
    const schema = z.strictObject({
      error: z.strictObject({ code: z.enum(codes as [string, ...string[]]), message: z.string() }),
    });
    responses[String(status) as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: `Refused: ${codes.join(", ")}`,
      content: { "application/json": { schema } },
    };
  }
  return responses;
}

/** Generates the document (throws when a schema cannot be represented, so a bad schema fails at start). */
export function buildOpenApiDocument(spec: Omit<ZodOpenApiObject, "openapi">): OpenApiDocument {
  return createDocument({ openapi: "3.1.0", ...spec });
}

/** `GET /openapi.json`: the document, generated once. */
export function openApiRoute(document: OpenApiDocument): Route {
  return { method: "GET", path: OPENAPI_PATH, handler: () => ({ status: 200, json: document }) };
}
