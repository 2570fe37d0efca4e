/**
 * The bureau's SQLite store (node:sqlite through the oracle's database helper: WAL, migrations, IMMEDIATE
 * transactions). Queries only; which file to release and whether a consent is valid is decided elsewhere.
 */
import { inTransaction, openDatabase, StoreError } from "../../../oracle/src/store/index.js";
import type { DatabaseSync, StatementSync } from "../../../oracle/src/store/sqlite.js";
import { BUREAU_MIGRATIONS } from "./migrations.js";

export interface StoredCreditFile {
  borrower: string;
  schemaHash: string;
  /** The schema's fields, in schema order. */
  fields: number[];
  asOf: number;
}

export interface ImportBatch {
  source: string;
  /** How rows were assigned to addresses (e.g. "column:address"), for the record. */
  assignment: string;
  schemaHash: string;
  asOf: number;
  files: readonly { borrower: string; fields: readonly number[] }[];
}

/** One release, as the consent log keeps it. */
export interface ConsentRecord {
  consentDigest: string;
  borrower: string;
  nonce: bigint;
  purpose: string;
  oracle: string;
  expiresAt: number;
  receivedAt: number;
  fileId: string;
  fieldsHash: string;
  asOf: number;
  validUntil: number;
}

export type ReleaseOutcome<T> =
  { kind: "released"; value: T } | { kind: "replayed_nonce"; usedAt: number } | { kind: "no_credit_file" };

interface FileRow {
  borrower: string;
  schema_hash: string;
  fields_json: string;
  as_of: number;
}

export class BureauStore {
  private readonly statements: Record<
    | "file"
    | "upsertFile"
    | "insertImport"
    | "nonceUsedAt"
    | "useNonce"
    | "logRelease"
    | "countFiles"
    | "countReleases"
    | "consentLog",
    StatementSync
  >;

  constructor(
    private readonly db: DatabaseSync,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.statements = {
      file: db.prepare("SELECT borrower, schema_hash, fields_json, as_of FROM credit_files WHERE borrower = ?"),
      upsertFile: db.prepare(
        `INSERT INTO credit_files (borrower, schema_hash, fields_json, as_of, import_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (borrower) DO UPDATE SET schema_hash = excluded.schema_hash, fields_json = excluded.fields_json,
           as_of = excluded.as_of, import_id = excluded.import_id, updated_at = excluded.updated_at`,
      ),
      insertImport: db.prepare(
        "INSERT INTO imports (source, assignment, row_count, schema_hash, imported_at) VALUES (?, ?, ?, ?, ?)",
      ),
      nonceUsedAt: db.prepare("SELECT used_at FROM used_consent_nonces WHERE borrower = ? AND nonce = ?"),
      useNonce: db.prepare(
        "INSERT INTO used_consent_nonces (borrower, nonce, consent_digest, used_at) VALUES (?, ?, ?, ?)",
      ),
      logRelease: db.prepare(
        `INSERT INTO consent_log (consent_digest, borrower, nonce, purpose, oracle, expires_at, received_at, file_id, fields_hash, as_of, valid_until)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      countFiles: db.prepare("SELECT COUNT(*) AS n FROM credit_files"),
      countReleases: db.prepare("SELECT COUNT(*) AS n FROM consent_log"),
      consentLog: db.prepare("SELECT * FROM consent_log WHERE borrower = ? ORDER BY received_at, rowid"),
    };
  }

  /** Writes every file of the batch, or none: one transaction, rolled back on any error. */
  importFiles(batch: ImportBatch): { importId: number; created: number; replaced: number } {
    return inTransaction(
      this.db,
      () => {
        const importedAt = this.now();
        const { lastInsertRowid } = this.statements.insertImport.run(
          batch.source,
          batch.assignment,
          batch.files.length,
          batch.schemaHash,
          importedAt,
        );
        const importId = Number(lastInsertRowid);
        let replaced = 0;
        for (const file of batch.files) {
          if (this.statements.file.get(file.borrower) !== undefined) replaced += 1;
          this.statements.upsertFile.run(
            file.borrower,
            batch.schemaHash,
            JSON.stringify(file.fields),
            batch.asOf,
            importId,
            importedAt,
          );
        }
        return { importId, created: batch.files.length - replaced, replaced };
      },
      { durable: true },
    );
  }

  creditFile(borrower: string): StoredCreditFile | undefined {
    const row = this.statements.file.get(borrower) as FileRow | undefined;
    if (row === undefined) return undefined;
    const fields: unknown = JSON.parse(row.fields_json);
    if (!Array.isArray(fields) || !fields.every((value) => Number.isSafeInteger(value))) {
      throw new StoreError(`credit file of ${borrower} holds fields that are not integers; re-import it`);
    }
    return { borrower: row.borrower, schemaHash: row.schema_hash, fields: fields as number[], asOf: row.as_of };
  }

  /**
   * Releases at most once per (borrower, nonce): in one transaction, refuses a used nonce, then a borrower with no
   * file, else builds the release from the file (`build`, which signs it) and records the nonce and the release.
   * A refused consent leaves no trace, so the borrower may use its nonce again once a file exists.
   */
  releaseOnce<T>(
    consent: { borrower: string; nonce: bigint; consentDigest: string },
    build: (file: StoredCreditFile) => { value: T; record: ConsentRecord },
  ): ReleaseOutcome<T> {
    return inTransaction(
      this.db,
      () => {
        const nonce = consent.nonce.toString();
        const used = this.statements.nonceUsedAt.get(consent.borrower, nonce) as { used_at: number } | undefined;
        if (used !== undefined) return { kind: "replayed_nonce", usedAt: used.used_at };
        const file = this.creditFile(consent.borrower);
        if (file === undefined) return { kind: "no_credit_file" };
        const { value, record } = build(file);
        this.statements.useNonce.run(consent.borrower, nonce, consent.consentDigest, record.receivedAt);
        this.statements.logRelease.run(
          record.consentDigest,
          record.borrower,
          record.nonce.toString(),
          record.purpose,
          record.oracle,
          record.expiresAt,
          record.receivedAt,
          record.fileId,
          record.fieldsHash,
          record.asOf,
          record.validUntil,
        );
        return { kind: "released", value };
      },
      // A release the borrower was told about must survive a power loss, or its nonce could be used twice.
      { durable: true },
    );
  }

  /** Every release of a borrower's file, oldest first. */
  consentLog(borrower: string): ConsentRecord[] {
    const rows = this.statements.consentLog.all(borrower) as Record<string, string | number>[];
    return rows.map((row) => ({
      consentDigest: String(row.consent_digest),
      borrower: String(row.borrower),
      nonce: BigInt(String(row.nonce)),
      purpose: String(row.purpose),
      oracle: String(row.oracle),
      expiresAt: Number(row.expires_at),
      receivedAt: Number(row.received_at),
      fileId: String(row.file_id),
      fieldsHash: String(row.fields_hash),
      asOf: Number(row.as_of),
      validUntil: Number(row.valid_until),
    }));
  }

  counts(): { creditFiles: number; releases: number } {
    const n = (statement: StatementSync) => Number((statement.get() as { n: number }).n);
    return { creditFiles: n(this.statements.countFiles), releases: n(this.statements.countReleases) };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

export function openBureauStore(path: string, options: { now?: () => number } = {}): BureauStore {
  return new BureauStore(openDatabase(path, BUREAU_MIGRATIONS, "bureau"), options.now);
}
