import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { DatabaseSync } from "../../oracle/src/store/sqlite.js";
import type { ScoreReportFields } from "../../oracle/src/consensus/types.js";
import type { ReceivedApplication } from "../../oracle/src/intake/index.js";
import {
  DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  MIGRATIONS,
  openStore,
  startCheckpointer,
  StoreError,
  type CheckpointResult,
  type OracleStore,
} from "../../oracle/src/store/index.js";
import { tempDir, TEST_ADDRESSES } from "./helpers.js";
import { ZeroAddress, ZeroHash } from "ethers";

const [BORROWER, LEADER, PEER] = TEST_ADDRESSES;
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

function application(nonce: bigint, applicationHash = hash(Number(nonce))): ReceivedApplication {
  return {
    borrower: BORROWER,
    features: [50_000, 35, -1, -1200],
    featuresHash: hash(999),
    nonce,
    expiry: 1_750_000_600,
    applicationHash,
    receivedAt: 1_750_000_000,
    signature: `0x${"1b".repeat(65)}`,
    creditFile: {
      fileId: hash(7),
      borrower: BORROWER,
      provider: PEER,
      schemaHash: hash(8),
      fieldsHash: hash(999),
      asOf: 1_749_990_000,
      validUntil: 1_752_000_000,
    },
    providerSignature: `0x${"1c".repeat(65)}`,
    creditFileHash: hash(0xf1),
  };
}

const report: ScoreReportFields = {
  borrower: BORROWER,
  pdBps: 1234,
  reasonCodes: [3, 1, 0, 0],
  modelId: hash(42),
  operatorSetVersion: 2n,
  issuedAt: 1_750_000_000n,
  validUntil: 18_446_744_073_709_551_615n, // uint64 max survives exactly
  creditFileHash: hash(0xf1),
  provider: PEER,
};
const DIGEST = hash(0xd1);

function expectStoreError(run: () => unknown, fragment: string): void {
  expect(run).to.throw(StoreError, fragment);
}

