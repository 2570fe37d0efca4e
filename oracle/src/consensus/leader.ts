/**
 * Deterministic leader selection: every operator computes the same leader for a request without talking to the
 * others.
 *
 *   order  = operators sorted ascending by address as a uint160 (the on-chain set, in any listing order)
 *   seed   = uint256(keccak256(abi.encodePacked(bytes32 requestKey, uint64 operatorSetVersion)))
 *   leader = order[(seed + round) mod n]
 *
 * `requestKey` is the request id as bytes32 (push flow) or the application hash (pull flow); hashing it spreads
 * leadership evenly, and the operator-set version re-deals it whenever the set changes. `round` starts at 0 and
 * is raised by one each time the current leader fails to propose in time, so leadership passes to the next
 * operator in address order and every operator still agrees on who leads.
 */
import { solidityPackedKeccak256, toBeHex, zeroPadValue } from "ethers";

import { checksumAddress } from "./address.js";

const UINT64_MAX = (1n << 64n) - 1n;

/** Operators in leader order (ascending address); throws on an empty set or a duplicate. */
export function sortOperators(operators: readonly string[]): string[] {
  if (operators.length === 0) throw new Error("leader selection: the operator set is empty");
  const checksummed = operators.map((operator) => checksumAddress(operator));
  const sorted = checksummed.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  sorted.forEach((operator, i) => {
    if (i > 0 && operator === sorted[i - 1]) throw new Error(`leader selection: operator ${operator} is listed twice`);
  });
  return sorted;
}

/** The bytes32 request key of a push-flow request id. */
export function requestKeyFromRequestId(requestId: bigint): string {
  if (requestId < 0n) throw new Error(`request id must be a uint256, got ${requestId}`);
  return zeroPadValue(toBeHex(requestId), 32);
}

export interface LeaderSelection {
  leader: string;
  /** Position of the leader in `order`. */
  index: number;
  order: string[];
}

export function selectLeader(params: {
  operators: readonly string[];
  requestKey: string;
  operatorSetVersion: bigint;
  round?: number;
}): LeaderSelection {
  const round = params.round ?? 0;
  if (!Number.isSafeInteger(round) || round < 0)
    throw new Error(`leader selection: round must be a non-negative integer, got ${round}`);
  if (params.operatorSetVersion < 0n || params.operatorSetVersion > UINT64_MAX) {
    throw new Error(`leader selection: operatorSetVersion must be a uint64, got ${params.operatorSetVersion}`);
  }
  const order = sortOperators(params.operators);
  const seed = BigInt(solidityPackedKeccak256(["bytes32", "uint64"], [params.requestKey, params.operatorSetVersion]));
  const index = Number((seed + BigInt(round)) % BigInt(order.length));
  return { leader: order[index] as string, index, order };
}
