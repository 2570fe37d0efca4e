/**
 * Plausible ranges of the raw application fields (from the UCI data dictionary, with head-room over the observed
 * values) and validation of an application against a model's feature list.
 */
import { describeValue } from "../validation/index.js";

export interface FieldRange {
  min: number;
  max: number;
  integer: boolean;
  description: string;
}

/**
 * NT$ amounts are bounded at 10 million; the data set's largest is about 1.7 million. Every field is an integer:
 * the data set's amounts are whole NT$, and the intake API refuses fractions (`not_an_integer`) because the
 * borrower signs `featuresHash` over int256 values. One rule on both sides, so a value the model's range table
 * accepts is always one a borrower can sign.
 */
const AMOUNT_MAX = 10_000_000;

const bill = (month: string): FieldRange => ({
  min: -AMOUNT_MAX,
  max: AMOUNT_MAX,
  integer: true,
  description: `bill statement, ${month} (NT$, may be negative)`,
});
const paid = (month: string): FieldRange => ({
  min: 0,
  max: AMOUNT_MAX,
  integer: true,
  description: `amount paid, ${month} (NT$)`,
});
const status = (month: string): FieldRange => ({
  min: -2,
  max: 9,
  integer: true,
  description: `repayment status, ${month}: -2 no consumption, -1 paid duly, 0 revolving, 1..9 months of delay`,
});
const MONTHS = ["Sep", "Aug", "Jul", "Jun", "May", "Apr"] as const;

export const FEATURE_RANGES: Readonly<Record<string, FieldRange>> = Object.freeze({
  LIMIT_BAL: { min: 1, max: AMOUNT_MAX, integer: true, description: "credit limit (NT$), must be positive" },
  AGE: { min: 18, max: 100, integer: true, description: "age in years" },
  EDUCATION: {
    min: 0,
    max: 6,
    integer: true,
    description: "1 graduate school, 2 university, 3 high school, 4 others (0, 5, 6 undocumented)",
  },
  ...Object.fromEntries(
    ["PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"].map((name, i) => [name, status(MONTHS[i] as string)]),
  ),
  ...Object.fromEntries(MONTHS.map((m, i) => [`BILL_AMT${i + 1}`, bill(m)])),
  ...Object.fromEntries(MONTHS.map((m, i) => [`PAY_AMT${i + 1}`, paid(m)])),
});

export type ApplicationCheck = { ok: true; features: number[] } | { ok: false; field: string; error: string };

/**
 * Checks that every model feature is present, a finite number, within its range (and an integer where the
 * code is one). Returns the feature vector in model order, or the first bad field with a readable message.
 * Fields the model does not use are ignored.
 */
export function validateApplication(
  featureNames: readonly string[],
  application: Record<string, unknown>,
): ApplicationCheck {
  const features: number[] = [];
  for (const field of featureNames) {
    const range = FEATURE_RANGES[field];
    if (range === undefined)
      return { ok: false, field, error: `${field}: the model needs a field that has no documented range` };
    const value = application[field];
    if (value === undefined || value === null) return { ok: false, field, error: `${field} is missing` };
    if (typeof value !== "number" || !Number.isFinite(value))
      return { ok: false, field, error: `${field} must be a finite number, got ${describeValue(value)}` };
    if (range.integer && !Number.isInteger(value))
      return { ok: false, field, error: `${field} must be an integer, got ${value}` };
    if (value < range.min || value > range.max) {
      return {
        ok: false,
        field,
        error: `${field} = ${value} is outside [${range.min}, ${range.max}] (${range.description})`,
      };
    }
    features.push(value);
  }
  return { ok: true, features };
}

/** Like `validateApplication` but throws an Error naming the bad field. */
export function applicationToFeatures(featureNames: readonly string[], application: Record<string, unknown>): number[] {
  const check = validateApplication(featureNames, application);
  if (!check.ok) throw new Error(`invalid application: ${check.error}`);
  return check.features;
}
