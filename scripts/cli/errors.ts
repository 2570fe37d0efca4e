/**
 * Reverts as sentences: one interface holding the custom errors of every Verity contract (the pool's linked
 * library included), so any revert, from any of them, decodes to its name and arguments, each in its unit (the
 * contracts name units in parameter names: `…Wad`, `…Bps`, `…At`, `…Sec`; a `rule` argument gives `limit` and
 * `actual` the rule's unit).
 */
import { ErrorFragment, Interface, isError, type ErrorDescription, type ParamType } from "ethers";

import {
  CollateralLogic__factory,
  CreditScoreOracle__factory,
  LendingPool__factory,
  PegStabilityModule__factory,
  SupervisionPolicy__factory,
  VUSD__factory,
} from "../../types/ethers-contracts/index.js";
import { revertData } from "../../oracle/src/chain/errors.js";
import { describeRule } from "../../oracle/src/protocol/rules.js";
import { CliError, duration, isoDate, percent, ruleValueText, vusdPrecise } from "./units.js";

const SOURCES = {
  CreditScoreOracle: CreditScoreOracle__factory.abi,
  SupervisionPolicy: SupervisionPolicy__factory.abi,
  LendingPool: LendingPool__factory.abi,
  CollateralLogic: CollateralLogic__factory.abi,
  PegStabilityModule: PegStabilityModule__factory.abi,
  VUSD: VUSD__factory.abi,
} as const;

/** `ModelStatus` in `contracts/types/ScoreTypes.sol`. */
const MODEL_STATUS = ["None", "Proposed", "Approved", "Retired"] as const;

function mergedErrors(): { iface: Interface; declaredBy: Map<string, string[]> } {
  const fragments = new Map<string, ErrorFragment>();
  const declaredBy = new Map<string, string[]>();
  for (const [contract, abi] of Object.entries(SOURCES)) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const fragment = ErrorFragment.from(item);
      fragments.set(fragment.selector, fragment);
      const list = declaredBy.get(fragment.selector) ?? [];
      if (!list.includes(contract)) list.push(contract);
      declaredBy.set(fragment.selector, list);
    }
  }
  return { iface: new Interface([...fragments.values()]), declaredBy };
}

const { iface: allErrors, declaredBy } = mergedErrors();

/** Every Verity contract's custom errors in one interface. */
export const verityErrors: Interface = allErrors;

function argumentText(param: ParamType, value: unknown, errorName: string, ruleName: string | undefined): string {
  const name = param.name;
  if (param.type === "bytes32") {
    const hex = String(value);
    try {
      const { name: rule, tier } = describeRule(hex);
      if (/^[A-Z][A-Z0-9_]+$/.test(rule)) return tier === undefined ? rule : `${rule} (tier ${tier})`;
    } catch {
      // not ASCII: a hash, shown as is
    }
    return hex;
  }
  if (param.type === "address") return String(value);
  if (!param.type.startsWith("uint") && !param.type.startsWith("int")) return String(value);
  const n = BigInt(value as bigint);
  if (param.type === "uint8" && errorName.startsWith("OracleModel") && ["status", "from", "to"].includes(name)) {
    return MODEL_STATUS[Number(n)] ?? n.toString();
  }
  if (ruleName !== undefined && ["limit", "actual", "value", "newValue"].includes(name)) {
    // ELIGIBILITY states an attestation's expiry (limit) against now (actual): dates, not the rule's own unit.
    if (ruleName === "ELIGIBILITY") return isoDate(n);
    return ruleValueText(ruleName, n, { precise: true });
  }
  if (/Wad$/.test(name)) return vusdPrecise(n);
  if (/Bps$/.test(name)) return percent(n);
  if (/(At|Ts|Until)$/.test(name)) return `${isoDate(n)} (${n})`;
  if (/Sec$/.test(name)) return `${duration(n)} (${n} s)`;
  return n.toString();
}

/** "SupervisionRuleViolated (SupervisionPolicy): rule DEBT_CEILING, limit 10,000,000.00 vUSD, actual …". */
export function describeDecodedError(decoded: ErrorDescription): string {
  const params = decoded.fragment.inputs;
  const ruleIndex = params.findIndex((p) => p.name === "rule" && p.type === "bytes32");
  const ruleName = ruleIndex < 0 ? undefined : describeRule(String(decoded.args[ruleIndex])).name;
  const args = params.map((p, i) => `${p.name || `arg${i}`} ${argumentText(p, decoded.args[i], decoded.name, ruleName)}`);
  const from = declaredBy.get(decoded.selector);
  const origin = from === undefined ? "" : ` (${from.join(", ")})`;
  if (decoded.name === "Error") return `reverted with reason "${String(decoded.args[0])}"`;
  if (decoded.name === "Panic") return `panicked with code 0x${BigInt(decoded.args[0] as bigint).toString(16)}`;
  return args.length === 0 ? `${decoded.name}${origin}` : `${decoded.name}${origin}: ${args.join(", ")}`;
}

/** Decodes revert data (`0x` + selector + arguments); throws a CliError when no Verity contract declares it. */
export function decodeErrorData(data: string): string {
  if (!/^0x[0-9a-fA-F]*$/.test(data) || data.length < 10 || (data.length - 2) % 2 !== 0) {
    throw new CliError(`"${data}" is not revert data (0x, a 4-byte selector, then ABI-encoded arguments)`);
  }
  let decoded: ErrorDescription | null;
  try {
    decoded = verityErrors.parseError(data);
  } catch (error) {
    throw new CliError(`selector ${data.slice(0, 10)} is known, but its arguments do not decode: ${(error as Error).message.split("\n")[0]}`);
  }
  if (decoded === null) throw new CliError(`selector ${data.slice(0, 10)} is not a custom error of any Verity contract`);
  return describeDecodedError(decoded);
}

/** One line for any error: a CliError's message, a decoded revert, or the ethers message. */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const data = revertData(error);
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
