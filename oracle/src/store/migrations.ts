/**
 * The store's schema, as an append-only list of migrations; `PRAGMA user_version` records how many have been
 * applied. Never edit a shipped migration: add the next one.
 *
 * Integers that are uint64/uint256 on chain (nonces, request ids, operator-set versions, report times) are stored
 * as decimal TEXT: SQLite integers are signed 64-bit, and TEXT keeps them exact.
 */
export const MIGRATIONS: readonly string[] = [
  `
  -- Applicant data stays here and never goes on chain; only application_hash does.
  CREATE TABLE applications (
    application_hash TEXT PRIMARY KEY,
    borrower         TEXT NOT NULL,
    nonce            TEXT NOT NULL,
    expiry           INTEGER NOT NULL,
    features_hash    TEXT NOT NULL,
    features_json    TEXT NOT NULL,
    received_at      INTEGER NOT NULL
  );

  -- Replay protection: a borrower's signed nonce is accepted once.
  CREATE TABLE used_nonces (
    borrower         TEXT NOT NULL,
    nonce            TEXT NOT NULL,
    application_hash TEXT NOT NULL,
    used_at          INTEGER NOT NULL,
    PRIMARY KEY (borrower, nonce)
  );

  -- Push flow: ScoreRequested events, each handled until it is submitted or given up.
  CREATE TABLE score_requests (
    request_id       TEXT PRIMARY KEY,
    borrower         TEXT NOT NULL,
    application_hash TEXT NOT NULL,
    block_number     INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'proposed', 'submitted', 'failed')),
    updated_at       INTEGER NOT NULL
  );
  CREATE INDEX score_requests_by_status ON score_requests (status, block_number);

  -- Reports proposed by a leader (this node or a peer), keyed by their EIP-712 digest.
  CREATE TABLE proposals (
    report_digest        TEXT PRIMARY KEY,
    request_key          TEXT NOT NULL,
    leader               TEXT NOT NULL,
    borrower             TEXT NOT NULL,
    pd_bps               INTEGER NOT NULL CHECK (pd_bps BETWEEN 0 AND 10000),
    reason_codes_json    TEXT NOT NULL,
    model_id             TEXT NOT NULL,
    operator_set_version TEXT NOT NULL,
    issued_at            TEXT NOT NULL,
    valid_until          TEXT NOT NULL,
    created_at           INTEGER NOT NULL
  );
  CREATE INDEX proposals_by_request ON proposals (request_key);

  CREATE TABLE proposal_signatures (
    report_digest TEXT NOT NULL REFERENCES proposals (report_digest),
    signer        TEXT NOT NULL,
    signature     TEXT NOT NULL,
    added_at      INTEGER NOT NULL,
    PRIMARY KEY (report_digest, signer)
  );

  -- One submission per report digest: a restart resumes it instead of posting the report twice.
  CREATE TABLE submissions (
    report_digest TEXT PRIMARY KEY REFERENCES proposals (report_digest),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'confirmed', 'failed')),
    tx_hash       TEXT,
    tx_nonce      INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );
  CREATE INDEX submissions_by_status ON submissions (status);

  -- Last fully processed block per event stream (e.g. "ScoreRequested").
  CREATE TABLE chain_cursor (
    stream               TEXT PRIMARY KEY,
    last_processed_block INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
  );
  `,
  `
  -- Who got a confirmed report on chain: this node ('self'), or another submitter first ('other': a peer, the
  -- borrower through borrowWithReport), which is success, not failure.
  ALTER TABLE submissions ADD COLUMN confirmed_by TEXT CHECK (confirmed_by IN ('self', 'other'));
  `,
  `
  -- The borrower's signature over the application, so a push-flow leader can hand a peer that missed the
  -- broadcast the signed application itself. NULL for applications stored before this column existed.
  ALTER TABLE applications ADD COLUMN signature TEXT;
  `,
  `
  -- The provider-signed credit file an application's features were attested by (JSON of the EIP-712 CreditFile)
  -- and the provider's signature, so the application can be handed on with its proof; and, for every proposal,
  -- the file's digest and provider the report commits to. NULL for rows stored before credit files existed: such
  -- an application is never scored again, since no report can be made from it that the contract would accept.
  ALTER TABLE applications ADD COLUMN credit_file_json TEXT;
  ALTER TABLE applications ADD COLUMN provider_signature TEXT;
  ALTER TABLE applications ADD COLUMN credit_file_hash TEXT;
  ALTER TABLE proposals ADD COLUMN credit_file_hash TEXT;
  ALTER TABLE proposals ADD COLUMN provider TEXT;
  `,
];
