/**
 * The stress test: one population, scored once, played through each scenario with the score's terms and again with
 * every borrower on the unscored tier's terms (the side-by-side). `runStress` is what `npm run stress` and the test
 * (test/scripts/stress.test.ts) call; `summarise` is the `--json` object.
 */
import { fileURLToPath } from "node:url";

import { loadCreditModel } from "../../oracle/src/model/index.js";
import { shippedModel } from "../deploy/deploy-system.js";
import { defaultParameters } from "../deploy/parameters.js";
import { drawPopulation, POPULATION_DISTRIBUTIONS, type Borrower } from "./population.js";
import { buildScenario, type ScenarioName } from "./scenarios.js";
import { runScenario, type RunOptions, type RunResult } from "./simulate.js";
import { FIRE_SALE_MODEL } from "./market.js";
import { FALLBACK_FEED, PRIMARY_FEED, STABLECOIN_FEED } from "./publication.js";

export const MODEL_PATH = fileURLToPath(new URL("../../oracle/model/credit-model.onnx", import.meta.url));
export const MODEL_CARD_PATH = fileURLToPath(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url));

export interface StressOptions {
  scenarios: ScenarioName[];
  borrowers: number;
  seed: number;
  depthWeth: number;
  resilienceHalfLifeSec: number;
  keepers: boolean;
  /** The fallback source's latency, seconds. */
  fallbackLagSec: number;
  /** Also run each scenario with every borrower on the unscored tier's terms. */
  baseline: boolean;
  /** Shorter paths (the CI test). */
  quick?: boolean;
  progress?: (line: string) => void;
  /** Passed to every run (see `RunOptions.inspect`). */
  inspect?: RunOptions["inspect"];
}

export interface ScenarioOutcome {
  description: string;
  stepSec: number;
  durationSec: number;
  scored: RunResult;
  unscored: RunResult | undefined;
}

export interface StressResult {
  options: Omit<StressOptions, "progress">;
  population: {
    size: number;
    approved: number;
    byTier: number[];
    batchInferenceMs: number;
    explainMs: number;
    borrowers: Borrower[];
  };
  scenarios: Record<string, ScenarioOutcome>;
  runtimeSec: number;
}

export const STATED_MODEL = {
  population: POPULATION_DISTRIBUTIONS,
  feeds: { primary: PRIMARY_FEED, fallback: FALLBACK_FEED, stablecoin: STABLECOIN_FEED },
  fireSale: FIRE_SALE_MODEL,
};

export async function runStress(options: StressOptions): Promise<StressResult> {
  const started = performance.now();
  const say = options.progress ?? (() => {});
  const creditModel = await loadCreditModel(MODEL_PATH);
  const model = await shippedModel(MODEL_PATH, MODEL_CARD_PATH);
  const population = await drawPopulation({
    size: options.borrowers,
    seed: options.seed,
    model: creditModel,
    params: defaultParameters,
  });
  const byTier = defaultParameters.tiers.map((_, tier) => population.borrowers.filter((b) => b.tier === tier).length);
  say(
    `population: ${options.borrowers} training rows scored in one batch (${population.batchInferenceMs.toFixed(1)} ms), reason codes ${population.explainMs.toFixed(0)} ms; by tier ${byTier.join("/")}`,
  );
  const scenarios: Record<string, ScenarioOutcome> = {};
  for (const name of options.scenarios) {
    const scenario = buildScenario(name, options.seed, { quick: options.quick });
    const common = {
      scenario,
      borrowers: population.borrowers,
      featureNames: creditModel.featureNames,
      model,
      depthWeth: options.depthWeth,
      resilienceHalfLifeSec: options.resilienceHalfLifeSec,
      keepers: options.keepers,
      fallbackLagSec: options.fallbackLagSec,
      progress: say,
      inspect: options.inspect,
    };
    say(`${name}: ${scenario.description} (${scenario.path.length - 1} steps of ${scenario.stepSec / 60} min)`);
    const scored = await runScenario({ ...common, mode: "scored" });
    say(
      `${name}: scored run done in ${scored.runtimeSec.toFixed(1)} s (${(options.borrowers / scored.runtimeSec).toFixed(1)} borrowers/s)`,
    );
    const unscored = options.baseline ? await runScenario({ ...common, mode: "unscored" }) : undefined;
    if (unscored !== undefined) say(`${name}: unscored run done in ${unscored.runtimeSec.toFixed(1)} s`);
    scenarios[name] = {
      description: scenario.description,
      stepSec: scenario.stepSec,
      durationSec: scenario.durationSec,
      scored,
      unscored,
    };
  }
  const { progress: _progress, inspect: _inspect, ...rest } = options;
  return {
    options: rest,
    population: {
      size: population.borrowers.length,
      approved: population.borrowers.filter((b) => b.approved).length,
      byTier,
      batchInferenceMs: population.batchInferenceMs,
      explainMs: population.explainMs,
      borrowers: population.borrowers,
    },
    scenarios,
    runtimeSec: (performance.now() - started) / 1000,
  };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** The headline figures of one run (the `--json` object's per-scenario entry uses the scored run's). */
export function headline(run: RunResult) {
  return {
    badDebtVusd: round(run.badDebtVusd, 2),
    badDebtPctOfStartDebt: round(run.badDebtPctOfStartDebt),
    badDebtWad: run.badDebtWad,
    deficitChangeWad: run.deficitChangeWad,
    startDebtVusd: round(run.startDebtVusd, 2),
    maxUnderwaterWaitSec: run.maxUnderwaterWaitSec,
    hoursFrozen: round(run.hoursFrozen, 3),
    hoursPaused: round(run.hoursPaused, 3),
    hoursNotLive: round(run.hoursNotLive, 3),
    hoursPsmFrozen: round(run.hoursPsmFrozen, 3),
    liquidations: run.liquidations,
    liquidatedVusd: round(run.liquidatedVusd, 2),
    failedLiquidations: run.failedLiquidations,
    positionsStillUnderwater: run.positionsStillUnderwater,
    unrealisedShortfallVusd: round(run.unrealisedShortfallVusd, 2),
    minMarketUsd: round(run.minMarketUsd, 2),
    minVusdDexUsd: round(run.minVusdDexUsd),
    maxVusdDexUsd: round(run.maxVusdDexUsd),
    runtimeSec: round(run.runtimeSec, 2),
    borrowersPerSec: round(run.positions / run.runtimeSec, 2),
  };
}

/** The one JSON object `--json` prints. */
export function summarise(result: StressResult) {
  return {
    scenarios: Object.fromEntries(
      Object.entries(result.scenarios).map(([name, outcome]) => [
        name,
        {
          ...headline(outcome.scored),
          /** The done-when: no position below HF 0.95 waited over an hour while both sources were live. */
          doneWhenMet: outcome.scored.maxUnderwaterWaitSec <= 3600,
          keepers: outcome.scored.keepers,
          fallbackLagSec: result.options.fallbackLagSec,
          depthWeth: outcome.scored.depthWeth,
          unscoredTerms: outcome.unscored === undefined ? null : headline(outcome.unscored),
          extraCreditVusd:
            outcome.unscored === undefined
              ? null
              : round(outcome.scored.startDebtVusd - outcome.unscored.startDebtVusd, 2),
          extraBadDebtVusd:
            outcome.unscored === undefined ? null : round(outcome.scored.badDebtVusd - outcome.unscored.badDebtVusd, 2),
        },
      ]),
    ),
    borrowers: result.population.size,
    seed: result.options.seed,
    population: { approved: result.population.approved, byTier: result.population.byTier },
    runtimeSec: round(result.runtimeSec, 2),
  };
}
