/**
 * Submission idempotency on the in-process chain: a restart in the middle (simulated by a crash right after the
 * tx hash is stored, or right after the broadcast) neither loses the report nor posts it twice; a report someone
 * else posted is "confirmed by other"; a report the contract refuses fails with the decoded custom error.
 */
import { expect } from "chai";
import { id, parseEther, Wallet } from "ethers";

import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";

import { decodeCustomError, SUBMIT_SCORE_GAS_BOUND, Submitter } from "../../oracle/src/chain/index.js";
import { toReasonCodeSlots } from "../../oracle/src/consensus/index.js";
import { createLogger } from "../../oracle/src/log/index.js";
import {
  hashScoreReport,
  packSignatures,
  scoreReportDomain,
  signScoreReport,
  type ScoreReport,
} from "../../oracle/src/signing/index.js";
import { openStore, type OracleStore } from "../../oracle/src/store/index.js";
import { deployChain, type ChainFixture } from "./chain-fixture.js";
import { tempDir } from "./helpers.js";
import { expectRejection } from "../helpers/assertions.js";

const log = createLogger({ nodeId: "submitter-test", level: "silent" });
const fast = { backoff: { baseDelayMs: 10, maxDelayMs: 50 }, receiptPollMs: 20, receiptTimeoutMs: 5_000 };

