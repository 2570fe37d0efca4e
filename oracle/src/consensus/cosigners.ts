/**
 * Which peers a round's leader asks to co-sign, and in what order. The leader needs k − 1 signatures besides its
 * own, so it asks the first k − 1 of this order and the next one only when an asked peer refuses or is slow
 * (`node/quorum-requests.ts`). Every operator can compute the order; nothing depends on it but load:
 *
 *   peers  = the operators other than the leader, sorted ascending by address as a uint160
 *   seed   = uint256(keccak256(abi.encodePacked("verity-cosigners", bytes32 requestKey, uint64 operatorSetVersion,
 *            uint64 round)))
 *   order  = peers rotated to start at peers[seed mod (n − 1)]
 *
 * The rotation spreads the work: each request (and each round of it) starts at a different peer, so every peer is
 * asked in about (k − 1)/(n − 1) of the rounds it does not lead, and the n − k others stay idle.
 */
import { solidityPackedKeccak256 } from "ethers";

import { checksumAddress } from "./address.js";
import { sortOperators } from "./leader.js";

const UINT64_MAX = (1n << 64n) - 1n;

export function cosignerOrder(params: {
  operators: readonly string[];
  leader: string;
  requestKey: string;
  operatorSetVersion: bigint;
  round: number;
}): string[] {
  const { round } = params;
  if (!Number.isSafeInteger(round) || round < 0)
    throw new Error(`co-signer order: round must be a non-negative integer, got ${round}`);
  if (params.operatorSetVersion < 0n || params.operatorSetVersion > UINT64_MAX) {
    throw new Error(`co-signer order: operatorSetVersion must be a uint64, got ${params.operatorSetVersion}`);
  }
  const leader = checksumAddress(params.leader);
  const peers = sortOperators(params.operators).filter((operator) => operator !== leader);
  if (peers.length === 0) return [];
  const seed = BigInt(
    solidityPackedKeccak256(
      ["string", "bytes32", "uint64", "uint64"],
      ["verity-cosigners", params.requestKey, params.operatorSetVersion, BigInt(round)],
    ),
  );
  const start = Number(seed % BigInt(peers.length));
  return [...peers.slice(start), ...peers.slice(0, start)];
}
