/**
 * `report attest|verify`: the compliance report's sha256 on chain (ComplianceReportRegistry). `attest` (regulator)
 * hashes the report file itself, checks it against the `<file>.sha256` that `npm run report` wrote beside it, and
 * takes the block range from the report's header ("Period: blocks N to M") unless `--from-block`/`--to-block` give
 * it; `verify` says who attested a file, when and which blocks, and exits 1 when nobody did.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

import type { Command } from "commander";

import {
  ComplianceReportRegistry__factory,
  type ComplianceReportRegistry,
} from "../../types/ethers-contracts/index.js";
import type { CliContext, CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, isoDate, parseInteger, table } from "./units.js";
import { findEvent, write } from "./write.js";

/** `ComplianceReportRegistry.MAX_URI_BYTES`. */
export const MAX_URI_BYTES = 256;
const MAX_BLOCK = Number.MAX_SAFE_INTEGER;

/** The header line of `report.md` stating its range (`scripts/report/render-markdown.ts`). */
const PERIOD_LINE = /^- \*\*Period:\*\* blocks (\d+) to (\d+)\b/m;

export interface ReportFile {
  path: string;
  /** sha256 of the file's bytes, 0x + 64 hex. */
  sha256: string;
  /** The range the report's header states, if it states one. */
  stated: { fromBlock: number; toBlock: number } | undefined;
}

/**
 * Reads `path`, hashes its bytes, and checks the hash against `<path>.sha256` when that exists (`sha256sum`
 * format, as `npm run report` writes it): a mismatch means the file changed after it was written.
 */
export async function readReportFile(path: string): Promise<ReportFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CliError(
      `--file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const hex = createHash("sha256").update(bytes).digest("hex");
  const sidecarPath = `${path}.sha256`;
  const sidecar = await readFile(sidecarPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new CliError(`cannot read ${sidecarPath} (${error.code ?? error.message})`);
  });
  if (sidecar !== undefined) {
    const recorded = sidecar.trim().split(/\s+/)[0]?.toLowerCase().replace(/^0x/, "") ?? "";
    if (!/^[0-9a-f]{64}$/.test(recorded))
      throw new CliError(`${sidecarPath} does not start with a sha256 (64 hex digits)`);
    if (recorded !== hex) {
      throw new CliError(
        `${path} has sha256 ${hex} but ${sidecarPath} records ${recorded}: the report changed after it was written`,
      );
    }
  }
  const match = PERIOD_LINE.exec(bytes.toString("utf8"));
  const stated =
    match === null
      ? undefined
      : {
          fromBlock: parseInteger(match[1]!, `${path}'s period`, 0, MAX_BLOCK),
          toBlock: parseInteger(match[2]!, `${path}'s period`, 0, MAX_BLOCK),
        };
  return { path, sha256: `0x${hex}`, stated };
}

/** The block range to attest: the flags, else the report's header; flags that contradict the header are refused. */
export function attestedRange(
  file: ReportFile,
  fromFlag: string | undefined,
  toFlag: string | undefined,
): { fromBlock: number; toBlock: number } {
  const from = fromFlag === undefined ? undefined : parseInteger(fromFlag, "--from-block", 0, MAX_BLOCK);
  const to = toFlag === undefined ? undefined : parseInteger(toFlag, "--to-block", 0, MAX_BLOCK);
  const { stated } = file;
  if (stated === undefined) {
    if (from === undefined || to === undefined) {
      throw new CliError(
        `${file.path} states no block range (no "Period: blocks N to M" line): give --from-block and --to-block`,
      );
    }
    return { fromBlock: from, toBlock: to };
  }
  if ((from !== undefined && from !== stated.fromBlock) || (to !== undefined && to !== stated.toBlock)) {
    throw new CliError(
      `${file.path} covers blocks ${stated.fromBlock} to ${stated.toBlock}; --from-block/--to-block (${from ?? "-"} to ${to ?? "-"}) say otherwise`,
    );
  }
  return stated;
}

function registryOf(ctx: CliContext): ComplianceReportRegistry {
  const address = ctx.addressBook.contracts.complianceReportRegistry;
  if (address === undefined) {
    throw new CliError(
      `${ctx.bookPath} has no complianceReportRegistry (deployed before it): redeploy to attest reports`,
    );
  }
  return ComplianceReportRegistry__factory.connect(address, ctx.provider);
}

