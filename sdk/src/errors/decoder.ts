/**
 * Reverts as sentences. `decodeRevert` finds the revert data in whatever carries it (an ethers error, a
 * CALL_EXCEPTION nested in another error, a JSON-RPC error object, raw `0x…` data), decodes it against every
 * Verity contract's errors (`sources.ts`) and gives:
 * - `sentence`: what a borrower or supervisor reads, with the rule's name, the limit and the actual value in
 *   their units ("Tier B allows 70.00 % LTV; this borrow would make it 74.12 %"): hand-written for the errors a
 *   person meets (LTV and health, caps and limits, exposure, the daily limit, scores, prices, pauses, registries,
 *   the timelock), generated from the argument names (`…Wad` → vUSD, `…Bps` → %, `…At` → ISO date) for the rest;
 * - `technical`: `Name (Contract): arg value, …`, the operators' CLI form.
 */
import { isError, type ErrorDescription, type ParamType } from "ethers";

import { describeRule } from "../rules.js";
import {
  formatBps,
  formatDuration,
  formatHealthFactor,
  formatRuleValue,
  formatTimestamp,
  formatVusd,
  formatVusdPrecise,
  tierLabel,
} from "../units.js";
import { errorDeclaredBy, verityErrors } from "./sources.js";

/** `ModelStatus` in `contracts/types/ScoreTypes.sol`. */
const MODEL_STATUS = ["None", "Proposed", "Approved", "Retired"] as const;
/** `ProviderStatus` in `contracts/types/ScoreTypes.sol`. */
const PROVIDER_STATUS = ["None", "Approved", "Retired"] as const;

/** What the caller knows that the revert does not carry: lets the LTV sentence speak in percentages. */
export interface RevertContext {
  /** The tier the position is in (its letter names it in sentences). */
  tier?: number;
  /** That tier's max LTV (`SupervisionPolicy.termsOf(tier).maxLtvBps`). */
  maxLtvBps?: bigint | number;
}

export interface DecodedRevert {
  /** The error's name (`SupervisionRuleViolated`), `Error` for a reason string, `Panic` for a panic. */
  name: string;
  selector: string;
  /** The contracts whose ABI declares it. */
  declaredBy: readonly string[];
  /** The arguments by name (unnamed ones as `arg0`, …). */
  args: Record<string, unknown>;
  /** For `SupervisionRuleViolated` and the rule-carrying errors: the rule's name and its tier when tier-scoped. */
  rule?: { name: string; tier?: number };
  /** For a person. */
  sentence: string;
  /** `Name (Contract): arg value, …`. */
  technical: string;
}

/** Revert data (or no custom error) that no Verity contract declares, or data that does not decode. */
export class RevertDecodeError extends Error {
  override readonly name = "RevertDecodeError";
}

const pct = (bps: bigint | number): string => `${(Number(bps) / 100).toFixed(2)}%`;

function argumentText(param: ParamType, value: unknown, errorName: string, ruleName: string | undefined): string {
  const name = param.name;
  if (param.type === "bytes32") {
    const hex = String(value);
    try {
      const { name: rule, tier } = describeRule(hex);
      if (/^[A-Za-z][A-Za-z0-9_]+$/.test(rule)) return tier === undefined ? rule : `${rule} (tier ${tier})`;
    } catch {
      // not ASCII: a hash, shown as is
    }
    return hex;
  }
  if (param.type === "address" || param.type === "string" || param.type === "bool") return String(value);
  if (!param.type.startsWith("uint") && !param.type.startsWith("int")) return String(value);
  const n = BigInt(value as bigint);
  if (param.type === "uint8" && ["status", "from", "to"].includes(name)) {
    const names: readonly string[] = errorName.startsWith("OracleProvider") ? PROVIDER_STATUS : MODEL_STATUS;
    return names[Number(n)] ?? n.toString();
  }
  if (ruleName !== undefined && ["limit", "actual", "value", "newValue"].includes(name)) {
    // ELIGIBILITY states an attestation's expiry (limit) against now (actual): dates, not the rule's own unit.
    if (ruleName === "ELIGIBILITY") return formatTimestamp(n);
    if (ruleName === "CREDIT_DECLINED" || ruleName.endsWith("_PD")) return pct(n);
    const text = formatRuleValue(ruleName, n, { precise: true });
    return text.replace(/ %$/, "%");
  }
  if (/Wad$/.test(name)) return formatVusdPrecise(n);
  if (/Bps$/.test(name)) return pct(n);
  if (/(At|Ts|Until|deadline)$/.test(name) || name === "issuedAt" || name === "storedIssuedAt") {
    return `${formatTimestamp(n)} (${n})`;
  }
  if (/Sec$/.test(name)) return `${formatDuration(n)} (${n} s)`;
  return n.toString();
}

