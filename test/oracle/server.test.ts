import { EventEmitter } from "node:events";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Worker } from "node:worker_threads";

import { expect } from "chai";
import { Wallet } from "ethers";

import type { Scorer } from "../../oracle/src/consensus/index.js";
import { acceptApplication, type IntakeContext } from "../../oracle/src/intake/index.js";
import { createLogger } from "../../oracle/src/log/index.js";
import { createMetrics, instrumentScorer, type OracleMetrics } from "../../oracle/src/metrics/index.js";
import { openStore, type OracleStore } from "../../oracle/src/store/index.js";
import {
  createOracleServer,
  healthRoute,
  installGracefulShutdown,
  metricsRoute,
  type OracleHttpServer,
  type Route,
} from "../../oracle/src/server/index.js";
import { MAX_JSON_DEPTH, nestingDepthExceeds } from "../../oracle/src/server/json-body.js";
import { signedApplicationBody, tempDir, TEST_CHAIN, TEST_FEATURE_NAMES, testProviders } from "./helpers.js";

const MAX_BODY = 4_096;
const TIMEOUT = AbortSignal.timeout.bind(AbortSignal);
const borrower = new Wallet("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"); // Hardhat #3
// Distinctive values, so the test can prove they never reach the logs.
const SECRET_FEATURES = { LIMIT_BAL: 987_654, AGE: 41, PAY_0: 2, BILL_AMT1: 123_457 };

/** The test app: intake validation wired to a fake scorer. A test of the server, not production wiring. */
function testApp(store: OracleStore, metrics: OracleMetrics, slow: { release?: () => void }) {
  const fakeScorer: Scorer = async (features) => ({ pdBps: 100 + features.length, reasonCodes: [3, 1] });
  const scorer = instrumentScorer(fakeScorer, metrics);
  const context = (): IntakeContext => ({
    ...TEST_CHAIN,
    featureNames: TEST_FEATURE_NAMES,
    nowSec: Math.floor(Date.now() / 1000),
    applicationMaxAgeSec: 900,
    creditFileMaxAgeSec: 30 * 24 * 3600,
    providers: testProviders(),
  });
  const routes: Route[] = [
    {
      method: "POST",
      path: "/applications",
      handler: async ({ body, logFields }) => {
        const application = await acceptApplication(body, context(), store);
        Object.assign(logFields, { featureCount: application.features.length, featuresHash: application.featuresHash });
        const score = await scorer(application.features);
        return { status: 201, json: { applicationHash: application.applicationHash, ...score } };
      },
    },
    {
      method: "GET",
      path: "/slow",
      handler: () => new Promise((resolve) => (slow.release = () => resolve({ status: 200, json: { done: true } }))),
    },
    {
      method: "GET",
      path: "/boom",
      handler: () => {
        throw new Error("database password=hunter2 leaked into an exception");
      },
    },
    healthRoute({
      nodeId: "node-0",
      modelId: () => "0xmodel",
      chainStatus: async () => ({ headBlock: 120, lastProcessedBlock: 118 }),
    }),
    metricsRoute(metrics.registry),
  ];
  return routes;
}

