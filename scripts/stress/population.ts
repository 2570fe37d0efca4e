/**
 * The stress test's borrowers: rows of the model's training data (the same file the demo's applicants come from),
 * drawn with a seeded stream, scored in one batch by the shipped ONNX model (reason codes from the model's own
 * explainer, as a node computes them), with collateral and leverage drawn from the stated distributions below.
 */
import { readFile } from "node:fs/promises";

import { dataSlice, getAddress, id } from "ethers";

import { explainApplication } from "../../oracle/src/explain/index.js";
import { pdToBps, validateApplication, type CreditModel } from "../../oracle/src/model/index.js";
import { TRAINING_CSV } from "../demo/applicants.js";
import type { DeploymentParameters } from "../deploy/parameters.js";
import { Rng } from "./rng.js";

/** The distributions collateral and leverage are drawn from (printed in every report). */
export const POPULATION_DISTRIBUTIONS = {
  collateral: "WETH deposited ~ lognormal, median 1.5 WETH, sigma 0.75 (log scale), clipped to [0.2, 25] WETH",
  leverage:
    "debt = u x the tier's max LTV x collateral value at the start price, u ~ triangular(0.50, 0.98, mode 0.85); capped at 95 % of the tier's credit limit, floored at 150 vUSD",
  declined:
    "rows whose PD is above the model's approval threshold post no score (an adverse action would bar them) and borrow on the unscored tier's terms",
} as const;

const COLLATERAL_MEDIAN_WETH = 1.5;
const COLLATERAL_SIGMA = 0.75;
const COLLATERAL_MIN_WETH = 0.2;
const COLLATERAL_MAX_WETH = 25;
const MIN_DEBT_VUSD = 150;

export interface Borrower {
  index: number;
  /** A deterministic address the simulation impersonates (no key exists: the chain is local). */
  address: string;
  /** The row's `ID` in the training data. */
  rowId: number;
  /** The model's raw fields, as a bureau attests them. */
  features: Record<string, number>;
  pd: number;
  pdBps: number;
  /** Below the approval threshold: posts a score; otherwise borrows unscored. */
  approved: boolean;
  reasonCodes: [number, number, number, number];
  /** The tier the rulebook gives the PD (the conservative tier when not approved). */
  tier: number;
  collateralWeth: number;
  /** Fraction of the tier's max LTV drawn (u above). */
  utilisation: number;
  /** 1 = lowest PD decile of the population. */
  pdDecile: number;
}

async function readTrainingRows(): Promise<Record<string, number>[]> {
  const text = await readFile(TRAINING_CSV, "utf8");
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0]!.split(",").map((cell) => cell.replace(/^"|"$/g, ""));
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(header.map((name, i) => [name, Number(cells[i])]));
  });
}

/** The tier of `pdBps` under the rulebook: the first whose maxPdBps covers it. */
export function tierOfPd(params: DeploymentParameters, pdBps: number): number {
  const index = params.tiers.findIndex((tier) => pdBps <= tier.maxPdBps);
  return index < 0 ? params.tiers.length - 1 : index;
}

export interface PopulationOptions {
  size: number;
  seed: number;
  model: CreditModel;
  params: DeploymentParameters;
}

export interface Population {
  borrowers: Borrower[];
  /** Wall time of the one ORT batch, ms. */
  batchInferenceMs: number;
  explainMs: number;
}

/** Draws `size` distinct training rows and scores them in one ORT batch. */
export async function drawPopulation(options: PopulationOptions): Promise<Population> {
  const { size, model, params } = options;
  if (!Number.isInteger(size) || size < 1) throw new Error(`population size must be a positive integer, got ${size}`);
  const rows = (await readTrainingRows()).flatMap((row) => {
    const check = validateApplication(model.featureNames, row);
    return check.ok ? [{ row, vector: check.features }] : [];
  });
  if (rows.length < size)
    throw new Error(`the training data has ${rows.length} valid rows, fewer than ${size} borrowers`);
  const rng = new Rng(Rng.derive(options.seed, "population"));
  // A partial Fisher–Yates shuffle: the first `size` positions are a uniform sample without replacement.
  const order = rows.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rng.next() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const picked = order.slice(0, size).map((i) => rows[i]!);

  const batchStarted = performance.now();
  const pds = await model.predict(picked.map((p) => p.vector));
  const batchInferenceMs = performance.now() - batchStarted;

  const conservative = params.tiers.length - 1;
  const explainStarted = performance.now();
  const borrowers: Borrower[] = [];
  for (let i = 0; i < size; i++) {
    const { row, vector } = picked[i]!;
    const pd = pds[i]!;
    const pdBps = pdToBps(pd);
    const approved = pd <= model.approvalPdThreshold;
    const explanation = approved ? await explainApplication(model, vector) : undefined;
    const codes = [...(explanation?.reasonCodes ?? []), 0, 0, 0, 0].slice(0, 4) as [number, number, number, number];
    const collateralWeth = Math.min(
      COLLATERAL_MAX_WETH,
      Math.max(COLLATERAL_MIN_WETH, COLLATERAL_MEDIAN_WETH * Math.exp(COLLATERAL_SIGMA * rng.normal())),
    );
    borrowers.push({
      index: i,
      address: getAddress(dataSlice(id(`verity:stress:borrower:${options.seed}:${i}`), 12)),
      rowId: row.ID!,
      features: Object.fromEntries(model.featureNames.map((name) => [name, row[name]!])),
      pd,
      pdBps,
      approved,
      reasonCodes: codes,
      tier: approved ? tierOfPd(params, pdBps) : conservative,
      collateralWeth: Math.round(collateralWeth * 1e6) / 1e6,
      utilisation: rng.triangular(0.5, 0.98, 0.85),
      pdDecile: 0,
    });
  }
  const explainMs = performance.now() - explainStarted;
  const byPd = [...borrowers].sort((a, b) => a.pd - b.pd);
  byPd.forEach((b, rank) => {
    b.pdDecile = Math.min(10, Math.floor((rank * 10) / size) + 1);
  });
  return { borrowers, batchInferenceMs, explainMs };
}

/** The vUSD a borrower asks for on `tier`'s terms at `priceUsd` per WETH (see POPULATION_DISTRIBUTIONS.leverage). */
export function plannedDebtVusd(
  params: DeploymentParameters,
  borrower: Borrower,
  tier: number,
  priceUsd: number,
): number {
  const terms = params.tiers[tier]!;
  const wanted = borrower.utilisation * (terms.maxLtvBps / 10_000) * borrower.collateralWeth * priceUsd;
  const capped = Math.min(wanted, 0.95 * Number(terms.creditLimit));
  return Math.max(MIN_DEBT_VUSD, Math.floor(capped * 100) / 100);
}
