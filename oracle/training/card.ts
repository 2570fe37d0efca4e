/**
 * Writes `MODEL_CARD.md`, `MODEL_CARD.json` and the SVG plots from a training report. Nothing here depends on the
 * clock or the machine, so `npm run train` rewrites the same bytes.
 */
import { mkdirSync } from "node:fs";
import type { Interval } from "./bootstrap.js";
import type { ModelEvaluation } from "./evaluate.js";
import type { FairnessReport } from "./fairness.js";
import type { TrainingReport } from "./pipeline.js";
import { barChart, intervalChart, lineChart } from "./plots.js";
import { THRESHOLD_GRID } from "./threshold.js";

/** The issue's acceptance targets, on our own test split. */
export const TARGETS = {
  minAuc: 0.78,
  maxEce: 0.015,
  minDeltaAucLowerBound: 0,
  minDir: 0.85,
  minDirLowerBound: 0.8,
  maxAbsEod: 0.03,
  maxDirectionViolations: 0,
  directionTolerance: 1e-6,
  maxCliff: 0.005,
  maxCrossAt100: 0,
  maxCrossAt1000: 0.1,
};

const f4 = (v: number) => v.toFixed(4);
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const pp = (v: number) => `${(v * 100).toFixed(3)} pp`;
const ci = (i: Interval) => `${f4(i.estimate)} [${f4(i.lo)}, ${f4(i.hi)}]`;

export interface TargetCheck {
  target: string;
  required: string;
  measured: string;
  met: boolean;
}

export function checkTargets(r: TrainingReport): TargetCheck[] {
  const net = r.test.network;
  const checks: TargetCheck[] = [
    { target: "network AUC", required: `≥ ${TARGETS.minAuc}`, measured: f4(net.auc), met: net.auc >= TARGETS.minAuc },
    { target: "ECE (10 bins)", required: `≤ ${TARGETS.maxEce}`, measured: f4(net.ece), met: net.ece <= TARGETS.maxEce },
  ];
  for (const [label, c] of [
    ["logistic (engineered)", r.aucComparison.logisticEngineered],
    ["monotone logistic", r.aucComparison.logisticMonotone],
  ] as const) {
    checks.push({
      target: `ΔAUC vs ${label}, 95 % lower bound`,
      required: `> ${TARGETS.minDeltaAucLowerBound}`,
      measured: `${f4(c.delta.lo)} (Δ ${f4(c.delta.estimate)})`,
      met: c.delta.lo > TARGETS.minDeltaAucLowerBound,
    });
  }
  for (const f of [r.fairness.sex, r.fairness.age]) {
    for (const g of f.groups) {
      if (g.group === f.reference) continue;
      const name = `${f.attribute} ${g.group} (vs ${f.reference})`;
      checks.push({
        target: `DIR ${name}`,
        required: `≥ ${TARGETS.minDir}`,
        measured: f4(g.dir.estimate),
        met: g.dir.estimate >= TARGETS.minDir,
      });
      checks.push({
        target: `DIR ${name}, 95 % lower bound`,
        required: `≥ ${TARGETS.minDirLowerBound}`,
        measured: f4(g.dir.lo),
        met: g.dir.lo >= TARGETS.minDirLowerBound,
      });
      checks.push({
        target: `abs(EOD) ${name}`,
        required: `≤ ${TARGETS.maxAbsEod}`,
        measured: f4(Math.abs(g.eod.estimate)),
        met: Math.abs(g.eod.estimate) <= TARGETS.maxAbsEod,
      });
    }
  }
  const violations = r.robustness.sweeps.reduce((s, w) => s + w.violations, 0);
  checks.push({
    target: `direction sweeps: steps against a stated direction by > ${TARGETS.directionTolerance}`,
    required: `${TARGETS.maxDirectionViolations}`,
    measured: String(violations),
    met: violations <= TARGETS.maxDirectionViolations,
  });
  const cliff = r.robustness.cliff;
  checks.push({
    target: `max abs(ΔPD), any PAY_AMT* from 0 to NT$${cliff.amount}`,
    required: `≤ ${pp(TARGETS.maxCliff)}`,
    measured: pp(cliff.maxAbsChange),
    met: cliff.maxAbsChange <= TARGETS.maxCliff,
  });
  const g = r.robustness.gaming.latestMonth;
  checks.push({
    target: "crossAt100 (latest month's payment)",
    required: `${pct(TARGETS.maxCrossAt100)}`,
    measured: pct(g.at100.crossShare),
    met: g.at100.crossShare <= TARGETS.maxCrossAt100,
  });
  checks.push({
    target: "crossAt1000 (latest month's payment)",
    required: `≤ ${pct(TARGETS.maxCrossAt1000)}`,
    measured: pct(g.at1000.crossShare),
    met: g.at1000.crossShare <= TARGETS.maxCrossAt1000,
  });
  return checks;
}

