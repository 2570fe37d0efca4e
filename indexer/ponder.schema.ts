/**
 * One table, `compliance_event`: every compliance event with where it sits in the chain, the fields a supervisor
 * filters by (borrower, model, rule), its decoded arguments as JSON (amounts as decimal strings) and the raw log
 * (topics and data), so a reader can decode it with exactly the ABI the chain-scan report uses.
 */
import { index, onchainTable } from "ponder";

export const complianceEvent = onchainTable(
  "compliance_event",
  (t) => ({
    id: t.text().primaryKey(),
    name: t.text().notNull(),
    /** The SDK's short name of the emitting contract (INDEXER_SOURCES): "pool", "policy", "oracle", "savings", "psm", "registry". */
    source: t.text().notNull(),
    contract: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    /** Block time, seconds since the epoch. */
    timestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    borrower: t.hex(),
    modelId: t.hex(),
    rule: t.hex(),
    args: t.json().notNull(),
    topics: t.json().$type<`0x${string}`[]>().notNull(),
    data: t.hex().notNull(),
  }),
  (table) => ({
    chainOrder: index().on(table.blockNumber, table.logIndex),
    byName: index().on(table.name),
    byBorrower: index().on(table.borrower),
    byModel: index().on(table.modelId),
    byRule: index().on(table.rule),
  }),
);
