/**
 * Posts co-signed reports on chain (push flow), idempotently by report digest.
 *
 * - Before sending: if `scoreOf(borrower).issuedAt ≥ report.issuedAt`, the chain already has this report or a newer
 *   one (a peer or the borrower posted it): confirmed by another, nothing sent.
 * - The transaction is signed locally and its hash and nonce are stored *before* it is broadcast, so a crash at any
 *   point leaves a record of every transaction that may be in flight.
 * - On restart a "sent" submission is resolved from the chain: a receipt settles it; a transaction still in the
 *   mempool is waited for (then replaced with higher fees, same nonce); one the chain never saw is re-sent with
 *   the same nonce while that nonce is unused, so at most one of them can ever be mined. Whatever happens, the
 *   contract refuses a report that is not newer than the stored one (`OracleReportNotNewer`), which this module
 *   reads as "posted by someone else", not as a failure.
 * - Transient errors (ethers codes TIMEOUT, NETWORK_ERROR, SERVER_ERROR, NONCE_EXPIRED, REPLACEMENT_UNDERPRICED)
 *   are retried with exponential backoff up to `maxAttempts`; contract reverts fail at once with the reason;
 *   anything unrecognised is rethrown with the state left as stored, for the next resume.
 * - INSUFFICIENT_FUNDS is the operator's problem, not the report's: the submission stays as stored (it goes out once
 *   the key is funded) and the submitter throws a short `InsufficientFundsError` naming the amounts; until a bounded
 *   exponential backoff has passed, every submission is refused at once from memory, without touching the chain.
 * - `status()` tells /health when the key cannot pay or submissions keep failing.
 */
import { formatEther, Transaction, type TransactionReceipt, type TransactionRequest } from "ethers";

