/** Picks the TensorFlow.js backend: wasm (faster here) with its binaries from the installed package, or cpu. */
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export type BackendName = "wasm" | "cpu";

export async function useBackend(name: BackendName): Promise<typeof tf> {
  if (name === "wasm") {
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js"));
    setWasmPaths(`${dist}${path.sep}`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js backend ${name} is not available`);
  await tf.ready();
  return tf;
}
