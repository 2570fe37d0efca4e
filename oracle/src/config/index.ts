export {
  nodeConfigSchema,
  isLoopbackHost,
  LOG_LEVELS,
  TIMING_DEFAULTS,
  MONITORING_DEFAULTS,
  type NodeConfig,
  type NodeConfigInput,
  type PeerConfig,
  type KeystoreConfig,
  type MonitoringConfig,
} from "./schema.js";
export { configPathNote, explainingConfigPaths, loadConfig, parseConfig, resolveConfigPaths, ConfigError } from "./load.js";