describe("oracle store", () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  let store: OracleStore;
  let clock: number;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir("store"));
    path = join(dir, "node.sqlite");
    clock = 1_000;
    store = openStore(path, { now: () => clock });
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  it("creates the schema in WAL mode and records the migration version", () => {
    store.close();
    const db = new DatabaseSync(path);
    expect((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).to.equal("wal");
    expect((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version).to.equal(
      MIGRATIONS.length,
    );
    db.close();
  });

  it("creates its folder when it does not exist yet", () => {
    const nested = join(dirname(path), "data", "nested", "node.sqlite");
    const created = openStore(nested);
    expect(created.recordApplication(application(1n))).to.equal("recorded");
    created.close();
  });

  it("refuses a store written by a newer node", () => {
    store.close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expectStoreError(() => openStore(path), "newer than this node knows");
  });

  describe("applications and nonces", () => {
    it("saves an application and refuses the same borrower nonce again, atomically", () => {
      expect(store.recordApplication(application(1n))).to.equal("recorded");
      expect(store.recordApplication(application(1n, hash(77)))).to.equal("replayed_nonce");
      expect(store.getApplication(hash(77)), "replay must not leave an application behind").to.equal(undefined);
      const saved = store.getApplication(hash(1));
      expect(saved?.features).to.deep.equal([50_000, 35, -1, -1200]);
      expect(saved?.nonce).to.equal(1n);
    });

    it("keeps the borrower's signature, and reads an application stored before signatures were kept without one", () => {
      store.recordApplication(application(3n, hash(3)));
      expect(store.getApplication(hash(3))?.signature).to.equal(`0x${"1b".repeat(65)}`);
      store.close();
      // A store as the previous schema version left it: one application, no signature column yet.
      const oldPath = join(dir, "v3.sqlite");
      const db = new DatabaseSync(oldPath);
      for (const sql of MIGRATIONS.slice(0, 3)) db.exec(sql);
      db.exec("PRAGMA user_version = 3");
      db.prepare(
        "INSERT INTO applications (application_hash, borrower, nonce, expiry, features_hash, features_json, received_at) VALUES (?, ?, '4', 1, ?, '[1]', 1)",
      ).run(hash(4), BORROWER!, hash(999));
      db.close();
      store = openStore(oldPath);
      const old = store.getApplication(hash(4));
      expect(old?.nonce).to.equal(4n);
      expect(old).to.not.have.property("signature");
      expect(store.recordApplication(application(5n, hash(5)))).to.equal("recorded");
      expect(store.getApplication(hash(5))?.signature).to.equal(`0x${"1b".repeat(65)}`);
    });

    it("keeps the credit file with the application and the file's digest with the proposal; older rows read without", () => {
      store.recordApplication(application(6n, hash(6)));
      const saved = store.getApplication(hash(6));
      expect(saved?.creditFile).to.deep.equal(application(6n).creditFile);
      expect([saved?.providerSignature, saved?.creditFileHash]).to.deep.equal([`0x${"1c".repeat(65)}`, hash(0xf1)]);
      store.saveProposal({ reportDigest: DIGEST, requestKey: hash(6), leader: LEADER!, report });
      expect(store.getProposal(DIGEST)?.report).to.deep.equal(report);
      store.close();
      // A store as the schema before credit files left it: an application and a proposal without them.
      const oldPath = join(dir, "v4.sqlite");
      const db = new DatabaseSync(oldPath);
      for (const sql of MIGRATIONS.slice(0, 4)) db.exec(sql);
      db.exec("PRAGMA user_version = 4");
      db.prepare(
        "INSERT INTO applications (application_hash, borrower, nonce, expiry, features_hash, features_json, received_at) VALUES (?, ?, '4', 1, ?, '[1]', 1)",
      ).run(hash(4), BORROWER!, hash(999));
      db.prepare(
        `INSERT INTO proposals (report_digest, request_key, leader, borrower, pd_bps, reason_codes_json, model_id, operator_set_version, issued_at, valid_until, created_at)
         VALUES (?, ?, ?, ?, 1, '[0,0,0,0]', ?, '1', '1', '2', 1)`,
      ).run(hash(0xd2), hash(4), LEADER!, BORROWER!, hash(42));
      db.close();
      store = openStore(oldPath);
      expect(store.getApplication(hash(4))).to.not.have.property("creditFile");
      expect(store.getProposal(hash(0xd2))?.report).to.include({ creditFileHash: ZeroHash, provider: ZeroAddress });
    });

    it("keeps uint256 nonces exact", () => {
      const big = (1n << 256n) - 1n;
      store.recordApplication(application(big, hash(5)));
      expect(store.getApplication(hash(5))?.nonce).to.equal(big);
      expect(store.recordApplication(application(big, hash(6)))).to.equal("replayed_nonce");
    });
  });

  describe("score requests and the chain cursor", () => {
    const request = (id: bigint, blockNumber: number) => ({
      requestId: id,
      borrower: BORROWER,
      applicationHash: hash(Number(id)),
      blockNumber,
    });

    it("records requests with the cursor and ignores a re-read range", () => {
      expect(store.getCursor("ScoreRequested")).to.equal(undefined);
      store.recordScoreRequests("ScoreRequested", [request(1n, 10), request(2n, 12)], 20);
      store.setScoreRequestStatus(1n, "proposed");
      store.recordScoreRequests("ScoreRequested", [request(1n, 10)], 20); // re-read after a crash
      expect(store.getScoreRequest(1n)?.status).to.equal("proposed");
      expect(store.listScoreRequests("pending").map((r) => r.requestId)).to.deep.equal([2n]);
      expect(store.getCursor("ScoreRequested")).to.equal(20);
    });

    it("never moves the cursor backwards, and then records nothing", () => {
      store.recordScoreRequests("ScoreRequested", [], 50);
      expectStoreError(
        () => store.recordScoreRequests("ScoreRequested", [request(3n, 30)], 40),
        "cannot move back from block 50 to 40",
      );
      expect(store.getScoreRequest(3n), "rolled back with the cursor").to.equal(undefined);
    });

    it("names an unknown request on status change", () => {
      expectStoreError(() => store.setScoreRequestStatus(99n, "failed"), "score request 99 is not in the store");
    });
  });

  describe("proposals, signatures and submissions", () => {
    beforeEach(() => {
      expect(store.saveProposal({ reportDigest: DIGEST, requestKey: hash(1), leader: LEADER, report })).to.equal(
        "created",
      );
    });

    it("saves a proposal once and round-trips every report field", () => {
      expect(store.saveProposal({ reportDigest: DIGEST, requestKey: hash(1), leader: PEER, report })).to.equal(
        "exists",
      );
      const saved = store.getProposal(DIGEST);
      expect(saved?.leader).to.equal(LEADER);
      expect(saved?.report).to.deep.equal(report);
    });

    it("keeps the first signature per signer, in collection order", () => {
      expect(store.addSignature(DIGEST, { signer: PEER, signature: "0xaa" })).to.equal(1);
      expect(store.addSignature(DIGEST, { signer: PEER, signature: "0xbb" })).to.equal(1);
      expect(store.addSignature(DIGEST, { signer: LEADER, signature: "0xcc" })).to.equal(2);
      expect(store.getProposal(DIGEST)?.signatures).to.deep.equal([
        { signer: PEER, signature: "0xaa" },
        { signer: LEADER, signature: "0xcc" },
      ]);
      expectStoreError(
        () => store.addSignature(hash(0xee), { signer: PEER, signature: "0xaa" }),
        "is not in the store",
      );
    });

    it("records a new proposal with its signer's signature at once, and keeps the first of each on a repeat", () => {
      const other = hash(0xd2);
      store.saveSignedProposal(
        { reportDigest: other, requestKey: hash(2), leader: PEER, report },
        { signer: PEER, signature: "0xaa" },
      );
      store.saveSignedProposal(
        { reportDigest: other, requestKey: hash(2), leader: LEADER, report },
        { signer: PEER, signature: "0xbb" },
      );
      store.saveSignedProposal(
        { reportDigest: DIGEST, requestKey: hash(1), leader: PEER, report },
        { signer: LEADER, signature: "0xcc" },
      );
      expect(store.getProposal(other)).to.deep.include({
        leader: PEER,
        signatures: [{ signer: PEER, signature: "0xaa" }],
      });
      expect(store.getProposal(DIGEST)).to.deep.include({
        leader: LEADER,
        signatures: [{ signer: LEADER, signature: "0xcc" }],
      });
    });

    it("creates one submission per digest and walks it pending → sent → sent (bump) → confirmed", () => {
      const first = store.ensureSubmission(DIGEST);
      expect(first.status).to.equal("pending");
      clock = 2_000;
      expect(store.ensureSubmission(DIGEST)).to.deep.equal(first);
      store.markSubmissionSent(DIGEST, { txHash: hash(0x71), txNonce: 7 });
      const bumped = store.markSubmissionSent(DIGEST, { txHash: hash(0x72), txNonce: 7 });
      expect([bumped.status, bumped.txHash, bumped.attempts]).to.deep.equal(["sent", hash(0x72), 2]);
      expect(store.markSubmissionConfirmed(DIGEST).status).to.equal("confirmed");
      expectStoreError(
        () => store.markSubmissionSent(DIGEST, { txHash: hash(0x73), txNonce: 8 }),
        'cannot go from "confirmed" to "sent"',
      );
      expectStoreError(() => store.markSubmissionFailed(DIGEST, "late"), 'cannot go from "confirmed" to "failed"');
    });

    it("keeps the failure reason and refuses to confirm a submission never sent", () => {
      store.ensureSubmission(DIGEST);
      expectStoreError(() => store.markSubmissionConfirmed(DIGEST), 'cannot go from "pending" to "confirmed"');
      const failed = store.markSubmissionFailed(DIGEST, "OracleReportNotNewer(1750000000, 1750000100)");
      expect([failed.status, failed.lastError]).to.deep.equal([
        "failed",
        "OracleReportNotNewer(1750000000, 1750000100)",
      ]);
      expect(store.listSubmissions("failed").map((s) => s.reportDigest)).to.deep.equal([DIGEST]);
    });

    it("refuses a submission for an unknown proposal", () => {
      expectStoreError(() => store.ensureSubmission(hash(0xee)), "proposal");
    });
  });

  it("persists everything across close and reopen", () => {
    store.recordApplication(application(1n));
    store.recordScoreRequests(
      "ScoreRequested",
      [{ requestId: 5n, borrower: BORROWER, applicationHash: hash(1), blockNumber: 9 }],
      9,
    );
    store.saveProposal({ reportDigest: DIGEST, requestKey: hash(5), leader: LEADER, report });
    store.addSignature(DIGEST, { signer: LEADER, signature: "0xcc" });
    store.ensureSubmission(DIGEST);
    store.markSubmissionSent(DIGEST, { txHash: hash(0x71), txNonce: 3 });
    store.close();
    expect(store.isOpen).to.equal(false);

    store = openStore(path, { now: () => clock });
    expect(store.recordApplication(application(1n))).to.equal("replayed_nonce");
    expect(store.getApplication(hash(1))?.borrower).to.equal(BORROWER);
    expect(store.getCursor("ScoreRequested")).to.equal(9);
    expect(store.listScoreRequests("pending").map((r) => r.requestId)).to.deep.equal([5n]);
    expect(store.getProposal(DIGEST)?.signatures).to.have.length(1);
    expect(store.listSubmissions("sent").map((s) => [s.txHash, s.txNonce])).to.deep.equal([[hash(0x71), 3]]);
  });
});

