/** Shared shapes of the CLI's commands: the write options every write carries, and actions run in a context. */
import type { Command } from "commander";

import { withContext, type CliContext, type CliEnv, type GlobalOptions, type WriteOptions } from "./context.js";

/** `--from` and `--dry-run`, on every command that sends a transaction. */
export function writeOptions(command: Command): Command {
  return command
    .option(
      "--from <address>",
      "send from this configured account (default: the holder of the role the command needs, per the address book)",
    )
    .option(
      "--key <variable>",
      "sign with the private key in this Hardhat configuration variable (its keystore: npx hardhat keystore set <variable>; or the environment variable)",
    )
    .option("--dry-run", "print the decoded call and its calldata and simulate it; send nothing");
}

/**
 * An action that runs in the deployment's context: `fn` gets the context, the command's options (with the
 * global ones) and its positional arguments.
 */
export function inContext<Options extends object>(
  env: CliEnv,
  fn: (ctx: CliContext, options: Options & GlobalOptions & WriteOptions, args: string[]) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.optsWithGlobals<Options & GlobalOptions & WriteOptions>();
    const positional = args.slice(0, -2).map(String);
    await withContext(env, options, (ctx) => fn(ctx, options, positional));
  };
}