describe("submitter: idempotent report submission", function () {
  this.timeout(60_000);
  let fixture: ChainFixture;
  let store: OracleStore;
  let storePath: string;
  let cleanup: () => void;
  let borrowerIndex = 5;

  before(async () => {
    fixture = await deployChain();
  });
  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = tempDir("submitter"));
    storePath = `${dir}/node.sqlite`;
    store = openStore(storePath);
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  /** A report for a fresh borrower, co-signed by operators 0 and 1, stored as a proposal. */
  async function storedReport(overrides: Partial<ScoreReport> = {}) {
    const borrower = fixture.signers[borrowerIndex++]!.address;
    const now = BigInt((await fixture.ethers.provider.getBlock("latest"))!.timestamp);
    const [version] = await fixture.system.oracle.operatorSet();
    const report: ScoreReport = {
      borrower,
      pdBps: 420,
      reasonCodes: [...toReasonCodeSlots([2, 5])] as [number, number, number, number],
      modelId: fixture.model.modelId,
      operatorSetVersion: version,
      issuedAt: now,
      validUntil: now + 86_400n,
      creditFileHash: id(`credit file of ${borrower} at ${now}`),
      provider: DEMO_PROVIDER.id,
      ...overrides,
    };
    const domain = scoreReportDomain(fixture.chainId, fixture.oracleAddress);
    const reportDigest = hashScoreReport(domain, report);
    store.saveProposal({ reportDigest, requestKey: reportDigest, leader: fixture.operators[0]!.address, report });
    for (const operator of fixture.operators.slice(0, 2)) {
      store.addSignature(reportDigest, {
        signer: operator.address,
        signature: await signScoreReport(operator, domain, report),
      });
    }
    return { report, reportDigest };
  }

  const submitter = (hooks = {}) =>
    new Submitter({
      chain: fixture.chain(),
      store,
      wallet: fixture.operators[0]!,
      log,
      maxAttempts: 3,
      ...fast,
      hooks,
    });
  const postedCount = async (borrower: string) =>
    (await fixture.system.oracle.queryFilter(fixture.system.oracle.filters.ScorePosted(borrower))).length;

  it("an unfunded operator: a short INSUFFICIENT_FUNDS error with the amounts, retries backed off, the report kept for after funding", async () => {
    const { report, reportDigest } = await storedReport();
    const unfunded = Wallet.createRandom();
    const chain = fixture.chain();
    let broadcasts = 0;
    const broadcast = chain.provider.broadcastTransaction.bind(chain.provider);
    chain.provider.broadcastTransaction = (signed) => ((broadcasts += 1), broadcast(signed));
    const poor = new Submitter({
      chain,
      store,
      wallet: unfunded,
      log,
      maxAttempts: 3,
      ...fast,
      fundingBackoff: { baseDelayMs: 1_000, maxDelayMs: 4_000 },
    });

    const error = await poor.submit(reportDigest).then(
      () => expect.fail("an unfunded submission must not succeed"),
      (e: unknown) => e as Error & { code?: string; neededWei?: bigint; availableWei?: bigint },
    );
    expect(error.code).to.equal("INSUFFICIENT_FUNDS");
    expect(error.message).to.match(
      new RegExp(
        `^INSUFFICIENT_FUNDS: operator ${unfunded.address} holds 0\\.0 ETH, a submitScore needs up to [0-9.]+ ETH`,
      ),
    );
    expect(error.message.length, "no multi-KB ethers dump").to.be.lessThan(300);
    expect(error.availableWei).to.equal(0n);
    expect(error.neededWei! > 0n).to.equal(true);
    expect(store.getSubmission(reportDigest)!.status, "the report waits for funding, it is not given up").not.to.equal(
      "failed",
    );
    expect(poor.status().problem).to.match(/^INSUFFICIENT_FUNDS/);

    // Within the backoff a retry answers at once from memory: no new transaction, no RPC storm.
    const again = await poor.submit(reportDigest).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(again?.message).to.equal(error.message);
    expect(broadcasts).to.equal(1);

    // Funded, the next attempt after the backoff posts the report and the problem clears.
    await (await fixture.signers[0]!.sendTransaction({ to: unfunded.address, value: parseEther("1") })).wait();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const result = await poor.submit(reportDigest);
    expect(result.status).to.equal("confirmed");
    expect(await postedCount(report.borrower)).to.equal(1);
    expect(poor.status().problem).to.equal(undefined);
    // The start-up balance check's gas bound covers a real submitScore with the quorum's signatures.
    const receipt = await fixture.ethers.provider.getTransactionReceipt(result.txHash!);
    expect(receipt!.gasUsed <= SUBMIT_SCORE_GAS_BOUND, `submitScore used ${receipt!.gasUsed} gas`).to.equal(true);
  });

  it("posts once and records the transaction", async () => {
    const { report, reportDigest } = await storedReport();
    const result = await submitter().submit(reportDigest);
    expect(result.status).to.equal("confirmed");
    expect(result.confirmedBy).to.equal("self");
    expect(result.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await postedCount(report.borrower)).to.equal(1);
    // Submitting again is a no-op.
    expect((await submitter().submit(reportDigest)).txHash).to.equal(result.txHash);
    expect(await postedCount(report.borrower)).to.equal(1);
  });

  it("crash after storing the tx hash, before broadcast: the restart sends it once (same nonce)", async () => {
    const { report, reportDigest } = await storedReport();
    const crashing = submitter({ afterStored: () => Promise.reject(new Error("simulated crash: process killed")) });
    await expectRejection(crashing.submit(reportDigest), /simulated crash/);
    const stored = store.getSubmission(reportDigest)!;
    expect(stored.status).to.equal("sent");
    expect(await postedCount(report.borrower)).to.equal(0);

    store.close();
    store = openStore(storePath); // the restart
    const [resumed] = await submitter().resumePending();
    expect(resumed!.status).to.equal("confirmed");
    expect(resumed!.txNonce).to.equal(stored.txNonce);
    expect(await postedCount(report.borrower)).to.equal(1);
  });

  it("crash after broadcast, before the receipt: the restart finds the receipt and does not post again", async () => {
    const { report, reportDigest } = await storedReport();
    const crashing = submitter({ afterBroadcast: () => Promise.reject(new Error("simulated crash: process killed")) });
    await expectRejection(crashing.submit(reportDigest), /simulated crash/);
    const stored = store.getSubmission(reportDigest)!;
    expect(stored.status).to.equal("sent");
    expect(await postedCount(report.borrower)).to.equal(1);
    const nonceBefore = await fixture.ethers.provider.getTransactionCount(fixture.operators[0]!.address);

    store.close();
    store = openStore(storePath);
    const [resumed] = await submitter().resumePending();
    expect(resumed!.status).to.equal("confirmed");
    expect(resumed!.confirmedBy).to.equal("self");
    expect(resumed!.txHash).to.equal(stored.txHash);
    expect(await postedCount(report.borrower)).to.equal(1);
    expect(await fixture.ethers.provider.getTransactionCount(fixture.operators[0]!.address)).to.equal(nonceBefore);
  });

  it("a report someone else already posted is confirmed by other, with no transaction", async () => {
    const { report, reportDigest } = await storedReport();
    const proposal = store.getProposal(reportDigest)!;
    await (
      await fixture.system.oracle
        .connect(fixture.signers[15]!)
        .submitScore(report, packSignatures(proposal.signatures.map((s) => s.signature)))
    ).wait();
    const nonceBefore = await fixture.ethers.provider.getTransactionCount(fixture.operators[0]!.address);
    const result = await submitter().submit(reportDigest);
    expect(result.status).to.equal("confirmed");
    expect(result.confirmedBy).to.equal("other");
    expect(result.txHash).to.equal(null);
    expect(await fixture.ethers.provider.getTransactionCount(fixture.operators[0]!.address)).to.equal(nonceBefore);
    expect(await postedCount(report.borrower)).to.equal(1);
  });

  it("decodes the contract's custom errors: OracleReportNotNewer is recognised by name", async () => {
    const { report, reportDigest } = await storedReport();
    const proposal = store.getProposal(reportDigest)!;
    const signatures = packSignatures(proposal.signatures.map((s) => s.signature));
    await (await fixture.system.oracle.submitScore(report, signatures)).wait();
    const chain = fixture.chain();
    const error = await chain.oracle.submitScore.estimateGas(report, signatures).then(
      () => undefined,
      (e: unknown) => e,
    );
    const decoded = decodeCustomError(chain.oracle.interface, error);
    expect(decoded?.name).to.equal("OracleReportNotNewer");
  });

  it("a report the contract refuses (expired) fails at once with the decoded error", async () => {
    const now = BigInt((await fixture.ethers.provider.getBlock("latest"))!.timestamp);
    const { reportDigest } = await storedReport({ issuedAt: now - 100n, validUntil: now - 10n });
    const result = await submitter().submit(reportDigest);
    expect(result.status).to.equal("failed");
    expect(result.lastError).to.match(/OracleReportExpired/);
  });
});
