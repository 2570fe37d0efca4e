/**
 * The node's OpenAPI 3.1 document, generated from the zod schemas the node and the SDK parse with: every route
 * the node serves, its body, its answers and the error codes each can return. Served at `GET /openapi.json`.
 */
import { z } from "zod";

import { pushAcceptedSchema, scoreBundleSchema } from "../../../sdk/src/oracle-nodes.js";
import { clockDriftStatusSchema } from "../chain/index.js";
import { applicationBodySchema, INTAKE_ERROR_STATUS } from "../intake/index.js";
import { DRIFT_ROUTE_PATH, driftReportSchema } from "../monitoring/index.js";
import {
  BODY_ERROR_STATUS,
  buildOpenApiDocument,
  errorEnvelopeSchema,
  errorResponses,
  healthReportSchema,
  OPENAPI_PATH,
  SERVER_ERROR_STATUS,
  type OpenApiDocument,
} from "../server/index.js";
import { peerEnvelopeSchema } from "./peer-envelope.js";
import { NODE_ERROR_STATUS } from "./routes.js";
import { cosignatureSchema, peerApplicationReceiptSchema, ROUTES } from "./wire.js";

/** The codes a subset of the node's refusals carries, with their statuses. */
function nodeCodes(...codes: (keyof typeof NODE_ERROR_STATUS)[]): Record<string, number> {
  const table: Record<string, number> = {};
  for (const code of codes) table[code] = NODE_ERROR_STATUS[code];
  return table;
}

const scoreBundle = scoreBundleSchema.meta({ id: "ScoreBundle" });
/** The node's health: the clock is its clock-drift status. */
const nodeHealthSchema = healthReportSchema
  .extend({ clock: clockDriftStatusSchema.nullable() })
  .meta({ id: "NodeHealthReport" });
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const OPERATOR_ONLY =
  "Operator-only: called by the other oracle nodes of the operator set, never by clients. The body is a PeerEnvelope signed by a current operator's key; anyone else gets 401 peer_unauthorized.";
const peerRequest = (payload: string) => ({
  description: `A PeerEnvelope whose payload is ${payload}`,
  content: json(peerEnvelopeSchema),
});

/** Paths in the router's notation (`:name`) to OpenAPI's (`{name}`). */
export const toOpenApiPath = (path: string): string => path.replace(/:([A-Za-z_]\w*)/g, "{$1}");

/** The API version: the `/v1` of the paths. */
export const NODE_API_VERSION = "1";