type Args = Record<string, unknown>;
const big = (v: unknown): bigint => BigInt(v as bigint);
const vusdAt = (v: unknown): string => formatVusdPrecise(big(v));
const dateAt = (v: unknown): string => formatTimestamp(big(v));

/** The sentence for a broken rule (`SupervisionRuleViolated(rule, limit, actual)`). */
function ruleSentence(
  rule: { name: string; tier?: number },
  limit: bigint,
  actual: bigint,
  context: RevertContext,
): string {
  const { name, tier } = rule;
  const value = (v: bigint) => formatRuleValue(name, v, { precise: true });
  const tierText = tier === undefined ? "" : `${tierLabel(tier)}'s `;
  switch (name) {
    case "TIER_LTV": {
      const who = context.tier === undefined ? "This position's tier" : tierLabel(context.tier);
      if (context.maxLtvBps !== undefined && limit > 0n) {
        const maxLtv = BigInt(context.maxLtvBps);
        // limit = collateral value × maxLtv / 10 000, so the borrow's LTV is actual × maxLtv / limit.
        const ltvBps = (actual * maxLtv * 100n) / limit;
        return `${who} allows ${formatBps(maxLtv)} LTV; this borrow would make it ${(Number(ltvBps) / 10_000).toFixed(2)} % (TIER_LTV: at most ${formatVusd(limit)} of debt against this collateral, the borrow would make it ${formatVusd(actual)})`;
      }
      return `${who}'s max LTV allows at most ${formatVusdPrecise(limit)} of debt against this collateral; this borrow would make it ${formatVusdPrecise(actual)} (TIER_LTV)`;
    }
    case "TIER_CREDIT_LIMIT":
      return `${tierLabel(tier ?? 0)}'s credit limit is ${value(limit)}; this borrow would make the debt ${value(actual)} (TIER_CREDIT_LIMIT)`;
    case "BORROWER_CAP":
      return `One borrower may owe at most ${value(limit)}; this borrow would make the debt ${value(actual)} (BORROWER_CAP)`;
    case "DEBT_CEILING":
      return `The protocol's debt ceiling is ${value(limit)}; this borrow would bring total debt to ${value(actual)} (DEBT_CEILING)`;
    case "CONCENTRATION_CAP":
      return `One borrower may hold at most ${formatBps(limit)} of total debt; this borrow would make it ${formatBps(actual)} (CONCENTRATION_CAP)`;
    case "DAILY_ORIGINATION_LIMIT":
      return `Net new credit is limited to ${value(limit)} per UTC day; this borrow would make today's ${value(actual)} (DAILY_ORIGINATION_LIMIT)`;
    case "CREDIT_DECLINED":
      return `Credit declined: the score's PD ${formatBps(actual)} is above the approval threshold ${formatBps(limit)} (CREDIT_DECLINED)`;
    case "ELIGIBILITY":
      return limit === 0n
        ? `An eligibility attestation is required and this borrower has none (ELIGIBILITY)`
        : `The borrower's eligibility attestation expired at ${formatTimestamp(limit)}; now is ${formatTimestamp(actual)} (ELIGIBILITY)`;
    case "PULL_REPORT_MAX_AGE":
      return `The score report is ${formatDuration(actual)} old; a report used to borrow may be at most ${formatDuration(limit)} old: fetch a fresh bundle (PULL_REPORT_MAX_AGE)`;
    case "MAX_SCORE_AGE":
      return `The score is ${formatDuration(actual)} old; the maximum score age is ${formatDuration(limit)}: apply again (MAX_SCORE_AGE)`;
    case "PSM_EXPOSURE_LIMIT":
      return `The PSM may hold at most ${value(limit)} of reserves; this swap would make them ${value(actual)} (PSM_EXPOSURE_LIMIT)`;
    default:
      return `${tierText}${name} allows at most ${value(limit)}; this would make it ${value(actual)} (${tier === undefined ? name : `${name}, ${tierLabel(tier)}`})`;
  }
}

