/** `breaker status|reset`: the policy's circuit breaker (the regulator resets it; liquidations wait a grace period). */
import type { Command } from "commander";

import type { CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, isoDate, relative, ruleLabel, table } from "./units.js";
import { findEvent, write } from "./write.js";

export function registerBreakerGroup(program: Command, env: CliEnv): void {
  const group = program.command("breaker").description("the circuit breaker (SupervisionPolicy)");

  group
    .command("status")
    .description("whether the breaker is tripped, by whom and why, and when liquidations resume")
    .action(
      inContext(env, async (ctx) => {
        const [[paused, resumeAt], now, trips] = await Promise.all([
          ctx.policy.breakerState(),
          ctx.chainNow(),
          ctx.eventsSinceDeployment((from, to) =>
            ctx.policy.queryFilter(ctx.policy.filters.CircuitBreakerTripped(), from, to),
          ),
        ]);
        const rows: Array<[string, string]> = [
          ["state", paused ? "TRIPPED: borrowing, withdrawals and liquidations are blocked" : "normal"],
        ];
        const last = trips.at(-1);
        if (paused && last !== undefined) {
          rows.push([
            "tripped",
            `${ruleLabel(last.args.reason)} by ${last.args.by} (detail ${last.args.detail}) in block ${last.blockNumber}`,
          ]);
        }
        if (!paused && resumeAt > BigInt(now))
          rows.push(["liquidations resume", `${isoDate(resumeAt)} (${relative(resumeAt, now)})`]);
        if (ctx.psm !== undefined) rows.push(["PSM", (await ctx.psm.paused()) ? "paused" : "not paused"]);
        for (const line of table(rows)) ctx.out(line);
      }),
    );

  writeOptions(
    group
      .command("reset")
      .description("reset a tripped breaker (regulator); liquidations resume after the grace period"),
  ).action(
    inContext(env, async (ctx, options) => {
      if (!(await ctx.policy.paused())) throw new CliError("the circuit breaker is not tripped: nothing to reset");
      const receipt = await write(ctx, options, {
        contractName: "SupervisionPolicy",
        contract: ctx.policy,
        method: "unpause",
        args: [],
        shown: [],
        need: { kind: "role", role: "regulator", on: "SupervisionPolicy" },
      });
      if (receipt === undefined) return;
      const event = findEvent(receipt, ctx.policy.interface, "CircuitBreakerReset");
      ctx.out(`  reset; liquidations resume at ${isoDate(event.args.liquidationsResumeAt as bigint)}`);
    }),
  );
}