export function nodeOpenApiDocument(version: string = NODE_API_VERSION): OpenApiDocument {
  return buildOpenApiDocument({
    info: {
      title: "Verity oracle node",
      version,
      description:
        "One oracle operator's node: borrowers submit signed applications (pull: a k-signed score bundle back; push: the nodes answer the on-chain ScoreRequested), fetch their latest bundle, and operators watch health, metrics and input drift. Every error answers `{ error: { code, message } }`.",
    },
    tags: [
      { name: "borrowers", description: "Applications and score bundles" },
      { name: "operations", description: "Health, metrics, drift, this document" },
      { name: "peers (operator-only)", description: OPERATOR_ONLY },
    ],
    paths: {
      [ROUTES.applications]: {
        post: {
          tags: ["borrowers"],
          summary: "Submit a borrower-signed application",
          requestBody: {
            required: true,
            content: json(
              applicationBodySchema.extend({
                flow: z
                  .enum(["pull", "push"])
                  .optional()
                  .meta({ description: 'Default "pull": the node answers with the bundle' }),
              }),
            ),
          },
          responses: {
            "201": { description: "Pull flow: the k-signed score bundle", content: json(scoreBundle) },
            "202": {
              description: "Push flow: stored and handed to the peers; call requestScore on chain next",
              content: json(pushAcceptedSchema.meta({ id: "PushAccepted" })),
            },
            ...errorResponses(
              SERVER_ERROR_STATUS,
              BODY_ERROR_STATUS,
              INTAKE_ERROR_STATUS,
              nodeCodes("no_leader_available", "chain_unavailable", "quorum_not_met", "application_expired"),
            ),
          },
        },
      },
      [toOpenApiPath(ROUTES.scores)]: {
        get: {
          tags: ["borrowers"],
          summary: "The latest co-signed score bundle this node holds for a borrower",
          requestParams: {
            path: z.object({ borrower: z.string().meta({ description: "The borrower's 20-byte hex address" }) }),
          },
          responses: {
            "200": { description: "The bundle", content: json(scoreBundle) },
            ...errorResponses(SERVER_ERROR_STATUS, { invalid_field: 400 }, nodeCodes("not_found", "chain_unavailable")),
          },
        },
      },
      "/health": {
        get: {
          tags: ["operations"],
          summary: "Model, chain, clock, funding and submissions at a glance",
          responses: {
            "200": { description: "ok", content: json(nodeHealthSchema) },
            ...errorResponses({ host_not_allowed: 421, internal_error: 500 }),
            "503": {
              description: "degraded (a HealthReport naming its problems), or shutting_down (an ErrorEnvelope)",
              content: json(z.union([nodeHealthSchema, errorEnvelopeSchema])),
            },
          },
        },
      },
      "/metrics": {
        get: {
          tags: ["operations"],
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
      [DRIFT_ROUTE_PATH]: {
        get: {
          tags: ["operations"],
          summary: "Input drift of the rolling and daily windows against the model's reference",
          description: "Served only when monitoring is on (config monitoring.enabled); 404 not_found otherwise.",
          responses: {
            "200": { description: "Both windows and their thresholds", content: json(driftReportSchema) },
            ...errorResponses(SERVER_ERROR_STATUS, { not_found: 404 }),
          },
        },
      },
      [OPENAPI_PATH]: {
        get: {
          tags: ["operations"],
          summary: "This document (OpenAPI 3.1)",
          responses: {
            "200": { description: "The OpenAPI document", content: json(z.looseObject({ openapi: z.string() })) },
            ...errorResponses(SERVER_ERROR_STATUS),
          },
        },
      },
      [ROUTES.cosign]: {
        post: {
          tags: ["peers (operator-only)"],
          summary: "Co-sign a leader's report (operator-only)",
          description: OPERATOR_ONLY,
          "x-operator-only": true,
          requestBody: { required: true, ...peerRequest("a cosign proposal (flow, requestKey, round, report, ...)") },
          responses: {
            "200": { description: "This node's signature over the report", content: json(cosignatureSchema) },
            ...errorResponses(
              SERVER_ERROR_STATUS,
              BODY_ERROR_STATUS,
              INTAKE_ERROR_STATUS,
              nodeCodes(
                "peer_unauthorized",
                "invalid_peer_payload",
                "chain_unavailable",
                "application_expired",
                "push_request_refused",
                "proposal_rejected",
                "unknown_application",
                "invalid_application",
              ),
            ),
          },
        },
      },
      [ROUTES.coordinate]: {
        post: {
          tags: ["peers (operator-only)"],
          summary: "Lead a round for an application another node received (operator-only)",
          description: OPERATOR_ONLY,
          "x-operator-only": true,
          requestBody: { required: true, ...peerRequest("{ round, application }") },
          responses: {
            "201": { description: "The k-signed score bundle", content: json(scoreBundle) },
            ...errorResponses(
              SERVER_ERROR_STATUS,
              BODY_ERROR_STATUS,
              INTAKE_ERROR_STATUS,
              nodeCodes(
                "peer_unauthorized",
                "invalid_peer_payload",
                "chain_unavailable",
                "not_leader",
                "quorum_not_met",
                "application_expired",
              ),
            ),
          },
        },
      },
      [ROUTES.peerApplications]: {
        post: {
          tags: ["peers (operator-only)"],
          summary: "Take a push-flow application another node received (operator-only)",
          description: OPERATOR_ONLY,
          "x-operator-only": true,
          requestBody: { required: true, ...peerRequest("{ application }") },
          responses: {
            "200": { description: "Already held", content: json(peerApplicationReceiptSchema) },
            "201": { description: "Stored now", content: json(peerApplicationReceiptSchema) },
            ...errorResponses(
              SERVER_ERROR_STATUS,
              BODY_ERROR_STATUS,
              INTAKE_ERROR_STATUS,
              nodeCodes("peer_unauthorized", "invalid_peer_payload", "chain_unavailable"),
            ),
          },
        },
      },
    },
  });
}
