/** Seeded, stratified train / validation / test split of the development data. */
import { mulberry32, shuffleInPlace } from "./random.js";

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface SplitOptions {
  seed: number;
  /** Fractions of each class; the test split takes the rest. */
  trainFraction: number;
  validationFraction: number;
}

export const DEFAULT_SPLIT: SplitOptions = { seed: 20240501, trainFraction: 0.6, validationFraction: 0.2 };

/**
 * Shuffles the row indices of each class with a seeded PRNG and cuts them at the same fractions, so every split has
 * the data set's default rate. Indices inside each split are sorted, making the split independent of class order.
 */
export function stratifiedSplit(target: Uint8Array, options: SplitOptions = DEFAULT_SPLIT): Split {
  const random = mulberry32(options.seed);
  const parts: { train: number[]; validation: number[]; test: number[] } = { train: [], validation: [], test: [] };
  for (const label of [0, 1]) {
    const indices: number[] = [];
    target.forEach((value, i) => {
      if (value === label) indices.push(i);
    });
    shuffleInPlace(indices, random);
    const nTrain = Math.round(indices.length * options.trainFraction);
    const nValidation = Math.round(indices.length * options.validationFraction);
    indices.forEach((index, i) =>
      (i < nTrain ? parts.train : i < nTrain + nValidation ? parts.validation : parts.test).push(index),
    );
  }
  const sorted = (xs: number[]) => Int32Array.from(xs.sort((a, b) => a - b));
  return { train: sorted(parts.train), validation: sorted(parts.validation), test: sorted(parts.test) };
}
