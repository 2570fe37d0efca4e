/**
 * The JSON request body at the door: parsed, and refused when nested deeper than any route's shape needs. The
 * depth is measured on the text before parsing, so no later step (validation, an error message) ever walks an
 * attacker's thousands-deep structure recursively.
 */
import { HttpError } from "./errors.js";

/** Deeper than every body the node accepts (a peer envelope's payload is a string, parsed on its own). */
export const MAX_JSON_DEPTH = 32;

/** Parses `bytes` as JSON; throws HttpError 400 `invalid_json` naming the problem. */
export function parseJsonBody(bytes: Buffer, maxDepth = MAX_JSON_DEPTH): unknown {
  const text = bytes.toString("utf8");
  if (nestingDepthExceeds(text, maxDepth)) {
    throw new HttpError(400, "invalid_json", `request body is nested deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "invalid_json", `request body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** True when brackets outside strings nest deeper than `maxDepth` (the text need not be valid JSON). */
export function nestingDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i += 1;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return false;
}
