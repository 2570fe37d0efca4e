/**
 * The rebase keeper (CLI: scripts/keeper/rebase.ts). A position's tier follows its borrower's current score
 * (`ISupervisionPolicy.tierForPosition`), but the pool only moves a position when something calls `rebase` (or
 * the borrower borrows or withdraws). This keeper finds every position whose held tier differs from its current
 * one and calls `rebase` for each: a newer score (better or worse), a retired model, or an expired score whose
 * notice period has run out.
 *
 * It also starts the notice of every position whose score has expired while no notice is running for that expiry
 * yet: the pool emits `ScoreExpiring` (and the notice period, `SCORE_NOTICE_PERIOD`, counts from the expiry) only when
 * something touches the position, so without the keeper a borrower could learn of it only when the debt is re-based.
 * `rebase` gives the notice (`ScoreNoticeLogic.announce`) even when the tier stays; a position is due for notice
 * when its score's model is still approved (`oracle.positionScoreOf`), the latest block is at or after its expiry
 * and before the notice's end (`policy.scoreNoticeOf`), and no `ScoreExpiring` for that expiry was emitted yet.
 *
 * Borrowers come from the pool's `LoanOriginated` events (every position with debt has at least one); the pool
 * itself says whether a position is due: `rebase.staticCall(borrower)` returns its held and current tier and reverts
 * `LendingPoolNoDebt` for a position without debt.
 */
import {
  ICreditScoreOracle__factory,
  ISupervisionPolicy__factory,
  type LendingPool,
} from "../../types/ethers-contracts/index.js";
import { mapBounded, withRetry, type RetryOptions } from "../report/retry.js";

export interface KeeperOptions {
  /** The pool, connected to the keeper's signer (anyone may call `rebase`; a dry run needs only a provider). */
  pool: LendingPool;
  fromBlock: number;
  /** Last block to scan for borrowers (default: the chain head). */
  toBlock?: number;
  /** Plan only: report the due positions, send nothing. */
  dryRun?: boolean;
  /** Blocks per `eth_getLogs` call (providers cap the range). */
  chunkBlocks?: number;
  retry?: Partial<Omit<RetryOptions, "label">>;
  onProgress?: (progress: KeeperProgress) => void;
}

export type KeeperProgress =
  | { phase: "scan"; fromBlock: number; toBlock: number; borrowers: number }
  | { phase: "check"; done: number; total: number; due: number }
  | { phase: "rebased"; position: DuePosition; txHash: string }
  | { phase: "noticed"; notice: DueNotice; txHash: string }
  | { phase: "failed"; position: DuePosition; error: string };

/** A position whose held tier differs from its current tier. */
export interface DuePosition {
  borrower: string;
  heldTier: number;
  currentTier: number;
}

/** A position whose score expired at `expiredAt` and whose notice (`ScoreExpiring`) has not been given yet. */
export interface DueNotice {
  borrower: string;
  /** The tier the debt keeps during the notice. */
  tier: number;
  expiredAt: number;
  noticeEndsAt: number;
}

export interface KeeperResult {
  fromBlock: number;
  toBlock: number;
  /** Distinct borrowers seen in the range. */
  borrowers: number;
  /** Of those, positions with debt now. */
  withDebt: number;
  due: DuePosition[];
  /** Positions not due for a re-base whose expired score's notice is to be started. */
  noticeDue: DueNotice[];
  rebased: (DuePosition & { txHash: string })[];
  noticed: (DueNotice & { txHash: string })[];
  /** Failed `rebase` calls, of either list (a notice's `heldTier` and `currentTier` are its tier). */
  failed: (DuePosition & { error: string })[];
}

const DEFAULT_RETRY = { retries: 3, attemptTimeoutMs: 30_000, backoffMs: 500 };
const READ_CONCURRENCY = 8;

