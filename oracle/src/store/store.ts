/**
 * The node's embedded store: everything it must remember across a restart so that it neither loses a request
 * nor posts a report twice. Synchronous (node:sqlite): each call is a short local write, and a synchronous API
 * makes "check then write" sequences atomic within the process without extra locking.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

import { ZeroAddress, ZeroHash } from "ethers";

import type { OperatorSignature, ScoreReportFields } from "../consensus/types.js";
import type { ApplicationRecorder, ReceivedApplication } from "../intake/index.js";
import type { CreditFileMessage } from "../protocol/credit-file.js";
import { startCheckpointer, type Checkpointer, type CheckpointerOptions } from "./checkpointer.js";
import { inTransaction, openDatabase, StoreError } from "./database.js";

export type ScoreRequestStatus = "pending" | "proposed" | "submitted" | "failed";
export type SubmissionStatus = "pending" | "sent" | "confirmed" | "failed";

export interface StoredApplication {
  applicationHash: string;
  borrower: string;
  nonce: bigint;
  expiry: number;
  featuresHash: string;
  /** Feature values in model order. */
  features: number[];
  receivedAt: number;
  /** The borrower's signature; absent for applications stored by a node version that did not keep it. */
  signature?: string;
  /** The attested credit file, its provider's signature and digest; absent for applications stored before them. */
  creditFile?: CreditFileMessage;
  providerSignature?: string;
  creditFileHash?: string;
}

export interface ScoreRequest {
  requestId: bigint;
  borrower: string;
  applicationHash: string;
  blockNumber: number;
}

export interface StoredScoreRequest extends ScoreRequest {
  status: ScoreRequestStatus;
  updatedAt: number;
}

export interface Proposal {
  reportDigest: string;
  /** bytes32 the leader was chosen for: the request id (push) or the application hash (pull). */
  requestKey: string;
  leader: string;
  report: ScoreReportFields;
}

export interface StoredProposal extends Proposal {
  createdAt: number;
  /** Co-signatures in the order they were collected. */
  signatures: OperatorSignature[];
}

export interface Submission {
  reportDigest: string;
  status: SubmissionStatus;
  txHash: string | null;
  txNonce: number | null;
  attempts: number;
  lastError: string | null;
  /** For a confirmed submission: whether this node's transaction posted it or another submitter's did. */
  confirmedBy: "self" | "other" | null;
  createdAt: number;
  updatedAt: number;
}

export type { OperatorSignature };

type Row = Record<string, unknown>;

const unixNow = (): number => Math.floor(Date.now() / 1000);

export interface OpenStoreOptions {
  /** Unix seconds. */
  now?: () => number;
  /** Checkpoint the write-ahead log in a worker thread instead of inside commits (the node does; see checkpointer.ts). */
  backgroundCheckpoints?: CheckpointerOptions;
}

/** Opens (creating and migrating if needed) the store at `path`. */
export function openStore(path: string, options: OpenStoreOptions = {}): OracleStore {
  const db = openDatabase(path);
  let checkpointer: Checkpointer | undefined;
  try {
    if (options.backgroundCheckpoints !== undefined)
      checkpointer = startCheckpointer(db, path, options.backgroundCheckpoints);
  } catch (error) {
    db.close();
    throw error;
  }
  return new OracleStore(db, path, options.now ?? unixNow, checkpointer);
}

export class OracleStore implements ApplicationRecorder {
  /** Prepared once per SQL text: preparing costs more than running these small statements. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(
    private readonly db: DatabaseSync,
    readonly path: string,
    private readonly now: () => number,
    private readonly checkpointer?: Checkpointer,
  ) {}

  private statement(sql: string): StatementSync {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  /** True while a worker thread checkpoints the log (false after a failure handed it back to this connection). */
  get backgroundCheckpointing(): boolean {
    return this.checkpointer?.running ?? false;
  }

  /** Lets the background checkpointer run its last checkpoint and exit; then `close()` finds nothing left to do. */
  async stopBackgroundCheckpoints(): Promise<void> {
    await this.checkpointer?.stop();
  }

  close(): void {
    void this.checkpointer?.stop();
    if (this.db.isOpen) this.db.close();
  }

  // ---- applications and nonces ----

