/**
 * Pull flow: the node that received an application finds a leader for it. Round r's leader is
 * `selectLeader(…, round: r)`, the same on every honest node, and rounds 0..n−1 visit every operator once. Any
 * failure of a round — the leader is unreachable or slow, answers with any error (a clock beyond the tolerated
 * skew, a refusal it made up), returns a bundle that does not check out, or this node leading the round misses
 * the quorum — moves on to the next round. The receiving node verified the application itself before the first
 * round, so nothing a leader says is the borrower's error: one faulty operator cannot deny an application.
 */
import { NodeError } from "./errors.js";

/** A round's leader failed; `reason` says how, for the log and the borrower's final error. */
export class LeaderRoundFailure extends Error {
  override readonly name = "LeaderRoundFailure";
}

export interface LeaderRotation<T> {
  rounds: number;
  leaderOf(round: number): string;
  /** Runs one round with its leader; throws (anything) when the round fails. */
  attempt(round: number, leader: string): Promise<T>;
  /** Called for each failed round before the next one starts. */
  onRoundFailed?(round: number, leader: string, error: unknown): void;
}

/** The first round's result; throws NodeError `no_leader_available` listing every round's failure. */
export async function firstSuccessfulRound<T>(
  rotation: LeaderRotation<T>,
): Promise<{ result: T; round: number; leader: string }> {
  const failures: string[] = [];
  for (let round = 0; round < rotation.rounds; round++) {
    const leader = rotation.leaderOf(round);
    try {
      return { result: await rotation.attempt(round, leader), round, leader };
    } catch (error) {
      rotation.onRoundFailed?.(round, leader, error);
      failures.push(`round ${round} (${leader}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new NodeError(
    "no_leader_available",
    `no leader could score the application; sign it again with a new nonce to retry: ${failures.join("; ")}`,
  );
}
