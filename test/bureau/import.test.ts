import { join } from "node:path";

import { expect } from "chai";

import { runCli } from "../../bureau/src/cli.js";
import { CsvError, importCsv, ImportError, parseAssignment, parseCsv } from "../../bureau/src/import/index.js";
import { featureSchema, loadFeatureSchema, type FeatureSchema } from "../../bureau/src/schema/feature-schema.js";
import { BUREAU_MIGRATIONS, openBureauStore, StoreError, type BureauStore } from "../../bureau/src/store/index.js";
import { DatabaseSync } from "../../oracle/src/store/sqlite.js";
import { borrowerWallet, configInput, dataSetLines, HARDHAT_MNEMONIC, tempDir, writeCsv } from "./helpers.js";

const AS_OF = 1_790_000_000;
const ADDRESSES = [0, 1, 2].map((i) => borrowerWallet(i).address);

describe("bureau CSV reading", () => {
  it("reads quoted headers, quoted cells with escaped quotes, CRLF and a BOM", () => {
    const table = parseCsv('\uFEFF"ID","NOTE"\r\n1,"a ""quoted"", with comma"\r\n\r\n2,plain\r\n');
    expect(table.header).to.deep.equal(["ID", "NOTE"]);
    expect(table.rows).to.deep.equal([
      { line: 2, cells: ["1", 'a "quoted", with comma'] },
      { line: 4, cells: ["2", "plain"] },
    ]);
  });

  it("refuses what it cannot read, naming the line", () => {
    expect(() => parseCsv('A,B\n1,"open\n')).to.throw(CsvError, /line 2: a quoted field is not closed/);
    expect(() => parseCsv("A,B\n1,2\n3\n")).to.throw(CsvError, /line 3: 1 fields, the header has 2/);
    expect(() => parseCsv("A,B\n1,2,3\n")).to.throw(CsvError, /line 2: 3 fields, the header has 2/);
    expect(() => parseCsv("A,A\n1,2\n")).to.throw(CsvError, /column A appears twice \(columns 1 and 2\)/);
    expect(() => parseCsv('A,B\n1,x"y\n')).to.throw(CsvError, /line 2: a quote inside an unquoted field/);
    expect(() => parseCsv("")).to.throw(CsvError, /no header row/);
  });

  it("parses --assign forms and refuses others", () => {
    expect(parseAssignment("column")).to.deep.equal({ kind: "column", column: "address" });
    expect(parseAssignment("column:wallet")).to.deep.equal({ kind: "column", column: "wallet" });
    expect(parseAssignment("mnemonic:MY_PHRASE")).to.deep.equal({ kind: "mnemonic", envVar: "MY_PHRASE" });
    expect(() => parseAssignment("mnemonic:test test junk")).to.throw(
      CsvError,
      /expected column\[:<name>\] or mnemonic:<ENV_VAR>/,
    );
    expect(() => parseAssignment("row")).to.throw(CsvError);
  });
});

