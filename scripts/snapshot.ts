/**
 * The committed gas and bytecode-size snapshot (`snapshots/`, as Uniswap v4 keeps one).
 *
 *   npm run snapshot             # measure and write snapshots/gas.json and snapshots/bytecode-size.json
 *   npm run snapshot -- --check  # measure and exit 1, with each changed figure, if either differs (.ci/run runs it)
 *
 * Both are exact: gas is deterministic on the in-process network (fixed keys and a fixed clock, see
 * `bench/gas-paths.ts`) and sizes are the deployed bytecode's length in the compiled artifacts. A change that
 * moves a figure commits the new snapshot with it, so the diff shows the cost.
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { Command } from "commander";

import { measureGas } from "./bench/gas-paths.js";

const program = new Command()
  .name("snapshot")
  .description("Write, or with --check compare with, the committed gas and bytecode-size snapshot")
  .option("--check", "exit with status 1 if a figure differs from the committed snapshot")
  .parse();
const opts = program.opts<{ check?: boolean }>();

const root = path.resolve(import.meta.dirname, "..");
const snapshotDir = path.join(root, "snapshots");

/** The deployed contracts, by source file and name: their runtime code is what EIP-170 limits to 24,576 bytes. */
const DEPLOYED = [
  ["core/VUSD.sol", "VUSD"],
  ["core/CreditScoreOracle.sol", "CreditScoreOracle"],
  ["core/SupervisionPolicy.sol", "SupervisionPolicy"],
  ["core/LendingPool.sol", "LendingPool"],
  ["core/PegStabilityModule.sol", "PegStabilityModule"],
  ["core/SavingsVault.sol", "SavingsVault"],
  ["core/VusdFlashMinter.sol", "VusdFlashMinter"],
  ["core/ComplianceReportRegistry.sol", "ComplianceReportRegistry"],
  ["periphery/FlashLiquidator.sol", "FlashLiquidator"],
  ["libraries/CollateralLogic.sol", "CollateralLogic"],
  ["libraries/ScoreNoticeLogic.sol", "ScoreNoticeLogic"],
] as const;

type Figures = Record<string, number>;

async function bytecodeSizes(): Promise<Figures> {
  const sizes: Figures = {};
  for (const [source, name] of DEPLOYED) {
    const file = path.join(root, "artifacts", "contracts", source, `${name}.json`);
    const artifact = JSON.parse(await readFile(file, "utf8")) as { deployedBytecode: string };
    // Hex without its 0x; a linked library's placeholder has the length of the address it stands for.
    sizes[name] = (artifact.deployedBytecode.length - 2) / 2;
  }
  return sizes;
}

/** One line per figure that is new, gone or different, with the change. */
function differences(committed: Figures, measured: Figures): string[] {
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(committed), ...Object.keys(measured)])) {
    const was = committed[key];
    const now = measured[key];
    if (was === now) continue;
    if (was === undefined) lines.push(`  ${key}: new, ${now}`);
    else if (now === undefined) lines.push(`  ${key}: no longer measured (was ${was})`);
    else lines.push(`  ${key}: ${was} -> ${now} (${now > was ? "+" : ""}${now - was})`);
  }
  return lines;
}

async function readSnapshot(file: string): Promise<Figures> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Figures;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

const snapshots: Record<string, Figures> = {
  "gas.json": await measureGas(),
  "bytecode-size.json": await bytecodeSizes(),
};

if (opts.check === true) {
  let changed = false;
  for (const [name, measured] of Object.entries(snapshots)) {
    const diff = differences(await readSnapshot(path.join(snapshotDir, name)), measured);
    if (diff.length === 0) {
      console.log(`snapshots/${name}: unchanged`);
    } else {
      changed = true;
      console.error(`snapshots/${name}: ${diff.length} figure(s) changed (committed -> measured):\n${diff.join("\n")}`);
    }
  }
  if (changed) {
    console.error("If the change is intended, run `npm run snapshot` and commit snapshots/ with it.");
    process.exitCode = 1;
  }
} else {
  await mkdir(snapshotDir, { recursive: true });
  for (const [name, measured] of Object.entries(snapshots)) {
    await writeFile(path.join(snapshotDir, name), `${JSON.stringify(measured, null, 2)}\n`);
    console.log(`wrote snapshots/${name}`);
  }
}
