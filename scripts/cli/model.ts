/**
 * `model list|propose|approve|retire`: the model registry in CreditScoreOracle (the regulator's). A model is named
 * by its id (sha256 of the ONNX file) or by the file itself; `propose` hashes the file and reads its validation
 * report as the node does, so the chain records exactly the hashes a node will check at start.
 */
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";

import type { Command } from "commander";

import { sha256File } from "../deploy/deploy-system.js";
import { loadValidationReport } from "../../oracle/src/model/validation-report.js";
import type { CliContext, CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, parseBytes32, table } from "./units.js";
import { write } from "./write.js";

const STATUS = ["None", "Proposed", "Approved", "Retired"] as const;

/** A model id given as 0x + 64 hex digits, or the path of its ONNX file (hashed). */
async function modelIdOf(value: string, what: string): Promise<string> {
  if (value.startsWith("0x")) return parseBytes32(value, what);
  try {
    await access(value);
  } catch {
    throw new CliError(`${what}: "${value}" is neither a model id (0x and 64 hex digits) nor a readable ONNX file`);
  }
  return sha256File(value);
}

async function statusLine(ctx: CliContext, modelId: string): Promise<string> {
  const [status, reportHash] = await ctx.oracle.modelInfo(modelId);
  return `${STATUS[Number(status)]}, validation report ${reportHash}`;
}

export function registerModelGroup(program: Command, env: CliEnv): void {
  const group = program
    .command("model")
    .description("the model registry (CreditScoreOracle): propose, approve, retire");
  const regulator = { kind: "role", role: "regulator", on: "CreditScoreOracle" } as const;

  group
    .command("list")
    .description("every model ever proposed, with its status and validation report hash")
    .action(
      inContext(env, async (ctx) => {
        const proposed = await ctx.eventsSinceDeployment((from, to) =>
          ctx.oracle.queryFilter(ctx.oracle.filters.ModelProposed(), from, to),
        );
        if (proposed.length === 0) ctx.out("no model proposed yet");
        for (const event of proposed) {
          const { modelId, modelIndex } = event.args;
          const [status, reportHash] = await ctx.oracle.modelInfo(modelId);
          const shipped = modelId === ctx.addressBook.model.modelId ? " (the address book's model)" : "";
          ctx.out(`model ${modelIndex}: ${modelId}${shipped}`);
          for (const line of table(
            [
              ["status", STATUS[Number(status)]!],
              ["validation report", reportHash],
              ["proposed in block", String(event.blockNumber)],
            ],
            "    ",
          ))
            ctx.out(line);
        }
      }),
    );

  writeOptions(
    group
      .command("propose")
      .description(
        "propose a model from its ONNX file (regulator): modelId = sha256 of the file, with its validation report's sha256",
      )
      .requiredOption("--onnx <file>", "the model's ONNX file")
      .option("--report <file>", "its validation report (default: MODEL_CARD.json beside the model)"),
  ).action(
    inContext<{ onnx: string; report?: string }>(env, async (ctx, options) => {
      const modelId = await modelIdOf(options.onnx, "--onnx");
      const reportPath = options.report ?? join(dirname(options.onnx), "MODEL_CARD.json");
      const report = await loadValidationReport(reportPath).catch((error: Error) => {
        throw new CliError(error.message);
      });
      if (report.modelId !== modelId) {
        throw new CliError(
          `validation report ${reportPath} is for model ${report.modelId}, but ${options.onnx} hashes to ${modelId}`,
        );
      }
      await write(ctx, options, {
        contractName: "CreditScoreOracle",
        contract: ctx.oracle,
        method: "proposeModel",
        args: [modelId, report.sha256],
        shown: [
          ["modelId", `${modelId} (sha256 of ${options.onnx})`],
          ["validationReportHash", `${report.sha256} (sha256 of ${reportPath})`],
        ],
        need: regulator,
      });
      if (options.dryRun !== true) ctx.out(`model ${modelId}: ${await statusLine(ctx, modelId)}`);
    }),
  );

  for (const [name, method, description] of [
    ["approve", "approveModel", "approve a proposed model (regulator): its scores are accepted from now on"],
    [
      "retire",
      "retireModel",
      "retire a proposed or approved model (regulator): its scores no longer count, positions priced on them move to the most conservative tier",
    ],
  ] as const) {
    writeOptions(
      group.command(name).description(description).argument("<model>", "model id (0x + 64 hex) or its ONNX file"),
    ).action(
      inContext(env, async (ctx, options, [model]) => {
        const modelId = await modelIdOf(model!, "<model>");
        await write(ctx, options, {
          contractName: "CreditScoreOracle",
          contract: ctx.oracle,
          method,
          args: [modelId],
          shown: [["modelId", modelId]],
          need: regulator,
        });
        if (options.dryRun !== true) ctx.out(`model ${modelId}: ${await statusLine(ctx, modelId)}`);
      }),
    );
  }
}
