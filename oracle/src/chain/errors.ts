/**
 * Classifying chain errors by name: ethers v6 error codes for transport and transaction problems, and the
 * oracle's custom errors (decoded with the TypeChain interface) for reverts.
 */
import { isError, type ErrorDescription, type Interface } from "ethers";

/** Ethers error codes worth another attempt: the same call may well succeed a moment later. */
const TRANSIENT_CODES = new Set([
  "TIMEOUT",
  "NETWORK_ERROR",
  "SERVER_ERROR",
  "NONCE_EXPIRED",
  "REPLACEMENT_UNDERPRICED",
]);

/** The ethers v6 error code of `error` (e.g. "NONCE_EXPIRED"), or undefined for anything else. */
export function ethersErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function isTransientChainError(error: unknown): boolean {
  const code = ethersErrorCode(error);
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** Revert data carried by an ethers (or provider) error, wherever the provider put it. */
export function revertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (depth > 5 || typeof value !== "object" || value === null || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data;
    for (const key of ["error", "info", "cause", "data"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** The contract custom error inside `error` (e.g. `OracleReportNotNewer(…)`), decoded with `iface`. */
export function decodeCustomError(iface: Interface, error: unknown): ErrorDescription | undefined {
  const data = revertData(error);
  if (data === undefined) return undefined;
  try {
    return iface.parseError(data) ?? undefined;
  } catch {
    return undefined;
  }
}

/** A short, log-safe description: the custom error with its arguments, the ethers code, or the message. */
export function describeChainError(iface: Interface | undefined, error: unknown): string {
  const custom = iface === undefined ? undefined : decodeCustomError(iface, error);
  if (custom !== undefined) return `${custom.name}(${custom.args.map(String).join(", ")})`;
  const code = ethersErrorCode(error);
  const message = isError(error, "CALL_EXCEPTION")
    ? (error.shortMessage ?? error.message)
    : error instanceof Error
      ? error.message
      : String(error);
  return code === undefined ? message : `${code}: ${message.split("\n")[0]}`;
}

/** The chain could not be read (RPC down or timing out) and no recent enough copy of the value is at hand. */
export class ChainUnavailableError extends Error {
  override readonly name = "ChainUnavailableError";
}

/**
 * The sender cannot pay for the transaction. ethers names it INSUFFICIENT_FUNDS only for geth's wording; Hardhat
 * and EDR say "Sender doesn't have enough funds" and reach ethers as UNKNOWN_ERROR, so the message is checked too.
 */
export function isInsufficientFunds(error: unknown): boolean {
  if (ethersErrorCode(error) === "INSUFFICIENT_FUNDS") return true;
  const text = `${error instanceof Error ? error.message : String(error)} ${JSON.stringify((error as { error?: unknown } | null)?.error ?? "")}`;
  return /insufficient funds|doesn't have enough funds/i.test(text);
}

/**
 * A one-line description of `error` for a log line, at most `maxLength` characters: ethers errors carry the whole
 * request and response (several KB with a signed transaction), which the log does not need.
 */
export function conciseError(error: unknown, maxLength = 240): string {
  const code = ethersErrorCode(error);
  const ownMessage = error instanceof Error && (code === undefined || error.message.startsWith(`${code}:`));
  const text = ownMessage ? error.message.split("\n")[0]! : describeChainError(undefined, error);
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
