import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { writeModelCard } from "../../oracle/training/card.js";
import { DEFAULT_OPTIONS, runPipeline, sha256Hex } from "../../oracle/training/pipeline.js";
import { loadCreditModel } from "../../oracle/src/model/index.js";
import { explainApplication } from "../../oracle/src/explain/index.js";

describe("training pipeline (smoke: a tiny model through the real code)", function () {
  this.timeout(60_000);

  it("trains, exports, checks parity, directions, cliff and gaming, and writes a card in seconds", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "verity-train-"));
    const modelPath = path.join(out, "credit-model.onnx");
    const { report, modelBytes } = await runPipeline({
      ...DEFAULT_OPTIONS,
      backend: "cpu",
      ensembleSize: 2,
      trainRowLimit: 3000,
      network: { ...DEFAULT_OPTIONS.network, maxEpochs: 3, timeBudgetMs: 10_000 },
      baseline: { ...DEFAULT_OPTIONS.baseline, maxEpochs: 2, timeBudgetMs: 5_000 },
      bootstrap: { resamples: 100, seed: 1 },
      robustnessRowLimit: 200,
      modelPath,
      log: () => {},
    });
    writeModelCard(out, report, `0x${sha256Hex(modelBytes)}`, (file, text) => writeFileSync(file, text));
    expect(report.data.split.train).to.equal(3000);
    expect(report.network.epochsRun.every((n) => n <= 3)).to.equal(true);
    expect(report.test.network.auc).to.be.greaterThan(0.65);
    expect(report.parity.maxAbsDiff).to.be.at.most(1e-5);
    expect(report.robustness.sweeps.reduce((sum, s) => sum + s.violations, 0)).to.equal(0);
    expect(report.robustness.rows).to.equal(200);
    expect(report.network.constrainedWeightsNonNegative).to.equal(true);
    expect(report.network.calibration.scale).to.be.greaterThan(0);
    expect(report.aucComparison.logisticEngineered.delta.lo).to.be.at.most(
      report.aucComparison.logisticEngineered.delta.hi,
    );
    for (const f of [
      "MODEL_CARD.md",
      "MODEL_CARD.json",
      "plots/roc.svg",
      "plots/reliability.svg",
      "plots/fairness.svg",
      "plots/dir.svg",
    ]) {
      expect(existsSync(path.join(out, f)), f).to.equal(true);
    }
    const model = await loadCreditModel(modelPath);
    const e = await explainApplication(model, JSON.parse(model.metadata.shapley_baseline as string) as number[]);
    expect(e.attributions.every((a) => Math.abs(a.value) < 1e-9)).to.equal(true);
  });

  it("refuses data whose sha256 differs", async () => {
    try {
      await runPipeline({
        ...DEFAULT_OPTIONS,
        backend: "cpu",
        expectedSha256: "0".repeat(64),
        modelPath: "/nonexistent/x.onnx",
        log: () => {},
      });
      expect.fail("expected a rejection");
    } catch (error) {
      expect((error as Error).message).to.match(/has sha256 9a1c19f2.*expected 0000/);
    }
  });
});
