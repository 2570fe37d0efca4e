/**
 * The indexer's HTTP API (bound where `ponder start --hostname` says): the compliance events in chain order,
 * keyset-paged, for the compliance report and the supervisor dashboard (the SDK's `indexerReader`); what
 * deployment is indexed; and Ponder's GraphQL for ad-hoc queries. Ponder itself answers CORS for every origin, so
 * a dashboard served elsewhere reads it directly.
 */
import { Hono } from "hono";
import { and, asc, eq, gt, gte, inArray, lte, or, graphql } from "ponder";
import { db } from "ponder:api";
import schema from "ponder:schema";

import { readSettings } from "../../settings.js";
import { COMPLIANCE_CONTRACTS, INDEXER_SOURCES } from "../../vocabulary.js";
import { MAX_PAGE, type EventPage, type IndexedDeployment } from "../../wire.js";

const { addressBook } = readSettings();
const table = schema.complianceEvent;
const SOURCES = new Set<string>(Object.values(INDEXER_SOURCES));

class BadRequest extends Error {}

function integerParam(query: Record<string, string | undefined>, key: string, fallback?: number): number {
  const raw = query[key];
  if (raw === undefined) {
    if (fallback === undefined) throw new BadRequest(`${key} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw new BadRequest(`${key} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

const app = new Hono();

app.get("/deployment", (c) => {
  const contracts: Record<string, string> = {};
  for (const name of COMPLIANCE_CONTRACTS) {
    const address = addressBook.contracts[name];
    if (address !== undefined) contracts[name] = address.toLowerCase();
  }
  const body: IndexedDeployment = {
    chainId: addressBook.chainId,
    deployedAtBlock: addressBook.deployedAtBlock,
    contracts,
  };
  return c.json(body);
});

app.get("/compliance-events", async (c) => {
  const query = c.req.query();
  try {
    const fromBlock = integerParam(query, "fromBlock");
    const toBlock = integerParam(query, "toBlock");
    const limit = integerParam(query, "limit", MAX_PAGE);
    if (limit < 1 || limit > MAX_PAGE) throw new BadRequest(`limit must be 1–${MAX_PAGE}, got ${limit}`);
    const sources = (query.sources ?? [...SOURCES].join(",")).split(",");
    const unknown = sources.filter((s) => !SOURCES.has(s));
    if (unknown.length > 0)
      throw new BadRequest(`unknown source(s) ${unknown.join(", ")}; known: ${[...SOURCES].join(", ")}`);
    let after = undefined;
    if (query.after !== undefined) {
      const match = /^(\d+):(\d+)$/.exec(query.after);
      if (match === null) throw new BadRequest(`after must be <block>:<logIndex>, got "${query.after}"`);
      const [block, logIndex] = [BigInt(match[1]!), Number(match[2])];
      after = or(gt(table.blockNumber, block), and(eq(table.blockNumber, block), gt(table.logIndex, logIndex)));
    }
    const rows = await db
      .select()
      .from(table)
      .where(
        and(
          gte(table.blockNumber, BigInt(fromBlock)),
          lte(table.blockNumber, BigInt(toBlock)),
          inArray(table.source, sources),
          after,
        ),
      )
      .orderBy(asc(table.blockNumber), asc(table.logIndex))
      .limit(limit);
    const last = rows.at(-1);
    const body: EventPage = {
      events: rows.map((r) => ({
        source: r.source,
        name: r.name,
        contract: r.contract,
        blockNumber: Number(r.blockNumber),
        logIndex: r.logIndex,
        timestamp: Number(r.timestamp),
        txHash: r.txHash,
        topics: r.topics,
        data: r.data,
      })),
      next: rows.length === limit && last !== undefined ? `${last.blockNumber}:${last.logIndex}` : null,
    };
    return c.json(body);
  } catch (error) {
    if (error instanceof BadRequest) return c.json({ error: error.message }, 400);
    throw error;
  }
});

app.use("/graphql", graphql({ db, schema }));

export default app;