import type { OperatorWallet } from "../keystore/index.js";
import { RepeatedLogFilter, type Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import { packSignatures } from "../signing/index.js";
import type { OracleStore, StoredProposal, Submission } from "../store/index.js";
import type { ChainContext } from "./connect.js";
import {
  conciseError,
  decodeCustomError,
  describeChainError,
  ethersErrorCode,
  isInsufficientFunds,
  isTransientChainError,
} from "./errors.js";
import { backoffDelay, sleep, TimeoutError, withTimeout, type BackoffPolicy } from "./rpc.js";

export interface SubmitterHooks {
  /** Runs after the tx hash is stored and before it is broadcast (tests simulate a crash here). */
  afterStored?: (txHash: string) => void | Promise<void>;
  /** Runs after the broadcast and before waiting for the receipt (tests simulate a crash here). */
  afterBroadcast?: (txHash: string) => void | Promise<void>;
}

export interface SubmitterOptions {
  chain: ChainContext;
  store: OracleStore;
  wallet: OperatorWallet;
  log: Logger;
  metrics?: OracleMetrics;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** How long to wait for a broadcast transaction's receipt before treating it as stuck. */
  receiptTimeoutMs?: number;
  receiptPollMs?: number;
  /** Fee increase of a replacement transaction, in percent (nodes require ≥ 10 %). */
  feeBumpPercent?: number;
  /** Wait before trying again after INSUFFICIENT_FUNDS (default 5 s doubling to 5 min). */
  fundingBackoff?: BackoffPolicy;
  hooks?: SubmitterHooks;
}

/** Unexpected reverts are not retried: the same call would revert again. */
class PermanentSubmitError extends Error {}

/** Failures in a row from which /health reports the submitter as failing. */
const FAILING_AFTER = 3;

/** The operator key cannot pay for a submission; `message` is one short line with the amounts. */
export class InsufficientFundsError extends Error {
  override readonly name = "InsufficientFundsError";
  readonly code = "INSUFFICIENT_FUNDS";
  constructor(
    readonly operator: string,
    readonly availableWei: bigint | undefined,
    readonly neededWei: bigint | undefined,
    readonly retryInMs: number,
  ) {
    const holds = availableWei === undefined ? "" : ` holds ${formatEther(availableWei)} ETH,`;
    const needs =
      neededWei === undefined
        ? " cannot pay for gas"
        : ` a submitScore needs up to ${formatEther(neededWei)} ETH (gas limit × max fee)`;
    // No retry time in the message: identical failures make identical lines, which the log rate-limits.
    super(`INSUFFICIENT_FUNDS: operator ${operator}${holds}${needs}; fund it`);
  }
}

export class Submitter {
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly receiptTimeoutMs: number;
  private readonly receiptPollMs: number;
  private readonly feeBumpPercent: bigint;
  private readonly fundingBackoff: BackoffPolicy;
  /** Digests being submitted right now: a second caller waits for the first instead of racing it. */
  private readonly inFlight = new Map<string, Promise<Submission>>();
  /** Cost (gas limit × max fee) of the last transaction built, for an INSUFFICIENT_FUNDS message. */
  private lastTxCostWei: bigint | undefined;
  /** Set after INSUFFICIENT_FUNDS: no submission is tried before `until`. */
  private unfunded: { error: InsufficientFundsError; until: number; failures: number } | undefined;
  private failuresInARow = 0;
  /** Identical failure lines are logged once a minute, with how many were held back. */
  private readonly repeatedLog = new RepeatedLogFilter();
  private lastFailure: string | undefined;

  constructor(private readonly options: SubmitterOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoff = options.backoff ?? { baseDelayMs: 500, maxDelayMs: 15_000 };
    this.receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000;
    this.receiptPollMs = options.receiptPollMs ?? 250;
    this.feeBumpPercent = BigInt(options.feeBumpPercent ?? 20);
    this.fundingBackoff = options.fundingBackoff ?? { baseDelayMs: 5_000, maxDelayMs: 300_000 };
  }

  /**
   * Submits the report with this digest (its proposal and signatures must be stored); returns the final row.
   * Rejects with an InsufficientFundsError while the key cannot pay (at once, during the backoff).
   */
  submit(reportDigest: string): Promise<Submission> {
    if (this.unfunded !== undefined && Date.now() < this.unfunded.until) return Promise.reject(this.unfunded.error);
    const running = this.inFlight.get(reportDigest);
    if (running !== undefined) return running;
    const work = this.run(reportDigest).then(
      (submission) => {
        this.settled(submission);
        return submission;
      },
      (error: unknown) => {
        if (!(error instanceof InsufficientFundsError)) this.failing(conciseError(error));
        throw error;
      },
    );
    const tracked = work.finally(() => this.inFlight.delete(reportDigest));
    this.inFlight.set(reportDigest, tracked);
    return tracked;
  }

  /** Why /health should call the node degraded: the key cannot pay, or submissions keep failing. */
  status(): { problem?: string } {
    if (this.unfunded !== undefined) return { problem: this.unfunded.error.message };
    if (this.failuresInARow >= FAILING_AFTER)
      return { problem: `submissions failing: ${this.failuresInARow} in a row; last: ${this.lastFailure}` };
    return {};
  }

  private settled(submission: Submission): void {
    if (submission.status === "failed") return this.failing(submission.lastError ?? "failed");
    this.unfunded = undefined;
    this.failuresInARow = 0;
    this.lastFailure = undefined;
  }

  private failing(reason: string): void {
    this.failuresInARow += 1;
    this.lastFailure = reason;
  }

  private async insufficientFunds(): Promise<InsufficientFundsError> {
    const { chain, wallet } = this.options;
    const failures = (this.unfunded?.failures ?? 0) + 1;
    const retryInMs = backoffDelay(failures, this.fundingBackoff);
    const available = await this.rpc(chain.provider.getBalance(wallet.address), "getBalance").catch(() => undefined);
    const error = new InsufficientFundsError(wallet.address, available, this.lastTxCostWei, retryInMs);
    this.unfunded = { error, until: Date.now() + retryInMs, failures };
    this.options.metrics?.errorsTotal.inc({ code: "submit_insufficient_funds" });
    return error;
  }

  /** Resumes every submission a previous run left pending or sent (call at start-up and now and then). */
  async resumePending(): Promise<Submission[]> {
    const { store, log } = this.options;
    const open = [...store.listSubmissions("sent"), ...store.listSubmissions("pending")];
    const results: Submission[] = [];
    for (const submission of open) {
      try {
        results.push(await this.submit(submission.reportDigest));
      } catch (error) {
        const reason = conciseError(error);
        const suppressed = this.repeatedLog.admit(reason);
        const retryInMs = error instanceof InsufficientFundsError ? { retryInMs: error.retryInMs } : {};
        if (suppressed !== undefined)
          log.error(
            { reason, ...retryInMs, reportDigest: submission.reportDigest, suppressed },
            "resuming submission failed; will retry",
          );
        // The key cannot pay for any of them: the rest would be refused the same way.
        if (error instanceof InsufficientFundsError) break;
      }
    }
    return results;
  }

  private async run(digest: string): Promise<Submission> {
    const { store, log } = this.options;
    const proposal = store.getProposal(digest);
    if (proposal === undefined) throw new Error(`cannot submit ${digest}: no such proposal in the store`);
    let submission = store.ensureSubmission(digest);
    let bumpFees = false;
    for (let attempt = 1; ; attempt++) {
      if (submission.status === "confirmed" || submission.status === "failed") return submission;
      try {
        let reuseNonce: number | undefined;
        if (submission.status === "sent") {
          const resolved = await this.resolveSent(proposal, submission);
          if (resolved.done) return resolved.submission;
          reuseNonce = resolved.reuseNonce;
          bumpFees ||= resolved.stuck;
        }
        const posted = await this.postedIssuedAt(proposal);
        if (posted >= proposal.report.issuedAt) {
          return this.confirmedByOther(
            digest,
            `chain holds a score issued at ${posted} ≥ report's ${proposal.report.issuedAt}`,
          );
        }
        submission = await this.send(proposal, { reuseNonce, bumpFees });
      } catch (error) {
        const custom = decodeCustomError(this.options.chain.oracle.interface, error);
        if (custom?.name === "OracleReportNotNewer") {
          return this.confirmedByOther(
            digest,
            `contract: ${describeChainError(this.options.chain.oracle.interface, error)}`,
          );
        }
        if (custom !== undefined || error instanceof PermanentSubmitError) {
          return this.failed(digest, `reverted: ${describeChainError(this.options.chain.oracle.interface, error)}`);
        }
        if (isInsufficientFunds(error)) throw await this.insufficientFunds();
        const code = ethersErrorCode(error);
        if (!isTransientChainError(error)) throw error;
        const reason = describeChainError(undefined, error);
        if (attempt >= this.maxAttempts) return this.failed(digest, `gave up after ${attempt} attempts: ${reason}`);
        bumpFees = code === "REPLACEMENT_UNDERPRICED" || (bumpFees && code !== "NONCE_EXPIRED");
        this.options.metrics?.errorsTotal.inc({ code: `submit_${code ?? "unknown"}`.toLowerCase() });
        const delay = backoffDelay(attempt, this.backoff);
        log.warn(
          { reportDigest: digest, attempt, code, reason, retryInMs: delay },
          "submission attempt failed; retrying",
        );
        await sleep(delay);
        submission = store.getSubmission(digest)!;
      }
    }
  }

  /**
   * Settles a submission whose transaction was stored (and maybe broadcast) earlier. `done` when the chain
   * decided it; otherwise says whether to reuse the stored nonce (it is still unused) and bump fees (stuck).
   */
  private async resolveSent(
    proposal: StoredProposal,
    submission: Submission,
  ): Promise<{ done: true; submission: Submission } | { done: false; reuseNonce: number | undefined; stuck: boolean }> {
    const { chain, wallet } = this.options;
    const txHash = submission.txHash!;
    let receipt = await this.rpc(chain.provider.getTransactionReceipt(txHash), "getTransactionReceipt");
    let stuck = false;
    if (receipt === null && (await this.rpc(chain.provider.getTransaction(txHash), "getTransaction")) !== null) {
      try {
        receipt = await this.waitForReceipt(txHash);
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
        stuck = true;
      }
    }
    if (receipt !== null) {
      if (receipt.status === 1) return { done: true, submission: this.confirmed(proposal.reportDigest, receipt) };
      this.options.log.warn(
        { reportDigest: proposal.reportDigest, txHash },
        "stored transaction reverted; re-checking",
      );
      return { done: false, reuseNonce: undefined, stuck: false };
    }
    const used = await this.rpc(chain.provider.getTransactionCount(wallet.address, "latest"), "getTransactionCount");
    const reuseNonce = submission.txNonce !== null && submission.txNonce >= used ? submission.txNonce : undefined;
    return { done: false, reuseNonce, stuck };
  }

  private async send(
    proposal: StoredProposal,
    opts: { reuseNonce: number | undefined; bumpFees: boolean },
  ): Promise<Submission> {
    const { chain, store, wallet, hooks, log } = this.options;
    const digest = proposal.reportDigest;
    const data = chain.oracle.interface.encodeFunctionData("submitScore", [
      { ...proposal.report, reasonCodes: [...proposal.report.reasonCodes] },
      packSignatures(proposal.signatures.map((s) => s.signature)),
    ]);
    const request: TransactionRequest = { from: wallet.address, to: chain.oracleAddress, data };
    // The simulation surfaces the contract's custom error (e.g. OracleReportNotNewer) before any gas is spent.
    const gas = await this.rpc(chain.provider.estimateGas(request), "estimateGas");
    const nonce =
      opts.reuseNonce ??
      (await this.rpc(chain.provider.getTransactionCount(wallet.address, "pending"), "getTransactionCount"));
    const fees = await this.rpc(chain.provider.getFeeData(), "getFeeData");
    const bump = (value: bigint) => (opts.bumpFees ? (value * (100n + this.feeBumpPercent)) / 100n : value);
    const priority = fees.maxPriorityFeePerGas ?? 1_000_000_000n;
    const maxFee = fees.maxFeePerGas ?? fees.gasPrice ?? priority * 2n;
    const tx: TransactionRequest = {
      type: 2,
      chainId: chain.chainId,
      to: chain.oracleAddress,
      data,
      nonce,
      gasLimit: (gas * 12n) / 10n,
      maxPriorityFeePerGas: bump(priority),
      maxFeePerGas: bump(maxFee > priority ? maxFee : priority),
    };
    this.lastTxCostWei = (tx.gasLimit as bigint) * (tx.maxFeePerGas as bigint);
    const signed = await wallet.signTransaction(tx);
    const txHash = Transaction.from(signed).hash!;
    const sent = store.markSubmissionSent(digest, { txHash, txNonce: nonce });
    log.info({ reportDigest: digest, txHash, nonce, attempt: sent.attempts }, "submission stored; broadcasting");
    await hooks?.afterStored?.(txHash);
    await this.rpc(chain.provider.broadcastTransaction(signed), "broadcastTransaction");
    await hooks?.afterBroadcast?.(txHash);
    const receipt = await this.waitForReceipt(txHash);
    if (receipt.status === 1) return this.confirmed(digest, receipt);
    // Mined but reverted: the usual cause is a race with another submitter; the re-check tells.
    const posted = await this.postedIssuedAt(proposal);
    if (posted >= proposal.report.issuedAt)
      return this.confirmedByOther(digest, `own tx ${txHash} reverted; chain holds issuedAt ${posted}`);
    throw new PermanentSubmitError(`transaction ${txHash} reverted`);
  }

  private async waitForReceipt(txHash: string): Promise<TransactionReceipt> {
    const deadline = Date.now() + this.receiptTimeoutMs;
    for (;;) {
      const receipt = await this.rpc(
        this.options.chain.provider.getTransactionReceipt(txHash),
        "getTransactionReceipt",
      );
      if (receipt !== null) return receipt;
      if (Date.now() >= deadline) throw new TimeoutError(`no receipt for ${txHash} within ${this.receiptTimeoutMs} ms`);
      await sleep(this.receiptPollMs);
    }
  }

  private async postedIssuedAt(proposal: StoredProposal): Promise<bigint> {
    const score = await this.rpc(this.options.chain.oracle.scoreOf(proposal.report.borrower), "oracle.scoreOf");
    return score.issuedAt;
  }

  private rpc<T>(promise: Promise<T>, what: string): Promise<T> {
    return withTimeout(promise, this.options.chain.rpcTimeoutMs, what);
  }

  private confirmed(digest: string, receipt: TransactionReceipt): Submission {
    this.options.metrics?.submissionsTotal.inc({ result: "confirmed" });
    this.options.log.info(
      { reportDigest: digest, txHash: receipt.hash, block: receipt.blockNumber, gasUsed: receipt.gasUsed.toString() },
      "report posted on chain",
    );
    return this.options.store.markSubmissionConfirmed(digest);
  }

  private confirmedByOther(digest: string, evidence: string): Submission {
    this.options.metrics?.submissionsTotal.inc({ result: "confirmed_by_other" });
    this.options.log.info({ reportDigest: digest, evidence }, "report already on chain; not posting");
    return this.options.store.markSubmissionConfirmedByOther(digest, evidence);
  }

  private failed(digest: string, reason: string): Submission {
    this.options.metrics?.submissionsTotal.inc({ result: "failed" });
    this.options.metrics?.errorsTotal.inc({ code: "submission_failed" });
    this.options.log.error({ reportDigest: digest, reason }, "submission failed");
    return this.options.store.markSubmissionFailed(digest, reason);
  }
}
