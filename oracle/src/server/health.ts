/**
 * `/health`: what an operator (or a load balancer) needs to know at a glance: the model, the chain (head,
 * watcher lag), whether this node's clock agrees with the chain's within the tolerated skew, whether its key can
 * pay for submissions and whether submissions keep failing; `problems` says why it is degraded. Providers are
 * injected so the server stays independent of the model and the chain; a slow or failing provider degrades the
 * answer instead of hanging it.
 */
import { z } from "zod";

import type { Route } from "./server.js";

export interface ChainStatus {
  headBlock: number;
  /** Last block the watcher fully processed, when there is a watcher. */
  lastProcessedBlock?: number;
}

export interface HealthProviders {
  nodeId: string;
  /** The loaded model's id, once loaded. */
  modelId?: () => string | undefined;
  chainStatus?: () => Promise<ChainStatus>;
  /** This node's clock against the chain's; a `problem` degrades the node. */
  clock?: () => { problem?: string };
  /** The operator key's balance against what a submission needs; a `problem` (low balance) degrades the node. */
  funding?: () => { problem?: string };
  /** The submitter: a `problem` (cannot pay, failing in a row) degrades the node. */
  submissions?: () => { problem?: string };
  /** Further checks of the service (the credit bureau: its store); a `problem` degrades it. */
  checks?: readonly (() => { problem?: string })[];
  /** Bound on the chain lookup, so /health answers even when the RPC hangs. */
  timeoutMs?: number;
}

/** The body of `/health` (200 when `ok`, 503 when `degraded`). */
export const healthReportSchema = z
  .strictObject({
    status: z.enum(["ok", "degraded"]),
    nodeId: z.string(),
    modelId: z.string().nullable(),
    chain: z
      .union([
        z.strictObject({ headBlock: z.int(), lastProcessedBlock: z.int().nullable(), lagBlocks: z.int().nullable() }),
        z.strictObject({ error: z.string() }),
      ])
      .nullable(),
    /** The clock provider's status (the node: its clock against the chain's, see clockDriftStatusSchema). */
    clock: z.looseObject({ problem: z.string().optional() }).nullable(),
    /** Why the node is degraded, one line each; empty when it is ok. */
    problems: z.array(z.string()).meta({ description: "Why the service is degraded, one line each; empty when ok" }),
  })
  .meta({ id: "HealthReport" });

export type HealthReport = z.infer<typeof healthReportSchema>;

export async function checkHealth(providers: HealthProviders): Promise<HealthReport> {
  const modelId = providers.modelId?.() ?? null;
  let chain: HealthReport["chain"] = null;
  if (providers.chainStatus !== undefined) {
    try {
      const status = await withTimeout(providers.chainStatus(), providers.timeoutMs ?? 2_000);
      const lastProcessedBlock = status.lastProcessedBlock ?? null;
      chain = {
        headBlock: status.headBlock,
        lastProcessedBlock,
        lagBlocks: lastProcessedBlock === null ? null : Math.max(0, status.headBlock - lastProcessedBlock),
      };
    } catch (error) {
      chain = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  const clock = providers.clock?.() ?? null;
  const problems: string[] = [];
  // Only a service that serves a model (it passes `modelId`) is degraded without one.
  if (providers.modelId !== undefined && modelId === null) problems.push("no model loaded");
  if (chain !== null && "error" in chain) problems.push(`chain: ${chain.error}`);
  const others = (providers.checks ?? []).map((check) => check());
  for (const check of [clock, providers.funding?.(), providers.submissions?.(), ...others])
    if (check?.problem !== undefined) problems.push(check.problem);
  return {
    status: problems.length === 0 ? "ok" : "degraded",
    nodeId: providers.nodeId,
    modelId,
    chain,
    clock,
    problems,
  };
}

export function healthRoute(providers: HealthProviders): Route {
  return {
    method: "GET",
    path: "/health",
    handler: async () => {
      const report = await checkHealth(providers);
      return { status: report.status === "ok" ? 200 : 503, json: report };
    },
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`chain status timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
