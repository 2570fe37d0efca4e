/**
 * The indexer's settings and the report's indexer reader without a chain: bad settings fail naming the variable
 * or field; the reader refuses an indexer that is behind the report block or on another chain, and a bad page.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { readSettings } from "../../indexer/settings.js";
import type { EventPage, IndexedDeployment } from "../../indexer/wire.js";
import { indexerEventSource } from "../../scripts/report/indexer-source.js";

const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const BOOK = {
  network: "localhost",
  chainId: 31337,
  deployedAtBlock: 5,
  deployedAt: "2026-01-01T00:00:00.000Z",
  contracts: {
    vusd: A(1),
    creditScoreOracle: A(2),
    supervisionPolicy: A(3),
    lendingPool: A(4),
    weth: A(5),
    wethUsdPriceFeed: A(6),
  },
  roles: { deployer: A(7), governance: A(8), regulator: A(9), guardian: A(10), attester: A(11) },
  model: { modelId: "0x01", validationReportHash: "0x02", approved: true },
};

describe("indexer: settings", () => {
  let dir: string;
  let book: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "verity-indexer-settings-"));
    book = join(dir, "book.json");
    writeFileSync(book, JSON.stringify(BOOK));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("PGlite by default, Postgres when DATABASE_URL is set; the address book read and checked", () => {
    const pglite = readSettings({ VERITY_INDEXER_DEPLOYMENT: book });
    expect(pglite.database).to.deep.equal({ kind: "pglite" });
    expect(pglite.rpcUrl).to.equal("http://127.0.0.1:8545");
    expect(pglite.addressBook.deployedAtBlock).to.equal(5);
    const pg = readSettings({ VERITY_INDEXER_DEPLOYMENT: book, DATABASE_URL: "postgres://u@127.0.0.1:5432/db" });
    expect(pg.database).to.deep.equal({ kind: "postgres", connectionString: "postgres://u@127.0.0.1:5432/db" });
  });

  it("names the bad variable or address-book field", () => {
    const fails = (env: NodeJS.ProcessEnv, message: RegExp) => expect(() => readSettings(env)).to.throw(message);
    fails(
      { VERITY_INDEXER_DEPLOYMENT: book, VERITY_INDEXER_RPC: "ftp://x" },
      /^indexer settings: VERITY_INDEXER_RPC: /,
    );
    fails({ VERITY_INDEXER_DEPLOYMENT: book, DATABASE_URL: "mysql://x/y" }, /^indexer settings: DATABASE_URL: /);
    fails(
      { VERITY_INDEXER_DEPLOYMENT: book, VERITY_INDEXER_POLLING_MS: "fast" },
      /^indexer settings: VERITY_INDEXER_POLLING_MS: /,
    );
    fails(
      { VERITY_INDEXER_DEPLOYMENT: book, VERITY_INDEXER_GET_LOGS_BLOCK_RANGE: "0" },
      /^indexer settings: VERITY_INDEXER_GET_LOGS_BLOCK_RANGE: /,
    );
    fails(
      { VERITY_INDEXER_DEPLOYMENT: join(dir, "missing.json") },
      /^indexer settings: VERITY_INDEXER_DEPLOYMENT: cannot read address book .*missing\.json/,
    );
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...BOOK, contracts: { ...BOOK.contracts, lendingPool: "0x12" } }));
    fails({ VERITY_INDEXER_DEPLOYMENT: bad }, /^indexer settings: address book .*bad\.json: contracts\.lendingPool: /);
  });
});

describe("report: the indexer reader against a stand-in indexer", () => {
  let server: Server;
  let url: string;
  let indexedTo = 100;
  let page: EventPage | Record<string, unknown> = { events: [], next: null };
  let asked: URLSearchParams | undefined;
  const deployment: IndexedDeployment = {
    chainId: 31337,
    deployedAtBlock: 5,
    contracts: { lendingPool: A(4), supervisionPolicy: A(3), creditScoreOracle: A(2) },
  };
  const query = {
    chainId: 31337,
    contracts: { lendingPool: A(4), supervisionPolicy: A(3), creditScoreOracle: A(2) },
    fromBlock: 5,
    toBlock: 100,
  };
  const fast = { retries: 0, attemptTimeoutMs: 5_000 };

  before(async () => {
    server = createServer((req, res) => {
      const target = new URL(req.url!, "http://x");
      const path = target.pathname;
      if (path === "/compliance-events") asked = target.searchParams;
      const body =
        path === "/deployment"
          ? deployment
          : path === "/status"
            ? { chain: { id: 31337, block: { number: indexedTo, timestamp: 0 } } }
            : page;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it("refuses a report beyond the indexed block, naming both blocks", async () => {
    indexedTo = 90;
    await indexerEventSource(url, fast)
      .collect(query)
      .then(
        () => expect.fail("should refuse"),
        (error: Error) =>
          expect(error.message).to.equal(
            `the indexer at ${url} has indexed up to block 90, the report needs block 100: wait for it to catch up or pass --to-block 90`,
          ),
      );
    indexedTo = 100;
  });

  it("refuses an indexer of another chain", async () => {
    await indexerEventSource(url, fast)
      .collect({ ...query, chainId: 1 })
      .then(
        () => expect.fail("should refuse"),
        (error: Error) =>
          expect(error.message).to.equal(`the indexer at ${url} follows chain 31337, the address book is for chain 1`),
      );
  });

  it("refuses a row that does not decode as the compliance event it claims to be", async () => {
    page = {
      events: [
        {
          source: "pool",
          name: "LoanRepaid",
          contract: A(4),
          blockNumber: 7,
          logIndex: 0,
          timestamp: 1,
          txHash: `0x${"ab".repeat(32)}`,
          topics: [`0x${"00".repeat(32)}`],
          data: "0x",
        },
      ],
      next: null,
    };
    await indexerEventSource(url, fast)
      .collect(query)
      .then(
        () => expect.fail("should refuse"),
        (error: Error) =>
          expect(error.message).to.equal(
            "the indexer's LoanRepaid at block 7 log 0 does not decode as a compliance event of pool",
          ),
      );
    page = { events: [], next: null };
  });

  it("an answer of another shape is an error naming the field", async () => {
    page = { events: [{ source: "pool", name: "LoanRepaid", blockNumber: "7" }], next: null };
    await indexerEventSource(url, fast)
      .collect(query)
      .then(
        () => expect.fail("should refuse"),
        (error: Error) => expect(error.message).to.match(/unexpected answer: events\.0\.contract: /),
      );
    page = { events: [], next: null };
  });

  it("refuses pages that break the wire's promises: out of range, out of order, a cursor that does not advance", async () => {
    const row = (blockNumber: number, logIndex: number) => ({
      source: "pool",
      name: "LoanRepaid",
      contract: A(4),
      blockNumber,
      logIndex,
      timestamp: 1,
      txHash: `0x${"ab".repeat(32)}`,
      topics: [`0x${"00".repeat(32)}`],
      data: "0x",
    });
    const refusal = async (bad: EventPage, why: string) => {
      page = bad;
      await indexerEventSource(url, fast)
        .collect(query)
        .then(
          () => expect.fail(`should refuse: ${why}`),
          (error: Error) =>
            expect(error.message).to.equal(`the indexer's page of compliance events is inconsistent: ${why}`),
        );
    };
    await refusal({ events: [row(101, 0)], next: null }, "block 101 is outside 5–100");
    await refusal({ events: [row(4, 0)], next: null }, "block 4 is outside 5–100");
    await refusal({ events: [row(7, 3), row(7, 1)], next: null }, "block 7 log 1 does not come after block 7 log 3");
    await refusal({ events: [], next: "5:0" }, `cursor "5:0" is not the position of a full page's last event`);
    page = { events: [], next: null };
  });

  it("refuses an indexer that does not follow a contract of the address book, naming it", async () => {
    const withRegistry = { ...query, contracts: { ...query.contracts, complianceReportRegistry: A(9) } };
    await indexerEventSource(url, fast)
      .collect(withRegistry)
      .then(
        () => expect.fail("should refuse"),
        (error: Error) =>
          expect(error.message).to.equal(
            `the indexer at ${url} follows complianceReportRegistry (none), the address book has ${A(9)}`,
          ),
      );
  });

  it("an empty history is an empty list, asked of the book's contracts only; a bad URL is refused at once", async () => {
    expect(await indexerEventSource(url, fast).collect(query)).to.deep.equal([]);
    expect(asked?.get("sources")).to.equal("pool,policy,oracle");
    expect(() => indexerEventSource("localhost:42069")).to.throw('indexer URL "localhost:42069" must be http(s)');
  });
});