  /** Claims (borrower, nonce) and saves the application in one transaction. */
  recordApplication(application: ReceivedApplication): "recorded" | "replayed_nonce" {
    return inTransaction(this.db, () => {
      const claimed = this.statement(
        `INSERT INTO used_nonces (borrower, nonce, application_hash, used_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (borrower, nonce) DO NOTHING`,
      ).run(application.borrower, application.nonce.toString(), application.applicationHash, this.now());
      if (Number(claimed.changes) === 0) return "replayed_nonce";
      this.statement(
        `INSERT INTO applications
             (application_hash, borrower, nonce, expiry, features_hash, features_json, received_at, signature,
              credit_file_json, provider_signature, credit_file_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        application.applicationHash,
        application.borrower,
        application.nonce.toString(),
        application.expiry,
        application.featuresHash,
        JSON.stringify(application.features),
        application.receivedAt,
        application.signature,
        JSON.stringify(application.creditFile),
        application.providerSignature,
        application.creditFileHash,
      );
      return "recorded";
    });
  }

  /** True when (borrower, nonce) has been claimed by an accepted application (read-only; no claim is made). */
  isNonceUsed(borrower: string, nonce: bigint): boolean {
    return (
      this.statement("SELECT 1 FROM used_nonces WHERE borrower = ? AND nonce = ?").get(borrower, nonce.toString()) !==
      undefined
    );
  }

  getApplication(applicationHash: string): StoredApplication | undefined {
    const row = this.statement("SELECT * FROM applications WHERE application_hash = ?").get(applicationHash) as
      Row | undefined;
    if (row === undefined) return undefined;
    return {
      applicationHash: row.application_hash as string,
      borrower: row.borrower as string,
      nonce: BigInt(row.nonce as string),
      expiry: row.expiry as number,
      featuresHash: row.features_hash as string,
      features: JSON.parse(row.features_json as string) as number[],
      receivedAt: row.received_at as number,
      ...(typeof row.signature === "string" ? { signature: row.signature } : {}),
      ...(typeof row.credit_file_json === "string" &&
      typeof row.provider_signature === "string" &&
      typeof row.credit_file_hash === "string"
        ? {
            creditFile: JSON.parse(row.credit_file_json) as CreditFileMessage,
            providerSignature: row.provider_signature,
            creditFileHash: row.credit_file_hash,
          }
        : {}),
    };
  }

  // ---- push requests and the chain cursor ----

  /**
   * Records the requests found in a block range and moves the stream's cursor to `throughBlock`, atomically: after
   * a crash either both happened or neither, so the range is re-read and no request is lost. Requests already
   * known are left as they are (re-reading a range is harmless). The cursor never moves backwards.
   */
  recordScoreRequests(stream: string, requests: readonly ScoreRequest[], throughBlock: number): void {
    inTransaction(this.db, () => {
      const current = this.getCursor(stream);
      if (current !== undefined && throughBlock < current) {
        throw new StoreError(`chain cursor "${stream}" cannot move back from block ${current} to ${throughBlock}`);
      }
      const insert = this.statement(
        `INSERT INTO score_requests (request_id, borrower, application_hash, block_number, status, updated_at)
         VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (request_id) DO NOTHING`,
      );
      for (const request of requests) {
        insert.run(
          request.requestId.toString(),
          request.borrower,
          request.applicationHash,
          request.blockNumber,
          this.now(),
        );
      }
      this.statement(
        `INSERT INTO chain_cursor (stream, last_processed_block, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (stream) DO UPDATE SET last_processed_block = excluded.last_processed_block, updated_at = excluded.updated_at`,
      ).run(stream, throughBlock, this.now());
    });
  }

  /** Last fully processed block of `stream`, or undefined before the first range. */
  getCursor(stream: string): number | undefined {
    const row = this.statement("SELECT last_processed_block FROM chain_cursor WHERE stream = ?").get(stream) as
      Row | undefined;
    return row === undefined ? undefined : (row.last_processed_block as number);
  }

  setScoreRequestStatus(requestId: bigint, status: ScoreRequestStatus): void {
    const result = this.statement("UPDATE score_requests SET status = ?, updated_at = ? WHERE request_id = ?").run(
      status,
      this.now(),
      requestId.toString(),
    );
    if (Number(result.changes) === 0) throw new StoreError(`score request ${requestId} is not in the store`);
  }

  getScoreRequest(requestId: bigint): StoredScoreRequest | undefined {
    const row = this.statement("SELECT * FROM score_requests WHERE request_id = ?").get(requestId.toString()) as
      Row | undefined;
    return row === undefined ? undefined : toScoreRequest(row);
  }

  /** Requests in `status`, oldest block first. */
  listScoreRequests(status: ScoreRequestStatus): StoredScoreRequest[] {
    const rows = this.statement("SELECT * FROM score_requests WHERE status = ? ORDER BY block_number, rowid").all(
      status,
    ) as Row[];
    return rows.map(toScoreRequest);
  }

  // ---- proposals and co-signatures ----

  /** Saves a proposal once; a second save of the same digest is a no-op ("exists"). */
  saveProposal(proposal: Proposal): "created" | "exists" {
    const { report } = proposal;
    const result = this.statement(
      `INSERT INTO proposals (report_digest, request_key, leader, borrower, pd_bps, reason_codes_json, model_id,
                                operator_set_version, issued_at, valid_until, created_at, credit_file_hash, provider)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (report_digest) DO NOTHING`,
    ).run(
      proposal.reportDigest,
      proposal.requestKey,
      proposal.leader,
      report.borrower,
      report.pdBps,
      JSON.stringify(report.reasonCodes),
      report.modelId,
      report.operatorSetVersion.toString(),
      report.issuedAt.toString(),
      report.validUntil.toString(),
      this.now(),
      report.creditFileHash,
      report.provider,
    );
    return Number(result.changes) === 1 ? "created" : "exists";
  }

  /** A proposal and this node's signature of it, in one transaction: what a leader or a co-signer records. */
  saveSignedProposal(proposal: Proposal, signature: OperatorSignature): void {
    inTransaction(this.db, () => {
      this.saveProposal(proposal);
      this.insertSignature(proposal.reportDigest, signature);
    });
  }

  /** Adds a co-signature (first one per signer wins); returns how many distinct signers the proposal has. */
  addSignature(reportDigest: string, signature: OperatorSignature): number {
    return inTransaction(this.db, () => {
      if (!this.hasProposal(reportDigest))
        throw new StoreError(`cannot add a signature: proposal ${reportDigest} is not in the store`);
      this.insertSignature(reportDigest, signature);
      const row = this.statement("SELECT COUNT(*) AS n FROM proposal_signatures WHERE report_digest = ?").get(
        reportDigest,
      ) as Row;
      return row.n as number;
    });
  }

  private insertSignature(reportDigest: string, signature: OperatorSignature): void {
    this.statement(
      `INSERT INTO proposal_signatures (report_digest, signer, signature, added_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (report_digest, signer) DO NOTHING`,
    ).run(reportDigest, signature.signer, signature.signature, this.now());
  }

  getProposal(reportDigest: string): StoredProposal | undefined {
    const row = this.statement("SELECT * FROM proposals WHERE report_digest = ?").get(reportDigest) as Row | undefined;
    if (row === undefined) return undefined;
    const signatures = this.statement(
      "SELECT signer, signature FROM proposal_signatures WHERE report_digest = ? ORDER BY rowid",
    ).all(reportDigest) as Row[];
    return {
      reportDigest: row.report_digest as string,
      requestKey: row.request_key as string,
      leader: row.leader as string,
      createdAt: row.created_at as number,
      report: {
        borrower: row.borrower as string,
        pdBps: row.pd_bps as number,
        reasonCodes: JSON.parse(row.reason_codes_json as string) as ScoreReportFields["reasonCodes"],
        modelId: row.model_id as string,
        operatorSetVersion: BigInt(row.operator_set_version as string),
        issuedAt: BigInt(row.issued_at as string),
        validUntil: BigInt(row.valid_until as string),
        // Proposals stored before reports named their file read back as naming none (the contract refuses them).
        creditFileHash: (row.credit_file_hash as string | null) ?? ZeroHash,
        provider: (row.provider as string | null) ?? ZeroAddress,
      },
      signatures: signatures.map((s) => ({ signer: s.signer as string, signature: s.signature as string })),
    };
  }

  /**
   * The borrower's newest proposal (by issuedAt) that has at least `minSignatures` co-signatures: the signed
   * bundle of the pull flow.
   */
  latestSignedProposal(borrower: string, minSignatures: number): StoredProposal | undefined {
    const row = this.statement(
      `SELECT p.report_digest FROM proposals p
         WHERE p.borrower = ?
           AND (SELECT COUNT(*) FROM proposal_signatures s WHERE s.report_digest = p.report_digest) >= ?
         ORDER BY CAST(p.issued_at AS INTEGER) DESC, p.rowid DESC LIMIT 1`,
    ).get(borrower, minSignatures) as Row | undefined;
    return row === undefined ? undefined : this.getProposal(row.report_digest as string);
  }

  /** Proposals made for `requestKey` (request id or application hash), oldest first. */
  listProposals(requestKey: string): StoredProposal[] {
    const rows = this.statement("SELECT report_digest FROM proposals WHERE request_key = ? ORDER BY rowid").all(
      requestKey,
    ) as Row[];
    return rows.map((row) => this.getProposal(row.report_digest as string)!);
  }

  private hasProposal(reportDigest: string): boolean {
    return this.statement("SELECT 1 FROM proposals WHERE report_digest = ?").get(reportDigest) !== undefined;
  }

  // ---- submissions ----

  /**
   * The submission for `reportDigest`, created as "pending" if there is none. Idempotent: a node that restarts,
   * or two code paths that race, get the same row back, and the caller resumes from its status.
   */
  ensureSubmission(reportDigest: string): Submission {
    if (!this.hasProposal(reportDigest))
      throw new StoreError(`cannot submit: proposal ${reportDigest} is not in the store`);
    const now = this.now();
    inTransaction(
      this.db,
      () =>
        this.statement(
          `INSERT INTO submissions (report_digest, status, created_at, updated_at) VALUES (?, 'pending', ?, ?)
             ON CONFLICT (report_digest) DO NOTHING`,
        ).run(reportDigest, now, now),
      { durable: true },
    );
    return this.requireSubmission(reportDigest);
  }

  /** A transaction was broadcast (first send or a fee-bumped replacement): records its hash and nonce. */
  markSubmissionSent(reportDigest: string, tx: { txHash: string; txNonce: number }): Submission {
    return this.transition(reportDigest, ["pending", "sent"], "sent", {
      sql: "tx_hash = ?, tx_nonce = ?, attempts = attempts + 1, last_error = NULL",
      params: [tx.txHash, tx.txNonce],
    });
  }

  /** This node's transaction was mined and posted the report. */
  markSubmissionConfirmed(reportDigest: string): Submission {
    return this.transition(reportDigest, ["sent"], "confirmed", {
      sql: "last_error = NULL, confirmed_by = 'self'",
      params: [],
    });
  }

  /**
   * The chain already holds this report or a newer one, posted by someone else (a peer, or the borrower through
   * `borrowWithReport`): the goal is met without this node's transaction. `evidence` says how it was seen.
   */
  markSubmissionConfirmedByOther(reportDigest: string, evidence: string): Submission {
    return this.transition(reportDigest, ["pending", "sent"], "confirmed", {
      sql: "last_error = ?, confirmed_by = 'other'",
      params: [evidence],
    });
  }

  /** Gives up on a submission, keeping the reason (e.g. the contract's custom error). */
  markSubmissionFailed(reportDigest: string, reason: string): Submission {
    return this.transition(reportDigest, ["pending", "sent"], "failed", { sql: "last_error = ?", params: [reason] });
  }

  getSubmission(reportDigest: string): Submission | undefined {
    const row = this.statement("SELECT * FROM submissions WHERE report_digest = ?").get(reportDigest) as
      Row | undefined;
    return row === undefined ? undefined : toSubmission(row);
  }

  listSubmissions(status: SubmissionStatus): Submission[] {
    const rows = this.statement("SELECT * FROM submissions WHERE status = ? ORDER BY created_at, rowid").all(
      status,
    ) as Row[];
    return rows.map(toSubmission);
  }

  private requireSubmission(reportDigest: string): Submission {
    const submission = this.getSubmission(reportDigest);
    if (submission === undefined) throw new StoreError(`submission ${reportDigest} is not in the store`);
    return submission;
  }

  /** Moves a submission to `to` only from one of `from`, so a confirmed report can never be marked sent again. */
  private transition(
    reportDigest: string,
    from: readonly SubmissionStatus[],
    to: SubmissionStatus,
    set: { sql: string; params: (string | number)[] },
  ): Submission {
    return inTransaction(
      this.db,
      () => {
        const current = this.requireSubmission(reportDigest);
        if (!from.includes(current.status)) {
          throw new StoreError(`submission ${reportDigest} cannot go from "${current.status}" to "${to}"`);
        }
        this.statement(`UPDATE submissions SET status = ?, ${set.sql}, updated_at = ? WHERE report_digest = ?`).run(
          to,
          ...set.params,
          this.now(),
          reportDigest,
        );
        return this.requireSubmission(reportDigest);
      },
      { durable: true },
    );
  }
}

function toScoreRequest(row: Row): StoredScoreRequest {
  return {
    requestId: BigInt(row.request_id as string),
    borrower: row.borrower as string,
    applicationHash: row.application_hash as string,
    blockNumber: row.block_number as number,
    status: row.status as ScoreRequestStatus,
    updatedAt: row.updated_at as number,
  };
}

function toSubmission(row: Row): Submission {
  return {
    reportDigest: row.report_digest as string,
    status: row.status as SubmissionStatus,
    txHash: (row.tx_hash as string | null) ?? null,
    txNonce: (row.tx_nonce as number | null) ?? null,
    attempts: row.attempts as number,
    lastError: (row.last_error as string | null) ?? null,
    confirmedBy: (row.confirmed_by as "self" | "other" | null) ?? null,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}
