/**
 * The ops CLI's program: global options and one command group per module. Built as a function of its surroundings
 * (`CliEnv`) so tests run every command in-process against a freshly deployed system.
 */
import { Command, CommanderError } from "commander";

import { processEnv, type CliEnv } from "./context.js";
import { registerBreakerGroup } from "./breaker.js";
import { registerDecodeErrorCommand } from "./decode-error.js";
import { describeError } from "./errors.js";
import { registerExposureGroup } from "./exposure.js";
import { registerFairnessGroup } from "./fairness.js";
import { registerModelGroup } from "./model.js";
import { registerMonitoringGroup } from "./monitoring.js";
import { registerNodeGroup } from "./node.js";
import { registerOperatorsGroup } from "./operators.js";
import { registerPositionCommand } from "./position.js";
import { registerProvidersGroup } from "./providers.js";
import { registerReportGroup } from "./report.js";
import { registerRulesGroup } from "./rules.js";

export function buildProgram(env: CliEnv = processEnv): Command {
  const program = new Command("verity")
    .description(
      "Operate a deployed Verity system: operators, models, rules and their timelock, the circuit breaker, publications, compliance report attestations, positions",
    )
    .option("--network <name>", 'a network in hardhat.config.ts ("default" is the in-process one)', "localhost")
    .option("--deployment <file>", "the address book (default: deployments/<network>.json)")
    .option("--rpc-url <url>", "JSON-RPC URL overriding the network's (e.g. a hardhat node on another port)")
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => env.out(text.trimEnd()), writeErr: (text) => env.err(text.trimEnd()) })
    .exitOverride();
  registerOperatorsGroup(program, env);
  registerNodeGroup(program, env);
  registerModelGroup(program, env);
  registerProvidersGroup(program, env);
  registerRulesGroup(program, env);
  registerBreakerGroup(program, env);
  registerExposureGroup(program, env);
  registerFairnessGroup(program, env);
  registerMonitoringGroup(program, env);
  registerReportGroup(program, env);
  registerPositionCommand(program, env);
  registerDecodeErrorCommand(program, env);
  // Every group and subcommand reports usage errors through the same output and exit override.
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.configureOutput(program.configureOutput()).exitOverride().showHelpAfterError();
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs the CLI on `argv` (user arguments only); returns the exit code. Every failure is one line on stderr. */
export async function runCli(argv: readonly string[], env: CliEnv = processEnv): Promise<number> {
  try {
    await buildProgram(env).parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    env.err(`verity: ${describeError(error)}`);
    return 1;
  }
}