/** Hand-written sentences for the errors a borrower, a liquidator or a supervisor meets. */
const SENTENCES: Record<string, (a: Args, context: RevertContext) => string> = {
  SupervisionPaused: () =>
    "The protocol is paused by its circuit breaker: borrowing, withdrawing and liquidating wait; repay and deposit still work (SupervisionPaused)",
  SupervisionNotPaused: () => "The protocol is not paused (SupervisionNotPaused)",
  SupervisionLiquidationGracePeriod: (a) =>
    `Liquidations resume at ${dateAt(a.resumesAt)} after the unpause grace period; now is ${dateAt(a.nowTs)} (SupervisionLiquidationGracePeriod)`,
  SupervisionChangeNotReady: (a) =>
    `This rule change is timelocked until ${dateAt(a.executableAt)}; now is ${dateAt(a.nowTs)} (${formatDuration(big(a.executableAt) - big(a.nowTs))} to go) (SupervisionChangeNotReady)`,
  SupervisionChangeUnknown: (a) =>
    `No scheduled rule change has id ${String(a.changeId)}: it was never scheduled, already executed, or cancelled (SupervisionChangeUnknown)`,
  SupervisionRuleNotSchedulable: (a) =>
    `${String(a.caller)} may not schedule changes to ${describeRule(String(a.rule)).name} (SupervisionRuleNotSchedulable)`,
  SupervisionInvalidValue: (a) => {
    const rule = describeRule(String(a.rule)).name;
    return `${formatRuleValue(rule, big(a.value))} is not a valid value for ${rule} (SupervisionInvalidValue)`;
  },
  LendingPoolInsufficientCollateral: (a) =>
    `Collateral worth ${vusdAt(a.collateralValueWad)} does not cover the ${vusdAt(a.requiredWad)} this position needs (health factor would fall below 1) (LendingPoolInsufficientCollateral)`,
  LendingPoolInsufficientBalance: (a) =>
    `${String(a.borrower)} has ${String(a.balance)} units of ${String(a.asset)} deposited, less than the ${String(a.requested)} requested (LendingPoolInsufficientBalance)`,
  LendingPoolPositionHealthy: (a) =>
    `The position is healthy (health factor ${formatHealthFactor(big(a.healthFactorWad))}, at least 1.00): it cannot be liquidated (LendingPoolPositionHealthy)`,
  LendingPoolFrozenLiquidationHealth: (a) =>
    `The collateral's price is frozen: the position may be liquidated only below health ${formatHealthFactor(big(a.limitWad))}; it is ${formatHealthFactor(big(a.healthFactorWad))} (LendingPoolFrozenLiquidationHealth)`,
  LendingPoolAssetFrozen: (a) =>
    `The price of ${String(a.asset)} is frozen: its two sources disagree (primary ${formatVusd(big(a.primaryPriceWad)).replace(" vUSD", " USD")}, fallback ${formatVusd(big(a.fallbackPriceWad)).replace(" vUSD", " USD")}) (LendingPoolAssetFrozen)`,
  LendingPoolPriceStale: (a) =>
    `The price of ${String(a.asset)} is stale: last updated ${dateAt(a.updatedAt)}, older than the ${formatDuration(big(a.maxAgeSec))} allowed (LendingPoolPriceStale)`,
  LendingPoolPriceInvalid: (a) =>
    `The price feed of ${String(a.asset)} answered ${String(a.answer)}, not a usable price (LendingPoolPriceInvalid)`,
  LendingPoolDebtBelowMinimum: (a) =>
    `A position's debt must be 0 or at least ${vusdAt(a.minDebtWad)}; this would leave ${vusdAt(a.debtWad)} (LendingPoolDebtBelowMinimum)`,
  LendingPoolReportNotForCaller: (a) =>
    `The score report is for ${String(a.reportBorrower)}, not for the caller ${String(a.caller)} (LendingPoolReportNotForCaller)`,
  LendingPoolNoDebt: (a) => `${String(a.borrower)} has no debt (LendingPoolNoDebt)`,
  LendingPoolZeroAmount: () => "The amount must be more than zero (LendingPoolZeroAmount)",
  LendingPoolCollateralNotListed: (a) =>
    `${String(a.asset)} is not a listed collateral asset (LendingPoolCollateralNotListed)`,
  OracleReportExpired: (a) =>
    `The score expired at ${dateAt(a.validUntil)}; now is ${dateAt(a.nowTs)}: apply again for a fresh score (OracleReportExpired)`,
  OracleReportNotNewer: (a) =>
    `A score issued at ${dateAt(a.storedIssuedAt)} is already posted; this report (issued ${dateAt(a.issuedAt)}) is not newer (OracleReportNotNewer)`,
  OracleReportFromFuture: (a) =>
    `The report is issued at ${dateAt(a.issuedAt)}, after the latest allowed ${dateAt(a.latestAllowed)} (OracleReportFromFuture)`,
  OracleBelowThreshold: (a) =>
    `Only ${String(a.validSignatures)} valid operator signatures; the quorum is ${String(a.threshold)} (OracleBelowThreshold)`,
  OracleOperatorSetRetired: (a) =>
    `The report was signed by operator set v${String(a.reportVersion)}, retired since v${String(a.currentVersion)}: apply again (OracleOperatorSetRetired)`,
  OracleModelNotApproved: (a) =>
    `Model ${String(a.modelId)} is not approved by the regulator (status ${MODEL_STATUS[Number(a.status)] ?? String(a.status)}) (OracleModelNotApproved)`,
  OracleProviderNotApproved: (a) =>
    `Data provider ${String(a.provider)} is not approved by the regulator (status ${PROVIDER_STATUS[Number(a.status)] ?? String(a.status)}) (OracleProviderNotApproved)`,
  OracleUnknownSigner: (a) => `${String(a.signer)} is not an operator of the current set (OracleUnknownSigner)`,
  OracleDuplicateSigner: (a) => `${String(a.signer)} signed twice (OracleDuplicateSigner)`,
  PegStabilityModulePaused: () => "The PSM is paused (PegStabilityModulePaused)",
  PegStabilityModuleExposureLimitExceeded: (a) =>
    `The PSM may have paid out at most ${vusdAt(a.limitWad)} against the stablecoin; this swap would make it ${vusdAt(a.paidOutAfterWad)} (PSM_EXPOSURE_LIMIT)`,
  PegStabilityModuleBufferShort: (a) =>
    `The PSM holds ${vusdAt(a.bufferWad)} of vUSD ready to pay out, less than the ${vusdAt(a.requestedWad)} asked: anyone can call fill() up to its cap (PegStabilityModuleBufferShort)`,
  PegStabilityModuleFrozen: (a) =>
    `The PSM's stablecoin price is frozen (${describeRule(String(a.reason)).name}: answer ${String(a.price)}, updated ${dateAt(a.updatedAt)}) (PegStabilityModuleFrozen)`,
  VUSDMinterCapExceeded: (a) =>
    `Minter ${String(a.minter)} may mint at most ${vusdAt(a.capWad)}; this would make ${vusdAt(a.mintedAfterWad)} (VUSDMinterCapExceeded)`,
  VusdFlashMinterAmountExceedsMax: (a) =>
    `A flash mint may be at most ${vusdAt(a.maxWad)}; asked ${vusdAt(a.amountWad)} (VusdFlashMinterAmountExceedsMax)`,
  ERC20InsufficientBalance: (a) =>
    `${String(a.sender)} holds ${formatVusdPrecise(big(a.balance)).replace(" vUSD", "")} (in 18-decimal units), less than the ${formatVusdPrecise(big(a.needed)).replace(" vUSD", "")} needed (ERC20InsufficientBalance)`,
  ERC20InsufficientAllowance: (a) =>
    `${String(a.spender)} may spend ${formatVusdPrecise(big(a.allowance)).replace(" vUSD", "")} (in 18-decimal units), less than the ${formatVusdPrecise(big(a.needed)).replace(" vUSD", "")} needed: approve first, or use a permit (ERC20InsufficientAllowance)`,
  ERC2612ExpiredSignature: (a) => `The permit expired at ${dateAt(a.deadline)} (ERC2612ExpiredSignature)`,
  ERC2612InvalidSigner: (a) =>
    `The permit was signed by ${String(a.signer)}, not by the owner ${String(a.owner)} (ERC2612InvalidSigner)`,
  AccessControlUnauthorizedAccount: (a) =>
    `${String(a.account)} lacks the role ${String(a.neededRole)} (AccessControlUnauthorizedAccount)`,
};

