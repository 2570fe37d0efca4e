/**
 * Can a small extra payment game the credit score? On the model's own test split (re-derived from the committed
 * data and split seed), through onnxruntime on the shipped model file.
 *
 *   npm run bench:gaming            # a table, with targets
 *   npm run bench:gaming -- --json  # one JSON object (below)
 *
 * Applicants: the test rows with threshold < PD ≤ threshold + 4 pp (the model's `approval_pd_threshold`). An extra
 * payment is added to the latest month's payment `PAY_AMT1` (the one an applicant can still make before applying)
 * at every grid amount up to each cap (NT$1, 10, 50, 100, 250, 500, 1,000, … and the cap itself):
 *   crossAt100, crossAt1000, crossAt10pctLimit   share of those applicants whose PD gets to ≤ threshold within the
 *                                                cap (NT$100, NT$1,000, 10 % of the applicant's limit)
 *   medianPdChangeAt100, …At1000, …At10pctLimit  median over the applicants of the largest PD change within the cap
 *                                                (PD after − before; negative = lower PD)
 *   anyMonth                                     the same figures when the payment may go into whichever single
 *                                                `PAY_AMT*` lowers the PD most (worst case)
 * The same computation (`oracle/training/robustness.ts`) fills the model card's gaming table.
 */
import { fileURLToPath } from "node:url";

import { Command } from "commander";

import { loadCreditModel } from "../../oracle/src/model/index.js";
import { loadDataset, selectColumns } from "../../oracle/training/data.js";
import { FEATURE_NAMES } from "../../oracle/training/features.js";
import { gamingReport, type GamingCap, type GamingScenario } from "../../oracle/training/robustness.js";
import { DEFAULT_SPLIT, stratifiedSplit } from "../../oracle/training/split.js";

const MODEL_PATH = fileURLToPath(new URL("../../oracle/model/credit-model.onnx", import.meta.url));
/** The issue's targets for the latest month's payment. */
const TARGETS: Partial<Record<GamingCap, number>> = { at100: 0, at1000: 0.1 };

const program = new Command()
  .name("bench:gaming")
  .description(
    "Share of near-threshold applicants an extra payment of ≤ NT$100, ≤ NT$1,000 or ≤ 10 % of the limit brings below the approval threshold",
  )
  .option("--json", "print one JSON object instead of a table")
  .option("--model <path>", "ONNX model file", MODEL_PATH)
  .parse();
const opts = program.opts<{ json?: boolean; model: string }>();

const model = await loadCreditModel(opts.model);
const data = loadDataset();
const test = stratifiedSplit(data.target, DEFAULT_SPLIT).test;
if (model.featureNames.join() !== FEATURE_NAMES.join())
  throw new Error(`${opts.model}: feature_names differ from the training pipeline's`);
const report = await gamingReport(
  (raw) => model.predict(raw),
  selectColumns(data, FEATURE_NAMES, test),
  model.approvalPdThreshold,
);

const figures = (s: Record<GamingCap, GamingScenario>) => ({
  crossAt100: s.at100.crossShare,
  crossAt1000: s.at1000.crossShare,
  crossAt10pctLimit: s.at10pctLimit.crossShare,
  medianPdChangeAt100: s.at100.medianPdChange,
  medianPdChangeAt1000: s.at1000.medianPdChange,
  medianPdChangeAt10pctLimit: s.at10pctLimit.medianPdChange,
});

if (opts.json) {
  console.log(
    JSON.stringify({
      modelId: model.modelId,
      threshold: report.threshold,
      band: report.band,
      testRows: test.length,
      applicants: report.applicants,
      ...figures(report.latestMonth),
      anyMonth: figures(report.anyMonth),
    }),
  );
} else {
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const pp = (v: number) => `${(v * 100).toFixed(3)} pp`;
  console.log(
    `model ${model.modelId}; threshold ${report.threshold}; ${report.applicants} of ${test.length} test applicants with PD in (${report.threshold}, ${report.threshold + report.band}]`,
  );
  console.log(
    "| extra payment      | PAY_AMT1: crossed | median ΔPD  | any month: crossed | median ΔPD  | target (PAY_AMT1) |",
  );
  console.log(
    "|--------------------|-------------------|-------------|--------------------|-------------|-------------------|",
  );
  const labels: Record<GamingCap, string> = {
    at100: "≤ NT$100",
    at1000: "≤ NT$1,000",
    at10pctLimit: "≤ 10 % of limit",
  };
  for (const cap of ["at100", "at1000", "at10pctLimit"] as const) {
    const l = report.latestMonth[cap];
    const a = report.anyMonth[cap];
    const target = TARGETS[cap];
    const verdict =
      target === undefined ? "—" : `${target === 0 ? "0 %" : `≤ ${pct(target)}`} ${l.crossShare <= target ? "✓" : "✗"}`;
    console.log(
      `| ${labels[cap].padEnd(18)} | ${`${pct(l.crossShare)} (${l.crossed})`.padStart(17)} | ${pp(l.medianPdChange).padStart(11)} | ${`${pct(a.crossShare)} (${a.crossed})`.padStart(18)} | ${pp(a.medianPdChange).padStart(11)} | ${verdict.padEnd(17)} |`,
    );
  }
}
