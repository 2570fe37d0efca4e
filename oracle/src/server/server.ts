/**
 * The node's HTTP server: generic plumbing (body limit, JSON parsing, routing, error envelope, per-request logs
 * and metrics, graceful drain). Feature modules contribute `Route`s; the server knows nothing about them.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import type { Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import { errorEnvelope, HttpError, isClientFacingError } from "./errors.js";
import { parseJsonBody } from "./json-body.js";
import { hostGuard, requireJsonContentType } from "./request-guards.js";

export type HttpMethod = "GET" | "POST";

export interface RouteContext {
  requestId: string;
  /** Parsed JSON body for POST routes; undefined for GET. */
  body: unknown;
  query: URLSearchParams;
  /** Values of the route's `:name` path segments, already URI-decoded. */
  params: Record<string, string>;
  headers: IncomingMessage["headers"];
  /** Child logger bound to this request. */
  log: Logger;
  /**
   * Safe fields to add to the request's completion log line (e.g. feature count and hash). Never raw applicant
   * data or secrets.
   */
  logFields: Record<string, unknown>;
}

export type RouteResponse = { status: number; json: unknown } | { status: number; text: string; contentType: string };

export interface Route {
  method: HttpMethod;
  /**
   * Path, e.g. "/v1/applications"; a segment `:name` matches any one segment (given in `params.name`). The path
   * as written is the `route` label in metrics and logs, so parameters never blow up label cardinality.
   */
  path: string;
  handler: (context: RouteContext) => Promise<RouteResponse> | RouteResponse;
}

/** The series the server itself records; a service other than the node (the credit bureau) brings its own. */
export type HttpMetrics = Pick<OracleMetrics, "requestsTotal" | "requestDurationSeconds" | "errorsTotal">;

export interface OracleServerOptions {
  routes: readonly Route[];
  logger: Logger;
  metrics: HttpMetrics;
  /** Largest accepted request body (config intake.maxBodyBytes). */
  maxBodyBytes: number;
  /** Host names served besides loopback names (config listen.allowedHosts); any other Host header gets a 421. */
  allowedHosts?: readonly string[];
  /** Slow-loris bounds: a client gets this long to send its headers, and its whole request. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ShutdownResult {
  /** True when every in-flight request finished within the bound. */
  drained: boolean;
  /** Requests still running when the bound passed (their connections were closed). */
  abandoned: number;
}

export interface OracleHttpServer {
  server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish for up to `drainTimeoutMs`, then closes what is left. */
  shutdown(drainTimeoutMs: number): Promise<ShutdownResult>;
  readonly inFlight: number;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Label for requests that match no route, so unknown paths cannot blow up metric cardinality. */
const UNMATCHED_ROUTE = "unmatched";

export function createOracleServer(options: OracleServerOptions): OracleHttpServer {
  const routes = new Map<string, Map<HttpMethod, Route>>();
  for (const route of options.routes) {
    const byMethod = routes.get(route.path) ?? new Map<HttpMethod, Route>();
    if (byMethod.has(route.method)) throw new Error(`route ${route.method} ${route.path} is registered twice`);
    byMethod.set(route.method, route);
    routes.set(route.path, byMethod);
  }

  const patterns = [...routes.keys()]
    .filter((path) => path.includes("/:"))
    .map((path) => ({ path, segments: path.split("/") }));

  function matchRoute(pathname: string): {
    byMethod: Map<HttpMethod, Route> | undefined;
    pattern: string;
    params: Record<string, string>;
  } {
    const exact = routes.get(pathname);
    if (exact !== undefined) return { byMethod: exact, pattern: pathname, params: {} };
    const segments = pathname.split("/");
    for (const candidate of patterns) {
      if (candidate.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = candidate.segments.every((segment, i) => {
        const actual = segments[i] as string;
        if (!segment.startsWith(":")) return segment === actual;
        if (actual === "") return false;
        try {
          params[segment.slice(1)] = decodeURIComponent(actual);
        } catch {
          return false;
        }
        return true;
      });
      if (matches) return { byMethod: routes.get(candidate.path), pattern: candidate.path, params };
    }
    return { byMethod: undefined, pattern: pathname, params: {} };
  }

  let inFlight = 0;
  let draining = false;
  const idleWaiters: (() => void)[] = [];

  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const checkHost = hostGuard(options.allowedHosts ?? []);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node enforces both timeouts only when it sweeps its connections, every 30 s by default: a bound of 10 s
      // then held for up to 40 s. Sweeping at a tenth of the shorter bound keeps each within 10 % of its value.
      connectionsCheckingInterval: connectionsCheckingIntervalFor(Math.min(headersTimeout, requestTimeout)),
    },
    (req, res) => {
      inFlight += 1;
      res.once("close", () => {
        inFlight -= 1;
        if (inFlight === 0) idleWaiters.splice(0).forEach((wake) => wake());
      });
      void handle(req, res);
    },
  );

  closeKeepAliveConnectionsOnlyWhenSilent(server);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const incomingId = req.headers["x-request-id"];
    const requestId = typeof incomingId === "string" && REQUEST_ID_PATTERN.test(incomingId) ? incomingId : randomUUID();
    const url = new URL(req.url ?? "/", "http://localhost");
    const { byMethod, pattern, params } = matchRoute(url.pathname);
    const route = byMethod?.get(req.method as HttpMethod);
    const routeLabel = byMethod === undefined ? UNMATCHED_ROUTE : pattern;
    const log = options.logger.child({ requestId });
    const logFields: Record<string, unknown> = {};
    let errorCode: string | undefined;

