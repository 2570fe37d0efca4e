/**
 * `monitoring publish`: an operator publishes a drift-monitoring window's summary (what a node does by itself for a
 * critical window; by hand, e.g. after the node was down).
 */
import type { Command } from "commander";

import type { CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, isoDate, parseBytes32, parseDate, parseInteger } from "./units.js";
import { write } from "./write.js";

/** A PSI (e.g. 0.31) in basis points, as the node publishes it (capped at 65535). */
function psiBps(value: string): number {
  if (!/^\d+(\.\d{1,4})?$/.test(value))
    throw new CliError(`--max-psi: "${value}" is not a PSI (a decimal such as 0.31, at most four decimals)`);
  return Math.min(65_535, Math.round(Number(value) * 10_000));
}

export function registerMonitoringGroup(program: Command, env: CliEnv): void {
  const group = program.command("monitoring").description("input-drift monitoring reports (CreditScoreOracle)");
  writeOptions(
    group
      .command("publish")
      .description("publish a drift window's summary (a current operator): MonitoringReportPublished")
      .requiredOption("--model <modelId>", "the model's id (0x + 64 hex)")
      .requiredOption("--window-start <date>", "the window's first application (ISO 8601 or unix seconds)")
      .requiredOption("--window-end <date>", "the window's last application (ISO 8601 or unix seconds)")
      .requiredOption("--applications <n>", "applications in the window")
      .requiredOption("--max-psi <psi>", "the window's largest PSI, e.g. 0.31")
      .requiredOption("--summary-hash <hash>", "keccak256 of the window's summary JSON (the node's summaryHash)"),
  ).action(
    inContext<{
      model: string;
      windowStart: string;
      windowEnd: string;
      applications: string;
      maxPsi: string;
      summaryHash: string;
    }>(env, async (ctx, options) => {
      const modelId = parseBytes32(options.model, "--model");
      const windowStart = parseDate(options.windowStart, "--window-start");
      const windowEnd = parseDate(options.windowEnd, "--window-end");
      if (windowStart > windowEnd)
        throw new CliError(`--window-start ${isoDate(windowStart)} is after --window-end ${isoDate(windowEnd)}`);
      const applications = parseInteger(options.applications, "--applications", 1, 2 ** 32 - 1);
      const maxPsiBps = psiBps(options.maxPsi);
      const summaryHash = parseBytes32(options.summaryHash, "--summary-hash");
      await write(ctx, options, {
        contractName: "CreditScoreOracle",
        contract: ctx.oracle,
        method: "publishMonitoringReport",
        args: [modelId, windowStart, windowEnd, applications, maxPsiBps, summaryHash],
        shown: [
          ["modelId", modelId],
          ["windowStart", isoDate(windowStart)],
          ["windowEnd", isoDate(windowEnd)],
          ["applications", String(applications)],
          ["maxPsiBps", `${maxPsiBps} (PSI ${(maxPsiBps / 10_000).toFixed(4)})`],
          ["summaryHash", summaryHash],
        ],
        need: { kind: "operator" },
      });
    }),
  );
}