describe("oracle server", function () {
  this.timeout(10_000);
  let cleanup: () => void;
  let store: OracleStore;
  let metrics: OracleMetrics;
  let logs: string[];
  let app: OracleHttpServer;
  let base: string;
  const slow: { release?: () => void } = {};

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir("server"));
    store = openStore(join(dir, "node.sqlite"));
    metrics = createMetrics();
    logs = [];
    const sink = new PassThrough();
    sink.on("data", (line: Buffer) => logs.push(line.toString()));
    const logger = createLogger({ nodeId: "node-0", level: "info", destination: sink });
    app = createOracleServer({ routes: testApp(store, metrics, slow), logger, metrics, maxBodyBytes: MAX_BODY });
    const address = await app.listen(0, "127.0.0.1");
    base = `http://127.0.0.1:${address.port}`;
  });

  afterEach(async () => {
    slow.release?.();
    if (app.server.listening) await app.shutdown(1_000);
    store.close();
    cleanup();
  });

  const post = (path: string, body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${base}${path}`, { method: "POST", body, headers, signal: TIMEOUT(5_000) });
  const get = (path: string) => fetch(`${base}${path}`, { signal: TIMEOUT(5_000) });

  it("accepts a signed application, scores it, and refuses its replay with 409", async () => {
    const body = JSON.stringify(
      await signedApplicationBody(borrower, { expiry: Math.floor(Date.now() / 1000) + 300, features: SECRET_FEATURES }),
    );
    const first = await post("/applications", body);
    expect(first.status).to.equal(201);
    const json = (await first.json()) as { applicationHash: string; pdBps: number; reasonCodes: number[] };
    expect(json.pdBps).to.equal(104);
    expect(store.getApplication(json.applicationHash)?.features).to.deep.equal(Object.values(SECRET_FEATURES));
    const replay = await post("/applications", body);
    expect(replay.status).to.equal(409);
    expect(await replay.json()).to.deep.equal({
      error: {
        code: "replayed_nonce",
        message: `nonce: 1 was already used by ${borrower.address}; sign the application with a new nonce`,
      },
    });
  });

  it("answers intake errors in the envelope with their status", async () => {
    const wrongSigner = await signedApplicationBody(borrower, {
      expiry: Math.floor(Date.now() / 1000) + 300,
      signer: Wallet.createRandom(),
    });
    const response = await post("/applications", JSON.stringify(wrongSigner));
    expect(response.status).to.equal(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal("wrong_signer");
  });

  it("answers 400 invalid_json for a malformed body", async () => {
    const response = await post("/applications", "{ not json");
    expect(response.status).to.equal(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).to.equal("invalid_json");
    expect(error.message).to.match(/^request body is not valid JSON/);
  });

  it("answers 413 naming the limit, for a declared and for a streamed oversize body", async () => {
    const declared = await post("/applications", "x".repeat(MAX_BODY + 1));
    expect(declared.status).to.equal(413);
    expect(await declared.json()).to.deep.equal({
      error: { code: "body_too_large", message: `request body exceeds the limit of ${MAX_BODY} bytes` },
    });

    // Chunked upload without a Content-Length: the limit is enforced while reading.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/applications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        timeout: 5_000,
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.write("y".repeat(MAX_BODY));
      req.write("y".repeat(MAX_BODY));
      req.end();
    });
    expect(streamed.status).to.equal(413);
    expect(streamed.body).to.include("body_too_large");
  });

  it("answers 400 invalid_json for a body nested deeper than the limit, counting brackets outside strings only", async () => {
    const deep = await post("/applications", `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`);
    expect(deep.status).to.equal(400);
    expect(((await deep.json()) as { error: { code: string; message: string } }).error).to.deep.equal({
      code: "invalid_json",
      message: `request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect(
      nestingDepthExceeds(`{"a":"${"[{".repeat(100)}\\"["}`, 2),
      "brackets inside strings (and escaped quotes)",
    ).to.equal(false);
    expect(nestingDepthExceeds(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`, MAX_JSON_DEPTH)).to.equal(
      false,
    );
  });

  it("answers 415 to a POST body that is not declared JSON (a browser's simple request), before reading it", async () => {
    const body = JSON.stringify(
      await signedApplicationBody(borrower, { nonce: 9n, expiry: Math.floor(Date.now() / 1000) + 300 }),
    );
    for (const contentType of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
      undefined,
    ]) {
      const response = await rawRequest(base, {
        method: "POST",
        path: "/applications",
        body,
        headers: contentType === undefined ? {} : { "content-type": contentType },
      });
      expect(response.status, String(contentType)).to.equal(415);
      expect(JSON.parse(response.body).error.code, String(contentType)).to.equal("unsupported_media_type");
    }
    expect(store.isNonceUsed(borrower.address, 9n), "no handler ran").to.equal(false);
    const json = await post("/applications", body, { "content-type": "Application/JSON; charset=utf-8" });
    expect(json.status).to.equal(201);
  });

  it("answers 421 to a Host header naming none of its hosts (DNS rebinding), on every route", async () => {
    for (const [method, path] of [
      ["GET", "/health"],
      ["POST", "/applications"],
    ] as const) {
      const evil = await rawRequest(base, {
        method,
        path,
        body: "{}",
        headers: { host: "attacker.example:80", "content-type": "application/json" },
      });
      expect(evil.status, path).to.equal(421);
      expect(JSON.parse(evil.body).error).to.deep.equal({
        code: "host_not_allowed",
        message: 'Host "attacker.example" is not one of this node\'s hosts; list it in listen.allowedHosts to serve it',
      });
    }
    for (const host of ["127.0.0.1", `localhost:${new URL(base).port}`, "[::1]:80"]) {
      expect((await rawRequest(base, { method: "GET", path: "/health", headers: { host } })).status, host).to.equal(
        200,
      );
    }
  });

  it("answers 404, 405 and a 500 that hides the internal message", async () => {
    expect((await get("/nope")).status).to.equal(404);
    const wrongMethod = await post("/health", "{}");
    expect([wrongMethod.status, wrongMethod.headers.get("allow")]).to.deep.equal([405, "GET"]);
    const boom = await get("/boom");
    expect(boom.status).to.equal(500);
    expect(JSON.stringify(await boom.json())).not.to.include("hunter2");
  });

  it("reports health with chain lag", async () => {
    const response = await get("/health");
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      status: "ok",
      nodeId: "node-0",
      modelId: "0xmodel",
      chain: { headBlock: 120, lastProcessedBlock: 118, lagBlocks: 2 },
      clock: null,
      problems: [],
    });
  });

  it("exposes request, error and inference metrics", async () => {
    await post("/applications", "{ not json");
    const body = JSON.stringify(
      await signedApplicationBody(borrower, { nonce: 9n, expiry: Math.floor(Date.now() / 1000) + 300 }),
    );
    await post("/applications", body);
    await get("/nope/at/all");
    const text = await (await get("/metrics")).text();
    expect(text).to.include('verity_oracle_requests_total{route="/applications",status="400"} 1');
    expect(text).to.include('verity_oracle_requests_total{route="/applications",status="201"} 1');
    expect(text).to.include('verity_oracle_requests_total{route="unmatched",status="404"} 1');
    expect(text).to.include('verity_oracle_errors_total{code="invalid_json"} 1');
    expect(text).to.include("verity_oracle_inference_duration_seconds_count 1");
    expect(text).to.include("verity_oracle_request_duration_seconds_bucket");
    expect(text).to.include("# TYPE verity_oracle_submissions_total counter");
  });

  it("logs one structured line per request with id, route, status and latency, never applicant data", async () => {
    const body = JSON.stringify(
      await signedApplicationBody(borrower, {
        nonce: 11n,
        expiry: Math.floor(Date.now() / 1000) + 300,
        features: SECRET_FEATURES,
      }),
    );
    const response = await fetch(`${base}/applications`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-request-id": "req-42" },
      signal: TIMEOUT(5_000),
    });
    expect(response.headers.get("x-request-id")).to.equal("req-42");
    await get("/boom");
    const lines = logs
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const intake = lines.find((line) => line.requestId === "req-42");
    expect(intake).to.deep.include({
      nodeId: "node-0",
      route: "/applications",
      status: 201,
      featureCount: 4,
      msg: "request",
    });
    expect(intake?.latencyMs).to.be.a("number");
    expect(intake?.featuresHash).to.match(/^0x[0-9a-f]{64}$/);
    const all = logs.join("");
    expect(all).not.to.include("987654");
    expect(all).not.to.include("123457");
    expect(lines.some((line) => line.level === "error" && line.msg === "request failed")).to.equal(true);
  });

  it("drains in-flight requests on SIGTERM, refuses new connections, then closes the store", async () => {
    const signals = new EventEmitter();
    const { shutdown } = installGracefulShutdown({
      server: app,
      log: createLogger({ nodeId: "node-0", level: "silent" }),
      drainTimeoutMs: 2_000,
      closers: [{ name: "store", close: () => store.close() }],
      target: signals as unknown as Pick<NodeJS.Process, "once" | "off">,
    });
    const inFlight = get("/slow");
    await until(() => app.inFlight === 1);
    signals.emit("SIGTERM", "SIGTERM");
    await until(() => !app.server.listening);
    const refused = await get("/health").then(
      () => "answered",
      () => "refused",
    );
    expect(refused).to.equal("refused");
    expect(store.isOpen, "store stays open while a request is in flight").to.equal(true);
    slow.release?.();
    expect((await inFlight).status).to.equal(200);
    expect(await shutdown("test")).to.deep.equal({ drained: true, abandoned: 0 });
    expect(store.isOpen).to.equal(false);
  });

  it("bounds the drain: a request that never finishes is cut off", async () => {
    const hung = get("/slow").then(
      () => "answered",
      () => "cut off",
    );
    await until(() => app.inFlight === 1);
    const started = Date.now();
    expect(await app.shutdown(200)).to.deep.equal({ drained: false, abandoned: 1 });
    expect(Date.now() - started).to.be.below(2_000);
    expect(await hung).to.equal("cut off");
  });
});

describe("oracle server bounds", function () {
  this.timeout(10_000);
  const HEADERS_TIMEOUT_MS = 300;
  const REQUEST_TIMEOUT_MS = 600;
  /** Node's own timers fire late by up to one check interval; the server keeps that within a tenth of the bound. */
  const MARGIN_MS = 250;
  let app: OracleHttpServer;
  let port: number;

  beforeEach(async () => {
    const metrics = createMetrics();
    const routes: Route[] = [{ method: "POST", path: "/echo", handler: ({ body }) => ({ status: 200, json: body }) }];
    app = createOracleServer({
      routes,
      logger: createLogger({ nodeId: "node-0", level: "silent" }),
      metrics,
      maxBodyBytes: MAX_BODY,
      allowedHosts: ["oracle-1.example"],
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    port = (await app.listen(0, "127.0.0.1")).port;
  });
  afterEach(async () => {
    if (app.server.listening) await app.shutdown(1_000);
  });

  /** Sends `chunks` one by one every `everyMs`, and resolves with how long the server kept the connection open. */
  function slowClient(chunks: string[], everyMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(port, "127.0.0.1");
      let timer: NodeJS.Timeout | undefined;
      const giveUp = setTimeout(() => {
        socket.destroy();
        reject(new Error("the server kept a slow client for more than 3 s"));
      }, 3_000);
      socket.on("error", () => {});
      socket.on("close", () => {
        clearTimeout(giveUp);
        clearInterval(timer);
        resolve(Date.now() - started);
      });
      socket.on("connect", () => {
        let sent = 0;
        const sendNext = () => {
          if (sent < chunks.length && !socket.destroyed) socket.write(chunks[sent++] as string);
        };
        sendNext();
        timer = setInterval(sendNext, everyMs);
      });
    });
  }

  it("closes a connection whose headers trickle in, within headersTimeoutMs (+ a small margin)", async () => {
    const trickle = ["POST /echo HTTP/1.1\r\n", ...Array.from({ length: 100 }, (_, i) => `x-pad-${i}: ${i}\r\n`)];
    const openMs = await slowClient(trickle, 50);
    expect(openMs).to.be.within(HEADERS_TIMEOUT_MS - 50, HEADERS_TIMEOUT_MS + MARGIN_MS);
  });

  it("closes a connection whose body trickles in, within requestTimeoutMs (+ a small margin)", async () => {
    const head = `POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`;
    const openMs = await slowClient([head, ...Array.from({ length: 100 }, () => " ")], 50);
    expect(openMs).to.be.within(REQUEST_TIMEOUT_MS - 50, REQUEST_TIMEOUT_MS + MARGIN_MS);
  });

  it("serves a host listed in allowedHosts, in any case and with any port", async () => {
    const response = await rawRequest(`http://127.0.0.1:${port}`, {
      method: "POST",
      path: "/echo",
      body: "[1]",
      headers: { host: "Oracle-1.EXAMPLE:8443", "content-type": "application/json" },
    });
    expect([response.status, response.body]).to.deep.equal([200, "[1]"]);
  });
});

