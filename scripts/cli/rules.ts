/**
 * `rules list|pending|schedule|execute|cancel`: SupervisionPolicy's rulebook and its timelock. Values are typed and
 * printed in their units (vUSD, %, durations); a change shows when it can execute, and `execute` refuses before then.
 * Tier terms, the PSM's and flash minter's fees and the savings share belong to governance, every other rule to the
 * regulator.
 */
import type { Command } from "commander";

import {
  describeRule,
  GLOBAL_RULE_NAMES,
  GOVERNANCE_GLOBAL_RULES,
  ruleId,
  TIER_CAP_NAMES,
  TIER_TERM_NAMES,
  tierRuleId,
  type RuleName,
} from "../../oracle/src/protocol/rules.js";
import type { CliContext, CliEnv, Requirement } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import {
  CliError,
  isoDate,
  parseBytes32,
  parseInteger,
  parseRuleValue,
  percent,
  relative,
  ruleLabel,
  ruleValueText,
  table,
  vusd,
} from "./units.js";
import { findEvent, write } from "./write.js";

const SCHEDULABLE: readonly RuleName[] = [...GLOBAL_RULE_NAMES, ...TIER_CAP_NAMES, ...TIER_TERM_NAMES];

/** Who may schedule or cancel a change of `name` (`SupervisionPolicy._requireScheduler`). */
export function schedulerOf(name: string): Requirement {
  const governed = [...TIER_TERM_NAMES, ...GOVERNANCE_GLOBAL_RULES].some((rule) => rule === name);
  return { kind: "role", role: governed ? "governance" : "regulator", on: "SupervisionPolicy" };
}

function ruleNameOf(value: string): RuleName {
  const name = value.trim().toUpperCase().replace(/-/g, "_");
  const match = SCHEDULABLE.find((rule) => rule === name);
  if (match === undefined) throw new CliError(`"${value}" is not a rule; rules: ${SCHEDULABLE.join(", ")}`);
  return match;
}

async function tierCount(ctx: CliContext): Promise<number> {
  return Number(await ctx.policy.tierCount());
}

async function listRules(ctx: CliContext): Promise<void> {
  ctx.out(`Global rules (SupervisionPolicy ${ctx.addressBook.contracts.supervisionPolicy})`);
  const values = await Promise.all(GLOBAL_RULE_NAMES.map((name) => ctx.policy.ruleValue(ruleId(name))));
  for (const line of table(GLOBAL_RULE_NAMES.map((name, i) => [name, ruleValueText(name, values[i]!)] as const)))
    ctx.out(line);

  const tiers = await tierCount(ctx);
  ctx.out();
  ctx.out(
    `Tiers (effective terms, the regulator's cap in brackets; tier ${tiers - 1} is the most conservative and holds unscored borrowers)`,
  );
  const header = ["tier", "PD up to", "max LTV", "liquidation threshold", "APR", "credit limit"];
  const rows: string[][] = [header];
  for (let tier = 0; tier < tiers; tier++) {
    const [terms, caps] = await Promise.all([ctx.policy.termsOf(tier), ctx.policy.capsOf(tier)]);
    rows.push([
      String(tier),
      percent(terms.maxPdBps),
      `${percent(terms.maxLtvBps)} (${percent(caps.maxLtvBps)})`,
      `${percent(terms.liquidationThresholdBps)} (${percent(caps.liquidationThresholdBps)})`,
      `${percent(terms.aprBps)} (${percent(caps.aprBps)})`,
      `${vusd(terms.creditLimitWad)} (${vusd(caps.creditLimitWad)})`,
    ]);
  }
  const widths = header.map((_, col) => rows.reduce((widest, row) => Math.max(widest, row[col]!.length), 0));
  for (const row of rows)
    ctx.out(
      `  ${row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join("  ")
        .trimEnd()}`,
    );
  ctx.out(`  PD above ${percent(await ctx.policy.approvalThresholdBps())}: credit declined`);
}

interface Pending {
  changeId: string;
  rule: string;
  oldValue: bigint;
  newValue: bigint;
  executableAt: bigint;
}

async function pendingChanges(ctx: CliContext): Promise<Pending[]> {
  const scheduled = await ctx.eventsSinceDeployment((from, to) =>
    ctx.policy.queryFilter(ctx.policy.filters.RuleChangeScheduled(), from, to),
  );
  const pending: Pending[] = [];
  for (const event of scheduled) {
    const { changeId, rule, oldValue, newValue } = event.args;
    const [, , executableAt] = await ctx.policy.pendingChange(changeId);
    if (executableAt !== 0n) pending.push({ changeId, rule, oldValue, newValue, executableAt });
  }
  return pending;
}

function changeText(rule: string, oldValue: bigint, newValue: bigint): string {
  const { name } = describeRule(rule);
  return `${ruleLabel(rule)}: ${ruleValueText(name, oldValue)} -> ${ruleValueText(name, newValue)}`;
}

async function pendingChange(ctx: CliContext, changeIdArg: string) {
  const changeId = parseBytes32(changeIdArg, "<changeId>");
  const [rule, newValue, executableAt] = await ctx.policy.pendingChange(changeId);
  if (executableAt === 0n)
    throw new CliError(`no pending change ${changeId}: unknown, already executed or cancelled (see: rules pending)`);
  return { changeId, rule, newValue, executableAt };
}

