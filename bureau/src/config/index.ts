export {
  bureauConfigSchema,
  BUREAU_DEFAULTS,
  MAX_CONSENT_LIFETIME_CAP_SEC,
  MAX_FILE_VALIDITY_SEC,
  type BureauConfig,
  type BureauConfigInput,
} from "./schema.js";
export { loadBureauConfig, parseBureauConfig, resolveBureauPaths } from "./load.js";
export { ConfigError } from "../../../oracle/src/config/index.js";
export { explainingBureauPaths } from "./paths.js";
