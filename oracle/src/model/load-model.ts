/**
 * Loads and validates the credit model (ONNX) for scoring with onnxruntime-node.
 * The file must have one input `features` float32 [N, F], one output `pd` float32 [N, 1], and the metadata keys in
 * `REQUIRED_METADATA`; anything else is rejected with an Error naming the problem.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";

const { onnx } = onnxProto;

export const MODEL_INPUT_NAME = "features";
export const MODEL_OUTPUT_NAME = "pd";
export const REQUIRED_METADATA = [
  "feature_names",
  "approval_pd_threshold",
  "model_version",
  "training_data_sha256",
  "metrics",
] as const;

export interface CreditModel {
  /** 0x-prefixed sha256 of the file bytes: the model's on-chain id. */
  modelId: string;
  featureNames: readonly string[];
  /** PD above which the protocol denies credit. */
  approvalPdThreshold: number;
  modelVersion: string;
  /** All `metadata_props` of the file, as strings. */
  metadata: Readonly<Record<string, string>>;
  /** PD per row; rows are `[N][F]` or a flat row-major Float32Array of N·F values in `featureNames` order. */
  predict(rows: Float32Array | number[][]): Promise<Float32Array>;
}

function fail(path: string, problem: string): never {
  throw new Error(`credit model ${path}: ${problem}`);
}

type ValueInfo = onnxProto.onnx.IValueInfoProto;

function checkTensor(path: string, info: ValueInfo | undefined, name: string, width: number | null): void {
  if (info?.name !== name)
    fail(path, `expected ${name === MODEL_INPUT_NAME ? "input" : "output"} "${name}", found "${info?.name ?? "none"}"`);
  const tensor = info.type?.tensorType;
  if (tensor?.elemType !== onnx.TensorProto.DataType.FLOAT) fail(path, `"${name}" must be float32`);
  const dims = tensor.shape?.dim ?? [];
  if (dims.length !== 2) fail(path, `"${name}" must have shape [N, ${width ?? "F"}], found rank ${dims.length}`);
  const second: unknown = dims[1]?.dimValue;
  if (width !== null && Number(second) !== width)
    fail(path, `"${name}" must have shape [N, ${width}], found [N, ${String(second)}]`);
}

function parseJson<T>(path: string, key: string, text: string, check: (v: unknown) => v is T, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail(path, `metadata "${key}" is not JSON`);
  }
  if (!check(value)) fail(path, `metadata "${key}" must be ${what}`);
  return value;
}

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && s.length > 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads, validates and opens a credit model; throws an Error naming the problem. */
export async function loadCreditModel(path: string): Promise<CreditModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    fail(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (bytes.length === 0) fail(path, "the file is empty");
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (error) {
    fail(path, `not a valid ONNX file (${(error as Error).message})`);
  }
  const graph = proto.graph;
  if (!graph?.node?.length) fail(path, "not a valid ONNX file (no graph)");
  const graphInputs = graph.input ?? [];
  const graphOutputs = graph.output ?? [];
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));

  const metadata: Record<string, string> = {};
  for (const prop of proto.metadataProps) if (prop.key) metadata[prop.key] = prop.value ?? "";
  for (const key of REQUIRED_METADATA) if (metadata[key] === undefined) fail(path, `missing metadata "${key}"`);
  const featureNames = parseJson(
    path,
    "feature_names",
    metadata.feature_names as string,
    isStringArray,
    "a JSON array of column names",
  );
  if (new Set(featureNames).size !== featureNames.length) fail(path, `metadata "feature_names" has duplicates`);
  const approvalPdThreshold = Number(metadata.approval_pd_threshold);
  if (!(approvalPdThreshold > 0 && approvalPdThreshold < 1))
    fail(path, `metadata "approval_pd_threshold" must be a number in (0, 1)`);
  parseJson(path, "metrics", metadata.metrics as string, isObject, "a JSON object");
  if (!/^[0-9a-f]{64}$/.test(metadata.training_data_sha256 as string))
    fail(path, `metadata "training_data_sha256" must be 64 hex digits`);

  const inputs = graphInputs.filter((i) => !initializers.has(i.name));
  if (inputs.length !== 1) fail(path, `expected exactly one input "${MODEL_INPUT_NAME}", found ${inputs.length}`);
  checkTensor(path, inputs[0], MODEL_INPUT_NAME, featureNames.length);
  if (graphOutputs.length !== 1)
    fail(path, `expected exactly one output "${MODEL_OUTPUT_NAME}", found ${graphOutputs.length}`);
  checkTensor(path, graphOutputs[0], MODEL_OUTPUT_NAME, 1);

  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (error) {
    fail(path, `onnxruntime cannot load the graph (${(error as Error).message})`);
  }
  const width = featureNames.length;
  const modelId = `0x${createHash("sha256").update(bytes).digest("hex")}`;

  async function predict(rows: Float32Array | number[][]): Promise<Float32Array> {
    let flat: Float32Array;
    if (rows instanceof Float32Array) {
      if (rows.length % width !== 0)
        throw new Error(`predict: ${rows.length} values is not a multiple of ${width} features`);
      flat = rows;
    } else {
      flat = new Float32Array(rows.length * width);
      rows.forEach((row, r) => {
        if (row.length !== width) throw new Error(`predict: row ${r} has ${row.length} values, expected ${width}`);
        flat.set(row, r * width);
      });
    }
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isFinite(flat[i]))
        throw new Error(`predict: row ${Math.floor(i / width)} feature ${featureNames[i % width]} is not finite`);
    }
    const n = flat.length / width;
    if (n === 0) return new Float32Array(0);
    const out = await session.run({ [MODEL_INPUT_NAME]: new ort.Tensor("float32", flat, [n, width]) });
    return (out[MODEL_OUTPUT_NAME] as ort.Tensor).data as Float32Array;
  }

  return {
    modelId,
    featureNames,
    approvalPdThreshold,
    modelVersion: metadata.model_version as string,
    metadata,
    predict,
  };
}
