/**
 * Push-flow requests as the chain holds them: the `ScoreRequested` event of one request id (the oracle keeps no
 * request in storage, so its log is the only record), and whether a borrower's request has been answered (a
 * `ScorePosted` for the borrower at or after the request's block, by anyone: the leader's own test too).
 */
import { getAddress } from "ethers";

import type { ScoreRequest } from "../store/index.js";
import type { ChainContext } from "./connect.js";
import { withTimeout } from "./rpc.js";

/** The request `requestId` if a `ScoreRequested` for it lies in blocks `fromBlock..toBlock`. */
export async function findScoreRequest(
  chain: ChainContext,
  requestId: bigint,
  fromBlock: number,
  toBlock: number,
): Promise<ScoreRequest | undefined> {
  if (fromBlock > toBlock) return undefined;
  const events = await withTimeout(
    chain.oracle.queryFilter(chain.oracle.filters.ScoreRequested(undefined, requestId), fromBlock, toBlock),
    chain.rpcTimeoutMs,
    `queryFilter ScoreRequested(${requestId}) ${fromBlock}..${toBlock}`,
  );
  const [event] = events;
  if (event === undefined) return undefined;
  return {
    requestId: event.args.requestId,
    borrower: getAddress(event.args.borrower),
    applicationHash: event.args.applicationHash,
    blockNumber: event.blockNumber,
  };
}

/** True when a score for `borrower` was posted at or after `fromBlock`: the request made there is answered. */
export async function scorePostedSince(chain: ChainContext, borrower: string, fromBlock: number): Promise<boolean> {
  const posted = await withTimeout(
    chain.oracle.queryFilter(chain.oracle.filters.ScorePosted(borrower), fromBlock),
    chain.rpcTimeoutMs,
    "queryFilter ScorePosted",
  );
  return posted.length > 0;
}
