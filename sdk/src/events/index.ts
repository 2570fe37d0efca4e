/**
 * The compliance events reader, browser-safe (ethers only): `streamComplianceEvents` yields decoded events chunk
 * by chunk, adapting the block range to the provider; `readComplianceEvents` collects them all; `indexerReader`
 * reads the same events from a Verity indexer.
 */
export {
  COMPLIANCE_ABIS,
  COMPLIANCE_CONTRACTS,
  EVENTS_BY_CONTRACT,
  eventFragments,
  type ComplianceContract,
} from "./catalogue.js";
export { complianceDecoder, topicLookup, type ComplianceDecoder, type RawLog } from "./decode.js";
export {
  INDEXER_SOURCES,
  MAX_PAGE,
  eventPageSchema,
  indexedDeploymentSchema,
  indexedLogSchema,
  indexerReader,
  type EventPage,
  type IndexedDeployment,
  type IndexedLog,
  type IndexerReader,
  type IndexerReaderOptions,
  type IndexerSource,
  type IndexerStreamOptions,
} from "./indexer.js";
export {
  errorText,
  isRangeRefusal,
  readComplianceEvents,
  streamComplianceEvents,
  TimeoutError,
  type ChunkProgress,
  type EventsProvider,
  type StreamOptions,
} from "./stream.js";
export type {
  ComplianceEvent,
  ComplianceEventArgs,
  ComplianceEventMeta,
  ComplianceEventName,
  ComplianceEventOf,
  ComplianceTargets,
} from "./types.js";
