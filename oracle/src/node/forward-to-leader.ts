/**
 * One pull-flow round led by a peer: the receiving node forwards the borrower-signed application to the round's
 * leader and checks the bundle it returns before handing it to the borrower: it parses, it is the report for this
 * application (borrower, request key, credit file), from this node's model and the current operator set, proposed by the
 * round's leader, and it carries k valid signatures of distinct operators over the report's digest. Any failure
 * (unreachable, an error answer, a bundle that fails a check) is a LeaderRoundFailure: the leader's, so the next
 * round is tried, never one the borrower should see.
 */
import { getAddress } from "ethers";

import type { OperatorSet } from "../chain/index.js";
import { SignatureCollector, type OperatorSignature, type ScoreReportFields } from "../consensus/index.js";
import type { PeerConfig } from "../config/index.js";
import type { VerifiedApplication } from "../intake/index.js";
import { hashScoreReport, type DigestSigner, type ScoreReportDomain } from "../signing/index.js";
import { LeaderRoundFailure } from "./leader-rotation.js";
import { peerError, postJson, signPeerEnvelope, type PeerResponse } from "./peer.js";
import { bundleSchema, reportToJson, type ScoreBundle } from "./wire.js";

export interface CheckedBundle {
  bundle: ScoreBundle;
  reportDigest: string;
  report: ScoreReportFields;
  signatures: OperatorSignature[];
}

export interface ForwardContext {
  signer: DigestSigner;
  peers: readonly PeerConfig[];
  /** The leader's route for forwarded applications. */
  route: string;
  timeoutMs: number;
  nowSec: number;
  modelId: string;
  domain: ScoreReportDomain;
}

const SIGNATURE_HEX_LENGTH = 130;
/** A leader's error message is relayed in the borrower's final error only this long. */
const MAX_RELAYED_MESSAGE = 200;

/** Forwards the application to `leader` for `round`; returns its checked bundle or throws LeaderRoundFailure. */
export async function forwardToLeader(
  input: { round: number; leader: string; application: VerifiedApplication; rawApplication: Record<string, unknown>; set: OperatorSet; requestId: string },
  context: ForwardContext,
): Promise<CheckedBundle> {
  const peer = context.peers.find((p) => p.address === input.leader);
  if (peer === undefined) throw new LeaderRoundFailure(`leader ${input.leader} is not a configured peer`);
  const envelope = signPeerEnvelope(context.signer, context.route, { round: input.round, application: input.rawApplication }, context.nowSec);
  let response: PeerResponse;
  try {
    response = await postJson(`${peer.url}${context.route}`, envelope, context.timeoutMs, input.requestId);
  } catch (error) {
    throw new LeaderRoundFailure(`leader ${peer.id} unreachable (${(error as Error).message})`, { cause: error });
  }
  if (response.status !== 201) {
    const { code, message } = peerError(response);
    throw new LeaderRoundFailure(`leader ${peer.id} answered ${response.status} ${code}: ${message.slice(0, MAX_RELAYED_MESSAGE)}`);
  }
  return checkLeaderBundle(response.body, {
    borrower: input.application.borrower,
    applicationHash: input.application.applicationHash,
    creditFileHash: input.application.creditFileHash,
    leader: input.leader,
    modelId: context.modelId,
    set: input.set,
    domain: context.domain,
  });
}

/** Returns the checked bundle; throws LeaderRoundFailure naming the first problem. */
export function checkLeaderBundle(
  body: unknown,
  expected: { borrower: string; applicationHash: string; creditFileHash: string; leader: string; modelId: string; set: OperatorSet; domain: ScoreReportDomain },
): CheckedBundle {
  const parsed = bundleSchema.safeParse(body);
  const reject = (problem: string) => new LeaderRoundFailure(`the leader's bundle ${problem}`);
  if (!parsed.success) throw reject("is malformed");
  const bundle = parsed.data;
  const report: ScoreReportFields = { ...bundle.report, reasonCodes: [...bundle.report.reasonCodes] as ScoreReportFields["reasonCodes"] };
  if (report.borrower !== expected.borrower) throw reject(`is for borrower ${report.borrower}, not ${expected.borrower}`);
  if (bundle.requestKey.toLowerCase() !== expected.applicationHash.toLowerCase()) throw reject("is for another application");
  if (report.creditFileHash.toLowerCase() !== expected.creditFileHash.toLowerCase()) throw reject(`names credit file ${report.creditFileHash}, not the application's ${expected.creditFileHash}`);
  if (report.modelId.toLowerCase() !== expected.modelId.toLowerCase()) throw reject(`is from model ${report.modelId}, not this node's ${expected.modelId}`);
  if (report.operatorSetVersion !== expected.set.version) throw reject(`is for operator set ${report.operatorSetVersion}, not the current ${expected.set.version}`);
  if (!/^0x[0-9a-fA-F]{40}$/.test(bundle.leader) || getAddress(bundle.leader) !== expected.leader) throw reject(`names leader ${bundle.leader}, not the round's ${expected.leader}`);

  const reportDigest = hashScoreReport(expected.domain, { ...report, reasonCodes: [...report.reasonCodes] });
  const collector = new SignatureCollector(reportDigest, expected.set.operators, expected.set.threshold);
  const hex = bundle.signatures.slice(2);
  for (let i = 0; i < hex.length; i += SIGNATURE_HEX_LENGTH) collector.add(`0x${hex.slice(i, i + SIGNATURE_HEX_LENGTH)}`);
  if (!collector.complete) throw reject(`does not carry ${expected.set.threshold} valid signatures of distinct operators`);
  return { bundle: { ...bundle, reportDigest, report: reportToJson(report) }, reportDigest, report, signatures: collector.signatures() };
}
