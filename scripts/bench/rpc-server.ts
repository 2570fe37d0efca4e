/**
 * The benchmark's in-process chain over HTTP, for node processes: a JSON-RPC endpoint on 127.0.0.1 that hands each
 * call (single or batch) to the in-process provider. Only the bench uses it; a node reads the operator set, the
 * provider registry and its own balance through it, and polls for `ScoreRequested` logs.
 */
import { createServer, type Server } from "node:http";

import { closeKeepAliveConnectionsOnlyWhenSilent } from "../../oracle/src/server/index.js";

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

type RpcCall = { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown };

/** Serves `provider` on `port` (127.0.0.1); resolves once listening. Bodies larger than 1 MiB are refused. */
export function serveJsonRpc(provider: Eip1193, port: number): Promise<Server> {
  const answer = async (call: RpcCall) => {
    if (typeof call.method !== "string")
      return { jsonrpc: "2.0", id: call.id ?? null, error: { code: -32600, message: "method must be a string" } };
    try {
      const params = Array.isArray(call.params) ? (call.params as unknown[]) : [];
      return { jsonrpc: "2.0", id: call.id ?? null, result: await provider.request({ method: call.method, params }) };
    } catch (error) {
      const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: call.id ?? null,
        error: {
          code: typeof code === "number" ? code : -32603,
          message: typeof message === "string" ? message : String(error),
          ...(data === undefined ? {} : { data }),
        },
      };
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1 << 20) req.destroy(new Error("JSON-RPC body larger than 1 MiB"));
      else chunks.push(chunk);
    });
    req.once("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
        return;
      }
      const work = Array.isArray(body)
        ? Promise.all(body.map((call) => answer(call as RpcCall)))
        : answer(body as RpcCall);
      void work.then((result) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(result, (_key, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      });
    });
  });
  // The bench's main thread signs applications between phases, holding this server's event loop for seconds while
  // the node processes keep polling; the node's own server rule keeps those polls from being reset when it resumes.
  closeKeepAliveConnectionsOnlyWhenSilent(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