describe("oracle server keep-alive", function () {
  this.timeout(10_000);
  /** Short, so the test need not wait Node's 5 s; no buffer, so the deadline is exactly this. */
  const KEEP_ALIVE_MS = 100;
  let app: OracleHttpServer;
  let port: number;

  beforeEach(async () => {
    const routes: Route[] = [{ method: "GET", path: "/ping", handler: () => ({ status: 200, json: { pong: true } }) }];
    app = createOracleServer({
      routes,
      logger: createLogger({ nodeId: "node-0", level: "silent" }),
      metrics: createMetrics(),
      maxBodyBytes: MAX_BODY,
    });
    app.server.keepAliveTimeout = KEEP_ALIVE_MS;
    app.server.keepAliveTimeoutBuffer = 0;
    port = (await app.listen(0, "127.0.0.1")).port;
  });
  afterEach(async () => {
    if (app.server.listening) await app.shutdown(1_000);
  });

  it("serves a request that reached an idle connection while its event loop was busy past the keep-alive deadline", async () => {
    // The client runs in a worker thread, so it can send while this thread (the server's event loop) is busy. It
    // sends one request, and a second on the same connection when told; it reports each answer's status line, or
    // how the connection failed. The server's loop is then held past the idle deadline with the second request
    // unread in the socket's buffer: the timers phase sees the deadline before the poll phase sees the request, as
    // on a node busy scoring when a pooled connection is reused at the boundary.
    const sent = new Int32Array(new SharedArrayBuffer(4));
    const client = new Worker(KEEP_ALIVE_CLIENT, { eval: true, workerData: { port, sent } });
    const outcome = new Promise<{ statuses: string[]; failure?: string }>((resolve, reject) => {
      client.on("message", (message: { type: string; statuses: string[]; failure?: string }) => {
        if (message.type === "first") {
          client.postMessage("send");
          const started = performance.now();
          // Busy (bounded): until the second request is written, then past the deadline with a margin.
          while (Atomics.load(sent, 0) === 0 && performance.now() - started < 5_000);
          while (performance.now() - started < 3 * KEEP_ALIVE_MS);
        } else resolve(message);
      });
      client.once("error", reject);
    });
    try {
      expect(await outcome).to.deep.equal({ type: "done", statuses: ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"] });
    } finally {
      await client.terminate();
    }
  });

  it("still closes an idle connection on which nothing arrives, after the keep-alive timeout", async () => {
    const socket = connect(port, "127.0.0.1");
    const closed = new Promise<string>((resolve, reject) => {
      let received = "";
      const giveUp = setTimeout(() => reject(new Error("an idle connection stayed open for 3 s")), 3_000);
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (received += chunk));
      socket.on("error", reject);
      socket.on("close", () => {
        clearTimeout(giveUp);
        resolve(received);
      });
    });
    socket.write("GET /ping HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    try {
      expect(await closed).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\{"pong":true\}\r\n0\r\n\r\n$/);
    } finally {
      socket.destroy();
    }
  });
});

