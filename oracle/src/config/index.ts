export {
  nodeConfigSchema,
  isLoopbackHost,
  LOG_LEVELS,
  TIMING_DEFAULTS,
  type NodeConfig,
  type NodeConfigInput,
  type PeerConfig,
  type KeystoreConfig,
} from "./schema.js";
export { configPathNote, explainingConfigPaths, loadConfig, parseConfig, resolveConfigPaths, ConfigError } from "./load.js";