describe("bureau import", function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  let store: BureauStore;
  let schema: FeatureSchema;
  const env = { PHRASE: HARDHAT_MNEMONIC };

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir("bureau-import"));
    store = openBureauStore(join(dir, "bureau.sqlite"));
    schema = await loadFeatureSchema({});
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  /** The data set's first rows with an `address` column; `edit` changes one row's cells by column name. */
  function addressCsv(rows: number, edit?: { row: number; column: string; value: string }): string {
    const { header, lines } = dataSetLines(rows);
    const names = header.split(",").map((h) => h.replaceAll('"', ""));
    const edited = lines.map((line, i) => {
      const cells = line.split(",");
      if (edit !== undefined && edit.row === i) cells[names.indexOf(edit.column)] = edit.value;
      return [...cells, ADDRESSES[i % ADDRESSES.length]].join(",");
    });
    return writeCsv(dir, "files.csv", `${header},"address"`, edited);
  }

  const importWith = (csvPath: string, assign = "column", s: FeatureSchema = schema) =>
    importCsv({ store, schema: s, csvPath, assignment: parseAssignment(assign), asOf: AS_OF, env });

  async function refusal(run: Promise<unknown>): Promise<ImportError> {
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, "import should be refused").to.be.instanceOf(ImportError);
    return error as ImportError;
  }

  it("stores the schema's fields of real data-set rows by address, in schema order, and nothing else", async () => {
    const summary = await importWith(addressCsv(3));
    expect(summary).to.include({
      rows: 3,
      created: 3,
      replaced: 0,
      schemaHash: schema.schemaHash,
      asOf: AS_OF,
      firstBorrower: ADDRESSES[0],
    });
    const file = store.creditFile(ADDRESSES[0] as string);
    // Row 1 of train.csv: LIMIT_BAL 20000, PAY_0 2, PAY_2 2, PAY_3 -1 … BILL_AMT1 3913 … PAY_AMT2 689.
    expect(file?.fields).to.deep.equal([20000, 2, 2, -1, -1, -2, -2, 3913, 3102, 689, 0, 0, 0, 0, 689, 0, 0, 0, 0]);
    expect(file).to.include({ schemaHash: schema.schemaHash, asOf: AS_OF });
    expect(store.counts().creditFiles).to.equal(3);
  });

  it("reads the data set's scientific notation (5e+05) as the integer it is, and refuses a fraction", async () => {
    await importWith(addressCsv(1, { row: 0, column: "LIMIT_BAL", value: "5e+05" }));
    expect(store.creditFile(ADDRESSES[0] as string)?.fields[0]).to.equal(500_000);
    const error = await refusal(importWith(addressCsv(1, { row: 0, column: "LIMIT_BAL", value: "1.5" })));
    expect(error.problems).to.deep.equal(['line 2, column LIMIT_BAL: "1.5" is not an integer']);
    const words = await refusal(importWith(addressCsv(1, { row: 0, column: "PAY_0", value: "two" })));
    expect(words.problems).to.deep.equal(['line 2, column PAY_0: "two" is not an integer']);
  });

  const boundaries: [column: string, inside: string, outside: string][] = [
    ["LIMIT_BAL", "1", "0"],
    ["LIMIT_BAL", "10000000", "10000001"],
    ["PAY_0", "-2", "-3"],
    ["PAY_6", "9", "10"],
    ["BILL_AMT3", "-10000000", "-10000001"],
    ["PAY_AMT1", "0", "-1"],
  ];
  for (const [column, inside, outside] of boundaries) {
    it(`${column}: ${inside} is accepted, ${outside} refused naming the line and the column`, async () => {
      await importWith(addressCsv(2, { row: 1, column, value: inside }));
      expect(store.creditFile(ADDRESSES[1] as string)?.fields[schema.featureNames.indexOf(column)]).to.equal(
        Number(inside),
      );
      const error = await refusal(importWith(addressCsv(2, { row: 1, column, value: outside })));
      expect(error.problems).to.have.length(1);
      expect(error.problems[0]).to.match(new RegExp(`^line 3, column ${column}: ${outside} is outside \\[`));
    });
  }

  it("is all or nothing: one bad row in the last line leaves the store exactly as it was", async () => {
    await importWith(addressCsv(2));
    const before = store.creditFile(ADDRESSES[0] as string);
    const error = await refusal(importWith(addressCsv(3, { row: 2, column: "PAY_AMT6", value: "" })));
    expect(error.message).to.match(/nothing was written/);
    expect(error.problems).to.deep.equal(["line 4, column PAY_AMT6: empty"]);
    expect(store.counts().creditFiles).to.equal(2);
    expect(store.creditFile(ADDRESSES[0] as string)).to.deep.equal(before);
    expect(store.creditFile(ADDRESSES[2] as string)).to.equal(undefined);
  });

  it("lists every problem of a file, at most 20 then a count", async () => {
    const { header, lines } = dataSetLines(25);
    const bad = lines.map((line) => `${line},not-an-address`);
    const error = await refusal(importWith(writeCsv(dir, "bad.csv", `${header},address`, bad)));
    expect(error.problems).to.have.length(25);
    expect(error.message)
      .to.match(/25 problems/)
      .and.match(/… and 5 more$/);
  });

  it("refuses a missing schema column, a bad or repeated address, naming them", async () => {
    const { header, lines } = dataSetLines(2);
    const noBill = await refusal(
      importWith(
        writeCsv(
          dir,
          "a.csv",
          `${header.replace('"BILL_AMT4"', '"OTHER"')},address`,
          lines.map((l, i) => `${l},${ADDRESSES[i]}`),
        ),
      ),
    );
    expect(noBill.problems).to.deep.equal(["header: column BILL_AMT4 (a schema feature) is missing"]);
    const badAddress = await refusal(
      importWith(writeCsv(dir, "b.csv", `${header},address`, [`${lines[0]},${ADDRESSES[0]}`, `${lines[1]},0x1234`])),
    );
    expect(badAddress.problems).to.deep.equal([
      'line 3, column address: "0x1234" is not a 20-byte hex address (mixed case must be a valid EIP-55 checksum)',
    ]);
    const repeated = await refusal(
      importWith(
        writeCsv(dir, "c.csv", `${header},address`, [
          `${lines[0]},${ADDRESSES[0]}`,
          `${lines[1]},${ADDRESSES[0]?.toLowerCase()}`,
        ]),
      ),
    );
    expect(repeated.problems).to.deep.equal([`line 3: borrower ${ADDRESSES[0]} already has a row (line 2)`]);
    let noColumn: unknown;
    await importWith(writeCsv(dir, "d.csv", header, lines)).catch((e: unknown) => (noColumn = e));
    expect((noColumn as Error).message).to.match(/no column address to take borrower addresses from/);
  });

  it("assigns data row i to m/44'/60'/0'/0/i of the mnemonic (Hardhat account i for the test mnemonic)", async () => {
    const { header, lines } = dataSetLines(3);
    const summary = await importWith(writeCsv(dir, "m.csv", header, lines), "mnemonic:PHRASE");
    expect(summary).to.include({
      firstBorrower: ADDRESSES[0],
      lastBorrower: ADDRESSES[2],
      assignment: "mnemonic:PHRASE",
    });
    expect(store.creditFile(ADDRESSES[1] as string)?.fields[0]).to.equal(120_000);
    let error: unknown;
    await importCsv({
      store,
      schema,
      csvPath: join(dir, "m.csv"),
      assignment: parseAssignment("mnemonic:UNSET"),
      asOf: AS_OF,
      env: {},
    }).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal(
      "--assign mnemonic:UNSET: environment variable UNSET is not set or empty",
    );
  });

  it("a re-import replaces a borrower's file and says so", async () => {
    await importWith(addressCsv(2));
    const again = await importWith(addressCsv(1, { row: 0, column: "LIMIT_BAL", value: "30000" }));
    expect(again).to.include({ created: 0, replaced: 1 });
    expect(store.creditFile(ADDRESSES[0] as string)?.fields[0]).to.equal(30_000);
  });

  it("stores only the configured schema's fields", async () => {
    const small = featureSchema(["PAY_0", "LIMIT_BAL"]);
    await importWith(addressCsv(1), "column", small);
    expect(store.creditFile(ADDRESSES[0] as string)).to.deep.include({
      fields: [2, 20000],
      schemaHash: small.schemaHash,
    });
  });

  it("the CLI prints a summary, and on a refusal exits 1 with every problem on stderr", async () => {
    const configPath = join(dir, "bureau.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(configPath, JSON.stringify(configInput(dir, { store: { path: "cli/bureau.sqlite" } })));
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env };
    const code = await runCli(
      ["import", "--config", configPath, "--csv", addressCsv(2), "--assign", "column", "--as-of", "2026-11-01"],
      io,
    );
    expect(code, err.join("")).to.equal(0);
    expect(out.join("")).to.match(
      /^imported 2 credit files from .*files\.csv \(import #1\)\n {2}new borrowers: 2, replaced files: 0\n/,
    );
    expect(out.join("")).to.include("asOf: 1793491200 (2026-11-01T00:00:00.000Z)");
    const refused = await runCli(
      [
        "import",
        "--config",
        configPath,
        "--csv",
        addressCsv(2, { row: 0, column: "AGE", value: "x" }),
        "--assign",
        "column",
      ],
      io,
    );
    // AGE is not in the model's schema: a bad value there is never read.
    expect(refused).to.equal(0);
    const bad = await runCli(
      [
        "import",
        "--config",
        configPath,
        "--csv",
        addressCsv(2, { row: 0, column: "PAY_0", value: "x" }),
        "--assign",
        "column",
      ],
      io,
    );
    expect(bad).to.equal(1);
    expect(err.join("")).to.match(
      /^bureau: import of .* refused, nothing was written \(1 problem\):\nline 2, column PAY_0: "x" is not an integer\n$/,
    );
  });

  it("migrates a new store to the bureau's schema, and refuses one written by a newer bureau", () => {
    const path = join(dir, "newer.sqlite");
    openBureauStore(path).close();
    const db = new DatabaseSync(path);
    expect((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version).to.equal(
      BUREAU_MIGRATIONS.length,
    );
    db.exec(`PRAGMA user_version = ${BUREAU_MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openBureauStore(path)).to.throw(
      StoreError,
      `newer than this bureau knows (${BUREAU_MIGRATIONS.length}); upgrade the bureau`,
    );
  });
});
