export { selectLeader, sortOperators, requestKeyFromRequestId, type LeaderSelection } from "./leader.js";
export {
  validateProposal,
  toReasonCodeSlots,
  type ProposalCheckContext,
  type ProposalProblem,
  type ProposalProblemCode,
  type ProposalVerdict,
} from "./proposal.js";
export { cosignerOrder } from "./cosigners.js";
export { SignatureCollector, type CollectOutcome } from "./collector.js";
export {
  MAX_PD_BPS,
  REASON_CODE_SLOTS,
  type OperatorSignature,
  type OwnScore,
  type ReportHasher,
  type ReportSigner,
  type Scorer,
  type ScoreReportFields,
} from "./types.js";
