/**
 * The compliance report's read speed: events/s for 1k, 20k and 100k compliance events read from the chain
 * (`eth_getLogs` through the sdk's reader and the report's conversion) and, with `--indexer`, from the Verity
 * indexer (Ponder on PGlite) after it has indexed the same history.
 *
 *   npm run bench:report                 # a table
 *   npm run bench:report -- --json       # one JSON object (chainEventsPerSec_1k, _20k, _100k, indexerEventsPerSec_100k, ...)
 *   npm run bench:report -- --events 20000 --indexer
 *
 * The history is the indexer test's (test/indexer/history.ts): the system deployed on a `hardhat node` with a
 * scenario of every kind of event, then bulk events (~500 per block). Each size reads from the deployment block to
 * the block of the size's last event, three times; the best run counts. Figures on a shared machine are pessimistic.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import { Command } from "commander";

import { bulkEvents, deployWithScenario } from "../../test/indexer/history.js";
import {
  indexedBlock,
  rpc,
  startHardhatNode,
  startIndexer,
  stop,
  waitFor,
  type Child,
} from "../../test/indexer/processes.js";
import { freePort } from "../lib/free-port.js";
import { collectEvents } from "../report/collect.js";
import { indexerEventSource } from "../report/indexer-source.js";

const program = new Command()
  .name("bench:report")
  .description("events/s of the compliance report's reads, from the chain and from the indexer")
  .option("--json", "print one JSON object")
  .option("--events <n>", "largest size (the sizes are 1k, 20k and this)", (v) => Number(v), 100_000)
  .option("--chunk-blocks <n>", "blocks per eth_getLogs to start with (~500 events per block)", (v) => Number(v), 20)
  .option("--runs <n>", "runs per size; the best counts", (v) => Number(v), 3)
  .option("--indexer", "also index the history with the Verity indexer (Ponder, PGlite) and read from it")
  .parse();
const options = program.opts<{
  json?: boolean;
  events: number;
  chunkBlocks: number;
  runs: number;
  indexer?: boolean;
}>();
for (const [name, value] of Object.entries({
  events: options.events,
  "chunk-blocks": options.chunkBlocks,
  runs: options.runs,
})) {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
}
const log = (line: string) => {
  if (options.json !== true) console.log(line);
};
const sizes = [1_000, 20_000, options.events].filter((n, i, all) => n <= options.events && all.indexOf(n) === i);
const label = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

const dir = mkdtempSync(join(tmpdir(), "verity-bench-report-"));
let node: Child | undefined;
let indexer: Child | undefined;
let closeConnection: (() => Promise<void>) | undefined;
const result: Record<string, number | string | null> = {};
try {
  const started = await startHardhatNode(await freePort(), join(dir, "hardhat-node.log"));
  node = started.child;
  const { addressBook, connection } = await deployWithScenario(started.url);
  closeConnection = () => connection.close();
  const t0 = performance.now();
  const blocks = await bulkEvents(started.url, addressBook, options.events, (done) => {
    if (done % 20_000 === 0) log(`  history: ${done.toLocaleString("en-US")} bulk events`);
  });
  result.historySeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  log(
    `  history: ${options.events.toLocaleString("en-US")} bulk events in ${blocks} blocks, ${result.historySeconds} s`,
  );
  const head = Number(await rpc<string>(started.url, "eth_blockNumber"));
  // The provider `npm run report` uses: Hardhat's, over the network config's HTTP transport.
  const provider = connection.ethers.provider;
  const range = {
    provider,
    contracts: addressBook.contracts,
    fromBlock: addressBook.deployedAtBlock,
    chunkBlocks: options.chunkBlocks,
  };

  // The block of each size's last event, from one full read.
  const all = await collectEvents({ ...range, toBlock: head });
  result.totalEvents = all.length;
  for (const size of sizes) {
    const toBlock = all[Math.min(size, all.length) - 1]!.blockNumber;
    let best = Infinity;
    let count = 0;
    for (let run = 0; run < options.runs; run++) {
      const t = performance.now();
      count = (await collectEvents({ ...range, toBlock })).length;
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    result[`chainEventsPerSec_${label(size)}`] = Math.round(count / best);
    result[`chainEvents_${label(size)}`] = count;
    result[`chainSeconds_${label(size)}`] = Number(best.toFixed(3));
    log(
      `  chain ${label(size)}: ${count} events in ${best.toFixed(2)} s = ${Math.round(count / best).toLocaleString("en-US")} events/s`,
    );
  }

  if (options.indexer === true) {
    const bookPath = join(dir, "localhost.json");
    await writeFile(bookPath, `${JSON.stringify(addressBook, null, 2)}\n`);
    const ti = performance.now();
    const started2 = await startIndexer(
      ["--rpc", started.url, "--deployment", bookPath, "--polling-ms", "200", "--get-logs-block-range", "10"],
      await freePort(),
      join(dir, "indexer.log"),
      { ...process.env, DATABASE_URL: "" },
    );
    indexer = started2.child;
    await waitFor(
      "the indexer to reach the head",
      async () => ((await indexedBlock(started2.url)) >= head ? true : undefined),
      1_800_000,
      indexer,
      500,
    );
    result.indexingSeconds = Number(((performance.now() - ti) / 1000).toFixed(1));
    const source = indexerEventSource(started2.url);
    let best = Infinity;
    let count = 0;
    for (let run = 0; run < options.runs; run++) {
      const t = performance.now();
      count = (
        await source.collect({
          chainId: addressBook.chainId,
          contracts: addressBook.contracts,
          fromBlock: addressBook.deployedAtBlock,
          toBlock: head,
        })
      ).length;
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    result[`indexerEventsPerSec_${label(options.events)}`] = Math.round(count / best);
    result[`indexerEvents_${label(options.events)}`] = count;
    log(
      `  indexer ${label(options.events)}: ${count} events in ${best.toFixed(2)} s = ${Math.round(count / best).toLocaleString("en-US")} events/s (indexing took ${result.indexingSeconds} s)`,
    );
  } else {
    result[`indexerEventsPerSec_${label(options.events)}`] = null;
    result.indexerNote = "not measured: pass --indexer (indexes the whole history with Ponder first)";
  }
  result.loadAverage1m = Number(loadavg()[0]!.toFixed(2));
  result.cpus = (await import("node:os")).cpus().length;
} finally {
  await closeConnection?.();
  await stop(indexer);
  await stop(node);
  rmSync(dir, { recursive: true, force: true });
}
if (options.json === true) console.log(JSON.stringify(result));
else
  console.log(
    `  load average ${String(result.loadAverage1m)} on ${String(result.cpus)} cores: figures on a shared machine are pessimistic`,
  );
