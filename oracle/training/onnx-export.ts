/**
 * Builds the ONNX model (opset 17, IR 8) with `onnx-proto`: raw `features` → feature ops → standardisation →
 * ensemble of networks → mean logit → Platt scaling → `pd`. Weights are float32 initializers; everything the score
 * depends on is inside the file, so its sha256 (the on-chain `modelId`) pins the whole scoring function.
 */
import onnxProto from "onnx-proto";
import type { FeatureOp, Standardiser } from "./features.js";
import { monoActivation, type Calibration, type NetworkWeights } from "./network.js";

const { onnx } = onnxProto;

export const OPSET_VERSION = 17;
export const IR_VERSION = 8;
export const INPUT_NAME = "features";
export const OUTPUT_NAME = "pd";

class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  private fresh(hint: string): string {
    return `${hint}_${++this.counter}`;
  }

  floats(name: string, dims: number[], values: ArrayLike<number>): string {
    const data = Float32Array.from(values as ArrayLike<number>);
    this.initializers.push({
      name,
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  scalar(value: number): string {
    return this.floats(this.fresh("const"), [], [value]);
  }

  int64s(name: string, values: number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  node(opType: string, inputs: string[], output?: string, attributes: onnxProto.onnx.IAttributeProto[] = []): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, input: inputs, output: [out], name: this.fresh(`n_${opType}`), attribute: attributes });
    return out;
  }
}

const intAttr = (name: string, i: number): onnxProto.onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i,
});
const intsAttr = (name: string, ints: number[]): onnxProto.onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints,
});

function emitFeatureOps(g: GraphBuilder, ops: readonly FeatureOp[], featureNames: readonly string[]): void {
  for (const op of ops) {
    switch (op.kind) {
      case "gather": {
        const idx = g.int64s(
          `${op.out}_columns`,
          op.columns.map((c) => {
            const j = featureNames.indexOf(c);
            if (j < 0) throw new Error(`feature ${c} is not among the model inputs`);
            return j;
          }),
        );
        g.node("Gather", [INPUT_NAME, idx], op.out, [intAttr("axis", 1)]);
        break;
      }
      case "signedLog": {
        const scaled = g.node("Div", [op.x, g.scalar(op.scale)]);
        const log = g.node("Log", [g.node("Add", [g.node("Abs", [scaled]), g.scalar(1)])]);
        g.node("Mul", [g.node("Sign", [scaled]), log], op.out);
        break;
      }
      case "negate":
        g.node("Neg", [op.x], op.out);
        break;
      case "safeDiv":
        g.node("Div", [op.num, g.node("Max", [op.den, g.scalar(op.floor)])], op.out);
        break;
      case "shiftClip": {
        const shifted = op.offset === 0 ? op.x : g.node("Add", [op.x, g.scalar(op.offset)]);
        g.node("Clip", [shifted, g.scalar(op.lo), g.scalar(op.hi)], op.out);
        break;
      }
      case "rowMax":
        g.node("ReduceMax", [op.x], op.out, [intsAttr("axes", [1]), intAttr("keepdims", 1)]);
        break;
      case "concat":
        g.node("Concat", [...op.xs], op.out, [intAttr("axis", 1)]);
        break;
    }
  }
}

/** One member network; its initializers and named outputs carry `prefix` so members can share a graph. */
function emitNetwork(g: GraphBuilder, weights: NetworkWeights, z: string, m: string, prefix: string): string {
  const w = (name: string): string => {
    const t = weights.tensors[name];
    if (t === undefined) throw new Error(`network weights lack ${name}`);
    return g.floats(`${prefix}${name}`, t.shape, t.data);
  };
  if (weights.kind !== "mlp") {
    return g.node(
      "Add",
      [g.node("Add", [g.node("MatMul", [z, w("lin_wz")]), g.node("MatMul", [m, w("lin_wm")])]), w("out_b")],
      `${prefix}logit`,
    );
  }
  const freeHidden = g.node(
    "Relu",
    [g.node("Add", [g.node("MatMul", [z, w("free_W1")]), w("free_b1")])],
    `${prefix}free_hidden`,
  );
  const freeLogit = g.node("MatMul", [freeHidden, w("free_W2")], `${prefix}free_logit`);
  const monoPre = g.node("Add", [
    g.node("Add", [g.node("MatMul", [m, w("mono_Wm")]), g.node("MatMul", [z, w("mono_Wz")])]),
    w("mono_b"),
  ]);
  const act = monoActivation((weights.tensors.mono_v?.shape[0] as number) ?? 0);
  const monoHidden = g.node(
    "Add",
    [
      g.node("Mul", [g.node("Relu", [monoPre]), g.floats(`${prefix}mono_act_sign`, [act.sign.length], act.sign)]),
      g.node("Mul", [monoPre, g.floats(`${prefix}mono_act_linear`, [act.linear.length], act.linear)]),
    ],
    `${prefix}mono_hidden`,
  );
  const monoLogit = g.node("MatMul", [monoHidden, w("mono_v")], `${prefix}mono_logit`);
  return g.node("Add", [g.node("Add", [freeLogit, monoLogit]), w("out_b")], `${prefix}logit`);
}

export interface ExportInput {
  featureNames: readonly string[];
  featureOps: readonly FeatureOp[];
  freeStandardiser: Standardiser;
  monoStandardiser: Standardiser;
  /** Ensemble members; the output is sigmoid(scale · mean of their logits + bias). */
  members: NetworkWeights[];
  calibration: Calibration;
  /** ONNX `metadata_props`; values are strings (JSON where structured). */
  metadata: Record<string, string>;
  docString: string;
}

export function buildOnnxModel(input: ExportInput): Uint8Array {
  const g = new GraphBuilder();
  emitFeatureOps(g, input.featureOps, input.featureNames);
  const standardised = (block: string, s: Standardiser, out: string) =>
    g.node(
      "Div",
      [
        g.node("Sub", [block, g.floats(`${block}_mean`, [1, s.mean.length], s.mean)]),
        g.floats(`${block}_std`, [1, s.std.length], s.std),
      ],
      out,
    );
  const z = standardised("free", input.freeStandardiser, "z");
  const m = standardised("mono", input.monoStandardiser, "m");
  if (input.members.length === 0) throw new Error("no network to export");
  const memberLogits = input.members.map((weights, k) => emitNetwork(g, weights, z, m, `net${k}_`));
  const meanLogit =
    memberLogits.length === 1 ? (memberLogits[0] as string) : g.node("Mean", memberLogits, "mean_logit");
  const scaled = g.node("Mul", [meanLogit, g.floats("calibration_scale", [], [input.calibration.scale])]);
  g.node(
    "Sigmoid",
    [g.node("Add", [scaled, g.floats("calibration_bias", [], [input.calibration.bias])], "calibrated_logit")],
    OUTPUT_NAME,
  );

  const floatTensor = (dims: onnxProto.onnx.TensorShapeProto.IDimension[]): onnxProto.onnx.ITypeProto => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } },
  });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET_VERSION }],
    producerName: "verity-oracle-training",
    producerVersion: input.metadata.model_version ?? "",
    docString: input.docString,
    graph: {
      name: "verity_credit_model",
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: INPUT_NAME, type: floatTensor([{ dimParam: "N" }, { dimValue: input.featureNames.length }]) }],
      output: [{ name: OUTPUT_NAME, type: floatTensor([{ dimParam: "N" }, { dimValue: 1 }]) }],
    },
    metadataProps: Object.entries(input.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
