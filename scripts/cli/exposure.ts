/** `exposure snapshot`: publishes the pool's exposure (total debt, collateral, vUSD supply, debt per tier) as an event. */
import type { Command } from "commander";

import { tierDisplayName } from "../../oracle/src/protocol/tiers.js";
import type { CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { table, vusd } from "./units.js";
import { findEvent, write } from "./write.js";

export function registerExposureGroup(program: Command, env: CliEnv): void {
  const group = program.command("exposure").description("the protocol's exposure (LendingPool)");
  writeOptions(
    group.command("snapshot").description("publish an ExposureSnapshot compliance event (anyone) and print it"),
  ).action(
    inContext(env, async (ctx, options) => {
      const receipt = await write(ctx, options, {
        contractName: "LendingPool",
        contract: ctx.pool,
        method: "publishExposureSnapshot",
        args: [],
        shown: [],
        need: { kind: "anyone" },
      });
      if (receipt === undefined) return;
      const { args } = findEvent(receipt, ctx.pool.interface, "ExposureSnapshot");
      const debts = args.debtByTierWad as bigint[];
      const byTier = debts.map(
        (debt, tier) => [`tier ${tierDisplayName(tier, debts.length)} debt`, vusd(debt)] as const,
      );
      for (const line of table([
        ["total debt", vusd(args.totalDebtWad as bigint)],
        ["collateral value", vusd(args.totalCollateralValueWad as bigint)],
        ["vUSD supply", vusd(args.vusdSupplyWad as bigint)],
        ...byTier,
      ]))
        ctx.out(line);
    }),
  );
}
