/** One handler for every indexed compliance event: a row in `compliance_event`. */
import { ponder } from "ponder:registry";
import schema from "ponder:schema";

import { CONTRACTS, INDEXED_EVENTS, type ContractName } from "../vocabulary.js";

type Hex = `0x${string}`;

/** Decoded arguments as JSON: bigints as decimal strings, arrays and tuples kept. */
function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

const hexField = (args: Record<string, unknown>, key: string): Hex | null => (typeof args[key] === "string" ? (args[key] as Hex) : null);

interface LogEvent {
  id: string;
  args: Record<string, unknown>;
  log: { address: Hex; topics: (Hex | null)[]; data: Hex; logIndex: number; blockNumber: bigint };
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex };
}

for (const contract of Object.keys(INDEXED_EVENTS) as ContractName[]) {
  for (const name of INDEXED_EVENTS[contract]) {
    // The ABI comes from a JSON artifact, so Ponder cannot type the names: the event shape is stated here.
    const register = ponder.on.bind(ponder) as unknown as (key: string, fn: (args: { event: LogEvent; context: { db: any } }) => Promise<void>) => void;
    register(`${contract}:${name}`, async ({ event, context }) => {
      await context.db.insert(schema.complianceEvent).values({
        id: event.id,
        name,
        source: CONTRACTS[contract].source,
        contract: event.log.address.toLowerCase() as Hex,
        blockNumber: event.block.number,
        logIndex: event.log.logIndex,
        timestamp: event.block.timestamp,
        txHash: event.transaction.hash,
        borrower: hexField(event.args, "borrower")?.toLowerCase() as Hex | undefined ?? null,
        modelId: hexField(event.args, "modelId"),
        rule: hexField(event.args, "rule"),
        args: toJson(event.args),
        topics: event.log.topics.filter((t): t is Hex => t !== null),
        data: event.log.data,
      });
    });
  }
}