function metricsRow(name: string, e: ModelEvaluation): string {
  return `| ${name} | ${f4(e.auc)} | ${f4(e.ks)} | ${f4(e.brier)} | ${f4(e.logLoss)} | ${f4(e.ece)} | ${pct(e.confusion.approvalRate)} | ${pct(e.confusion.approvedDefaultRate)} |`;
}

function fairnessTable(f: FairnessReport): string {
  const rows = f.groups.map(
    (g) =>
      `| ${g.group}${g.group === f.reference ? " (reference)" : ""} | ${g.count} | ${pct(g.defaultRate)} | ${f4(g.meanPd)} | ${pct(g.approvalRate)} | ${pct(g.approvalRateNonDefaulters)} | ${g.group === f.reference ? "1" : ci(g.dir)} | ${g.group === f.reference ? "0" : ci(g.eod)} |`,
  );
  return [
    `| ${f.attribute} | rows | default rate | mean PD | approval rate | approval rate, non-defaulters | DIR [95 % CI] | EOD [95 % CI] |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}

const DIRECTION_TEXT: Record<number, string> = {
  1: "↑ non-decreasing (enforced)",
  [-1]: "↓ non-increasing (enforced)",
  0: "none enforced",
};

function validationAtThreshold(r: TrainingReport) {
  return r.thresholdCandidates.find((t) => t.threshold === r.approvalPdThreshold);
}

/** What validation said at the threshold, next to the test split's figure, so a gap between the two is visible. */
function validationNote(r: TrainingReport): string {
  const v = validationAtThreshold(r);
  if (!v) return "";
  const test = r.fairness.age.equalOpportunityDifference;
  const missed = Math.abs(v.eodAge) > TARGETS.maxAbsEod;
  return `On validation (the split the model was chosen on) the age band EOD of largest magnitude at ${r.approvalPdThreshold} is ${f4(v.eodAge)}${missed ? `, outside the ${TARGETS.maxAbsEod} target` : ""}; on test it is ${ci(test)}.${missed ? " Both splits hold only about 400 people under 25: the target is met on test, but not with confidence." : ""}`;
}

function validationAt(r: TrainingReport): string {
  const c = validationAtThreshold(r);
  if (!c) return "not scanned";
  return `approval rate ${pct(c.approvalRate)}, default rate among approved ${pct(c.approvedDefaultRate)}, lowest DIR by sex ${f4(c.dirSex)} and by age band ${f4(c.dirAge)}, largest EOD by sex ${f4(c.eodSex)} and by age band ${f4(c.eodAge)}`;
}

export function renderMarkdown(r: TrainingReport, modelId: string): string {
  const net = r.test.network;
  const c = net.confusion;
  const targets = checkTargets(r);
  const missed = targets.filter((t) => !t.met);
  const rob = r.robustness;
  const sweepSteps = rob.sweeps.reduce((s, w) => s + w.steps, 0);
  const sweepViolations = rob.sweeps.reduce((s, w) => s + w.violations, 0);
  const worstSweep = rob.sweeps.reduce((max, w) => Math.max(max, w.worst), -Infinity);
  const scales = r.features.amountScales;
  const cal = r.network.calibration;
  const gam = rob.gaming;
  const ref = r.reference.distributions;
  const auc = r.aucComparison;
  return `# Model card: Verity credit model ${r.modelVersion}

| | |
| --- | --- |
| file | \`oracle/model/credit-model.onnx\` (ONNX opset ${r.createdWith.opset}, IR ${r.createdWith.irVersion}) |
| **modelId** (sha256 of the file, recorded on chain) | \`${modelId}\` |
| training data sha256 | \`${r.data.sha256}\` |
| approval threshold | deny credit when PD > **${r.approvalPdThreshold}** |
| reference distributions | metadata \`reference_distributions\` (sha256 of its JSON \`${r.reference.sha256}\`) |
| trained by | \`npm run train\` (TensorFlow.js ${r.createdWith.backend} backend, seed ${r.createdWith.seed}); reproduces this file byte for byte |

Machine-readable: \`MODEL_CARD.json\` (same numbers, plus the per-epoch history, threshold scan and bootstrap settings).

## Intended use
Probability that a borrower misses next month's payment (PD), scored off chain by each oracle node from raw
application fields; the chain stores \`pdBps\` and up to four reason codes. Not for use on populations unlike
the training data (Taiwanese credit-card holders, April–September 2005) without re-validation.

## Data
- UCI no. 350 "Default of Credit Card Clients" (Yeh & Lien 2009, doi:10.24432/C55S3H, CC BY 4.0): the
  project's development partition, ${r.data.rows} rows, ${r.data.defaults} defaults (${pct(r.data.defaults / r.data.rows)}), committed at
  \`${r.data.path}\` with its attribution. 20 % of the original rows are held out by the project; nothing here
  was tuned on them.
- Split (seeded PRNG, seed ${r.data.split.seed}, stratified by the target): train ${r.data.split.train}, validation
  ${r.data.split.validation}, test ${r.data.split.test} (default rate ${pct(r.data.split.testDefaultRate)}). Everything was chosen on train/validation;
  the test split is only reported.

## Inputs and their directions
Input \`features\`: float32 [N, ${r.features.inputs.length}], raw fields in this order (metadata \`feature_names\`):
\`${r.features.inputs.join(", ")}\`. Metadata \`feature_directions\` lists the direction of each (1, −1, 0).

| input | PD as the input grows | why |
| --- | --- | --- |
| \`PAY_0\`, \`PAY_2\` … \`PAY_6\` (repayment status) | ${DIRECTION_TEXT[1]} | a longer delay is worse news; the undocumented codes −2 and 0 keep their numeric order (−2 < −1 < 0 < 1 …) |
| \`LIMIT_BAL\` (credit limit) | ${DIRECTION_TEXT[-1]} | the lender's own assessment of capacity, and more headroom for the same balance; default falls from 34 % (limit < NT$30k) to 12 % (≥ NT$500k) on the training split |
| \`PAY_AMT1\` … \`PAY_AMT6\` (amounts paid) | ${DIRECTION_TEXT[-1]} | an adverse-action notice that says "pay more" must be true: paying more can never raise the PD |
| \`BILL_AMT1\` … \`BILL_AMT6\` (bill statements) | ${DIRECTION_TEXT[0]}; ↑ through utilisation and payment shortfall | a bill is two things: debt (more is worse, which the model applies through utilisation and the shortfall, both ↑ in the bill) and activity: a zero balance is often an inactive account, which defaults *more* (25.2 % at utilisation 0 against 17.1 % at 0–10 % on the training split), so the bill alone gets no direction |

Engineered features (inside the ONNX graph, from raw fields) and how each keeps those directions:

- **Utilisation** \`max(BILL_AMTk, 0) / LIMIT_BAL\`, clipped to [0, 3], and the worst month's: **↑ (PD non-decreasing
  in utilisation)**. The share of the limit in use is the classic revolving-credit risk factor (default rises from
  17 % at 0–10 % to 27–28 % above 70 % utilisation on the training split). Through it the PD is non-decreasing in
  the bill and non-increasing in the limit. The positive part matters: a credit balance (negative bill) divided by a
  larger limit moves *up* towards 0, so \`BILL/LIMIT\` itself would let a higher limit raise the PD.
- **Payments** \`−ln(1 + PAY_AMTk / ${scales.payment.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")})\`: ↓ in the payment. The scale makes the curve almost linear over the
  payments seen (99 % of the latest payments are below NT$70,000 on the training split), so there is no steep region between no payment and a token one
  (the former \`ln(1 + PAY_AMT)\` put a third of its range between NT$0 and NT$100: the cliff).
- **Payment shortfall** \`−min(PAY_AMTk / max(BILL_AMT(k+1), ${scales.shortfallFloor.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")}), 1.5)\` (payment against the statement it pays, k = 1…5):
  ↓ in the payment, ↑ in the bill. The NT$${scales.shortfallFloor.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")} floor bounds how much a small payment on a tiny statement can move it.
- **Limit** \`−slog(LIMIT_BAL / ${scales.limit.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")})\` (\`slog(x) = sign(x)·ln(1+|x|)\`): ↓ in the limit.
- **Repayment status** only through non-decreasing functions: indicators "status ≥ −1, ≥ 0, ≥ 1, ≥ 2, ≥ 3",
  months of delay beyond 3 (clipped at 6), and the worst delay over the six months.
- **Bills** \`slog(BILL_AMTk / ${scales.bill.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")})\`: the only unconstrained columns.
- Standardisation with training-split means and standard deviations (positive, so directions are kept).

**Excluded:** \`SEX\` and \`MARRIAGE\` (prohibited bases; used only to measure fairness), \`ID\`.
**\`AGE\` is excluded** as an input: ECOA allows age only in an empirically derived system that does not
disfavour elderly applicants, and default risk here is U-shaped in age (27 % under 25, 28 % over 60), so a model
would learn to penalise both ends; the little it adds is not worth a protected basis. Age is used only to
measure fairness by age band and, in training only, in the equal-opportunity penalty below (never at scoring). \`EDUCATION\` is also excluded: it is a socio-economic proxy with undocumented
codes (0, 5, 6) and adds little beyond the payment history.

## Model
An ensemble of ${r.network.ensembleSize} monotone MLPs (seeds ${r.network.options.seed}…${r.network.options.seed + r.network.ensembleSize - 1}; ${r.network.parameters} parameters in all), trained with TensorFlow.js (Adam, lr ${r.network.options.learningRate}, batch ${r.network.options.batchSize},
L2 ${r.network.options.l2}, seeded Glorot initialisation and shuffling), early stopping on validation log loss
(patience ${r.network.options.patience}, at most ${r.network.options.maxEpochs} epochs; best epochs ${r.network.bestEpochs.join(", ")}). Each member:

\`logit = relu(z·W1 + b1)·W2 + act(m·Wm + z·Wz + bm)·v + b\`

\`z\` = the ${r.features.engineered.free.length} bill columns (${r.network.options.hiddenFree} hidden units, unconstrained); \`m\` = the ${r.features.engineered.mono.length} risk columns (${r.network.options.hiddenMono} hidden units), each
oriented so that it can only move with risk, with \`Wm ≥ 0\` and \`v ≥ 0\` (projected after every step). \`act\` is
relu on half of the units (convex) and \`min(x, 0)\` on the other half (concave), as in constrained monotonic
networks (Runje & Shankaranarayana 2023); both are non-decreasing, and together they fit concave responses that
relu alone cannot. Then \`pd = sigmoid(${f4(cal.scale)} · mean of the members' logits ${cal.bias < 0 ? "−" : "+"} ${f4(Math.abs(cal.bias))})\` (Platt scaling fitted on validation;
the scale is positive).

**Equal-opportunity penalty (a less discriminatory alternative).** Without it the network approved creditworthy
applicants under 25 markedly less often than others on validation (EOD −0.084 and DIR 0.84 at 0.28; model 1.0.0
had −0.064 and 0.86 there): their low limits and small payments stand in for age. So the training loss adds
${r.network.options.parityWeight ?? 0} × Σ over age bands of (band's mean PD among the batch's non-defaulters − the mean over all of them)². Of
the weights tried, 0, 2, 5 and 10 (three-member ensembles, validation), 2 was the smallest that lifted that DIR
above 0.87 with validation ECE under 0.015, for about 0.003 of validation AUC; 10 cost about 0.009 for no clear
further gain. (A penalty on the soft denial rate at 0.28 closed the gap more on validation but bunched PDs
just under the threshold, which hurt calibration and put more applicants within reach of gaming.) The baselines
train with the same penalty, so the ΔAUC comparisons are like for like.

**Why every direction holds by construction.** (1) Each risk column is non-decreasing in every ↑ input and
non-increasing in every ↓ input, and no bill column depends on a constrained input: \`checkFeatureDirections\`
(\`oracle/training/features.ts\`) derives this from the op list by sign propagation (a quotient counts as
non-increasing in its denominator only when its numerator is provably ≥ 0) and training refuses to start
otherwise. (2) Standardisation divides by positive numbers. (3) With \`Wm, v ≥ 0\` and non-decreasing activations
each member's logit is non-decreasing in every risk column, whatever the bills (they enter through \`Wz\` and the
free path, which no constrained input reaches). (4) The mean of the logits, a positive scale and the sigmoid keep
the order. The exported file is checked: all ${r.network.ensembleSize * 2} sign-constrained weight matrices are ≥ 0: ${r.network.constrainedWeightsNonNegative ? "yes" : "**no**"}.

Baselines, same split, same features, same training loop (logistic regression = no hidden layer):
- **logistic (raw fields)**: the ${r.features.inputs.length} raw input fields, standardised — the textbook baseline;
- **logistic (engineered)**: the network's own ${r.features.engineered.free.length + r.features.engineered.mono.length} engineered columns, unconstrained — a stronger baseline;
- **monotone logistic**: the same columns with non-negative weights on the risk columns — the same directions
  as the network, without its non-linearity.

## Performance (test split, ${r.data.split.test} rows)

| model | AUC | KS | Brier | log loss | ECE | approval rate | default rate among approved |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${metricsRow("**network**", net)}
${metricsRow("logistic (engineered features)", r.test.logisticEngineered)}
${metricsRow("monotone logistic (engineered features)", r.test.logisticMonotone)}
${metricsRow("logistic (raw fields)", r.test.logisticRaw)}

Validation AUC (used for model selection): network ${f4(r.validationAuc.network)}, logistic engineered ${f4(r.validationAuc.logisticEngineered)}, monotone logistic ${f4(r.validationAuc.logisticMonotone)}, logistic raw ${f4(r.validationAuc.logisticRaw)}.

**Is the network worth it?** Paired bootstrap on the test split (${auc.bootstrap.resamples} resamples of the ${r.data.split.test} rows, seed ${auc.bootstrap.seed};
percentile 95 % intervals), network AUC minus baseline AUC:

| baseline | baseline AUC [95 % CI] | ΔAUC [95 % CI] |
| --- | ---: | ---: |
| logistic (engineered features) | ${ci(auc.logisticEngineered.baselineAuc)} | ${ci(auc.logisticEngineered.delta)} |
| monotone logistic (engineered features) | ${ci(auc.logisticMonotone.baselineAuc)} | ${ci(auc.logisticMonotone.delta)} |
| logistic (raw fields) | ${ci(auc.logisticRaw.baselineAuc)} | ${ci(auc.logisticRaw.delta)} |

Network AUC ${ci(auc.logisticEngineered.auc)}.

![ROC](plots/roc.svg)

### Calibration
ECE ${f4(net.ece)} (10 equal-width bins, weighted by bin size).

| PD bin | rows | mean PD | observed default rate |
| --- | ---: | ---: | ---: |
${net.reliability
  .filter((b) => b.count > 0)
  .map((b) => `| ${b.lo.toFixed(1)}–${b.hi.toFixed(1)} | ${b.count} | ${f4(b.meanPredicted)} | ${f4(b.observedRate)} |`)
  .join("\n")}

![Reliability](plots/reliability.svg)

### Decision at the approval threshold (deny when PD > ${r.approvalPdThreshold})

| | defaulted | repaid |
| --- | ---: | ---: |
| denied | ${c.truePositives} | ${c.falsePositives} |
| approved | ${c.falseNegatives} | ${c.trueNegatives} |

Approval rate ${pct(c.approvalRate)}; default rate among approved ${pct(c.approvedDefaultRate)} (vs ${pct(r.data.split.testDefaultRate)} overall).

**Why ${r.approvalPdThreshold}.** It is the protocol's lending policy: the bound of the last, most conservative tier in
\`scripts/deploy/parameters.ts\`, chosen for model 1.0.0 on validation as the lowest 0.01 step whose decisions met
the fairness targets, and kept so that a new model does not silently change who is approved. This model is
trained to be fair at it (below). On validation, at ${r.approvalPdThreshold}: ${validationAt(r)}. \`MODEL_CARD.json\`
(\`thresholdCandidates\`) scans every threshold from ${THRESHOLD_GRID.from} to ${THRESHOLD_GRID.to} on validation. Denial here means no unsecured
credit from the score: collateralised borrowing stays available in the protocol.

## Fairness (test split, at the approval threshold)
Each group against the reference group, the one with the highest approval rate: DIR = group approval rate /
reference approval rate; EOD = approval rate among non-defaulters, group − reference. Intervals: percentile 95 %
from ${r.aucComparison.bootstrap.resamples} bootstrap resamples of the test rows (reference group held fixed).
${r.fairness.mergedBands.length > 0 ? `Age bands with fewer than ${r.fairness.minBandSize} people in the test split are merged into their neighbour: ${r.fairness.mergedBands.join("; ")}.` : `Every age band has at least ${r.fairness.minBandSize} people in the test split.`}

${validationNote(r)}

- Sex: lowest DIR ${ci(r.fairness.sex.disparateImpactRatio)}, EOD ${ci(r.fairness.sex.equalOpportunityDifference)}
- Age band: lowest DIR ${ci(r.fairness.age.disparateImpactRatio)}, largest EOD ${ci(r.fairness.age.equalOpportunityDifference)}

${fairnessTable(r.fairness.sex)}

${fairnessTable(r.fairness.age)}

![Approval rates by group](plots/fairness.svg)

![DIR by group with 95 % intervals](plots/dir.svg)

## Robustness: directions, payment cliff, gaming
Through onnxruntime on the shipped file, on all ${rob.rows} test applicants (\`oracle/training/robustness.ts\`;
\`test/model/robustness.test.ts\` repeats it on the committed file).

**Direction sweeps.** Each constrained input moved over its grid (limits and payments NT$0/1 … 10,000,000, status −2 … 9),
the other fields held at the applicant's values: ${sweepViolations} of ${sweepSteps} steps move the PD against the stated direction by more than ${TARGETS.directionTolerance}.${worstSweep > 0 ? ` The largest move against, ${worstSweep.toExponential(1)}, is float32 rounding inside onnxruntime (one unit in the last place of a PD near 0.5 is 6e-8); in exact arithmetic the construction admits none.` : ""}

| input | direction | steps | violations | largest move against |
| --- | --- | ---: | ---: | ---: |
${rob.sweeps.map((s) => `| \`${s.column}\` | ${s.direction > 0 ? "↑" : "↓"} | ${s.steps} | ${s.violations} | ${s.worst === 0 ? "0" : s.worst.toExponential(1)} |`).join("\n")}

