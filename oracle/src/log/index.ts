export { createLogger, REDACTED_KEYS, type Logger } from "./logger.js";
export { RepeatedLogFilter } from "./repeat-filter.js";
