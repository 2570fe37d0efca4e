/**
 * Score bundles: what a borrower gets (the report, k packed signatures, the reasons' texts), built from a stored
 * proposal, and checked when another node's leader hands one over.
 */
import { getAddress } from "ethers";

import type { OperatorSet } from "../chain/index.js";
import { SignatureCollector, type OperatorSignature, type ScoreReportFields } from "../consensus/index.js";
import { hashScoreReport, packSignatures, type ScoreReportDomain } from "../signing/index.js";
import type { Proposal, StoredProposal } from "../store/index.js";
import { LeaderRoundFailure } from "./leader-rotation.js";
import { bundleSchema, reportToJson, type ScoreBundle } from "./wire.js";

const SIGNATURE_HEX_LENGTH = 130;

/** The bundle of a proposal with its first `threshold` signatures. */
export function bundleOf(
  proposal: Proposal & Pick<StoredProposal, "signatures">,
  threshold: number,
  reasonTexts: ReadonlyMap<number, string>,
): ScoreBundle {
  const signatures = proposal.signatures.slice(0, threshold);
  return {
    reportDigest: proposal.reportDigest,
    requestKey: proposal.requestKey,
    leader: proposal.leader,
    report: reportToJson(proposal.report),
    signatures: packSignatures(signatures.map((s) => s.signature)),
    signers: signatures.map((s) => s.signer),
    reasons: proposal.report.reasonCodes
      .filter((code) => code !== 0)
      .map((code) => ({ code, text: reasonTexts.get(code) ?? "" })),
  };
}

/** The report with its reason codes as the four-slot tuple the EIP-712 hasher takes. */
export function toSigningReport(report: ScoreReportFields) {
  return { ...report, reasonCodes: [...report.reasonCodes] as [number, number, number, number] };
}

export interface CheckedBundle {
  bundle: ScoreBundle;
  reportDigest: string;
  report: ScoreReportFields;
  signatures: OperatorSignature[];
}

/**
 * A bundle from another node's leader, checked before it goes to the borrower: it parses, it is the report for
 * this application (borrower, request key, credit file), from this node's model and the current operator set, proposed by the
 * round's leader, and it carries k valid signatures of distinct operators over the report's digest. Throws
 * LeaderRoundFailure naming the first problem.
 */
export function checkLeaderBundle(
  body: unknown,
  expected: {
    borrower: string;
    applicationHash: string;
    creditFileHash: string;
    leader: string;
    modelId: string;
    set: OperatorSet;
    domain: ScoreReportDomain;
  },
): CheckedBundle {
  const parsed = bundleSchema.safeParse(body);
  const reject = (problem: string) => new LeaderRoundFailure(`the leader's bundle ${problem}`);
  if (!parsed.success) throw reject("is malformed");
  const bundle = parsed.data;
  const report: ScoreReportFields = {
    ...bundle.report,
    reasonCodes: [...bundle.report.reasonCodes] as ScoreReportFields["reasonCodes"],
  };
  if (report.borrower !== expected.borrower)
    throw reject(`is for borrower ${report.borrower}, not ${expected.borrower}`);
  if (bundle.requestKey.toLowerCase() !== expected.applicationHash.toLowerCase())
    throw reject("is for another application");
  if (report.creditFileHash.toLowerCase() !== expected.creditFileHash.toLowerCase())
    throw reject(`names credit file ${report.creditFileHash}, not the application's ${expected.creditFileHash}`);
  if (report.modelId.toLowerCase() !== expected.modelId.toLowerCase())
    throw reject(`is from model ${report.modelId}, not this node's ${expected.modelId}`);
  if (report.operatorSetVersion !== expected.set.version)
    throw reject(`is for operator set ${report.operatorSetVersion}, not the current ${expected.set.version}`);
  if (!/^0x[0-9a-fA-F]{40}$/.test(bundle.leader) || getAddress(bundle.leader) !== expected.leader)
    throw reject(`names leader ${bundle.leader}, not the round's ${expected.leader}`);

  const reportDigest = hashScoreReport(expected.domain, toSigningReport(report));
  const collector = new SignatureCollector(reportDigest, expected.set.operators, expected.set.threshold);
  const hex = bundle.signatures.slice(2);
  for (let i = 0; i < hex.length; i += SIGNATURE_HEX_LENGTH)
    collector.add(`0x${hex.slice(i, i + SIGNATURE_HEX_LENGTH)}`);
  if (!collector.complete)
    throw reject(`does not carry ${expected.set.threshold} valid signatures of distinct operators`);
  return {
    bundle: { ...bundle, reportDigest, report: reportToJson(report) },
    reportDigest,
    report,
    signatures: collector.signatures(),
  };
}