/**
 * The keep-alive test's client (a worker, CommonJS): one raw connection to `workerData.port`; `GET /ping`, then a
 * second `GET /ping` when the parent posts "send" (setting `workerData.sent[0]` once it is written). Posts
 * `{ type: "first" }` after the first answer, then `{ type: "done", statuses }` after the second, or
 * `{ type: "done", statuses, failure }` if the connection fails or closes first.
 */
const KEEP_ALIVE_CLIENT = `
const { connect } = require("node:net");
const { parentPort, workerData } = require("node:worker_threads");
const request = "GET /ping HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\n\\r\\n";
const statuses = [];
let buffer = "";
let finished = false;
const finish = (failure) => {
  if (finished) return;
  finished = true;
  parentPort.postMessage(failure === undefined ? { type: "done", statuses } : { type: "done", statuses, failure });
  socket.destroy();
};
const socket = connect(workerData.port, "127.0.0.1", () => socket.write(request));
socket.setEncoding("utf8");
socket.on("data", (chunk) => {
  buffer += chunk;
  for (;;) {
    const end = buffer.indexOf("\\r\\n\\r\\n");
    if (end < 0) return;
    // The server answers in chunks: an answer ends with the last chunk's CRLF and the empty chunk.
    const last = buffer.indexOf("\\r\\n0\\r\\n\\r\\n", end);
    if (last < 0) return;
    statuses.push(buffer.slice(0, buffer.indexOf("\\r\\n")));
    buffer = buffer.slice(last + 7);
    if (statuses.length === 1) parentPort.postMessage({ type: "first" });
    else finish();
  }
});
socket.on("error", (error) => finish(error.code ?? error.message));
socket.on("close", () => finish("closed by the server"));
parentPort.on("message", () =>
  socket.write(request, () => {
    Atomics.store(workerData.sent, 0, 1);
    Atomics.notify(workerData.sent, 0);
  }),
);
`;

/** An HTTP request with full control of its headers (fetch sets Host and Content-Type itself). */
function rawRequest(
  base: string,
  options: { method: "GET" | "POST"; path: string; body?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${options.path}`,
      { method: options.method, headers: options.headers ?? {}, timeout: 5_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(options.method === "POST" ? (options.body ?? "") : undefined);
  });
}

/** Polls `condition` every 10 ms for at most 2 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 2 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