export function registerReportGroup(program: Command, env: CliEnv): void {
  const group = program
    .command("report")
    .description("compliance reports attested on chain by their sha256 (ComplianceReportRegistry)");

  writeOptions(
    group
      .command("attest")
      .description(
        "attest a compliance report (regulator): its sha256 and the blocks it covers, as ComplianceReportAttested",
      )
      .requiredOption(
        "--file <report.md>",
        "the report; its sha256 is attested (checked against <file>.sha256 when present)",
      )
      .option("--from-block <n>", "first block the report covers (default: the report's header)")
      .option("--to-block <n>", "last block the report covers (default: the report's header)")
      .option("--uri <text>", `where the report can be read, at most ${MAX_URI_BYTES} bytes`, ""),
  ).action(
    inContext<{ file: string; fromBlock?: string; toBlock?: string; uri: string }>(env, async (ctx, options) => {
      const registry = registryOf(ctx);
      const file = await readReportFile(options.file);
      const { fromBlock, toBlock } = attestedRange(file, options.fromBlock, options.toBlock);
      const uriBytes = Buffer.byteLength(options.uri, "utf8");
      if (uriBytes > MAX_URI_BYTES) throw new CliError(`--uri is ${uriBytes} bytes; at most ${MAX_URI_BYTES}`);
      const receipt = await write(ctx, options, {
        contractName: "ComplianceReportRegistry",
        contract: registry,
        method: "attestReport",
        args: [file.sha256, fromBlock, toBlock, options.uri],
        shown: [
          ["reportSha256", `${file.sha256} (sha256 of ${file.path})`],
          ["fromBlock", String(fromBlock)],
          ["toBlock", String(toBlock)],
          ["uri", options.uri === "" ? "(none)" : options.uri],
        ],
        need: { kind: "role", role: "regulator", on: "SupervisionPolicy" },
      });
      if (receipt !== undefined) {
        const event = findEvent(receipt, registry.interface, "ComplianceReportAttested");
        ctx.out(
          `attested ${event.args.reportSha256} (blocks ${event.args.fromBlock} to ${event.args.toBlock}) by ${event.args.attester}`,
        );
      }
    }),
  );

  group
    .command("verify")
    .description("who attested a report file, when and which blocks; exits 1 when it is not attested")
    .requiredOption("--file <report.md>", "the report; its sha256 is looked up")
    .action(
      inContext<{ file: string }>(env, async (ctx, options) => {
        const registry = registryOf(ctx);
        const file = await readReportFile(options.file);
        const attestation = await registry.attestationOf(file.sha256);
        if (attestation.attester === "0x0000000000000000000000000000000000000000") {
          throw new CliError(
            `${file.path} (sha256 ${file.sha256}) is not attested on ComplianceReportRegistry ${await registry.getAddress()}`,
          );
        }
        const logs = await ctx.eventsSinceDeployment((from, to) =>
          registry.queryFilter(registry.filters.ComplianceReportAttested(file.sha256), from, to),
        );
        const uri = logs[0]?.args.uri;
        ctx.out(`${file.path} is attested`);
        const rows: Array<readonly [string, string]> = [
          ["sha256", file.sha256],
          ["attester", attestation.attester],
          ["attested at", isoDate(attestation.attestedAt)],
          ["blocks", `${attestation.fromBlock} to ${attestation.toBlock}`],
        ];
        if (uri !== undefined && uri !== "") rows.push(["uri", uri]);
        if (logs[0] !== undefined)
          rows.push(["transaction", `${logs[0].transactionHash} in block ${logs[0].blockNumber}`]);
        if (
          file.stated !== undefined &&
          (BigInt(file.stated.fromBlock) !== attestation.fromBlock ||
            BigInt(file.stated.toBlock) !== attestation.toBlock)
        ) {
          rows.push(["note", `the report's header says blocks ${file.stated.fromBlock} to ${file.stated.toBlock}`]);
        }
        for (const line of table(rows)) ctx.out(line);
      }),
    );
}