**Payment cliff.** Setting any \`PAY_AMT*\` from 0 to NT$${rob.cliff.amount} moves the PD by at most ${pp(rob.cliff.maxAbsChange)}${rob.cliff.worst ? ` (\`${rob.cliff.worst.column}\`, ${f4(rob.cliff.worst.pdAtZero)} → ${f4(rob.cliff.worst.pdAtAmount)})` : ""} over ${rob.cliff.applicants} applicants × 6 columns (required ≤ ${pp(TARGETS.maxCliff)}).

**Gaming** (\`npm run bench:gaming\`): the ${gam.applicants} test applicants with ${r.approvalPdThreshold} < PD ≤ ${r.approvalPdThreshold} + ${gam.band}; an extra payment tried at
every grid amount up to the cap (NT$1, 10, 50, 100, 250, 500, 1,000, … and the cap itself); crossed = PD ≤ threshold after it.

| extra payment | into \`PAY_AMT1\` (the latest month, the one an applicant can still make): crossed | median ΔPD | into the best single month (worst case): crossed | median ΔPD |
| --- | ---: | ---: | ---: | ---: |
| ≤ NT$100 (\`crossAt100\`) | ${pct(gam.latestMonth.at100.crossShare)} (${gam.latestMonth.at100.crossed}) | ${pp(gam.latestMonth.at100.medianPdChange)} | ${pct(gam.anyMonth.at100.crossShare)} (${gam.anyMonth.at100.crossed}) | ${pp(gam.anyMonth.at100.medianPdChange)} |
| ≤ NT$1,000 (\`crossAt1000\`) | ${pct(gam.latestMonth.at1000.crossShare)} (${gam.latestMonth.at1000.crossed}) | ${pp(gam.latestMonth.at1000.medianPdChange)} | ${pct(gam.anyMonth.at1000.crossShare)} (${gam.anyMonth.at1000.crossed}) | ${pp(gam.anyMonth.at1000.medianPdChange)} |
| ≤ 10 % of the limit (\`crossAt10pctLimit\`) | ${pct(gam.latestMonth.at10pctLimit.crossShare)} (${gam.latestMonth.at10pctLimit.crossed}) | ${pp(gam.latestMonth.at10pctLimit.medianPdChange)} | ${pct(gam.anyMonth.at10pctLimit.crossShare)} (${gam.anyMonth.at10pctLimit.crossed}) | ${pp(gam.anyMonth.at10pctLimit.medianPdChange)} |

A payment of 10 % of the limit is a real change in the applicant's position, and the score is meant to reward it.
No score that rewards payments at all can promise 0 % at NT$100: it is continuous, so an applicant close enough
above the threshold crosses with any payment; what the model controls is how little a small payment moves it.

## Targets

| target | required | measured | met |
| --- | --- | ---: | --- |
${targets.map((t) => `| ${t.target} | ${t.required} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`).join("\n")}

${missed.length === 0 ? "All targets are met." : `**Missed:** ${missed.map((t) => `${t.target} = ${t.measured} (required ${t.required})`).join("; ")}.`}
${
  missed.some((t) => t.target === "network AUC")
    ? `
On validation (where every choice was made) the network reached AUC ${f4(r.validationAuc.network)}; the test split was not used to tune anything.
Every model scores lower on this test split than on validation (logistic engineered ${f4(r.validationAuc.logisticEngineered)} → ${f4(r.test.logisticEngineered.auc)}, raw
${f4(r.validationAuc.logisticRaw)} → ${f4(r.test.logisticRaw.auc)}); the AUC's 95 % interval on it is ${ci(auc.logisticEngineered.auc)}. The data set's published ceiling
(gradient boosting, with age, sex and education as inputs) is about 0.78–0.79.`
    : ""
}

## Reference distributions (for drift monitoring)
From the ${ref.rows} training rows, in the metadata \`reference_distributions\` (JSON; its sha256 is \`${r.reference.sha256}\`,
and the file's own sha256 — the modelId — pins it). Bins: ${ref.binRule}.
- Score (model PD) decile edges: ${ref.score.edges.map((e) => e.toFixed(4)).join(", ")}.
- Utilisation \`max(BILL_AMTk, 0) / LIMIT_BAL\` and payment ratio \`min(PAY_AMTk / max(BILL_AMT(k+1), 1), 1.5)\`: decile edges and shares per month.
- \`PAY_*\` mix (codes ${ref.payStatus.categories.join(", ")}), \`PAY_0\`: ${(ref.payStatus.shares.PAY_0 ?? []).map(pct).join(", ")}.
- Median \`LIMIT_BAL\`: NT$${ref.limitBal.median.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")} (with its decile edges).

## Explanations and reason codes
Exact Shapley values over the 8 feature groups of \`oracle/model/reason-codes.json\` (2⁸ = 256 coalitions scored in
one onnxruntime call), interventional with one baseline applicant: the **median of each raw input over the
training split** (\`${JSON.stringify(r.shapleyBaseline.values)}\`, stored in the model metadata \`shapley_baseline\`).
Attributions sum to PD(x) − PD(baseline). The up-to-four groups with the largest positive attributions become
the reason codes, with the adverse-action texts of the table. Deterministic: no sampling, so every node gets the
same codes. Because the PD cannot rise with a payment or a limit, "payment amounts are low" and "credit limit is
low" name changes that could only lower it.

## Export check
onnxruntime-node vs TensorFlow.js on the ${r.parity.rows} test rows: max |Δpd| = ${r.parity.maxAbsDiff.toExponential(2)} (required ≤ 1e-5).

## Limitations
- One market and period (Taiwan, 2005); PD is next-month default on a credit card, not a DeFi loan.
- Fairness is measured on sex and age band only; marital status and education are not audited here.
- The test split is 4,800 rows: see the intervals above. Its 60+ band is small, hence the merge.
- The directions are enforced one input at a time; a payment that also lowers the next bill would move two inputs.
- Not every choice could be made blind to the test split: the pipeline prints test figures, and three candidates
  (no fairness penalty; a soft-denial penalty; this one) were trained end to end during development. The choice
  between them rested on validation (fairness at 0.28, calibration) and on keeping the 0.28 policy, but the test
  split is no longer pristine; the project's held-out 20 % is the clean check.
`;
}

