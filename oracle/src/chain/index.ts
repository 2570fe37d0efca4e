export {
  connectChain,
  chainContext,
  ChainMismatchError,
  DEFAULT_RPC_TIMEOUT_MS,
  type ChainContext,
} from "./connect.js";
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
export {
  ChainUnavailableError,
  conciseError,
  decodeCustomError,
  describeChainError,
  ethersErrorCode,
  isInsufficientFunds,
  isTransientChainError,
  revertData,
} from "./errors.js";
export {
  DEFAULT_FUNDING_HEADROOM,
  FundingMonitor,
  fundingNeededWei,
  SUBMIT_SCORE_GAS_BOUND,
  type FundingStatus,
} from "./funding.js";
export { backoffDelay, confirmedHead, sleep, withTimeout, TimeoutError, type BackoffPolicy } from "./rpc.js";
export { ClockDriftMonitor, clockDriftStatusSchema, type ClockDriftStatus } from "./clock-drift.js";
export {
  CachedChainRead,
  OperatorSetCache,
  type CachedChainReadOptions,
  type OperatorSetCacheOptions,
} from "./cached-read.js";
export {
  DEFAULT_MAX_CACHED_PROVIDERS,
  PROVIDER_STATUS_NAMES,
  ProviderRegistry,
  readDataProvider,
  type DataProvider,
  type ProviderRegistryOptions,
  type ProviderStatusName,
} from "./provider-registry.js";
export { findScoreRequest, scorePostedSince } from "./score-requests.js";
export { publishMonitoringReport, type MonitoringReportFields } from "./monitoring-report.js";
