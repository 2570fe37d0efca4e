/** The reason-code table: feature groups of the explanation, each with a code and an adverse-action sentence. */

export interface ReasonCode {
  /** Small positive integer, uint16 on chain; 0 is reserved for "no code". */
  code: number;
  /** Feature-group id, also the attribution's `feature` name. */
  group: string;
  /** Raw model inputs in the group. */
  features: string[];
  /** Adverse-action text (ECOA / Regulation B style). */
  text: string;
}

/** Regulation B asks for the principal reasons; the chain stores at most four. */
export const MAX_REASON_CODES = 4;
/** Attributions below this PD change are treated as no push at all (well above float32 noise). */
export const MIN_ADVERSE_ATTRIBUTION = 1e-6;

/** Parses and checks a table: codes unique in 1..65535, every model feature in exactly one group. */
export function parseReasonCodes(json: unknown, featureNames: readonly string[]): ReasonCode[] {
  const codes = (json as { codes?: unknown })?.codes;
  if (!Array.isArray(codes) || codes.length === 0) throw new Error("reason codes: expected { codes: [...] }");
  const seenCodes = new Set<number>();
  const owner = new Map<string, string>();
  const table = codes.map((entry: unknown, i): ReasonCode => {
    const e = entry as Partial<ReasonCode>;
    if (!Number.isInteger(e.code) || (e.code as number) < 1 || (e.code as number) > 0xffff)
      throw new Error(`reason codes[${i}]: code must be an integer in 1..65535`);
    if (seenCodes.has(e.code as number)) throw new Error(`reason codes[${i}]: duplicate code ${e.code}`);
    seenCodes.add(e.code as number);
    if (typeof e.group !== "string" || typeof e.text !== "string" || e.text.length === 0)
      throw new Error(`reason codes[${i}]: group and text are required`);
    if (!Array.isArray(e.features) || e.features.length === 0)
      throw new Error(`reason codes[${i}]: features must be a non-empty array`);
    for (const f of e.features) {
      if (!featureNames.includes(f)) throw new Error(`reason codes[${i}]: ${f} is not a model feature`);
      if (owner.has(f)) throw new Error(`reason codes[${i}]: ${f} is already in group ${owner.get(f)}`);
      owner.set(f, e.group);
    }
    return { code: e.code as number, group: e.group, features: [...e.features], text: e.text };
  });
  const missing = featureNames.filter((f) => !owner.has(f));
  if (missing.length > 0) throw new Error(`reason codes: features without a group: ${missing.join(", ")}`);
  return table;
}

/**
 * Up to four codes for the groups that raised the PD the most: positive attributions only, largest first
 * (ties broken by the smaller code, so every node orders them the same way).
 */
export function selectReasonCodes(table: readonly ReasonCode[], attributions: readonly number[]): ReasonCode[] {
  return table
    .map((entry, i) => ({ entry, value: attributions[i] as number }))
    .filter((a) => a.value > MIN_ADVERSE_ATTRIBUTION)
    .sort((a, b) => b.value - a.value || a.entry.code - b.entry.code)
    .slice(0, MAX_REASON_CODES)
    .map((a) => a.entry);
}
