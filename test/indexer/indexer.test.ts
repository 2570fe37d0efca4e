/**
 * The compliance indexer end to end: a `hardhat node` process with a compliance history made by the real
 * contracts (test/indexer/history.ts), the indexer started as `npm run indexer` starts it (Ponder), and the
 * compliance report built from the chain and from the indexer, whose analysed figures must be equal.
 *
 * Two databases: PGlite (the default) and a real Postgres started here on 127.0.0.1. The history has
 * VERITY_INDEXER_BENCH_EVENTS bulk events (default 2,000; `npm run bench:indexer` sets 100,000); the Postgres
 * run prints indexing throughput (events/s) and the report's time against the indexer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";

import { expect } from "chai";

import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { buildComplianceReport, indexerEventSource, type ComplianceReport } from "../../scripts/report/index.js";
import { readHandles } from "../../app/src/supervisor/data/contracts.js";
import {
  eventsOverBlocks,
  exposureByTier,
  positionsAtRisk,
  reasonCounts,
} from "../../app/src/supervisor/data/derive.js";
import { EventReader, eventSourceFor } from "../../app/src/supervisor/data/events.js";
import { readState } from "../../app/src/supervisor/data/state.js";
import { freePort } from "../../scripts/lib/free-port.js";

import { bulkEvents, deployWithScenario, type Connection } from "./history.js";
import {
  indexedBlock,
  rpc,
  startHardhatNode,
  startIndexer,
  startPostgres,
  stop,
  waitFor,
  type Child,
  type Postgres,
} from "./processes.js";

const BULK = Number(process.env.VERITY_INDEXER_BENCH_EVENTS ?? 2_000);
if (!Number.isSafeInteger(BULK) || BULK < 0)
  throw new Error(
    `VERITY_INDEXER_BENCH_EVENTS must be a non-negative integer, got ${process.env.VERITY_INDEXER_BENCH_EVENTS}`,
  );
const BENCH = BULK >= 100_000;
/** Time allowed to index, generously above the measured rate (README). */
const indexTimeoutMs = 120_000 + BULK * 5;

/** The report's figures: everything but when it was generated. */
function figures(report: ComplianceReport) {
  return {
    meta: { ...report.meta, generatedAt: undefined },
    state: report.state,
    events: report.events,
    analysis: report.analysis,
  };
}