/** Scans, plans and (unless `dryRun`) re-bases every due position; a failed `rebase` is reported, not fatal. */
export async function rebasePositions(options: KeeperOptions): Promise<KeeperResult> {
  const { pool } = options;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const provider = pool.runner?.provider;
  if (provider == null) throw new Error("keeper: the pool contract has no provider");
  const toBlock = options.toBlock ?? (await withRetry(() => provider.getBlockNumber(), { ...retry, label: "eth_blockNumber" }));
  if (toBlock < options.fromBlock) throw new Error(`keeper: --from-block ${options.fromBlock} is after the chain head ${toBlock}`);

  const borrowers = await findBorrowers(pool, options.fromBlock, toBlock, options.chunkBlocks ?? 5_000, retry);
  options.onProgress?.({ phase: "scan", fromBlock: options.fromBlock, toBlock, borrowers: borrowers.length });

  let done = 0;
  let dueCount = 0;
  const tiers = await mapBounded(borrowers, READ_CONCURRENCY, async (borrower) => {
    const result = await withRetry(() => heldAndCurrentTier(pool, borrower), { ...retry, label: `rebase.staticCall(${borrower})` });
    done += 1;
    if (result !== null && result.heldTier !== result.currentTier) dueCount += 1;
    if (done % 50 === 0 || done === borrowers.length) {
      options.onProgress?.({ phase: "check", done, total: borrowers.length, due: dueCount });
    }
    return result;
  });
  const withDebt = tiers.filter((t) => t !== null);
  const due = withDebt.filter((t) => t.heldTier !== t.currentTier);

  const chunkBlocks = options.chunkBlocks ?? 5_000;
  const steady = withDebt.filter((t) => t.heldTier === t.currentTier);
  const noticeDue = await findDueNotices(pool, steady, options.fromBlock, toBlock, chunkBlocks, retry);

  const result: KeeperResult = {
    fromBlock: options.fromBlock,
    toBlock,
    borrowers: borrowers.length,
    withDebt: withDebt.length,
    due,
    noticeDue,
    rebased: [],
    noticed: [],
    failed: [],
  };
  if (options.dryRun === true) return result;

  // One transaction at a time: the signer's nonces stay in order, and a failure stops nothing but itself
  // (`rebase` is idempotent, so the next run retries it).
  for (const position of due) {
    try {
      const tx = await pool.rebase(position.borrower);
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
      result.rebased.push({ ...position, txHash: tx.hash });
      options.onProgress?.({ phase: "rebased", position, txHash: tx.hash });
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      result.failed.push({ ...position, error: message });
      options.onProgress?.({ phase: "failed", position, error: message });
    }
  }
  for (const notice of noticeDue) {
    try {
      const tx = await pool.rebase(notice.borrower);
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
      result.noticed.push({ ...notice, txHash: tx.hash });
      options.onProgress?.({ phase: "noticed", notice, txHash: tx.hash });
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      const position = { borrower: notice.borrower, heldTier: notice.tier, currentTier: notice.tier };
      result.failed.push({ ...position, error: message });
      options.onProgress?.({ phase: "failed", position, error: message });
    }
  }
  return result;
}

/**
 * Of `positions` (with debt, not due for a re-base), those whose score has expired, with its notice not yet given:
 * the model still approved, the latest block at or after the expiry and before the notice's end (the next block is
 * later, so `rebase` then emits `ScoreExpiring`), and no `ScoreExpiring` for that expiry in [fromBlock, toBlock].
 */
