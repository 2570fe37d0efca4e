/**
 * A co-signer's check of a push-flow proposal against the chain. `submitScore` is permissionless, so a report
 * co-signed by k operators is a score, whoever posts it: a co-signer must not sign one for a request that the
 * borrower did not make. The request must be on chain (in confirmed blocks), name the application's borrower as
 * its requester and the application's hash, and still be open (no score for the borrower posted at or after its
 * block). The chain keeps requests only as `ScoreRequested` logs: this node's watcher has recorded those up to
 * its cursor, and the few confirmed blocks after it are read directly.
 */
import { getAddress } from "ethers";

import {
  ChainUnavailableError,
  confirmedHead,
  findScoreRequest,
  SCORE_REQUESTED_STREAM,
  scorePostedSince,
  withTimeout,
  type ChainContext,
} from "../chain/index.js";
import type { OracleStore, ScoreRequest } from "../store/index.js";
import { NodeError } from "./errors.js";

export interface PushRequestCheckContext {
  chain: ChainContext;
  store: OracleStore;
  /** Confirmations a request needs, its own block counting as 1 (the watcher's rule, so both agree on what exists). */
  confirmations: number;
  /** Where the watcher starts without a cursor (config chain.startBlock). */
  startBlock?: number;
}

/** Returns the open request; throws NodeError `push_request_refused`, or ChainUnavailableError when the chain cannot be read. */
export async function checkOpenPushRequest(
  claim: { requestId: bigint; borrower: string; applicationHash: string },
  context: PushRequestCheckContext,
): Promise<ScoreRequest> {
  const refuse = (why: string) => new NodeError("push_request_refused", `push request ${claim.requestId}: ${why}`);
  try {
    const stored = context.store.getScoreRequest(claim.requestId);
    const request = stored ?? (await requestAfterCursor(claim.requestId, context));
    if (request === undefined) throw refuse("no such request on chain (ScoreRequested) in confirmed blocks");
    if (getAddress(request.borrower) !== getAddress(claim.borrower)) {
      throw refuse(
        `requested by ${getAddress(request.borrower)}, not by the application's borrower ${getAddress(claim.borrower)}`,
      );
    }
    if (request.applicationHash.toLowerCase() !== claim.applicationHash.toLowerCase()) {
      throw refuse(`requested for application ${request.applicationHash}, not ${claim.applicationHash}`);
    }
    if (
      stored?.status === "submitted" ||
      (await scorePostedSince(context.chain, request.borrower, request.blockNumber))
    ) {
      throw refuse(
        `already answered: a score for ${getAddress(request.borrower)} was posted at or after block ${request.blockNumber}`,
      );
    }
    return request;
  } catch (error) {
    if (error instanceof NodeError) throw error;
    throw new ChainUnavailableError(
      `cannot check push request ${claim.requestId} on chain (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

/** The request from the confirmed blocks this node's watcher has not read yet. */
async function requestAfterCursor(
  requestId: bigint,
  context: PushRequestCheckContext,
): Promise<ScoreRequest | undefined> {
  const { chain, store } = context;
  const cursor = store.getCursor(SCORE_REQUESTED_STREAM);
  const fromBlock = cursor === undefined ? (context.startBlock ?? chain.deployedAtBlock) : cursor + 1;
  const head = await withTimeout(chain.provider.getBlockNumber(), chain.rpcTimeoutMs, "getBlockNumber");
  return findScoreRequest(chain, requestId, fromBlock, confirmedHead(head, context.confirmations));
}