export function writeModelCard(
  outDir: string,
  r: TrainingReport,
  modelId: string,
  write: (file: string, text: string) => void,
): void {
  mkdirSync(`${outDir}/plots`, { recursive: true });
  const roc = (points: { fpr: number; tpr: number }[]) => points.map((p) => ({ x: p.fpr, y: p.tpr }));
  write(
    `${outDir}/plots/roc.svg`,
    lineChart("ROC, test split", "false positive rate", "true positive rate", [
      { label: `network (AUC ${f4(r.test.network.auc)})`, points: roc(r.roc.network) },
      { label: `logistic, engineered (${f4(r.test.logisticEngineered.auc)})`, points: roc(r.roc.logisticEngineered) },
      { label: `logistic, raw (${f4(r.test.logisticRaw.auc)})`, points: roc(r.roc.logisticRaw) },
      {
        label: "chance",
        points: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
        dashed: true,
      },
    ]),
  );
  const rel = (e: ModelEvaluation) =>
    e.reliability.filter((b) => b.count > 0).map((b) => ({ x: b.meanPredicted, y: b.observedRate }));
  write(
    `${outDir}/plots/reliability.svg`,
    lineChart("Reliability, test split", "mean predicted PD", "observed default rate", [
      { label: `network (ECE ${f4(r.test.network.ece)})`, points: rel(r.test.network), markers: true },
      {
        label: `logistic, engineered (${f4(r.test.logisticEngineered.ece)})`,
        points: rel(r.test.logisticEngineered),
        markers: true,
      },
      {
        label: "perfect calibration",
        points: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
        dashed: true,
      },
    ]),
  );
  const groups = [...r.fairness.sex.groups, ...r.fairness.age.groups];
  const bars = groups.map((g) => ({
    label: g.group,
    values: [
      { name: "approval rate", value: g.approvalRate },
      { name: "approval rate, non-defaulters", value: g.approvalRateNonDefaulters },
      { name: "default rate", value: g.defaultRate },
    ],
  }));
  write(
    `${outDir}/plots/fairness.svg`,
    barChart(`Approval at PD ≤ ${r.approvalPdThreshold} by sex and age band (test)`, "rate", bars),
  );
  write(
    `${outDir}/plots/dir.svg`,
    intervalChart(
      `DIR against the reference group, 95 % intervals (test)`,
      "DIR",
      groups.map((g) => ({ label: g.group, ...g.dir })),
      [TARGETS.minDirLowerBound, TARGETS.minDir],
      [0.6, 1.2],
    ),
  );
  const targets = checkTargets(r);
  write(
    `${outDir}/MODEL_CARD.json`,
    `${JSON.stringify({ modelId, file: "credit-model.onnx", ...r, targets }, null, 2)}\n`,
  );
  write(`${outDir}/MODEL_CARD.md`, renderMarkdown(r, modelId));
}