describe(`compliance indexer (Ponder) on a hardhat node, ${BULK.toLocaleString("en-US")} bulk events`, function () {
  this.timeout(indexTimeoutMs * 3 + 600_000);
  let dir: string;
  let node: Child | undefined;
  let rpcUrl: string;
  let connection: Connection;
  let addressBook: AddressBook;
  let bookPath: string;
  let head: number;
  let totalEvents: number;
  let chainReport: ComplianceReport;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "verity-indexer-"));
    const started = await startHardhatNode(await freePort(), join(dir, "hardhat-node.log"));
    node = started.child;
    rpcUrl = started.url;
    ({ addressBook, connection } = await deployWithScenario(rpcUrl));
    const t0 = Date.now();
    let shown = 0;
    const blocks = await bulkEvents(rpcUrl, addressBook, BULK, (done) => {
      if (BENCH && done - shown >= 10_000) {
        console.log(`      history: ${done.toLocaleString("en-US")} / ${BULK.toLocaleString("en-US")} bulk events`);
        shown = done;
      }
    });
    if (BENCH)
      console.log(
        `      history: ${BULK.toLocaleString("en-US")} bulk events in ${blocks} blocks, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    bookPath = join(dir, "localhost.json");
    await writeFile(bookPath, `${JSON.stringify(addressBook, null, 2)}\n`);
    head = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
    const t1 = Date.now();
    chainReport = await buildComplianceReport({ provider: connection.ethers.provider, addressBook, toBlock: head });
    if (BENCH) console.log(`      report from the chain (eth_getLogs): ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    totalEvents = chainReport.events.length;
  });

  after(async () => {
    await connection?.close();
    await stop(node);
    if (dir !== undefined && process.env.VERITY_INDEXER_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the indexer, waits until it has indexed `head`, returns it with the indexing time. */
  async function indexed(
    name: string,
    flags: string[],
    env: NodeJS.ProcessEnv,
  ): Promise<{ child: Child; url: string; seconds: number; serving: number }> {
    const t0 = Date.now();
    // The bulk history packs ~500 events (~0.5 MB of logs) per block: 10 blocks per eth_getLogs stay under viem's 10 MB.
    const { child, url } = await startIndexer(
      ["--rpc", rpcUrl, "--deployment", bookPath, "--polling-ms", "200", "--get-logs-block-range", "10", ...flags],
      await freePort(),
      join(dir, `${name}.log`),
      env,
    );
    const tServing = Date.now(); // Ponder has built the app, migrated the database and serves /health
    let shown = Date.now();
    await waitFor(
      `the indexer (${name}) to reach block ${head}`,
      async () => {
        const block = await indexedBlock(url);
        if (BENCH && Date.now() - shown > 10_000) {
          console.log(`      ${name}: indexed up to block ${block} of ${head}`);
          shown = Date.now();
        }
        return block >= head ? true : undefined;
      },
      indexTimeoutMs,
      child,
      100,
    );
    return { child, url, seconds: (Date.now() - tServing) / 1000, serving: (tServing - t0) / 1000 };
  }

  it("the history holds every kind of event the report analyses", () => {
    const count = (name: string) => chainReport.analysis.eventCounts.find((c) => c.name === name)?.count ?? 0;
    for (const name of [
      "ScorePosted",
      "AdverseAction",
      "LoanOriginated",
      "LoanRepaid",
      "PositionLiquidated",
      "RuleChanged",
      "RuleChangeCancelled",
      "CircuitBreakerTripped",
      "CircuitBreakerReset",
      "ComplianceReportAttested",
    ]) {
      expect(count(name), name).to.be.greaterThan(0);
    }
    expect(totalEvents).to.be.greaterThan(BULK);
  });

  describe("PGlite (the default database)", () => {
    let indexer: Awaited<ReturnType<typeof indexed>> | undefined;
    before(async function () {
      if (BENCH) this.skip();
      indexer = await indexed("pglite", ["--pglite-dir", join(dir, "pglite")], { ...process.env, DATABASE_URL: "" });
    });
    after(async () => stop(indexer?.child));

    it("the report from the indexer has the same figures as the report from the chain", async () => {
      const fromIndexer = await buildComplianceReport({
        provider: connection.ethers.provider,
        addressBook,
        toBlock: head,
        eventSource: indexerEventSource(indexer!.url),
      });
      expect(fromIndexer.events).to.have.length(totalEvents);
      expect(figures(fromIndexer)).to.deep.equal(figures(chainReport));
    });

    it("the supervisor dashboard's figures from the indexer equal those from the chain (its data layer, as the page runs it)", async () => {
      const config = { addressBook, rpcUrl };
      /** One refresh of the dashboard, as useDashboard does it, and what its panels derive from it. */
      async function dashboard(indexerUrl?: string) {
        const handles = readHandles({ ...config, ...(indexerUrl === undefined ? {} : { indexerUrl }) });
        try {
          const reader = new EventReader(handles, eventSourceFor(handles, indexerUrl));
          const at = await reader.source.head();
          await reader.readTo(at);
          const state = await readState(handles, reader.events, at);
          return {
            source: reader.source.description,
            figures: {
              head: at,
              events: reader.events,
              state: { ...state, readAtMs: 0 },
              reasonCounts: reasonCounts(reader.events),
              exposureByTier: exposureByTier(state),
              positionsAtRisk: positionsAtRisk(state),
              eventsOverBlocks: eventsOverBlocks(reader.events, addressBook.deployedAtBlock, at),
            },
          };
        } finally {
          handles.provider.destroy();
        }
      }
      const fromChain = await dashboard();
      const fromIndexer = await dashboard(indexer!.url);
      expect([fromChain.source, fromIndexer.source]).to.deep.equal(["the chain", `the indexer at ${indexer!.url}`]);
      expect(fromIndexer.figures.head).to.equal(head);
      expect(fromIndexer.figures.events.length).to.be.greaterThan(BULK);
      expect(fromIndexer.figures.events.map((e) => e.name)).to.include.members([
        "ComplianceReportAttested",
        "AdverseAction",
        "PositionLiquidated",
      ]);
      expect(fromIndexer.figures.reasonCounts).to.not.deep.equal([]);
      expect(fromIndexer.figures).to.deep.equal(fromChain.figures);
    });

    it("follows a reorg: the dropped branch's events go, the new branch's come, the figures match the chain's again", async () => {
      const reportAt = (toBlock: number, eventSource?: ReturnType<typeof indexerEventSource>) =>
        buildComplianceReport({ provider: connection.ethers.provider, addressBook, toBlock, eventSource });
      const waitIndexed = (block: number) =>
        waitFor(
          `the indexer to reach block ${block}`,
          async () => ((await indexedBlock(indexer!.url)) >= block ? true : undefined),
          60_000,
          indexer!.child,
          100,
        );
      const snapshot = await rpc<string>(rpcUrl, "evm_snapshot");
      await bulkEvents(rpcUrl, addressBook, 12);
      const dropped = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
      await waitIndexed(dropped);
      expect((await reportAt(dropped, indexerEventSource(indexer!.url))).events).to.have.length(totalEvents + 12);

      expect(await rpc<boolean>(rpcUrl, "evm_revert", [snapshot])).to.equal(true);
      await rpc(rpcUrl, "evm_increaseTime", [60]); // the new branch's blocks differ from the dropped ones
      await bulkEvents(rpcUrl, addressBook, 4);
      while (Number(await rpc<string>(rpcUrl, "eth_blockNumber")) <= dropped) await rpc(rpcUrl, "evm_mine");
      const tip = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
      await waitIndexed(tip);
      const fromChain = await reportAt(tip);
      const fromIndexer = await reportAt(tip, indexerEventSource(indexer!.url));
      expect(fromIndexer.events).to.have.length(totalEvents + 4);
      expect(figures(fromIndexer)).to.deep.equal(figures(fromChain));
    });

    it("its API refuses a crafted query with 400 naming the parameter, and pages a sources filter it accepts", async () => {
      const get = async (query: string) => {
        const response = await fetch(`${indexer!.url}/compliance-events?${query}`, {
          signal: AbortSignal.timeout(10_000),
        });
        return { status: response.status, body: (await response.json()) as { error?: string; events?: unknown[] } };
      };
      const refusals: [string, string][] = [
        ["toBlock=10", "fromBlock is required"],
        ["fromBlock=abc&toBlock=10", 'fromBlock must be a non-negative integer, got "abc"'],
        ["fromBlock=-1&toBlock=10", 'fromBlock must be a non-negative integer, got "-1"'],
        [
          "fromBlock=0&toBlock=99999999999999999999",
          'toBlock must be a non-negative integer, got "99999999999999999999"',
        ],
        ["fromBlock=0&toBlock=10&limit=0", "limit must be 1–10000, got 0"],
        ["fromBlock=0&toBlock=10&limit=10001", "limit must be 1–10000, got 10001"],
        ["fromBlock=0&toBlock=10&sources=pool,evil", "unknown source(s) evil; known: "],
        ["fromBlock=0&toBlock=10&after=1-2", 'after must be <block>:<logIndex>, got "1-2"'],
      ];
      for (const [query, message] of refusals) {
        const { status, body } = await get(query);
        expect([status, body.error?.startsWith(message)], `${query}: ${JSON.stringify(body)}`).to.deep.equal([
          400,
          true,
        ]);
      }
      const registry = await get(`fromBlock=0&toBlock=${head}&sources=registry`);
      expect(registry.status).to.equal(200);
      expect(registry.body.events).to.have.length(1); // the history's one attestation
    });

    it("refuses an address book of another deployment, naming the contract and both addresses", async () => {
      const other = {
        ...addressBook,
        contracts: { ...addressBook.contracts, lendingPool: addressBook.contracts.vusd },
      };
      await buildComplianceReport({
        provider: connection.ethers.provider,
        addressBook: other,
        toBlock: head,
        eventSource: indexerEventSource(indexer!.url),
      }).then(
        () => expect.fail("should refuse"),
        (error: Error) =>
          expect(error.message).to.equal(
            `the indexer at ${indexer!.url} follows lendingPool ${addressBook.contracts.lendingPool.toLowerCase()}, the address book has ${addressBook.contracts.vusd}`,
          ),
      );
    });
  });

  describe("Postgres", () => {
    let postgres: Postgres | undefined;
    let indexer: Awaited<ReturnType<typeof indexed>> | undefined;
    before(async () => {
      postgres = startPostgres(join(dir, "postgres"), await freePort());
      indexer = await indexed("postgres", ["--schema", "verity_test"], { ...process.env, DATABASE_URL: postgres.url });
    });
    after(async () => {
      await stop(indexer?.child);
      await postgres?.stop();
    });

    it(`indexes the history and the report from it has the chain's figures (prints events/s and the report's time)`, async () => {
      const t0 = Date.now();
      const fromIndexer = await buildComplianceReport({
        provider: connection.ethers.provider,
        addressBook,
        toBlock: head,
        eventSource: indexerEventSource(indexer!.url),
      });
      const reportSeconds = (Date.now() - t0) / 1000;
      const rate = Math.round(totalEvents / indexer!.seconds);
      console.log(
        `      Postgres: ${totalEvents.toLocaleString("en-US")} compliance events (${head} blocks) indexed in ${indexer!.seconds.toFixed(1)} s = ${rate.toLocaleString("en-US")} events/s (after ${indexer!.serving.toFixed(1)} s to start: build, migrations); report from the indexer ${reportSeconds.toFixed(2)} s`,
      );
      expect(fromIndexer.events).to.have.length(totalEvents);
      expect(figures(fromIndexer)).to.deep.equal(figures(chainReport));
    });
  });
});
