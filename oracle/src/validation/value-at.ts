/**
 * The value at `path` inside `raw`, or undefined when any step is missing. zod reports an absent field as a type
 * mismatch; callers look the value up to say "required" instead.
 */
export function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
