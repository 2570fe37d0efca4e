/**
 * Compliance report from the chain's compliance events.
 *
 *   npm run report -- --network localhost                    # from the deployment block to the head
 *   npm run report -- --network localhost --from-block 120 --out reports/q1
 *   npm run report -- --network localhost --indexer http://127.0.0.1:42069   # events from the indexer (npm run indexer)
 *
 * Reads `deployments/<network>.json` for the contracts, connects through Hardhat's network config, and writes
 * `report.md`, `csv/*.csv` and `charts/*.svg` (default `reports/<network>-<timestamp>/`).
 */
import { Command } from "commander";

import { blockNumber, failWith, openDeployment } from "./cli/deployment.js";
import { buildComplianceReport, indexerEventSource, writeComplianceReport, type CollectProgress } from "./report/index.js";
import { formatVusd } from "./report/format.js";

const program = new Command()
  .name("report")
  .description("Compliance report: exposure, concentration, scores, adverse actions, rule changes, liquidations, circuit breaker")
  .requiredOption("--network <name>", "network in hardhat.config.ts with an address book deployments/<name>.json")
  .option("--from-block <n>", "first block (default: the address book's deployedAtBlock)", blockNumber)
  .option("--to-block <n>", "last block (default: the chain head)", blockNumber)
  .option("--out <dir>", "output folder (default: reports/<network>-<timestamp>/)")
  .option("--indexer <url>", "read the events from this Verity indexer (npm run indexer) instead of scanning the chain")
  .parse();
const options = program.opts<{ network: string; fromBlock?: number; toBlock?: number; out?: string; indexer?: string }>();

const fail = failWith("report");
const { addressBook, connection } = await openDeployment(options.network, fail);
const { ethers } = connection;

let lastPhase = "";
const progress = (p: CollectProgress) => {
  if (p.phase === "logs") console.log(`  logs: range ${p.done}/${p.total}, ${p.events} log(s) so far`);
  else if (p.phase !== lastPhase) console.log(`  ${p.phase === "timestamps" ? "block times" : "state at the report block"}…`);
  lastPhase = p.phase;
};

let eventSource;
try {
  eventSource = options.indexer === undefined ? undefined : indexerEventSource(options.indexer);
} catch (error) {
  fail((error as Error).message);
}
console.log(`Reading compliance events on ${options.network} (chain ${addressBook.chainId}) from the ${eventSource?.description ?? "chain"}…`);
const report = await buildComplianceReport({
  provider: ethers.provider,
  eventSource,
  addressBook,
  fromBlock: options.fromBlock,
  toBlock: options.toBlock,
  onProgress: progress,
}).catch((error: Error) => fail(error.message));

const outDir = options.out ?? `reports/${options.network}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
const written = await writeComplianceReport(report, outDir);
await connection.close();

const a = report.analysis;
console.log(`
Report written to ${written.markdownPath} (${written.csvPaths.length} CSV files, ${written.chartPaths.length} charts)
  sha256 of report.md: ${written.sha256} (also in report.md.sha256)
  blocks ${report.meta.fromBlock}–${report.meta.toBlock}: ${report.events.length} compliance events
  loans originated: ${a.exposure.totals.loans} (${formatVusd(a.exposure.totals.originatedWad)} vUSD); principal outstanding ${formatVusd(report.state.totalPrincipalWad)} vUSD
  scores: ${a.scores.models.reduce((s, m) => s + m.scores, 0)}; adverse actions: ${a.adverseActions.count}
  rule changes: ${a.ruleChanges.length}; liquidations: ${a.liquidations.count}; circuit-breaker trips: ${a.circuitBreaker.trips}${report.state.paused ? " (PAUSED now)" : ""}`);