function generatedSentence(decoded: ErrorDescription, technical: string): string {
  // "LendingPoolOverflow" → "Lending pool overflow", then the arguments in their units.
  const words = decoded.name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2");
  const colon = technical.indexOf(": ");
  const args = colon < 0 ? "" : `: ${technical.slice(colon + 2)}`;
  return `${words.charAt(0)}${words.slice(1).toLowerCase()}${args} (${decoded.name})`;
}

function describeDecoded(decoded: ErrorDescription, context: RevertContext): DecodedRevert {
  const params = decoded.fragment.inputs;
  const args: Args = {};
  params.forEach((p, i) => {
    args[p.name || `arg${i}`] = decoded.args[i];
  });
  const ruleIndex = params.findIndex((p) => p.name === "rule" && p.type === "bytes32");
  const rule = ruleIndex < 0 ? undefined : describeRule(String(decoded.args[ruleIndex]));
  const declaredBy = decoded.name === "Error" || decoded.name === "Panic" ? [] : errorDeclaredBy(decoded.selector);
  const origin = declaredBy.length === 0 ? "" : ` (${declaredBy.join(", ")})`;
  const argTexts = params.map(
    (p, i) => `${p.name || `arg${i}`} ${argumentText(p, decoded.args[i], decoded.name, rule?.name)}`,
  );
  let technical: string;
  let sentence: string;
  if (decoded.name === "Error") {
    technical = `reverted with reason "${String(decoded.args[0])}"`;
    sentence = `The transaction reverted: "${String(decoded.args[0])}"`;
  } else if (decoded.name === "Panic") {
    technical = `panicked with code 0x${big(decoded.args[0]).toString(16)}`;
    sentence = `The contract panicked (code 0x${big(decoded.args[0]).toString(16)}: an arithmetic overflow, a division by zero or an out-of-bounds access)`;
  } else {
    technical = argTexts.length === 0 ? `${decoded.name}${origin}` : `${decoded.name}${origin}: ${argTexts.join(", ")}`;
    const handWritten = SENTENCES[decoded.name];
    if (decoded.name === "SupervisionRuleViolated" && rule !== undefined) {
      sentence = ruleSentence(rule, big(args.limit), big(args.actual), context);
    } else if (handWritten !== undefined) {
      sentence = handWritten(args, context);
    } else {
      sentence = generatedSentence(decoded, technical);
    }
  }
  return {
    name: decoded.name,
    selector: decoded.selector,
    declaredBy,
    args,
    ...(rule === undefined ? {} : { rule }),
    sentence,
    technical,
  };
}