export function registerRulesGroup(program: Command, env: CliEnv): void {
  const group = program.command("rules").description("the supervision rulebook (SupervisionPolicy) and its timelock");

  group
    .command("list")
    .description("every rule in force with its value in its unit, and the tier table")
    .action(inContext(env, listRules));

  group
    .command("pending")
    .description("scheduled changes not yet executed or cancelled, with when each can execute")
    .action(
      inContext(env, async (ctx) => {
        const [pending, now] = await Promise.all([pendingChanges(ctx), ctx.chainNow()]);
        if (pending.length === 0) ctx.out("no pending rule change");
        for (const change of pending) {
          ctx.out(`${change.changeId}`);
          const when = change.executableAt <= BigInt(now) ? "ready to execute" : relative(change.executableAt, now);
          for (const line of table(
            [
              ["change", changeText(change.rule, change.oldValue, change.newValue)],
              ["executable at", `${isoDate(change.executableAt)} (${when})`],
            ],
            "    ",
          ))
            ctx.out(line);
        }
      }),
    );

  writeOptions(
    group
      .command("schedule")
      .description(
        "schedule a rule change through the timelock (regulator: caps, global and PSM rules; governance: tier terms and PSM fees). " +
          'Values in the rule\'s unit: vUSD amounts (250000, or "no limit"), percentages (12.5%), durations (2d, 36h, 300s), yes/no',
      )
      .argument("<rule>", `rule name: ${SCHEDULABLE.join(", ")}`)
      .argument("<value>", "the new value, in the rule's unit")
      .option("--tier <n>", "the tier, for TIER_* rules"),
  ).action(
    inContext<{ tier?: string }>(env, async (ctx, options, [ruleArg, valueArg]) => {
      const name = ruleNameOf(ruleArg!);
      const tiered = name.startsWith("TIER_");
      let id: string;
      if (tiered) {
        if (options.tier === undefined) throw new CliError(`${name} is a tier rule: pass --tier <n>`);
        const tiers = await tierCount(ctx);
        id = tierRuleId(name, parseInteger(options.tier, "--tier", 0, tiers - 1));
      } else {
        if (options.tier !== undefined) throw new CliError(`${name} is a global rule: it takes no --tier`);
        id = ruleId(name);
      }
      const value = parseRuleValue(valueArg!, name);
      const [current, delay] = await Promise.all([
        ctx.policy.ruleValue(id),
        ctx.policy.ruleValue(ruleId("TIMELOCK_DELAY")),
      ]);
      const receipt = await write(ctx, options, {
        contractName: "SupervisionPolicy",
        contract: ctx.policy,
        method: "scheduleRuleChange",
        args: [id, value],
        shown: [
          ["rule", `${ruleLabel(id)} (${id})`],
          ["newValue", `${ruleValueText(name, value)} (now ${ruleValueText(name, current)}; raw ${value})`],
          ["timelock", ruleValueText("TIMELOCK_DELAY", delay)],
        ],
        need: schedulerOf(name),
      });
      if (receipt === undefined) return;
      const event = findEvent(receipt, ctx.policy.interface, "RuleChangeScheduled");
      const now = await ctx.chainNow();
      for (const line of table([
        ["change id", String(event.args.changeId)],
        [
          "executable at",
          `${isoDate(event.args.executableAt as bigint)} (${relative(event.args.executableAt as bigint, now)})`,
        ],
      ]))
        ctx.out(line);
    }),
  );

  writeOptions(
    group
      .command("execute")
      .description("execute a scheduled change once its timelock has passed (anyone); refused before")
      .argument("<changeId>", "the change id (rules pending lists them)"),
  ).action(
    inContext(env, async (ctx, options, [changeIdArg]) => {
      const change = await pendingChange(ctx, changeIdArg!);
      const now = await ctx.chainNow();
      const name = describeRule(change.rule).name;
      if (BigInt(now) < change.executableAt) {
        throw new CliError(
          `change ${change.changeId} (${ruleLabel(change.rule)} -> ${ruleValueText(name, change.newValue)}) cannot execute before ${isoDate(change.executableAt)} (${relative(change.executableAt, now)}): the timelock has not passed`,
        );
      }
      const receipt = await write(ctx, options, {
        contractName: "SupervisionPolicy",
        contract: ctx.policy,
        method: "executeRuleChange",
        args: [change.changeId],
        shown: [
          ["changeId", change.changeId],
          ["change", `${ruleLabel(change.rule)} -> ${ruleValueText(name, change.newValue)}`],
        ],
        need: { kind: "anyone" },
      });
      if (receipt === undefined) return;
      const event = findEvent(receipt, ctx.policy.interface, "RuleChanged");
      ctx.out(
        `  in force: ${changeText(event.args.rule as string, event.args.oldValue as bigint, event.args.newValue as bigint)}`,
      );
    }),
  );

  writeOptions(
    group
      .command("cancel")
      .description("cancel a scheduled change (the role that may schedule it)")
      .argument("<changeId>", "the change id (rules pending lists them)"),
  ).action(
    inContext(env, async (ctx, options, [changeIdArg]) => {
      const change = await pendingChange(ctx, changeIdArg!);
      const name = describeRule(change.rule).name;
      const receipt = await write(ctx, options, {
        contractName: "SupervisionPolicy",
        contract: ctx.policy,
        method: "cancelRuleChange",
        args: [change.changeId],
        shown: [
          ["changeId", change.changeId],
          [
            "change",
            `${ruleLabel(change.rule)} -> ${ruleValueText(name, change.newValue)}, executable at ${isoDate(change.executableAt)}`,
          ],
        ],
        need: schedulerOf(name),
      });
      if (receipt !== undefined) ctx.out(`  cancelled ${change.changeId}`);
    }),
  );
}
