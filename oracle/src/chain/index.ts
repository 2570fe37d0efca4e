export { connectChain, chainContext, ChainMismatchError, DEFAULT_RPC_TIMEOUT_MS, type ChainContext } from "./connect.js";
export {
  assertModelApproved,
  checkOperatorMembership,
  modelInfo,
  modelStatus,
  readOperatorSet,
  StartupRefusedError,
  MODEL_STATUS_NAMES,
  type ModelStatusName,
  type OperatorSet,
} from "./checks.js";
export { ScoreRequestWatcher, SCORE_REQUESTED_STREAM, type WatcherOptions } from "./watcher.js";
export { InsufficientFundsError, Submitter, type SubmitterHooks, type SubmitterOptions } from "./submitter.js";
export { ChainUnavailableError, conciseError, decodeCustomError, describeChainError, ethersErrorCode, isInsufficientFunds, isTransientChainError, revertData } from "./errors.js";
export { DEFAULT_FUNDING_HEADROOM, FundingMonitor, fundingNeededWei, SUBMIT_SCORE_GAS_BOUND, type FundingStatus } from "./funding.js";
export { backoffDelay, confirmedHead, sleep, withTimeout, TimeoutError, type BackoffPolicy } from "./rpc.js";
export { ClockDriftMonitor, type ClockDriftStatus } from "./clock-drift.js";
export { OperatorSetCache, type OperatorSetCacheOptions } from "./operator-set-cache.js";
export { findScoreRequest, scorePostedSince } from "./score-requests.js";
export { publishMonitoringReport, type MonitoringReportFields } from "./monitoring-report.js";
