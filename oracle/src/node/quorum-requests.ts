/**
 * Asking peers for co-signatures, hedged. The leader needs `needed` more signatures; it asks that many peers from
 * the front of `candidates` and no more. An asked peer that refuses, answers with a signature that does not count,
 * or fails to answer (down, timed out) is replaced by the next candidate; so is one still silent after
 * `hedgeDelayMs` (its late signature still counts, and its later failure asks no one else: it was replaced already).
 * It stops as soon as the signatures are in, aborting what is still in flight, or as soon as they cannot be: fewer
 * peers left to answer than signatures missing. No peer is asked twice; peers never asked do no work.
 */
import type { CosignAnswer } from "./peer-client.js";

export interface HedgedRequests<P> {
  /** The peers that may be asked, in the order they are asked. */
  candidates: readonly P[];
  /** Signatures still missing. */
  needed: number;
  /** How long an asked peer may stay silent before the next one is asked as well. */
  hedgeDelayMs: number;
  /** Sends the request to one peer; `signal` aborts once the outcome is known. Must not reject. */
  ask(peer: P, signal: AbortSignal): Promise<CosignAnswer>;
  /**
   * Judges one answer: true when it added a signature. If it throws (the store refusing a write, say, once the node
   * is shutting down), the requests stop and the promise rejects with that error.
   */
  onAnswer(peer: P, answer: CosignAnswer): boolean;
}

/**
 * Resolves with the peers asked (in order) once `needed` answers added a signature or no more can. Whether the
 * quorum was met is the caller's collector's to say. Rejects only with an error `onAnswer` threw: an answer arrives
 * on a peer request's own promise, so a throw there would otherwise be an unhandled rejection, which ends the process.
 */
export function requestHedged<P>(options: HedgedRequests<P>): Promise<{ asked: P[] }> {
  const { candidates, hedgeDelayMs } = options;
  const asked: P[] = [];
  const controller = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  let needed = options.needed;
  let next = 0;
  /** Asked and unanswered. */
  let inFlight = 0;
  /** Asked, unanswered, and not yet replaced by a hedge: the peers counted on for the missing signatures. */
  let counted = 0;
  let done = false;

  return new Promise((resolve, reject) => {
    const stop = () => {
      done = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      controller.abort();
    };
    const finish = () => {
      if (done) return;
      stop();
      resolve({ asked });
    };
    /** Asks more peers while fewer are counted on than signatures are missing; finishes when that cannot help. */
    const topUp = () => {
      if (done) return;
      if (needed <= 0 || needed > inFlight + (candidates.length - next)) return finish();
      while (counted < needed && next < candidates.length) launch(candidates[next++] as P);
    };
    const launch = (peer: P) => {
      asked.push(peer);
      inFlight += 1;
      counted += 1;
      let replaced = false;
      const release = () => {
        if (replaced) return;
        replaced = true;
        counted -= 1;
      };
      const timer = setTimeout(() => {
        timers.delete(timer);
        release();
        topUp();
      }, hedgeDelayMs);
      timers.add(timer);
      void options
        .ask(peer, controller.signal)
        .catch((error: unknown): CosignAnswer => ({ kind: "unreachable", message: errorMessage(error) }))
        .then((answer) => {
          clearTimeout(timer);
          timers.delete(timer);
          inFlight -= 1;
          if (done) return;
          release();
          try {
            if (options.onAnswer(peer, answer)) needed -= 1;
          } catch (error) {
            stop();
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          topUp();
        });
    };
    topUp();
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
