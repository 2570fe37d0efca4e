/**
 * Gas benchmark of the protocol's hot paths on the in-process network (measured by `gas-paths.ts`).
 *
 *   npm run bench:gas             # a table, with targets
 *   npm run bench:gas -- --json   # one JSON object: { deposit, borrow, ..., liquidate } in gas units
 *   npm run bench:gas -- --check  # exits 1 if a figure misses its target (.ci/run runs this: gas is deterministic)
 *
 * The figures themselves are committed in `snapshots/gas.json` (`npm run snapshot`).
 */
import { Command } from "commander";

import { GAS_PATHS, measureGas } from "./gas-paths.js";

const program = new Command()
  .name("bench:gas")
  .description("Gas used by Verity's hot paths")
  .option("--json", "print one JSON object instead of a table")
  .option("--check", "exit with status 1 if a figure misses its target")
  .parse();
const opts = program.opts<{ json?: boolean; check?: boolean }>();

/** Targets from the issue, against Aave v3.6's published snapshot. */
const TARGETS: Record<string, number> = {
  borrow: 150_000,
  repayPartial: 100_000,
  liquidate: 200_000,
  submitScore_k3: 82_000,
  borrowWithReport_k3: 205_000,
  psmSwapIn: 75_000,
  psmSwapOut: 75_000,
};
const EXTRA_SIGNER_TARGET = 7_000;

/**
 * What one more collateral asset adds to a borrow, a withdrawal (with debt) and a liquidation: `(x_4assets -
 * x_1asset) / 3`, both positions taking the same steps in the same state (`gas-paths.ts`). The target is issue 16's;
 * shown, not yet enforced: each held asset's primary feed is read on each of these paths (a Chainlink-style read is
 * ~13.7k on its own, a cold balance 2.1k), so ≤ 15k needs an asset valued without its feed, which is not safe on
 * these paths (README, "Collateral gas").
 */
const EXTRA_ASSET_TARGET = 15_000;
const EXTRA_ASSET_PATHS = ["borrow", "withdraw", "liquidate"] as const;

const results = await measureGas();
const perExtraAsset = EXTRA_ASSET_PATHS.map((path) => {
  const value = (results[`${path}_4assets`] - results[`${path}_1asset`]) / 3;
  return { key: `+1 asset: ${path}`, value, target: EXTRA_ASSET_TARGET, met: value <= EXTRA_ASSET_TARGET };
});

const perSigner = (results.submitScore_k5 - results.submitScore_k1) / 4;
/** Every figure with a target, and whether it met it (what the table prints and `--check` enforces). */
const verdicts = [
  ...Object.entries(TARGETS).map(([key, target]) => {
    const value = results[key as keyof typeof results];
    return { key, value, target, met: value <= target };
  }),
  { key: "per extra signer", value: perSigner, target: EXTRA_SIGNER_TARGET, met: perSigner <= EXTRA_SIGNER_TARGET },
];
const verdictText = (key: string): string => {
  const v = verdicts.find((x) => x.key === key);
  if (v === undefined) return "";
  return v.met ? `≤ ${v.target} ✓` : `> ${v.target} ✗`;
};

if (opts.json === true) {
  console.log(JSON.stringify(results));
} else {
  const rows = GAS_PATHS.map((key) => `| ${key.padEnd(20)} | ${String(results[key]).padStart(9)} | ${verdictText(key).padEnd(12)} |`);
  console.log("| path                 |  gas used | target       |");
  console.log("|----------------------|-----------|--------------|");
  console.log(rows.join("\n"));
  console.log(`| ${"per extra signer".padEnd(20)} | ${perSigner.toFixed(0).padStart(9)} | ${verdictText("per extra signer").padEnd(12)} |`);
  for (const v of perExtraAsset) {
    const verdict = v.met ? `≤ ${v.target} ✓` : `> ${v.target} ✗`;
    console.log(`| ${v.key.padEnd(20)} | ${v.value.toFixed(0).padStart(9)} | ${verdict.padEnd(12)} |`);
  }
}
const missed = verdicts.filter((v) => !v.met);
if (opts.check === true && missed.length > 0) {
  console.error(`bench:gas --check: ${missed.map((v) => `${v.key} ${v.value.toFixed(0)} > ${v.target}`).join(", ")}`);
  process.exitCode = 1;
}
