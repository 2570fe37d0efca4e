export {
  openStore,
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
export { StoreError, inTransaction } from "./database.js";
export { MIGRATIONS } from "./migrations.js";
