/**
 * Checking a service's real answers against its own OpenAPI document: the JSON Schema the document gives for a
 * path, method and status becomes a validator with zod v4's `z.fromJSONSchema`. That function resolves only
 * `#/$defs/...` references, so the document's `#/components/schemas/...` references are rewritten to `$defs` first
 * (the components become the validator's `$defs`).
 */
import { expect } from "chai";
import { z } from "zod";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components?: { schemas?: Record<string, Json> };
}

const TIMEOUT = () => AbortSignal.timeout(10_000);

export async function fetchOpenApi(baseUrl: string): Promise<OpenApiDoc> {
  const response = await fetch(`${baseUrl}/openapi.json`, { signal: TIMEOUT() });
  expect(response.status).to.equal(200);
  expect(response.headers.get("content-type")).to.match(/^application\/json/);
  return (await response.json()) as OpenApiDoc;
}

function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: { [key: string]: Json } = {};
  for (const [key, inner] of Object.entries(value))
    out[key] =
      key === "$ref" && typeof inner === "string"
        ? inner.replace(/^#\/components\/schemas\//, "#/$defs/")
        : rewriteRefs(inner);
  return out;
}

/** The document's schema for an answer, or a failure naming what the document lacks. */
export function documentedSchema(
  doc: OpenApiDoc,
  path: string,
  method: string,
  status: number,
  mediaType = "application/json",
): Json {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`the document has no ${method} ${path}`);
  const schema = operation.responses[String(status)]?.content?.[mediaType]?.schema;
  if (schema === undefined) throw new Error(`the document has no ${status} ${mediaType} answer for ${method} ${path}`);
  return schema;
}

/** A validator for the document's schema of that answer. */
export function documentedValidator(doc: OpenApiDoc, path: string, method: string, status: number): z.ZodType {
  const schema = rewriteRefs(documentedSchema(doc, path, method, status));
  const defs = rewriteRefs((doc.components?.schemas ?? {}) as Json);
  const root =
    typeof schema === "object" && schema !== null && !Array.isArray(schema) ? { ...schema, $defs: defs } : schema;
  return z.fromJSONSchema(root as Parameters<typeof z.fromJSONSchema>[0]);
}

/**
 * Reads a real response and checks its JSON body against the document's schema for the path (as documented, e.g.
 * `/v1/scores/{borrower}`), the method and the response's own status. Returns the body.
 */
export async function expectDocumented(
  doc: OpenApiDoc,
  path: string,
  method: string,
  response: Response,
): Promise<any> {
  const body = (await response.json()) as Json;
  const result = documentedValidator(doc, path, method, response.status).safeParse(body);
  expect(
    result.success,
    `${method} ${path} ${response.status}: the answer does not match the document: ${JSON.stringify(result.error?.issues.slice(0, 3))}\n${JSON.stringify(body).slice(0, 400)}`,
  ).to.equal(true);
  return body;
}

/** "METHOD path" of every operation in the document, paths in the router's `:name` notation. */
export function documentedRoutes(doc: OpenApiDoc): string[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
  );
}

export function expectOpenApi31(doc: OpenApiDoc, title: RegExp): void {
  expect(doc.openapi).to.match(/^3\.1\.\d+$/);
  expect(doc.info.title).to.match(title);
}

export const jsonPost = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: TIMEOUT(),
  });

export const get = (url: string) => fetch(url, { signal: TIMEOUT() });
