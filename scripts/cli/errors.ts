/**
 * Reverts as one line, for the CLI: the SDK's decoder (`sdk/src/errors/decoder.ts`, every Verity contract's
 * errors with their arguments in their units) in its technical form, `Name (Contract): arg value, …`.
 */
import { isError } from "ethers";

import { decodeRevertData, RevertDecodeError, revertDataOf, verityErrors } from "../../sdk/src/index.js";
import { CliError } from "./units.js";

export { verityErrors };

/** Decodes revert data (`0x` + selector + arguments); throws a CliError when no Verity contract declares it. */
export function decodeErrorData(data: string): string {
  try {
    return decodeRevertData(data).technical;
  } catch (error) {
    if (error instanceof RevertDecodeError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}

/** The same revert data as a sentence (the SDK's `describeRevert`: the rule, the limit and the actual value). */
export function describeErrorData(data: string): string {
  try {
    return decodeRevertData(data).sentence;
  } catch (error) {
    if (error instanceof RevertDecodeError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}

/** One line for any error: a CliError's message, a decoded revert, or the ethers message. */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const data = revertDataOf(error);
  if (data !== undefined) {
    try {
      return `reverted: ${decodeErrorData(data)}`;
    } catch {
      return `reverted with data ${data} (not a Verity error)`;
    }
  }
  if (isError(error, "CALL_EXCEPTION")) return error.shortMessage;
  return error instanceof Error ? (error.message.split("\n")[0] ?? String(error)) : String(error);
}