export async function findDueNotices(
  pool: LendingPool,
  positions: DuePosition[],
  fromBlock: number,
  toBlock: number,
  chunkBlocks: number,
  retry: Omit<RetryOptions, "label">,
): Promise<DueNotice[]> {
  if (positions.length === 0) return [];
  const runner = pool.runner;
  const provider = runner?.provider;
  if (runner == null || provider == null) throw new Error("keeper: the pool contract has no provider");
  const [oracleAddress, policyAddress] = await withRetry(() => Promise.all([pool.oracle(), pool.policy()]), {
    ...retry,
    label: "pool.oracle/policy",
  });
  const oracle = ICreditScoreOracle__factory.connect(oracleAddress, provider);
  const policy = ISupervisionPolicy__factory.connect(policyAddress, provider);
  const head = await withRetry(() => provider.getBlock(toBlock), { ...retry, label: `eth_getBlockByNumber ${toBlock}` });
  if (head === null) throw new Error(`keeper: block ${toBlock} not found`);
  const now = BigInt(head.timestamp);

  const candidates = await mapBounded(positions, READ_CONCURRENCY, async (position) => {
    const label = `notice of ${position.borrower}`;
    const score = await withRetry(() => oracle.positionScoreOf(position.borrower), { ...retry, label });
    if (!score.modelApproved) return null;
    const [expiredAt, noticeEndsAt] = await withRetry(() => policy.scoreNoticeOf(score.issuedAt, score.validUntil), { ...retry, label });
    if (now < expiredAt || now >= noticeEndsAt) return null;
    return { borrower: position.borrower, tier: position.heldTier, expiredAt: Number(expiredAt), noticeEndsAt: Number(noticeEndsAt) };
  });
  const due: DueNotice[] = [];
  for (const candidate of candidates) {
    if (candidate === null) continue;
    let given = false;
    for (let start = fromBlock; start <= toBlock && !given; start += chunkBlocks) {
      const end = Math.min(start + chunkBlocks - 1, toBlock);
      const logs = await withRetry(() => pool.queryFilter(pool.filters.ScoreExpiring(candidate.borrower), start, end), {
        ...retry,
        label: `eth_getLogs ScoreExpiring ${candidate.borrower} ${start}-${end}`,
      });
      given = logs.some((log) => Number(log.args.expiredAt) === candidate.expiredAt);
    }
    if (!given) due.push(candidate);
  }
  return due;
}

/** Every distinct borrower of a `LoanOriginated` event in [fromBlock, toBlock], in order of first loan. */
export async function findBorrowers(
  pool: LendingPool,
  fromBlock: number,
  toBlock: number,
  chunkBlocks: number,
  retry: Omit<RetryOptions, "label">,
): Promise<string[]> {
  if (!Number.isInteger(chunkBlocks) || chunkBlocks < 1) throw new Error(`keeper: chunkBlocks must be a positive integer, got ${chunkBlocks}`);
  const seen = new Set<string>();
  for (let start = fromBlock; start <= toBlock; start += chunkBlocks) {
    const end = Math.min(start + chunkBlocks - 1, toBlock);
    const logs = await withRetry(() => pool.queryFilter(pool.filters.LoanOriginated(), start, end), {
      ...retry,
      label: `eth_getLogs LoanOriginated ${start}-${end}`,
    });
    for (const log of logs) seen.add(log.args.borrower);
  }
  return [...seen];
}

/** The position's held and current tier (the pool's own answer), or null if it has no debt. */
async function heldAndCurrentTier(pool: LendingPool, borrower: string): Promise<DuePosition | null> {
  try {
    const [heldTier, currentTier] = await pool.rebase.staticCall(borrower);
    return { borrower, heldTier: Number(heldTier), currentTier: Number(currentTier) };
  } catch (error) {
    if (revertName(pool, error) === "LendingPoolNoDebt") return null;
    throw error;
  }
}

/** The pool's custom error a failed call reverted with, if any: ethers' decoded `revert` (JSON-RPC nodes), or
 * the raw revert `data` (Hardhat's in-process network) decoded with the pool's interface. */
function revertName(pool: LendingPool, error: unknown): string | undefined {
  const e = error as { revert?: { name?: string }; data?: unknown };
  if (e.revert?.name !== undefined) return e.revert.name;
  if (typeof e.data !== "string" || !e.data.startsWith("0x")) return undefined;
  try {
    return pool.interface.parseError(e.data)?.name;
  } catch {
    return undefined;
  }
}
