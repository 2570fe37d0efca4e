/**
 * A peer's check of a leader's proposed report before co-signing it. The peer has scored the same application
 * itself; it signs only if the leader's report says what its own scoring says, within the stated tolerance on
 * PD (floating-point inference may differ in the last bits across machines) and exactly on everything else.
 */
import { sameAddress } from "./address.js";
import { MAX_PD_BPS, REASON_CODE_SLOTS, type OwnScore, type ScoreReportFields } from "./types.js";

export type ProposalProblemCode =
  | "wrong_leader"
  | "wrong_borrower"
  | "model_mismatch"
  | "operator_set_mismatch"
  | "pd_out_of_range"
  | "pd_disagreement"
  | "reason_codes_mismatch"
  | "issued_in_future"
  | "issued_too_long_ago"
  | "bad_validity_window"
  | "credit_file_mismatch";

export interface ProposalProblem {
  code: ProposalProblemCode;
  message: string;
}

export type ProposalVerdict = { ok: true } | { ok: false; problems: ProposalProblem[] };

export interface ProposalCheckContext {
  /** Leader this node computed for the request (selectLeader). */
  expectedLeader: string;
  /** Borrower of the request or application being scored. */
  borrower: string;
  /** This node's model id (sha256 of its ONNX file, 0x-prefixed). */
  modelId: string;
  /** The current on-chain operator-set version. */
  operatorSetVersion: bigint;
  /** Largest |leader PD − own PD| this node co-signs, in bps. */
  tolerancePdBps: number;
  nowSec: number;
  /** Allowed clock difference between leader and peer, both ways, in seconds. */
  maxClockSkewSec: number;
  /** Longest validity window (validUntil − issuedAt) this node co-signs: its own report.validitySec. */
  maxValiditySec: number;
  /**
   * The credit file this node verified for the application (its EIP-712 digest and provider); undefined when it
   * holds none, and then no report is co-signed.
   */
  creditFile: { creditFileHash: string; provider: string } | undefined;
}

/** Pads reason codes to the report's four slots with 0 ("no code"); throws on more than four or a non-uint16. */
export function toReasonCodeSlots(codes: readonly number[]): ScoreReportFields["reasonCodes"] {
  if (codes.length > REASON_CODE_SLOTS) throw new Error(`a report carries at most ${REASON_CODE_SLOTS} reason codes, got ${codes.length}`);
  for (const code of codes) {
    if (!Number.isInteger(code) || code < 0 || code > 0xffff) throw new Error(`reason code must be a uint16, got ${code}`);
  }
  const padded = [...codes, 0, 0, 0, 0].slice(0, REASON_CODE_SLOTS);
  return padded as unknown as ScoreReportFields["reasonCodes"];
}

/**
 * Checks every rule and returns all the problems found, so a refusal can be logged in full. With `own` undefined,
 * every rule but the two that compare with this node's own score (PD within tolerance, same reason codes): a peer
 * runs those first and scores only a proposal that passes them.
 */
export function validateProposal(
  proposal: { leader: string; report: ScoreReportFields },
  own: OwnScore | undefined,
  context: ProposalCheckContext,
): ProposalVerdict {
  const { report } = proposal;
  const problems: ProposalProblem[] = [];
  const problem = (code: ProposalProblemCode, message: string) => problems.push({ code, message });

  if (!sameAddress(proposal.leader, context.expectedLeader)) {
    problem("wrong_leader", `proposed by ${proposal.leader}, but the leader for this request is ${context.expectedLeader}`);
  }
  if (!sameAddress(report.borrower, context.borrower)) {
    problem("wrong_borrower", `report is for ${report.borrower}, the request is for ${context.borrower}`);
  }
  if (report.modelId.toLowerCase() !== context.modelId.toLowerCase()) {
    problem("model_mismatch", `report modelId ${report.modelId} differs from this node's model ${context.modelId}`);
  }
  if (report.operatorSetVersion !== context.operatorSetVersion) {
    problem(
      "operator_set_mismatch",
      `report operatorSetVersion ${report.operatorSetVersion} differs from the current ${context.operatorSetVersion}`,
    );
  }
  if (!Number.isInteger(report.pdBps) || report.pdBps < 0 || report.pdBps > MAX_PD_BPS) {
    problem("pd_out_of_range", `pdBps ${report.pdBps} is not an integer in 0..${MAX_PD_BPS}`);
  } else if (own !== undefined) {
    const gap = Math.abs(report.pdBps - own.pdBps);
    if (gap > context.tolerancePdBps) {
      problem(
        "pd_disagreement",
        `leader pdBps ${report.pdBps} vs own ${own.pdBps}: gap ${gap} exceeds tolerance ${context.tolerancePdBps}`,
      );
    }
  }
  if (own !== undefined) {
    const ownCodes = toReasonCodeSlots(own.reasonCodes);
    if (report.reasonCodes.length !== REASON_CODE_SLOTS || ownCodes.some((code, i) => report.reasonCodes[i] !== code)) {
      problem("reason_codes_mismatch", `reason codes [${report.reasonCodes.join(",")}] differ from own [${ownCodes.join(",")}]`);
    }
  }
  const file = context.creditFile;
  if (file === undefined) {
    problem("credit_file_mismatch", "this node holds no verified credit file for the application");
  } else if (report.creditFileHash.toLowerCase() !== file.creditFileHash.toLowerCase() || !sameAddress(report.provider, file.provider)) {
    problem(
      "credit_file_mismatch",
      `report names file ${report.creditFileHash} of provider ${report.provider}; the application's verified file is ${file.creditFileHash} of ${file.provider}`,
    );
  }
  checkTimes(report, context, problem);
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

function checkTimes(
  report: ScoreReportFields,
  context: ProposalCheckContext,
  problem: (code: ProposalProblemCode, message: string) => void,
): void {
  const now = BigInt(context.nowSec);
  const skew = BigInt(context.maxClockSkewSec);
  if (report.issuedAt > now + skew) {
    problem("issued_in_future", `issuedAt ${report.issuedAt} is more than ${skew} s after now (${now})`);
  } else if (report.issuedAt < now - skew) {
    problem("issued_too_long_ago", `issuedAt ${report.issuedAt} is more than ${skew} s before now (${now})`);
  }
  const window = report.validUntil - report.issuedAt;
  if (window <= 0n) {
    problem("bad_validity_window", `validUntil ${report.validUntil} is not after issuedAt ${report.issuedAt}`);
  } else if (window > BigInt(context.maxValiditySec)) {
    problem("bad_validity_window", `validity window ${window} s exceeds this node's ${context.maxValiditySec} s`);
  }
}
