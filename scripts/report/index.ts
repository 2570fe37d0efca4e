/**
 * The compliance report: what a supervisor reads from the chain's compliance events over a block range.
 *
 *   const report = await buildComplianceReport({ provider, addressBook, fromBlock, toBlock });
 *   const { markdownPath } = await writeComplianceReport(report, "reports/demo");
 *
 * `collect` reads (chain), `analyse` computes (pure), `tables` / `render-*` / `charts` present.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Provider } from "ethers";

import type { AddressBook } from "../../oracle/src/protocol/address-book.js";

import { analyse } from "./analyse.js";
import { blockTimestamps, readChainState, type CollectProgress } from "./collect.js";
import { eventsNamed } from "./events.js";
import { renderCharts } from "./render-charts.js";
import { renderCsv } from "./render-csv.js";
import { renderMarkdown } from "./render-markdown.js";
import { buildTables } from "./tables.js";
import { withRetry } from "./retry.js";
import type { ComplianceReport } from "./types.js";
import { chainEventSource, type ComplianceEventSource } from "./source.js";

export interface BuildReportOptions {
  provider: Provider;
  addressBook: AddressBook;
  /** Default: the address book's `deployedAtBlock`. */
  fromBlock?: number;
  /** Default: the chain head. */
  toBlock?: number;
  /** Where the events come from; default: a scan of the chain through `provider` (`chunkBlocks` per call). */
  eventSource?: ComplianceEventSource;
  chunkBlocks?: number;
  onProgress?: (progress: CollectProgress) => void;
  /** Reason-code table (`{ codes: [{ code, text }] }`); default: the shipped model's. */
  reasonCodesPath?: string;
}

const SHIPPED_REASON_CODES = fileURLToPath(new URL("../../oracle/model/reason-codes.json", import.meta.url));
const RPC = { retries: 3, attemptTimeoutMs: 30_000, backoffMs: 500 };

/** Reads the chain and analyses it. Throws with a message naming the problem for a bad block range or chain. */
export async function buildComplianceReport(options: BuildReportOptions): Promise<ComplianceReport> {
  const { provider, addressBook } = options;
  const network = await withRetry(() => provider.getNetwork(), { ...RPC, label: "eth_chainId" });
  if (Number(network.chainId) !== addressBook.chainId) {
    throw new Error(
      `the address book is for chain ${addressBook.chainId} (${addressBook.network}) but the provider is on chain ${network.chainId}`,
    );
  }
  const head = await withRetry(() => provider.getBlockNumber(), { ...RPC, label: "eth_blockNumber" });
  const fromBlock = options.fromBlock ?? addressBook.deployedAtBlock;
  const toBlock = options.toBlock ?? head;
  for (const [name, value] of [["from block", fromBlock], ["to block", toBlock]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
    if (value > head) throw new Error(`${name} ${value} is beyond the chain head (block ${head})`);
  }
  if (fromBlock > toBlock) throw new Error(`from block ${fromBlock} is after to block ${toBlock}`);

  const eventSource = options.eventSource ?? chainEventSource(provider, { chunkBlocks: options.chunkBlocks, retry: RPC });
  const events = await eventSource.collect({
    chainId: addressBook.chainId,
    contracts: addressBook.contracts,
    fromBlock,
    toBlock,
    onProgress: options.onProgress,
  });
  const borrowers = eventsNamed(events, "LoanOriginated").map((e) => e.args.borrower);
  options.onProgress?.({ phase: "state", done: 0, total: borrowers.length, events: events.length });
  const state = await readChainState(provider, addressBook.contracts, borrowers, toBlock, RPC);
  const times = await blockTimestamps(provider, [...new Set([fromBlock, toBlock])], RPC);
  const startTimestamp = times.get(fromBlock)!;
  const endTimestamp = times.get(toBlock)!;
  const reasonCodeSource = options.reasonCodesPath ?? SHIPPED_REASON_CODES;
  const reasonTexts = await loadReasonTexts(reasonCodeSource);

  const analysis = analyse(events, {
    tierCount: state.tierCount,
    tierMaxPdBps: state.tierMaxPdBps,
    approvalThresholdBps: state.approvalThresholdBps,
    principalByBorrower: state.principalByBorrower,
    startTimestamp,
    endTimestamp,
    reasonTexts,
  });
  return {
    meta: {
      network: addressBook.network,
      chainId: addressBook.chainId,
      fromBlock,
      toBlock,
      startTimestamp,
      endTimestamp,
      generatedAt: new Date().toISOString(),
      contracts: addressBook.contracts,
      roles: addressBook.roles,
      assets: { [addressBook.contracts.weth.toLowerCase()]: { symbol: "WETH", decimals: 18 } },
      reasonCodeSource,
    },
    state,
    events,
    analysis,
  };
}

/** Reason code -> adverse-action text from a reason-code table. */
export async function loadReasonTexts(path: string): Promise<Map<number, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read reason codes ${path}: ${(error as Error).message}`, { cause: error });
  }
  const codes = (json as { codes?: { code?: unknown; text?: unknown }[] }).codes;
  if (!Array.isArray(codes)) throw new Error(`reason codes ${path}: expected { codes: [{ code, text }] }`);
  return new Map(
    codes.map((c, i) => {
      if (typeof c.code !== "number" || typeof c.text !== "string") throw new Error(`reason codes ${path}: codes[${i}] needs code and text`);
      return [c.code, c.text] as const;
    }),
  );
}

export interface WrittenReport {
  markdownPath: string;
  /** sha256 of `report.md` (hex, no 0x), also written to `report.md.sha256` in `sha256sum` format. */
  sha256: string;
  csvPaths: string[];
  chartPaths: string[];
}

/** Writes `report.md`, `csv/<table>.csv` (one per table) and `charts/<chart>.svg` under `outDir`. */
export async function writeComplianceReport(report: ComplianceReport, outDir: string): Promise<WrittenReport> {
  const tables = buildTables(report);
  const charts = renderCharts(report);
  await mkdir(join(outDir, "csv"), { recursive: true });
  await mkdir(join(outDir, "charts"), { recursive: true });

  const csvPaths: string[] = [];
  for (const table of tables) {
    const path = join(outDir, "csv", `${table.id}.csv`);
    await writeFile(path, renderCsv(table));
    csvPaths.push(path);
  }
  const chartPaths: string[] = [];
  for (const chart of charts) {
    const path = join(outDir, "charts", `${chart.id}.svg`);
    await writeFile(path, chart.svg);
    chartPaths.push(path);
  }
  const markdownPath = join(outDir, "report.md");
  const markdown = renderMarkdown(report, tables, charts);
  await writeFile(markdownPath, markdown);
  const sha256 = createHash("sha256").update(markdown, "utf8").digest("hex");
  await writeFile(`${markdownPath}.sha256`, `${sha256}  report.md\n`);
  return { markdownPath, sha256, csvPaths, chartPaths };
}

export { analyse } from "./analyse.js";
export type { ComplianceAnalysis } from "./analyse.js";
export type { ComplianceEvent } from "./events.js";
export type { ChainState, CollectProgress } from "./collect.js";
export type { ComplianceReport, ReportMeta } from "./types.js";
export { chainEventSource, type ComplianceEventSource } from "./source.js";
export { indexerEventSource } from "./indexer-source.js";
