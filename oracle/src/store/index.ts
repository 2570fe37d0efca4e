export {
  openStore,
  type OpenStoreOptions,
  OracleStore,
  type ScoreRequestStatus,
  type SubmissionStatus,
  type StoredApplication,
  type ScoreRequest,
  type StoredScoreRequest,
  type Proposal,
  type StoredProposal,
  type OperatorSignature,
  type Submission,
} from "./store.js";
export { StoreError, inTransaction, openDatabase } from "./database.js";
export { MIGRATIONS } from "./migrations.js";
export {
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  startCheckpointer,
  type Checkpointer,
  type CheckpointerOptions,
  type CheckpointResult,
} from "./checkpointer.js";
