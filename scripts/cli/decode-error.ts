/** `decode-error <hex>`: any Verity contract's custom error, with its arguments in their units, and as a sentence. */
import type { Command } from "commander";

import type { CliEnv } from "./context.js";
import { decodeErrorData, describeErrorData } from "./errors.js";

export function registerDecodeErrorCommand(program: Command, env: CliEnv): void {
  program
    .command("decode-error")
    .description("decode revert data (0x + selector + arguments) from any Verity contract: its technical form, then a sentence; needs no network")
    .argument("<hex>", "the revert data")
    .action((hex: string) => {
      env.out(decodeErrorData(hex));
      env.out(`  ${describeErrorData(hex)}`);
    });
}
