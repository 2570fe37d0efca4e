/** `fairness publish`: the regulator publishes a model's fairness report for a period (metrics in %, report by hash). */
import { access } from "node:fs/promises";

import type { Command } from "commander";

import { sha256File } from "../deploy/deploy-system.js";
import type { CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, isoDate, parseBytes32, parseDate, parsePercent, percent } from "./units.js";
import { write } from "./write.js";

export function registerFairnessGroup(program: Command, env: CliEnv): void {
  const group = program.command("fairness").description("fairness reports per model and period (CreditScoreOracle)");
  writeOptions(
    group
      .command("publish")
      .description(
        "publish a fairness report (regulator): FairnessReportPublished with the metrics and the report's hash",
      )
      .requiredOption("--model <modelId>", "the model's id (0x + 64 hex)")
      .requiredOption("--period-start <date>", "period start (ISO 8601 or unix seconds)")
      .requiredOption("--period-end <date>", "period end (ISO 8601 or unix seconds)")
      .requiredOption("--eod <percent>", "equal-opportunity difference (absolute), e.g. 2.5%")
      .requiredOption("--dir <percent>", "disparate-impact ratio as a percentage, e.g. 92% (may exceed 100%)")
      .option("--report <file>", "the report file; its sha256 is published")
      .option("--report-hash <hash>", "the report's hash, when the file is not at hand"),
  ).action(
    inContext<{
      model: string;
      periodStart: string;
      periodEnd: string;
      eod: string;
      dir: string;
      report?: string;
      reportHash?: string;
    }>(env, async (ctx, options) => {
      const modelId = parseBytes32(options.model, "--model");
      const periodStart = parseDate(options.periodStart, "--period-start");
      const periodEnd = parseDate(options.periodEnd, "--period-end");
      if (periodStart >= periodEnd)
        throw new CliError(`--period-start ${isoDate(periodStart)} must be before --period-end ${isoDate(periodEnd)}`);
      const eodBps = parsePercent(options.eod, "--eod");
      const dirBps = parsePercent(options.dir, "--dir", { maxBps: 65_535 });
      if ((options.report === undefined) === (options.reportHash === undefined))
        throw new CliError("give exactly one of --report <file> and --report-hash <hash>");
      let reportHash: string;
      if (options.report !== undefined) {
        await access(options.report).catch(() => {
          throw new CliError(`--report: cannot read ${options.report}`);
        });
        reportHash = await sha256File(options.report);
      } else reportHash = parseBytes32(options.reportHash!, "--report-hash");
      await write(ctx, options, {
        contractName: "CreditScoreOracle",
        contract: ctx.oracle,
        method: "publishFairnessReport",
        args: [modelId, periodStart, periodEnd, eodBps, dirBps, reportHash],
        shown: [
          ["modelId", modelId],
          ["periodStart", isoDate(periodStart)],
          ["periodEnd", isoDate(periodEnd)],
          ["eodBps", percent(eodBps)],
          ["dirBps", percent(dirBps)],
          ["reportHash", options.report === undefined ? reportHash : `${reportHash} (sha256 of ${options.report})`],
        ],
        need: { kind: "role", role: "regulator", on: "CreditScoreOracle" },
      });
    }),
  );
}
