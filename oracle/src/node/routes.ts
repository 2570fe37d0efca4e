/**
 * The node's HTTP surface: five routes over the three flows. Here, and only here, requests become flow calls
 * (peer envelopes authenticated, peer payloads parsed) and the flows' domain errors become HTTP statuses.
 */
import { getAddress } from "ethers";
import type { z } from "zod";

import { ChainUnavailableError } from "../chain/index.js";
import { IntakeError } from "../intake/index.js";
import { HttpError, type Route } from "../server/index.js";
import { describeValue } from "../validation/index.js";
import type { Flow } from "./applications.js";
import type { NodeContext } from "./context.js";
import type { CosignFlow } from "./cosign-flow.js";
import { NodeError, type NodeErrorCode } from "./errors.js";
import { verifyPeerEnvelope } from "./peer-envelope.js";
import type { PullFlow } from "./pull-flow.js";
import type { PushFlow } from "./push-flow.js";
import { coordinatePayloadSchema, cosignPayloadSchema, peerApplicationPayloadSchema, ROUTES } from "./wire.js";

/** The status each domain refusal is answered with. */
export const NODE_ERROR_STATUS = {
  no_leader_available: 503,
  chain_unavailable: 503,
  quorum_not_met: 503,
  application_expired: 409,
  push_request_refused: 409,
  proposal_rejected: 409,
  not_leader: 409,
  unknown_application: 409,
  peer_unauthorized: 401,
  invalid_peer_payload: 400,
  invalid_application: 400,
  not_found: 404,
} as const satisfies Record<NodeErrorCode, number>;

export interface NodeFlows {
  context: NodeContext;
  pull: PullFlow;
  cosign: CosignFlow;
  push: PushFlow;
}

export function nodeRoutes({ context, pull, cosign, push }: NodeFlows): Route[] {
  /** The authenticated sender and parsed payload of a peer request on `route`. */
  const fromPeer = async <T>(
    route: string,
    body: unknown,
    schema: z.ZodType<T>,
    describe: (error: z.ZodError) => string,
  ) => {
    const set = await context.chain.operatorSet();
    const { sender, payload } = verifyPeerEnvelope(body, route, set.operators, context.now(), context.maxClockSkewSec);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new NodeError("invalid_peer_payload", describe(parsed.error));
    return { sender, payload: parsed.data };
  };

  return withNodeErrorStatuses([
    {
      method: "POST",
      path: ROUTES.applications,
      handler: async ({ body, requestId, logFields }) => {
        const { flow, application } = splitFlow(body);
        logFields.flow = flow;
        if (flow === "pull") return { status: 201, json: await pull.submit(application, requestId, logFields) };
        const accepted = await push.submit(application, requestId, logFields);
        return {
          status: 202,
          json: {
            flow,
            ...accepted,
            next: "call CreditScoreOracle.requestScore(applicationHash) from the borrower's address",
          },
        };
      },
    },
    {
      method: "GET",
      path: ROUTES.scores,
      handler: async ({ params }) => {
        const param = params.borrower ?? "";
        let borrower: string;
        try {
          borrower = getAddress(param);
        } catch {
          throw new HttpError(400, "invalid_field", `borrower: "${param}" is not a 20-byte hex address`);
        }
        return { status: 200, json: await pull.latestBundle(borrower) };
      },
    },
    {
      method: "POST",
      path: ROUTES.cosign,
      handler: async ({ body, logFields }) => {
        const { sender, payload } = await fromPeer(
          ROUTES.cosign,
          body,
          cosignPayloadSchema,
          (e) => `cosign payload: ${e.issues[0]?.path.join(".")}: ${e.issues[0]?.message}`,
        );
        return { status: 200, json: await cosign.cosign(sender, payload, logFields) };
      },
    },
    {
      method: "POST",
      path: ROUTES.coordinate,
      handler: async ({ body, requestId, logFields }) => {
        const { sender, payload } = await fromPeer(
          ROUTES.coordinate,
          body,
          coordinatePayloadSchema,
          (e) => `coordinate payload: ${e.issues[0]?.message}`,
        );
        return { status: 201, json: await pull.coordinateForwarded(sender, payload, requestId, logFields) };
      },
    },
    {
      method: "POST",
      path: ROUTES.peerApplications,
      handler: async ({ body, logFields }) => {
        const { sender, payload } = await fromPeer(
          ROUTES.peerApplications,
          body,
          peerApplicationPayloadSchema,
          () => "application payload: must be { application }",
        );
        const received = await push.receivePeerApplication(sender, payload.application, logFields);
        return { status: received.stored ? 201 : 200, json: received };
      },
    },
  ]);
}

/** The HTTP answer for a domain refusal; any other error (an IntakeError carries its own status) as it is. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof NodeError)
    return new HttpError(NODE_ERROR_STATUS[error.code], error.code, error.message, { cause: error });
  if (error instanceof ChainUnavailableError)
    return new HttpError(NODE_ERROR_STATUS.chain_unavailable, "chain_unavailable", error.message, { cause: error });
  return error;
}

function withNodeErrorStatuses(routes: readonly Route[]): Route[] {
  return routes.map((route) => ({
    ...route,
    handler: async (context) => {
      try {
        return await route.handler(context);
      } catch (error) {
        throw toHttpError(error);
      }
    },
  }));
}

/** Splits the optional `flow` field off an application body (the signed body itself is strict). */
function splitFlow(body: unknown): { flow: Flow; application: Record<string, unknown> } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new IntakeError("invalid_field", "body: must be a JSON object");
  const { flow = "pull", ...application } = body as Record<string, unknown>;
  if (flow !== "pull" && flow !== "push")
    throw new IntakeError("invalid_field", `flow: must be "pull" or "push", got ${describeValue(flow)}`);
  return { flow, application };
}
