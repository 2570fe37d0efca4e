/**
 * Exact Shapley values over feature groups (interventional, single baseline applicant).
 *
 * With G groups, all 2^G coalitions are scored in ONE batch: row `mask` takes the applicant's values for the
 * groups whose bit is set and the baseline's elsewhere. Then
 *   φ_i = Σ_{S ⊆ G∖{i}} |S|! (G−|S|−1)! / G! · (f(S ∪ {i}) − f(S)),
 * which is deterministic (no sampling) and efficient: Σ φ_i = f(x) − f(baseline) exactly, up to float rounding.
 */

export interface ShapleyResult {
  /** f(x): the model output for the applicant (row with every group from x). */
  fx: number;
  /** f(baseline). */
  fBaseline: number;
  /** One value per group, in group order. */
  values: number[];
}

export const MAX_EXACT_GROUPS = 12;

/** Coalition rows for `x` against `baseline`, flat row-major: 2^G rows of F values. */
export function coalitionBatch(
  x: readonly number[],
  baseline: readonly number[],
  groups: readonly (readonly number[])[],
): Float32Array {
  const width = x.length;
  const rows = 1 << groups.length;
  const batch = new Float32Array(rows * width);
  for (let mask = 0; mask < rows; mask++) {
    batch.set(baseline, mask * width);
    groups.forEach((columns, g) => {
      if (mask & (1 << g)) for (const c of columns) batch[mask * width + c] = x[c] as number;
    });
  }
  return batch;
}

function factorials(n: number): number[] {
  const out = [1];
  for (let i = 1; i <= n; i++) out.push((out[i - 1] as number) * i);
  return out;
}

/** Shapley values from the scores of all 2^G coalitions (index = bit mask of groups taken from x). */
export function shapleyFromCoalitions(scores: ArrayLike<number>, groupCount: number): ShapleyResult {
  const full = (1 << groupCount) - 1;
  if (scores.length !== full + 1)
    throw new Error(`shapley: expected ${full + 1} coalition scores, got ${scores.length}`);
  const fact = factorials(groupCount);
  const weight = (size: number) =>
    ((fact[size] as number) * (fact[groupCount - size - 1] as number)) / (fact[groupCount] as number);
  const values = new Array<number>(groupCount).fill(0);
  for (let mask = 0; mask <= full; mask++) {
    let size = 0;
    for (let m = mask; m; m &= m - 1) size++;
    for (let g = 0; g < groupCount; g++) {
      const bit = 1 << g;
      if (mask & bit) continue;
      values[g] = (values[g] as number) + weight(size) * ((scores[mask | bit] as number) - (scores[mask] as number));
    }
  }
  return { fx: scores[full] as number, fBaseline: scores[0] as number, values };
}

/** Exact group Shapley values of `predict` at `x`, with one call to `predict` on 2^G rows. */
export async function exactGroupShapley(
  predict: (rows: Float32Array) => Promise<Float32Array>,
  x: readonly number[],
  baseline: readonly number[],
  groups: readonly (readonly number[])[],
): Promise<ShapleyResult> {
  if (x.length !== baseline.length)
    throw new Error(`shapley: applicant has ${x.length} features, baseline ${baseline.length}`);
  if (groups.length === 0 || groups.length > MAX_EXACT_GROUPS)
    throw new Error(`shapley: ${groups.length} groups (1..${MAX_EXACT_GROUPS} supported)`);
  const scores = await predict(coalitionBatch(x, baseline, groups));
  return shapleyFromCoalitions(scores, groups.length);
}