describe("oracle store: background WAL checkpoints", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir("checkpoint")));
  afterEach(() => cleanup());

  const autocheckpoint = (db: DatabaseSync) =>
    (db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint;
  function walDatabase(path: string): DatabaseSync {
    const db = new DatabaseSync(path);
    db.exec("PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload TEXT)");
    return db;
  }
  function until<T>(what: string, check: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const poll = () => {
        const value = check();
        if (value !== undefined) return resolve(value);
        if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        setTimeout(poll, 20);
      };
      poll();
    });
  }

  it("turns the connection's automatic checkpoints off and copies the log back from the worker", async () => {
    const db = walDatabase(join(dir, "a.sqlite"));
    const results: CheckpointResult[] = [];
    const checkpointer = startCheckpointer(db, join(dir, "a.sqlite"), {
      intervalMs: 20,
      onCheckpoint: (r) => results.push(r),
    });
    try {
      expect(autocheckpoint(db)).to.equal(0);
      const insert = db.prepare("INSERT INTO t (payload) VALUES (?)");
      for (let i = 0; i < 200; i++) insert.run("x".repeat(500));
      const done = await until("a complete checkpoint of the new frames", () =>
        results.find((r) => r.busy === 0 && r.log > 0 && r.checkpointed === r.log),
      );
      expect(done.log).to.be.greaterThan(0);
      expect(checkpointer.running).to.equal(true);
    } finally {
      await checkpointer.stop();
      db.close();
    }
    expect(checkpointer.running).to.equal(false);
    const reopened = new DatabaseSync(join(dir, "a.sqlite"));
    expect((reopened.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).to.equal(200);
    reopened.close();
  });

  it("hands checkpoints back to the connection when the worker fails, and says why", async () => {
    const db = walDatabase(join(dir, "b.sqlite"));
    const problems: Error[] = [];
    // The worker opens its own connection: a path it cannot open makes it fail at once.
    const checkpointer = startCheckpointer(db, join(dir, "missing-dir", "b.sqlite"), {
      intervalMs: 20,
      onProblem: (e) => problems.push(e),
    });
    const problem = await until("the checkpointer's failure", () => problems[0]);
    expect(problem.message).to.match(/background WAL checkpointer of .*missing-dir.* (crashed|exited)/);
    expect(checkpointer.running).to.equal(false);
    expect(autocheckpoint(db)).to.equal(DEFAULT_WAL_AUTOCHECKPOINT_PAGES);
    await checkpointer.stop(); // after a failure: resolves at once
    db.close();
  });

  it("refuses an interval that is not a positive integer", () => {
    const db = walDatabase(join(dir, "c.sqlite"));
    try {
      expect(() => startCheckpointer(db, join(dir, "c.sqlite"), { intervalMs: 0 })).to.throw(
        "checkpoint interval must be a positive integer (ms), got 0",
      );
      expect(autocheckpoint(db)).to.equal(DEFAULT_WAL_AUTOCHECKPOINT_PAGES);
    } finally {
      db.close();
    }
  });

  it("a store opened with background checkpoints keeps every write across stop, close and reopen", async () => {
    const path = join(dir, "node.sqlite");
    const store = openStore(path, { backgroundCheckpoints: { intervalMs: 20 } });
    expect(store.backgroundCheckpointing).to.equal(true);
    for (let nonce = 1n; nonce <= 50n; nonce++)
      expect(store.recordApplication(application(nonce))).to.equal("recorded");
    await store.stopBackgroundCheckpoints();
    expect(store.backgroundCheckpointing).to.equal(false);
    store.close();
    const reopened = openStore(path);
    expect(reopened.backgroundCheckpointing).to.equal(false);
    expect(reopened.isNonceUsed(BORROWER!, 50n)).to.equal(true);
    expect(reopened.recordApplication(application(50n, hash(0xbeef)))).to.equal("replayed_nonce");
    reopened.close();
  });
});

describe("oracle store: loading node:sqlite", () => {
  /** Runs `source` (an ES module) in a fresh Node process, as the node and the demo start, and returns its stderr. */
  function stderrOf(source: string): string {
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], {
      encoding: "utf8",
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    });
    expect(result.status, result.stderr).to.equal(0);
    return result.stderr;
  }

  it("prints no SQLite experimental notice, and every other warning still prints", () => {
    const sqliteModule = new URL("../../oracle/src/store/sqlite.ts", import.meta.url).href;
    const stderr = stderrOf(
      `const { DatabaseSync } = await import(${JSON.stringify(sqliteModule)}); new DatabaseSync(":memory:").close();` +
        ` process.emitWarning("another feature", "ExperimentalWarning");`,
    );
    expect(stderr).to.not.include("SQLite is an experimental feature");
    expect(stderr).to.include("ExperimentalWarning: another feature");
  });
});
