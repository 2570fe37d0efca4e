/**
 * A short description of an untrusted value for an error message. Never serialises structures: a value nested
 * thousands of levels deep would overflow `JSON.stringify`'s stack, and a large one would flood the message.
 */
const MAX_TEXT = 40;

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value);
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "undefined":
      return "undefined";
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}
