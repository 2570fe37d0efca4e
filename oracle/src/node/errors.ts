/**
 * The node's refusals that are not the client's fault in the application itself (those are IntakeErrors): each
 * has a stable `code`, and the one table below maps it to the HTTP status. Flows throw these; only the route
 * layer (`toHttpError`) turns them into HTTP answers.
 */
import { ChainUnavailableError } from "../chain/index.js";
import { HttpError, type Route } from "../server/index.js";

export const NODE_ERROR_STATUS = {
  /** No round's leader (this node included) produced a co-signed report. */
  no_leader_available: 503,
  /** The chain could not be read and no recent enough copy of what was needed is at hand. */
  chain_unavailable: 503,
  /** The borrower's application expired before this node could co-sign a report for it. */
  application_expired: 409,
  /** A push-flow proposal names a request the chain does not hold, holds differently, or has already answered. */
  push_request_refused: 409,
} as const;

export type NodeErrorCode = keyof typeof NODE_ERROR_STATUS;

export class NodeError extends Error {
  override readonly name = "NodeError";

  constructor(
    readonly code: NodeErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The HTTP answer for a node-level refusal; any other error is returned as it is. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof NodeError) return new HttpError(NODE_ERROR_STATUS[error.code], error.code, error.message, { cause: error });
  if (error instanceof ChainUnavailableError) return new HttpError(NODE_ERROR_STATUS.chain_unavailable, "chain_unavailable", error.message, { cause: error });
  return error;
}

/** The routes, answering the NodeErrors their handlers throw with the statuses of the table above. */
export function withNodeErrorStatuses(routes: readonly Route[]): Route[] {
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
