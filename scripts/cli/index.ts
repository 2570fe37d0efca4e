/**
 * The ops CLI for operators and regulators: `npm run verity -- <command>` (`npm run verity -- --help`).
 * README "Operating Verity from the command line" lists every command.
 */
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2));
