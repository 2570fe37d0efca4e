/**
 * `providers list|approve|retire`: the data-provider registry in CreditScoreOracle (the regulator's). A provider is
 * approved for one feature schema, by default the shipped model's (`featureSchemaHash` of the model card's inputs),
 * with its signing keys and the sha256 of the regulator's data-quality assessment; approving it again replaces its
 * terms (key rotation); retiring it is final.
 */
import type { Command } from "commander";

import { shippedFeatureNames, sha256File } from "../deploy/deploy-system.js";
import { featureSchemaHash } from "../../oracle/src/protocol/credit-file.js";
import type { CliContext, CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, parseAddress, parseBytes32, table } from "./units.js";
import { write } from "./write.js";

const STATUS = ["None", "Approved", "Retired"] as const;

async function describeProvider(ctx: CliContext, id: string): Promise<string[]> {
  const [status, name, signingKeys, schemaHash, dataQualityHash] = await ctx.oracle.providerInfo(id);
  return table([
    ["status", STATUS[Number(status)] ?? `status ${status}`],
    ["name", name === "" ? "(none)" : name],
    ["signing keys", signingKeys.length === 0 ? "(none)" : signingKeys.join(", ")],
    ["schema", schemaHash],
    ["data-quality assessment", dataQualityHash],
  ]);
}

/** A 0x + 64 hex hash, or a file whose sha256 it is. */
async function hashOrFile(value: string, what: string): Promise<string> {
  if (value.startsWith("0x")) return parseBytes32(value, what);
  try {
    return await sha256File(value);
  } catch {
    throw new CliError(`${what}: "${value}" is neither a 32-byte hash (0x and 64 hex digits) nor a readable file`);
  }
}

export function registerProvidersGroup(program: Command, env: CliEnv): void {
  const group = program
    .command("providers")
    .description("the data-provider registry (CreditScoreOracle): approve, retire, list");
  const regulator = { kind: "role", role: "regulator", on: "CreditScoreOracle" } as const;

  group
    .command("list")
    .description("every provider ever approved, with its current entry")
    .action(
      inContext(env, async (ctx) => {
        const approved = await ctx.eventsSinceDeployment((from, to) =>
          ctx.oracle.queryFilter(ctx.oracle.filters.DataProviderApproved(), from, to),
        );
        const ids = [...new Set(approved.map((event) => event.args.provider))];
        if (ids.length === 0) ctx.out("no data provider approved yet");
        for (const id of ids) {
          ctx.out(`provider ${id}`);
          for (const line of await describeProvider(ctx, id)) ctx.out(`  ${line}`);
        }
      }),
    );

  writeOptions(
    group
      .command("approve")
      .description("approve a provider, or replace an approved one's terms (regulator)")
      .argument("<provider>", "the provider's registry id (an address)")
      .requiredOption("--name <name>", "the provider's name")
      .requiredOption("--keys <addresses>", "its signing keys, comma-separated")
      .requiredOption("--assessment <hash|file>", "the data-quality assessment: its sha256, or the file")
      .option("--schema <hash>", "the feature schema it attests (default: the shipped model's)"),
  ).action(
    inContext<{ name: string; keys: string; assessment: string; schema?: string }>(
      env,
      async (ctx, options, [provider]) => {
        const id = parseAddress(provider!, "<provider>");
        if (options.name.trim() === "") throw new CliError("--name: must not be empty");
        const keys = options.keys.split(",").map((key, i) => parseAddress(key.trim(), `--keys[${i}]`));
        const schemaHash =
          options.schema === undefined
            ? featureSchemaHash(await shippedFeatureNames())
            : parseBytes32(options.schema, "--schema");
        const dataQualityHash = await hashOrFile(options.assessment, "--assessment");
        await write(ctx, options, {
          contractName: "CreditScoreOracle",
          contract: ctx.oracle,
          method: "approveProvider",
          args: [id, options.name, keys, schemaHash, dataQualityHash],
          shown: [
            ["provider", id],
            ["name", options.name],
            ["signingKeys", keys.join(", ")],
            ["schemaHash", `${schemaHash}${options.schema === undefined ? " (the shipped model's features)" : ""}`],
            ["dataQualityHash", dataQualityHash],
          ],
          need: regulator,
        });
        if (options.dryRun !== true) for (const line of await describeProvider(ctx, id)) ctx.out(line);
      },
    ),
  );

  writeOptions(
    group
      .command("retire")
      .description("retire an approved provider (regulator): reports computed from its files are refused from now on")
      .argument("<provider>", "the provider's registry id (an address)"),
  ).action(
    inContext(env, async (ctx, options, [provider]) => {
      const id = parseAddress(provider!, "<provider>");
      await write(ctx, options, {
        contractName: "CreditScoreOracle",
        contract: ctx.oracle,
        method: "retireProvider",
        args: [id],
        shown: [["provider", id]],
        need: regulator,
      });
      if (options.dryRun !== true) for (const line of await describeProvider(ctx, id)) ctx.out(line);
    }),
  );
}
