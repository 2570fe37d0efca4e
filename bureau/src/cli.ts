/**
 * The `bureau` command line: `serve` (the default) runs the API until SIGTERM/SIGINT; `import` loads a CSV of
 * credit files into the store. Kept apart from `main.ts` so tests can run it in-process with their own streams.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";

import { createLogger } from "../../oracle/src/log/index.js";
import { explainingBureauPaths, loadBureauConfig } from "./config/index.js";
import { importCsv, parseAssignment, type Assignment, type ImportSummary } from "./import/index.js";
import { loadFeatureSchema } from "./schema/feature-schema.js";
import { startBureau } from "./service.js";
import { openBureauStore } from "./store/index.js";

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** Unix seconds, or an ISO-8601 date (`2026-11-30`, `2026-11-30T12:00:00Z`). */
export function parseAsOf(text: string): number {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms))
    throw new InvalidArgumentError("must be unix seconds or an ISO-8601 date (e.g. 2026-11-30)");
  return Math.floor(ms / 1000);
}

function assignmentOption(text: string): Assignment {
  try {
    return parseAssignment(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function formatSummary(summary: ImportSummary): string {
  return [
    `imported ${summary.rows} credit files from ${summary.source} (import #${summary.importId})`,
    `  new borrowers: ${summary.created}, replaced files: ${summary.replaced}`,
    `  assignment: ${summary.assignment} (first ${summary.firstBorrower}, last ${summary.lastBorrower})`,
    `  schema: ${summary.schemaHash}, asOf: ${summary.asOf} (${new Date(summary.asOf * 1000).toISOString()})`,
    "",
  ].join("\n");
}

export function buildCli(io: CliIo): Command {
  const program = new Command("bureau")
    .description(
      "Verity reference credit bureau: holds credit files, releases a borrower's signed file on their EIP-712 consent",
    )
    .addHelpText(
      "after",
      "\nRun it: bureau --config <file> (serve is the default command). Import: bureau import --config <file> --csv <path> --assign <how>.",
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command("serve", { isDefault: true })
    .description("run the bureau's HTTP API until SIGTERM/SIGINT (the default command)")
    .requiredOption("-c, --config <file>", "bureau config (JSON); see bureau/bureau.example.json")
    .action(async ({ config: path }: { config: string }) => {
      const config = await loadBureauConfig(path);
      const logger = createLogger({ nodeId: `bureau:${config.provider.id}`, level: config.logLevel });
      try {
        await startBureau(config, { logger, env: io.env, handleSignals: true });
      } catch (error) {
        logger.fatal({ err: error }, "refusing to start");
        throw error;
      }
    });

  program
    .command("import")
    .description("validate a CSV of credit files and store it, all rows or none")
    .requiredOption("-c, --config <file>", "bureau config (JSON): the store and the feature schema")
    .requiredOption(
      "--csv <path>",
      "CSV with a header row naming at least the schema's features (the data set's column names)",
    )
    .requiredOption(
      "--assign <how>",
      "borrower address of each row: column[:<name>] (default column: address) or mnemonic:<ENV_VAR> (row i -> m/44'/60'/0'/0/i)",
      assignmentOption,
    )
    .option("--as-of <date>", "when the data was current: unix seconds or ISO-8601 (default: now)", parseAsOf)
    .action(async (options: { config: string; csv: string; assign: Assignment; asOf?: number }) => {
      const config = await loadBureauConfig(options.config);
      const schema = await explainingBureauPaths(config, () => loadFeatureSchema(config.schema));
      const store = await explainingBureauPaths(config, async () => openBureauStore(config.store.path));
      try {
        const summary = await importCsv({
          store,
          schema,
          csvPath: options.csv,
          assignment: options.assign,
          asOf: options.asOf ?? Math.floor(Date.now() / 1000),
          env: io.env,
        });
        io.out(formatSummary(summary));
      } finally {
        store.close();
      }
    });
  return program;
}

/** Runs the CLI; resolves to the exit code (errors are written to `io.err` as one readable message). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildCli(io).parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.err(`bureau: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