/** Decodes revert data (`0x` + selector + arguments); throws a RevertDecodeError when no Verity contract declares it. */
export function decodeRevertData(data: string, context: RevertContext = {}): DecodedRevert {
  if (!/^0x[0-9a-fA-F]*$/.test(data) || data.length < 10 || (data.length - 2) % 2 !== 0) {
    throw new RevertDecodeError(`"${data}" is not revert data (0x, a 4-byte selector, then ABI-encoded arguments)`);
  }
  let decoded: ErrorDescription | null;
  try {
    decoded = verityErrors.parseError(data);
  } catch (error) {
    throw new RevertDecodeError(
      `selector ${data.slice(0, 10)} is known, but its arguments do not decode: ${(error as Error).message.split("\n")[0]}`,
      { cause: error },
    );
  }
  if (decoded === null)
    throw new RevertDecodeError(`selector ${data.slice(0, 10)} is not a custom error of any Verity contract`);
  return describeDecoded(decoded, context);
}

/**
 * Revert data carried by an error, wherever the library put it: ethers' `error.data`, `error.info.error.data`,
 * a JSON-RPC error's `data` (or `data.data`, `data.originalError.data`), a `cause`, or the raw hex string itself.
 */
export function revertDataOf(error: unknown): string | undefined {
  if (typeof error === "string") return /^0x[0-9a-fA-F]{8,}$/.test(error) ? error : undefined;
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (depth > 6 || typeof value !== "object" || value === null || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data;
    for (const key of ["error", "info", "cause", "data", "originalError", "revert"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** The decoded revert inside `error` (any shape `revertDataOf` reads), or undefined when it carries none or an unknown one. */
export function decodeRevert(error: unknown, context: RevertContext = {}): DecodedRevert | undefined {
  const data = revertDataOf(error);
  if (data === undefined) return undefined;
  try {
    return decodeRevertData(data, context);
  } catch (cause) {
    if (cause instanceof RevertDecodeError) return undefined;
    throw cause;
  }
}

/** One sentence for any error: a decoded revert's sentence, else what ethers (or the error) says. */
export function describeRevert(error: unknown, context: RevertContext = {}): string {
  const decoded = decodeRevert(error, context);
  if (decoded !== undefined) return decoded.sentence;
  const data = revertDataOf(error);
  if (data !== undefined) return `The transaction reverted with data ${data}, which no Verity contract declares`;
  if (isError(error, "CALL_EXCEPTION")) return error.shortMessage;
  if (isError(error, "ACTION_REJECTED")) return "The wallet refused to sign";
  return error instanceof Error ? (error.message.split("\n")[0] ?? String(error)) : String(error);
}
