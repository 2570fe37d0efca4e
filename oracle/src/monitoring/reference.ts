/** Reads the model's `reference_distributions` metadata (written by training) into bins the monitor can use. */
import { createHash } from "node:crypto";

import { z } from "zod";

import { BIN_RULE, PAY_CATEGORIES, type ReferenceDistributions } from "./quantities.js";

export const REFERENCE_METADATA_KEY = "reference_distributions";

const binned = z
  .object({ definition: z.string(), edges: z.array(z.number()), shares: z.array(z.number().min(0).max(1)) })
  .refine((d) => d.shares.length === d.edges.length + 1, "must have one share more than edges")
  .refine((d) => d.edges.every((edge, i) => i === 0 || edge > (d.edges[i - 1] as number)), "edges must increase");

const referenceSchema = z.object({
  version: z.literal(1),
  source: z.string(),
  rows: z.int().positive(),
  binRule: z.literal(BIN_RULE),
  score: binned,
  utilisation: z.record(z.string().regex(/^BILL_AMT\d$/), binned),
  paymentRatio: z.record(z.string().regex(/^PAY_AMT\d$/), binned),
  payStatus: z.object({
    categories: z
      .array(z.string())
      .refine((c) => c.join() === PAY_CATEGORIES.join(), `must be ${PAY_CATEGORIES.join(", ")}`),
    shares: z.record(z.string().regex(/^PAY_\d$/), z.array(z.number().min(0).max(1)).length(PAY_CATEGORIES.length)),
  }),
  limitBal: binned.and(z.object({ median: z.number().positive() })),
});

export interface ModelReference {
  distributions: ReferenceDistributions;
  /** sha256 (hex, no prefix) of the metadata's JSON text: what the model card records as `reference.sha256`. */
  sha256: string;
}

/** Parses the reference metadata; throws an Error naming the bad path. */
export function parseReference(json: string): ModelReference {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`metadata "${REFERENCE_METADATA_KEY}" is not JSON`);
  }
  const parsed = referenceSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `metadata "${REFERENCE_METADATA_KEY}" at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return { distributions: parsed.data, sha256: createHash("sha256").update(json).digest("hex") };
}
