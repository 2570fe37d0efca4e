/**
 * `npm run train`: trains the credit model from the committed data and writes
 * `oracle/model/credit-model.onnx`, `MODEL_CARD.md`, `MODEL_CARD.json` and `plots/*.svg`.
 * The written files depend only on the data and the code (no timings), so a rerun reproduces them byte for byte.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { writeModelCard } from "./card.js";
import { DEFAULT_OPTIONS, runPipeline, sha256Hex } from "./pipeline.js";
import type { BackendName } from "./tf-backend.js";

const program = new Command()
  .name("train")
  .description("Train the Verity credit model and write the ONNX file and its model card")
  .option("--out <dir>", "output directory", fileURLToPath(new URL("../model/", import.meta.url)))
  .option("--backend <name>", "TensorFlow.js backend: wasm or cpu", DEFAULT_OPTIONS.backend)
  .option("--max-epochs <n>", "upper bound on network epochs", String(DEFAULT_OPTIONS.network.maxEpochs))
  .parse();
const opts = program.opts<{ out: string; backend: BackendName; maxEpochs: string }>();

const started = Date.now();
const outDir = path.resolve(opts.out);
mkdirSync(outDir, { recursive: true });
const modelPath = path.join(outDir, "credit-model.onnx");
const { report, modelBytes } = await runPipeline({
  ...DEFAULT_OPTIONS,
  backend: opts.backend,
  network: { ...DEFAULT_OPTIONS.network, maxEpochs: Number(opts.maxEpochs) },
  modelPath,
  log: (line) => console.log(line),
});
const modelId = `0x${sha256Hex(modelBytes)}`;
writeModelCard(outDir, report, modelId, (file, text) => writeFileSync(file, text));
console.log(`wrote ${modelPath}`);
console.log(`modelId ${modelId}`);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
