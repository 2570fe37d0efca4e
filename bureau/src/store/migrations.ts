/**
 * The bureau store's schema, an append-only list (`PRAGMA user_version` counts the applied ones; never edit a
 * shipped one). uint64/uint256 values that can exceed SQLite's signed 64-bit integers (consent nonces) are
 * decimal TEXT; unix seconds are INTEGER.
 */
export const BUREAU_MIGRATIONS: readonly string[] = [
  `
  -- One import per CSV load; every file records the import that last wrote it.
  CREATE TABLE imports (
    import_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    assignment  TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    schema_hash TEXT NOT NULL,
    imported_at INTEGER NOT NULL
  );

  -- A borrower's current credit file: the schema's fields only (JSON array in schema order), as of a date.
  CREATE TABLE credit_files (
    borrower    TEXT PRIMARY KEY,
    schema_hash TEXT NOT NULL,
    fields_json TEXT NOT NULL,
    as_of       INTEGER NOT NULL,
    import_id   INTEGER NOT NULL REFERENCES imports (import_id),
    updated_at  INTEGER NOT NULL
  );

  -- Every release: which consent released which file, and when.
  CREATE TABLE consent_log (
    consent_digest TEXT PRIMARY KEY,
    borrower       TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    oracle         TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,
    received_at    INTEGER NOT NULL,
    file_id        TEXT NOT NULL UNIQUE,
    fields_hash    TEXT NOT NULL,
    as_of          INTEGER NOT NULL,
    valid_until    INTEGER NOT NULL
  );
  CREATE INDEX consent_log_by_borrower ON consent_log (borrower, received_at);

  -- Replay protection: a borrower's consent nonce releases a file once.
  CREATE TABLE used_consent_nonces (
    borrower       TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    consent_digest TEXT NOT NULL,
    used_at        INTEGER NOT NULL,
    PRIMARY KEY (borrower, nonce)
  );
  `,
];
