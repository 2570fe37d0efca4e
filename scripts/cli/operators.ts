/** `operators list|set`: the oracle's versioned operator set and its threshold (governance sets it). */
import type { Command } from "commander";

import { checkThreshold, parseOperatorList } from "../oracle/register-operators.js";
import type { CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, parseInteger, table } from "./units.js";
import { findEvent, write } from "./write.js";

export function registerOperatorsGroup(program: Command, env: CliEnv): void {
  const group = program.command("operators").description("the oracle's operator set and threshold k");

  group
    .command("list")
    .description("print the current operator set: version, threshold k of n, and each operator")
    .action(
      inContext(env, async (ctx) => {
        const [version, threshold, operators] = await ctx.oracle.operatorSet();
        if (version === 0n) {
          ctx.out("no operator set yet: governance must set one (operators set) before any report is accepted");
          return;
        }
        ctx.out(`operator set version ${version}: threshold ${threshold} of ${operators.length}`);
        for (const [i, operator] of operators.entries()) ctx.out(`  ${i + 1}. ${operator}`);
      }),
    );

  writeOptions(
    group
      .command("set")
      .description("replace the operator set and threshold (governance); reports signed under the old set become void")
      .requiredOption("--operators <addresses>", "operator addresses, comma-separated")
      .requiredOption("--threshold <k>", "signatures a report needs, 1..n"),
  ).action(
    inContext<{ operators: string; threshold: string }>(env, async (ctx, options) => {
      let operators: string[];
      try {
        operators = parseOperatorList(options.operators);
        checkThreshold(parseInteger(options.threshold, "--threshold", 1, 255), operators.length);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const threshold = Number(options.threshold);
      const receipt = await write(ctx, options, {
        contractName: "CreditScoreOracle",
        contract: ctx.oracle,
        method: "setOperators",
        args: [operators, threshold],
        shown: [
          ["operators", operators.join(", ")],
          ["threshold", `${threshold} of ${operators.length}`],
        ],
        need: { kind: "role", role: "governance", on: "CreditScoreOracle" },
      });
      if (receipt === undefined) return;
      const event = findEvent(receipt, ctx.oracle.interface, "OperatorSetChanged");
      for (const line of table([
        ["operator set version", String(event.args.version)],
        ["threshold", `${event.args.threshold} of ${operators.length}`],
      ]))
        ctx.out(line);
    }),
  );
}
