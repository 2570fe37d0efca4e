/**
 * The regulator's and risk team's stress test (issue 13) on Hardhat's in-process network:
 *
 *   npm run stress                                  # every scenario, 500 borrowers, report in reports/stress-<timestamp>/
 *   npm run stress -- --scenario march-2020 --json  # one JSON object on stdout
 *   npm run stress -- --borrowers 200 --depth 500 --out /tmp/stress
 *
 * Progress goes to stderr. See scripts/stress/ and README "Stress test".
 */
import { Command, InvalidArgumentError } from "commander";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

import { runStress, summarise } from "./stress/index.js";
import { writeStressReport } from "./stress/render.js";
import { SCENARIO_NAMES, type ScenarioName } from "./stress/scenarios.js";

const REPORTS_DIR = fileURLToPath(new URL("../reports/", import.meta.url));

const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${what} must be a positive integer, got "${value}"`);
  return n;
};
const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`${what} must be a positive number, got "${value}"`);
  return n;
};
const nonNegative = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`${what} must be a number of seconds >= 0, got "${value}"`);
  return n;
};
const scenarioName = (value: string, previous: ScenarioName[] | undefined) => {
  if (!(SCENARIO_NAMES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown scenario "${value}"; one of ${SCENARIO_NAMES.join(", ")}`);
  }
  return [...(previous ?? []), value as ScenarioName];
};

const program = new Command()
  .name("stress")
  .description("Stress scenarios with fire-sale dynamics on the in-process network (real contracts, the shipped model)")
  .option("--scenario <name>", `a scenario (repeatable; default all): ${SCENARIO_NAMES.join(", ")}`, scenarioName)
  .option("--borrowers <n>", "population size (rows of the training data)", positiveInt("--borrowers"), 500)
  .option("--seed <n>", "seed of the population and the price paths", positiveInt("--seed"), 2020)
  .option("--depth <weth>", "WETH on each side of the DEX pool keepers sell into", positive("--depth"), 5000)
  .option(
    "--half-life <hours>",
    "half-life of fire-sale price impact (market resilience), hours",
    positive("--half-life"),
    6,
  )
  .option("--fallback-lag <sec>", "the fallback price source's latency, seconds", nonNegative("--fallback-lag"), 60)
  .option("--no-keepers", "no keeper liquidates (shows the wait metric failing)")
  .option("--no-baseline", "skip the same run with every borrower on the unscored tier's terms")
  .option("--json", "print one JSON object on stdout")
  .option("--out <dir>", "report directory (default reports/stress-<timestamp>/)")
  .parse();
const opts = program.opts<{
  scenario?: ScenarioName[];
  borrowers: number;
  seed: number;
  depth: number;
  halfLife: number;
  keepers: boolean;
  fallbackLag: number;
  baseline: boolean;
  json?: boolean;
  out?: string;
}>();

const startedAt = performance.now();
const result = await runStress({
  scenarios: opts.scenario ?? [...SCENARIO_NAMES],
  borrowers: opts.borrowers,
  seed: opts.seed,
  depthWeth: opts.depth,
  resilienceHalfLifeSec: opts.halfLife * 3600,
  keepers: opts.keepers,
  fallbackLagSec: opts.fallbackLag,
  baseline: opts.baseline,
  progress: (line) => process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${line}\n`),
});
const dir = opts.out ?? join(REPORTS_DIR, `stress-${new Date().toISOString().replace(/[:.]/g, "-")}`);
const written = await writeStressReport(result, dir);
process.stderr.write(`report: ${written.markdownPath}\n`);
if (opts.json === true)
  process.stdout.write(`${JSON.stringify({ ...summarise(result), report: written.markdownPath })}\n`);
else process.stdout.write(`${JSON.stringify(summarise(result), null, 2)}\n`);
