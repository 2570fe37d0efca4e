/**
 * Unsigned integers written as decimal strings (JSON numbers cannot carry a uint64 or uint256 exactly). The
 * string is checked to be plain ASCII digits, without a leading zero and no longer than the type's maximum,
 * before `BigInt` ever sees it: `BigInt` throws on "1e3", "NaN" or full-width digits, and a throw inside a zod
 * refinement escapes the schema as an exception instead of an issue naming the field.
 */
import { z } from "zod";

const DECIMAL_DIGITS = /^(0|[1-9][0-9]*)$/;

/** A zod schema for a uint of `bits` bits as a decimal string, producing a bigint. */
export function decimalUint(bits: 64 | 256) {
  const max = (1n << BigInt(bits)) - 1n;
  const maxDigits = max.toString().length;
  return z.string().transform((value, ctx) => {
    if (value.length > maxDigits || !DECIMAL_DIGITS.test(value)) {
      ctx.addIssue({ code: "custom", message: `must be a uint${bits} as a decimal string` });
      return z.NEVER;
    }
    const parsed = BigInt(value);
    if (parsed > max) {
      ctx.addIssue({ code: "custom", message: `must be at most 2^${bits} − 1` });
      return z.NEVER;
    }
    return parsed;
  });
}
