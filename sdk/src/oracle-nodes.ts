/**
 * A client for the oracle nodes' public routes (browser-safe: fetch only):
 * - `submitApplication` posts a signed application (pull flow) and returns the k-signed score bundle, trying the
 *   next node when one is unreachable or answers 5xx (no leader, chain unavailable, quorum not met); a 4xx is the
 *   application's fault and is final (every node would refuse it too).
 * - `requestPush` posts it with `flow: "push"`; the borrower then calls `requestScore(applicationHash)` on chain
 *   (`requestPushScore` in `borrower.ts`) and a node posts the score.
 * - `latestBundle` fetches the latest bundle a node holds for a borrower, from the first node that has one.
 */
import { getAddress } from "ethers";
import { z } from "zod";

import type { ApplicationBodyJson } from "./eip712/application.js";
import type { ScoreReport } from "./eip712/score-report.js";
import { serviceUrl } from "./service-url.js";

const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of hex");
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be an address")
  .transform((v) => getAddress(v))
  // What the OpenAPI documents say of it (the transform only checksums): a 20-byte hex address.
  .meta({ override: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } });
const decimal = z.string().regex(/^\d+$/, "must be a decimal string");
const uint16 = z.int().min(0).max(0xffff);

/** A score report as the nodes send it (uint64 fields as decimal strings). */
export const reportJsonSchema = z.strictObject({
  borrower: address,
  pdBps: z.int().min(0).max(10_000),
  reasonCodes: z.tuple([uint16, uint16, uint16, uint16]),
  modelId: bytes32,
  operatorSetVersion: decimal,
  issuedAt: decimal,
  validUntil: decimal,
  creditFileHash: bytes32,
  provider: address,
});

export type ReportJson = z.infer<typeof reportJsonSchema>;

/** What a node answers to a pull application and at `GET /v1/scores/:borrower`. */
export const scoreBundleSchema = z.object({
  reportDigest: bytes32,
  requestKey: bytes32,
  leader: z.string(),
  report: reportJsonSchema,
  /** The k signatures, concatenated 65-byte r‖s‖v: `borrowWithReport`'s `signatures` argument. */
  signatures: z.string().regex(/^0x([0-9a-fA-F]{130})+$/, "must be 65-byte signatures concatenated"),
  signers: z.array(z.string()),
  /** The reason codes' adverse-action texts. */
  reasons: z.array(z.object({ code: z.int(), text: z.string() })),
});

export type ScoreBundleJson = z.infer<typeof scoreBundleSchema>;

/** What a node answers to a push application (202). */
export const pushAcceptedSchema = z.object({
  flow: z.literal("push"),
  applicationHash: bytes32,
  borrower: address,
  distributedTo: z.array(z.string()),
  next: z.string(),
});

export type PushAccepted = z.infer<typeof pushAcceptedSchema>;

/** A bundle's report as `borrowWithReport` and `submitScore` take it (bigints). */
export function reportFromJson(report: ReportJson): ScoreReport {
  return {
    ...report,
    reasonCodes: [...report.reasonCodes],
    operatorSetVersion: BigInt(report.operatorSetVersion),
    issuedAt: BigInt(report.issuedAt),
    validUntil: BigInt(report.validUntil),
  };
}

/** A node refused (`status` ≥ 400 with the node's `code`), answered garbage, or none answered (`status` 0). */
export class OracleNodeError extends Error {
  override readonly name = "OracleNodeError";

  constructor(
    readonly node: string,
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Worth asking another node: unreachable, or a 5xx (the application itself was not refused). */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export interface OracleNodesClientOptions {
  /** The nodes' base URLs, tried in this order. */
  nodes: readonly string[];
  /** Per request (default 30 s: a pull application waits for the quorum). */
  timeoutMs?: number;
}

/** The nodes' public API; every answer is validated with zod. */
export class OracleNodesClient {
  private readonly nodes: readonly string[];
  private readonly timeoutMs: number;

  constructor(options: OracleNodesClientOptions) {
    if (options.nodes.length === 0) throw new Error("OracleNodesClient: at least one node URL is needed");
    for (const node of options.nodes) {
      try {
        new URL(node);
      } catch {
        throw new Error(`OracleNodesClient: ${JSON.stringify(node)} is not a URL`);
      }
    }
    this.nodes = options.nodes;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Pull flow: the k-signed bundle for a signed application, and the node that answered. */
  async submitApplication(body: ApplicationBodyJson): Promise<{ node: string; bundle: ScoreBundleJson }> {
    const { flow: _flow, ...pull } = body;
    return this.first((node) =>
      this.request(node, "POST", "/v1/applications", pull, [201], (json) => scoreBundleSchema.parse(json)),
    ).then(({ node, value }) => ({ node, bundle: value }));
  }

  /** Push flow: the node takes the application and shares it with its peers; then call `requestScore` on chain. */
  async requestPush(body: ApplicationBodyJson): Promise<{ node: string; accepted: PushAccepted }> {
    return this.first((node) =>
      this.request(node, "POST", "/v1/applications", { ...body, flow: "push" }, [202], (json) =>
        pushAcceptedSchema.parse(json),
      ),
    ).then(({ node, value }) => ({ node, accepted: value }));
  }

  /** The latest bundle any node holds for `borrower` (a 404 from one node moves on to the next). */
  async latestBundle(borrower: string): Promise<{ node: string; bundle: ScoreBundleJson }> {
    const path = `/v1/scores/${getAddress(borrower)}`;
    return this.first(
      (node) => this.request(node, "GET", path, undefined, [200], (json) => scoreBundleSchema.parse(json)),
      (error) => error.retryable || error.status === 404,
    ).then(({ node, value }) => ({ node, bundle: value }));
  }

  private async first<T>(
    attempt: (node: string) => Promise<T>,
    retry: (error: OracleNodeError) => boolean = (error) => error.retryable,
  ): Promise<{ node: string; value: T }> {
    const failures: OracleNodeError[] = [];
    for (const node of this.nodes) {
      try {
        return { node, value: await attempt(node) };
      } catch (error) {
        if (!(error instanceof OracleNodeError) || !retry(error)) throw error;
        failures.push(error);
      }
    }
    const last = failures.at(-1)!;
    throw new OracleNodeError(
      last.node,
      last.status,
      last.code,
      `no oracle node could answer: ${failures.map((f) => `${f.node}: ${f.message}`).join("; ")}`,
    );
  }

  private async request<T>(
    node: string,
    method: "GET" | "POST",
    path: string,
    body: unknown,
    okStatuses: readonly number[],
    parse: (json: unknown) => T,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(serviceUrl(node, path), {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new OracleNodeError(node, 0, "unreachable", `did not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new OracleNodeError(
        node,
        response.status,
        "invalid_response",
        `answered ${response.status} with a body that is not JSON`,
        { cause: error },
      );
    }
    if (!okStatuses.includes(response.status)) {
      const refusal = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(json);
      if (refusal.success)
        throw new OracleNodeError(
          node,
          response.status,
          refusal.data.error.code,
          `${response.status} ${refusal.data.error.code}: ${refusal.data.error.message}`,
        );
      throw new OracleNodeError(
        node,
        response.status,
        "invalid_response",
        `answered ${response.status} without an error envelope`,
      );
    }
    try {
      return parse(json);
    } catch (error) {
      const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
      throw new OracleNodeError(
        node,
        response.status,
        "invalid_response",
        `answer is not what ${method} ${path} returns: ${issue === undefined ? (error as Error).message : `${issue.path.join(".") || "body"}: ${issue.message}`}`,
        { cause: error },
      );
    }
  }
}
