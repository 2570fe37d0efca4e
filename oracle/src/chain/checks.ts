/**
 * Start-up checks against the chain: the model file must be approved (and is pinned to the validation report it
 * was approved with), and this node (and its peers) must be in the current operator set. The node refuses to start otherwise, with a message an operator can act on.
 */
import { getAddress } from "ethers";

import type { ChainContext } from "./connect.js";
import { withTimeout } from "./rpc.js";

/** `ModelStatus` in `contracts/types/ScoreTypes.sol`, by value. */
export const MODEL_STATUS_NAMES = ["None", "Proposed", "Approved", "Retired"] as const;
export type ModelStatusName = (typeof MODEL_STATUS_NAMES)[number] | `Unknown(${number})`;

/** The node must not start: its model is not approved, or it is not an operator. */
export class StartupRefusedError extends Error {
  override readonly name = "StartupRefusedError";
}

/** A model's registry entry on chain: its status and the hash of its validation report. */
export async function modelInfo(
  chain: ChainContext,
  modelId: string,
): Promise<{ status: ModelStatusName; validationReportHash: string }> {
  const [status, validationReportHash] = await withTimeout(
    chain.oracle.modelInfo(modelId),
    chain.rpcTimeoutMs,
    "oracle.modelInfo",
  );
  const index = Number(status);
  return { status: MODEL_STATUS_NAMES[index] ?? `Unknown(${index})`, validationReportHash };
}

export async function modelStatus(chain: ChainContext, modelId: string): Promise<ModelStatusName> {
  return (await modelInfo(chain, modelId)).status;
}

/**
 * Throws a StartupRefusedError naming the modelId and its on-chain status unless it is Approved; returns the
 * validation report hash the model was approved with (the node pins the model to that report).
 */
export async function assertModelApproved(
  chain: ChainContext,
  modelId: string,
  modelPath?: string,
): Promise<{ validationReportHash: string }> {
  const { status, validationReportHash } = await modelInfo(chain, modelId);
  if (status !== "Approved") {
    const file = modelPath === undefined ? "the model file" : `model file ${modelPath}`;
    throw new StartupRefusedError(
      `refusing to start: ${file} has modelId ${modelId} (sha256), which is not approved on chain (status: ${status}) ` +
        `at CreditScoreOracle ${chain.oracleAddress}; the regulator must approve it, or the file was altered`,
    );
  }
  return { validationReportHash };
}

export interface OperatorSet {
  version: bigint;
  threshold: number;
  /** Checksummed addresses, in the contract's order. */
  operators: string[];
}

export async function readOperatorSet(chain: ChainContext): Promise<OperatorSet> {
  const [version, threshold, operators] = await withTimeout(
    chain.oracle.operatorSet(),
    chain.rpcTimeoutMs,
    "oracle.operatorSet",
  );
  return { version, threshold: Number(threshold), operators: operators.map((o) => getAddress(o)) };
}

/**
 * Checks this node's place in the on-chain set: its own address must be a member, every configured peer too, and
 * the configured operators together must be able to reach the chain's threshold (k comes from the chain; the
 * config's own threshold only documents the operator's expectation). Returns warnings for softer mismatches.
 */
export function checkOperatorMembership(
  set: OperatorSet,
  own: string,
  peers: readonly { id: string; address: string }[],
  configuredThreshold: number,
): string[] {
  if (set.operators.length === 0) {
    throw new StartupRefusedError(
      "refusing to start: the oracle has no operator set yet (governance must call setOperators)",
    );
  }
  const members = new Set(set.operators);
  if (!members.has(getAddress(own))) {
    throw new StartupRefusedError(
      `refusing to start: operatorAddress ${getAddress(own)} is not in the on-chain operator set (version ${set.version}: ${set.operators.join(", ")})`,
    );
  }
  const outsiders = peers.filter((peer) => !members.has(getAddress(peer.address)));
  if (outsiders.length > 0) {
    throw new StartupRefusedError(
      `refusing to start: peer(s) ${outsiders.map((p) => `${p.id} (${p.address})`).join(", ")} not in the on-chain operator set version ${set.version}`,
    );
  }
  if (peers.length + 1 < set.threshold) {
    throw new StartupRefusedError(
      `refusing to start: the chain's threshold is ${set.threshold} but only ${peers.length + 1} operators are configured (this node and its peers)`,
    );
  }
  const warnings: string[] = [];
  if (configuredThreshold !== set.threshold) {
    warnings.push(
      `config.quorum.threshold is ${configuredThreshold}, the chain's is ${set.threshold}; using the chain's`,
    );
  }
  return warnings;
}
