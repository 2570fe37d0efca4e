/**
 * The indexer's HTTP answers (indexer/src/api): their schemas live in the SDK (sdk/src/events/indexer.ts), whose
 * reader the report and the dashboard use, so the server and its readers cannot drift apart.
 */
export {
  MAX_PAGE,
  eventPageSchema,
  indexedDeploymentSchema,
  type EventPage,
  type IndexedDeployment,
  type IndexedLog,
} from "../sdk/src/events/index.js";
