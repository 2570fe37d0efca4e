/**
 * `npm run oracle -- --config <file>`: runs one oracle operator node until SIGTERM/SIGINT.
 * Exit codes: 0 after a clean shutdown, 1 when the node refuses to start (the message names the reason).
 */
import { Command } from "commander";

import { loadConfig } from "./config/index.js";
import { createLogger } from "./log/index.js";
import { startNode } from "./node/index.js";

const program = new Command()
  .name("verity-oracle")
  .description("Verity oracle operator node: scores borrower applications and co-signs reports with its peers")
  .requiredOption("-c, --config <file>", "node config (JSON); see oracle/node.example.json")
  .parse();

const { config: configPath } = program.opts<{ config: string }>();

try {
  const config = await loadConfig(configPath);
  const log = createLogger({ nodeId: config.nodeId, level: config.logLevel });
  let running;
  try {
    running = await startNode(config, { logger: log });
  } catch (error) {
    log.fatal({ err: error }, "refusing to start");
    process.exitCode = 1;
    throw error;
  }
  const node = running;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void node.shutdown(signal).then(
        (result) => {
          process.exitCode = result.drained ? 0 : 1;
        },
        (error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          process.exitCode = 1;
        },
      );
    });
  }
} catch (error) {
  // Config and start-up errors carry readable messages (the bad field, the unapproved modelId); no stack needed.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
