/** One handler for every indexed compliance event: a row in `compliance_event`. */
import { ponder } from "ponder:registry";
import schema from "ponder:schema";

import { readSettings } from "../settings.js";
import { COMPLIANCE_CONTRACTS, EVENTS_BY_CONTRACT, INDEXER_SOURCES, PONDER_NAMES } from "../vocabulary.js";

type Hex = `0x${string}`;

/** Decoded arguments as JSON: bigints as decimal strings, arrays and tuples kept. */
function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

const hexField = (args: Record<string, unknown>, key: string): Hex | null =>
  typeof args[key] === "string" ? (args[key] as Hex) : null;
/** Addresses are stored lower-case, so a filter by borrower needs no checksum. */
const lowerCase = (value: Hex | null): Hex | null => (value === null ? null : (value.toLowerCase() as Hex));

interface LogEvent {
  id: string;
  args: Record<string, unknown>;
  log: { address: Hex; topics: (Hex | null)[]; data: Hex; logIndex: number; blockNumber: bigint };
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex };
}

type Row = typeof schema.complianceEvent.$inferInsert;
interface Store {
  db: { insert: (table: typeof schema.complianceEvent) => { values: (row: Row) => Promise<unknown> } };
}

// The ABIs come from JSON artifacts, so Ponder cannot type the event names: the shape used is stated above.
const register = ponder.on.bind(ponder) as unknown as (
  key: string,
  fn: (args: { event: LogEvent; context: Store }) => Promise<void>,
) => void;
const { addressBook } = readSettings();

for (const contract of COMPLIANCE_CONTRACTS) {
  if (addressBook.contracts[contract] === undefined) continue; // not in this deployment (ponder.config.ts)
  for (const name of EVENTS_BY_CONTRACT[contract]) {
    register(`${PONDER_NAMES[contract]}:${name}`, async ({ event, context }) => {
      await context.db.insert(schema.complianceEvent).values({
        id: event.id,
        name,
        source: INDEXER_SOURCES[contract],
        contract: event.log.address.toLowerCase() as Hex,
        blockNumber: event.block.number,
        logIndex: event.log.logIndex,
        timestamp: event.block.timestamp,
        txHash: event.transaction.hash,
        borrower: lowerCase(hexField(event.args, "borrower")),
        modelId: hexField(event.args, "modelId"),
        rule: hexField(event.args, "rule"),
        args: toJson(event.args),
        topics: event.log.topics.filter((t): t is Hex => t !== null),
        data: event.log.data,
      });
    });
  }
}
