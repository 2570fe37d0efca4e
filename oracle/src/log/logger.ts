/**
 * Structured JSON logs (pino). Every line carries the node id; secrets and applicant data are redacted by key
 * wherever they appear, as a second line of defence behind "never pass them to the logger".
 */
import { pino, type DestinationStream, type Logger } from "pino";

import type { NodeConfig } from "../config/index.js";

/** Keys whose values never reach a log line, at the top level or one object down. */
export const REDACTED_KEYS = ["password", "privateKey", "mnemonic", "features", "authorization"] as const;

const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]);

export function createLogger(options: {
  nodeId: string;
  level: NodeConfig["logLevel"];
  /** Where lines go; stdout by default (tests pass a stream to read them). */
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { nodeId: options.nodeId },
      redact: { paths: redactPaths, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination(1),
  );
}

export type { Logger } from "pino";