    res.setHeader("x-request-id", requestId);
    try {
      if (draining) {
        res.setHeader("connection", "close");
        throw new HttpError(503, "shutting_down", "the node is shutting down; retry against another operator");
      }
      checkHost(req.headers.host);
      if (byMethod === undefined) throw new HttpError(404, "not_found", `no route for ${url.pathname}`);
      if (route === undefined) {
        res.setHeader("allow", [...byMethod.keys()].join(", "));
        throw new HttpError(405, "method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
      }
      let body: unknown;
      if (route.method === "POST") {
        requireJsonContentType(req.headers["content-type"]);
        body = parseJsonBody(await readBody(req, res, options.maxBodyBytes));
      }
      const response = await route.handler({
        requestId,
        body,
        query: url.searchParams,
        params,
        headers: req.headers,
        log,
        logFields,
      });
      send(res, response);
    } catch (error) {
      errorCode = sendError(res, error, log);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      options.metrics.requestsTotal.inc({ route: routeLabel, status: String(res.statusCode) });
      options.metrics.requestDurationSeconds.observe({ route: routeLabel }, seconds);
      if (errorCode !== undefined) options.metrics.errorsTotal.inc({ code: errorCode });
      log.info(
        {
          method: req.method,
          route: routeLabel,
          status: res.statusCode,
          latencyMs: Math.round(seconds * 1e6) / 1e3,
          ...logFields,
          ...(errorCode ? { errorCode } : {}),
        },
        "request",
      );
    }
  }

  return {
    server,
    get inFlight() {
      return inFlight;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async shutdown(drainTimeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await waitUntil(
        new Promise<void>((resolve) => (inFlight === 0 ? resolve() : idleWaiters.push(resolve))),
        drainTimeoutMs,
      );
      const abandoned = inFlight;
      if (!drained) server.closeAllConnections();
      else server.closeIdleConnections();
      await closed;
      return { drained, abandoned };
    },
  };
}

/**
 * Makes `server` close an idle keep-alive connection only if nothing arrived on it, rather than whenever its idle
 * timer fires. Node fires that timer (`keepAliveTimeout`, plus its `keepAliveTimeoutBuffer`) in the event loop's
 * timers phase, before the poll phase reads what the socket received meanwhile: when the loop was busy past the
 * deadline (scoring, a co-sign round's crypto, a core shared with other processes), a client's next request is
 * already in the socket's receive buffer, and closing the socket then makes the kernel answer it with a reset. The
 * client gets `ECONNRESET` for a request the server never looked at; a client that ignores the `Keep-Alive: timeout`
 * hint (a Node `Agent` without `timeout`, most proxies, Go's and Python's pools) reuses connections up to that
 * deadline. Here the server looks once more after the next poll phase (`setImmediate`): a connection whose byte count
 * moved is carrying a request and stays open (Node re-arms its idle timer when that request ends); a silent one is
 * closed, as Node would have. The reset is then left only to a request still on the wire as the server closes, the
 * race every HTTP/1.1 server has and a client avoids by honouring the hint.
 *
 * With a `timeout` listener on the server, Node leaves timed-out sockets to it; the only socket timeout this server
 * sets is the keep-alive one (`server.timeout` stays 0; header and request bounds are enforced separately).
 */
export function closeKeepAliveConnectionsOnlyWhenSilent(server: Server): void {
  server.on("timeout", (socket: Socket) => {
    const bytesRead = socket.bytesRead;
    setImmediate(() => {
      if (!socket.destroyed && socket.bytesRead === bytesRead) socket.destroy();
    });
  });
}

/** How often Node sweeps connections for the header and request timeouts: a tenth of the bound, 10 ms..1 s. */
function connectionsCheckingIntervalFor(shortestTimeoutMs: number): number {
  return Math.min(1_000, Math.max(10, Math.floor(shortestTimeoutMs / 10)));
}

/** Resolves true when `promise` settles within `timeoutMs`, false otherwise. */
async function waitUntil(promise: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads the body up to `limit` bytes. Over the limit (declared or actual) it answers 413 at once and closes the
 * connection after the response, instead of reading (and buffering) the rest.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
  const tooLarge = () => {
    res.setHeader("connection", "close");
    return new HttpError(413, "body_too_large", `request body exceeds the limit of ${limit} bytes`);
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Stop reading but keep the socket: the 413 still has to be written on it.
      req.off("data", onData);
      req.pause();
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", (error) =>
      reject(
        new HttpError(400, "body_read_failed", `could not read the request body: ${error.message}`, { cause: error }),
      ),
    );
  });
}

function send(res: ServerResponse, response: RouteResponse): void {
  if ("json" in response) {
    const text = JSON.stringify(response.json, (_key, value: unknown) =>
      typeof value === "bigint" ? value.toString() : value,
    );
    res.writeHead(response.status, { "content-type": "application/json; charset=utf-8" }).end(text);
  } else {
    res.writeHead(response.status, { "content-type": response.contentType }).end(response.text);
  }
}

/** Answers with the error envelope; returns the code for metrics. Unexpected errors are logged, not exposed. */
function sendError(res: ServerResponse, error: unknown, log: Logger): string {
  const [status, code, message] = isClientFacingError(error)
    ? [error.status, error.code, error.message]
    : [500, "internal_error", "internal error; the operator has the details in the node's log"];
  if (status >= 500) log.error({ err: error }, "request failed");
  if (res.headersSent) {
    // The response is already on its way; the client sees a truncated body, the log has the cause.
    res.destroy();
    return code;
  }
  if (error instanceof HttpError) for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  send(res, { status, json: errorEnvelope(code, message) });
  if (res.getHeader("connection") === "close") res.once("finish", () => res.req.socket.destroy());
  return code;
}
