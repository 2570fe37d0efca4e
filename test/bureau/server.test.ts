import { expect } from "chai";

import { creditFileResponseSchema } from "../../bureau/src/client.js";
import { importCsv, parseAssignment } from "../../bureau/src/import/index.js";
import { featureSchema, loadFeatureSchema } from "../../bureau/src/schema/feature-schema.js";
import { startBureau, type RunningBureau } from "../../bureau/src/service.js";
import { openBureauStore } from "../../bureau/src/store/index.js";
import type { BureauConfig } from "../../bureau/src/config/index.js";
import { consentPurposeHash, type ConsentMessage } from "../../oracle/src/protocol/credit-file.js";
import {
  borrowerWallet,
  capturedLogger,
  consent,
  dataSetLines,
  HARDHAT_MNEMONIC,
  providerKeystore,
  signedRequest,
  tempDir,
  TEST_ENV,
  testConfig,
  writeCsv,
} from "./helpers.js";

const NOW = 1_790_000_000;
const AS_OF = 1_789_000_000;
const TIMEOUT = () => AbortSignal.timeout(5_000);
const OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/** Row 1 of the data set, in the model's order: Hardhat account 0's file. */
const ROW_1 = [20000, 2, 2, -1, -1, -2, -2, 3913, 3102, 689, 0, 0, 0, 0, 689, 0, 0, 0, 0];

describe("bureau HTTP service", function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  let config: BureauConfig;
  let bureau: RunningBureau;
  let logs: string[];
  let now: number;

  /** Imports the data set's first `rows` rows: row i belongs to Hardhat account i. */
  async function importRows(rows: number, names?: string[]): Promise<void> {
    const { header, lines } = dataSetLines(rows);
    const store = openBureauStore(config.store.path);
    try {
      const schema = names === undefined ? await loadFeatureSchema({}) : featureSchema(names);
      await importCsv({
        store,
        schema,
        csvPath: writeCsv(dir, "rows.csv", header, lines),
        assignment: parseAssignment("mnemonic:PHRASE"),
        asOf: AS_OF,
        env: { PHRASE: HARDHAT_MNEMONIC },
      });
    } finally {
      store.close();
    }
  }

  async function start(): Promise<RunningBureau> {
    const captured = capturedLogger();
    logs = captured.lines;
    bureau = await startBureau(config, { logger: captured.logger, env: TEST_ENV, nowSec: () => now });
    return bureau;
  }

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir("bureau-server"));
    await providerKeystore(dir);
    config = testConfig(dir, { rateLimit: { requests: 3, windowSec: 60 } });
    now = NOW;
    await importRows(2);
    await start();
  });

  afterEach(async () => {
    await bureau.shutdown("test over");
    cleanup();
  });

  const post = (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${bureau.url}/v1/credit-files`, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers,
      signal: TIMEOUT(),
    });

  async function expectRefusal(response: Response, status: number, code: string, message?: RegExp): Promise<void> {
    const json = (await response.json()) as { error: { code: string; message: string } };
    expect([response.status, json.error.code], json.error.message).to.deep.equal([status, code]);
    if (message !== undefined) expect(json.error.message).to.match(message);
  }

  const request = (overrides: Partial<ConsentMessage> = {}, i = 0) =>
    signedRequest(borrowerWallet(i), consent(borrowerWallet(i).address, now, overrides));

  it("releases the borrower's signed file: exactly the documented answer, logged in the consent log", async () => {
    const response = await post(await request({ nonce: 42n }));
    expect(response.status).to.equal(200);
    const json = (await response.json()) as {
      creditFile: Record<string, unknown>;
      fields: Record<string, number>;
      providerSignature: string;
    };
    expect(Object.keys(json)).to.deep.equal(["creditFile", "fields", "providerSignature"]);
    expect(Object.keys(json.creditFile)).to.deep.equal([
      "fileId",
      "borrower",
      "provider",
      "schemaHash",
      "fieldsHash",
      "asOf",
      "validUntil",
    ]);
    expect(json.creditFile).to.include({
      borrower: borrowerWallet(0).address,
      provider: config.provider.id,
      schemaHash: bureau.schema.schemaHash,
      asOf: AS_OF,
      validUntil: NOW + 86_400,
    });
    expect(Object.keys(json.fields)).to.deep.equal(bureau.schema.featureNames);
    expect(Object.values(json.fields)).to.deep.equal(ROW_1);
    expect(json.providerSignature).to.match(/^0x[0-9a-f]{130}$/);
    const [record, ...more] = bureau.store.consentLog(borrowerWallet(0).address);
    expect(more).to.have.length(0);
    expect(record).to.include({
      nonce: 42n,
      fileId: json.creditFile.fileId,
      receivedAt: NOW,
      purpose: consentPurposeHash(),
      oracle: config.chain.oracle,
      expiresAt: NOW + 600,
    });
    const metrics = await (await fetch(`${bureau.url}/metrics`, { signal: TIMEOUT() })).text();
    expect(metrics)
      .to.match(/^verity_bureau_releases_total 1$/m)
      .and.match(/^verity_bureau_credit_files 2$/m);
    expect(metrics).to.match(/^verity_bureau_request_duration_seconds_count\{route="\/v1\/credit-files"\} 1$/m);
  });

  it("the client's response schema accepts the real answer and refuses it with a field changed", async () => {
    const json = (await (await post(await request({ nonce: 43n }))).json()) as {
      creditFile: Record<string, unknown>;
      fields: Record<string, unknown>;
    };
    expect(creditFileResponseSchema.safeParse(json).success).to.equal(true);
    expect(
      creditFileResponseSchema.safeParse({ ...json, fields: { ...json.fields, LIMIT_BAL: 1.5 } }).success,
    ).to.equal(false);
    expect(
      creditFileResponseSchema.safeParse({ ...json, creditFile: { ...json.creditFile, fieldsHash: "0x12" } }).success,
    ).to.equal(false);
    expect(creditFileResponseSchema.safeParse({ ...json, extra: true }).success).to.equal(false);
  });

  it("gives each release its own fileId, and refuses a replayed nonce with 409", async () => {
    const first = (await (await post(await request({ nonce: 1n }))).json()) as { creditFile: { fileId: string } };
    const second = (await (await post(await request({ nonce: 2n }))).json()) as { creditFile: { fileId: string } };
    expect(first.creditFile.fileId).to.not.equal(second.creditFile.fileId);
    await expectRefusal(
      await post(await request({ nonce: 1n })),
      409,
      "replayed_nonce",
      /consent\.nonce 1 of 0x.* was already used/,
    );
    expect(bureau.store.consentLog(borrowerWallet(0).address)).to.have.length(2);
  });

  it("answers every consent refusal with its status and the check's code, and releases nothing", async () => {
    await expectRefusal(await post(await request({ provider: OTHER })), 403, "wrong_provider");
    await expectRefusal(await post(await request({ oracle: OTHER })), 403, "wrong_oracle");
    await expectRefusal(await post(await request({ purpose: consentPurposeHash("marketing") })), 403, "wrong_purpose");
    await expectRefusal(await post(await request({ expiresAt: now })), 422, "consent_expired");
    await expectRefusal(await post(await request({ expiresAt: now + 3_601 })), 422, "consent_too_long");
    const forged = await signedRequest(borrowerWallet(1), consent(borrowerWallet(0).address, now));
    await expectRefusal(await post(forged), 401, "bad_signature");
    await expectRefusal(await post({ consent: {} }), 400, "invalid_body", /^consent\.borrower: required$/);
    // Account 2 has no row among the two imported.
    await expectRefusal(
      await post(await request({}, 2)),
      404,
      "no_credit_file",
      new RegExp(`no credit file for ${borrowerWallet(2).address}`),
    );
    expect(bureau.store.counts().releases).to.equal(0);
    const metrics = await (await fetch(`${bureau.url}/metrics`, { signal: TIMEOUT() })).text();
    for (const code of [
      "wrong_provider",
      "wrong_oracle",
      "wrong_purpose",
      "consent_expired",
      "consent_too_long",
      "bad_signature",
      "invalid_body",
      "no_credit_file",
    ]) {
      expect(metrics).to.match(new RegExp(`^verity_bureau_refusals_total\\{code="${code}"\\} 1$`, "m"));
    }
  });

  it("a refused consent does not use up its nonce: once the file exists, the same consent releases it", async () => {
    const body = await request({ nonce: 7n }, 2);
    await expectRefusal(await post(body), 404, "no_credit_file");
    await bureau.shutdown("import more");
    await importRows(3);
    await start();
    expect((await post(body)).status).to.equal(200);
  });

  it("rate-limits each borrower after its signature is checked: the 4th request in the window gets 429 with Retry-After", async () => {
    for (let n = 1n; n <= 3n; n++) expect((await post(await request({ nonce: n }))).status).to.equal(200);
    const limited = await post(await request({ nonce: 4n }));
    expect(limited.headers.get("retry-after")).to.equal("20");
    await expectRefusal(limited, 429, "rate_limited", /retry in 20 s/);
    // Forged consents naming the borrower do not spend the borrower's allowance, and another borrower is unaffected.
    expect((await post(await request({ nonce: 1n }, 1))).status).to.equal(200);
    const forged = await signedRequest(borrowerWallet(0), consent(borrowerWallet(1).address, now, { nonce: 9n }));
    for (let i = 0; i < 3; i++) await expectRefusal(await post(forged), 401, "bad_signature");
    expect((await post(await request({ nonce: 2n }, 1))).status).to.equal(200);
  });

  it("guards the door: non-JSON 415, malformed 400, oversized 413, too deep 400, unknown route 404, wrong method 405", async () => {
    await expectRefusal(await post("{}", { "content-type": "text/plain" }), 415, "unsupported_media_type");
    await expectRefusal(await post("{ nope"), 400, "invalid_json", /not valid JSON/);
    await expectRefusal(
      await post(JSON.stringify({ pad: "x".repeat(config.http.maxBodyBytes) })),
      413,
      "body_too_large",
    );
    await expectRefusal(
      await post(`${"[".repeat(33)}${"]".repeat(33)}`),
      400,
      "invalid_json",
      /nested deeper than 32 levels/,
    );
    // 32 levels is within the bound: the body gets as far as the shape check.
    await expectRefusal(await post(`${"[".repeat(32)}${"]".repeat(32)}`), 400, "invalid_body", /must be a JSON object/);
    await expectRefusal(await fetch(`${bureau.url}/v1/nope`, { signal: TIMEOUT() }), 404, "not_found");
    await expectRefusal(await fetch(`${bureau.url}/v1/credit-files`, { signal: TIMEOUT() }), 405, "method_not_allowed");
  });

  it("a body at the size limit is read; one byte over is refused", async () => {
    const body = await request({ nonce: 5n });
    const text = JSON.stringify(body);
    const padded = `${text}${" ".repeat(config.http.maxBodyBytes - Buffer.byteLength(text))}`;
    expect(Buffer.byteLength(padded)).to.equal(config.http.maxBodyBytes);
    expect((await post(padded)).status).to.equal(200);
    await expectRefusal(await post(`${padded} `), 413, "body_too_large");
  });

  it("/health reports ok with the provider id", async () => {
    const response = await fetch(`${bureau.url}/health`, { signal: TIMEOUT() });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.include({
      status: "ok",
      nodeId: `bureau:${config.provider.id}`,
      problems: [],
    });
  });

  it("keeps the consent log and the used nonces across a restart", async () => {
    const body = await request({ nonce: 11n });
    expect((await post(body)).status).to.equal(200);
    const logged = bureau.store.consentLog(borrowerWallet(0).address);
    await bureau.shutdown("restart");
    await start();
    expect(bureau.store.consentLog(borrowerWallet(0).address)).to.deep.equal(logged);
    await expectRefusal(await post(body), 409, "replayed_nonce");
  });

  it("refuses a file imported under another schema instead of signing it under this one", async () => {
    await bureau.shutdown("re-import");
    const { header, lines } = dataSetLines(3);
    const store = openBureauStore(config.store.path);
    await importCsv({
      store,
      schema: featureSchema(["LIMIT_BAL", "PAY_0"]),
      csvPath: writeCsv(dir, "old.csv", header, lines.slice(2)),
      assignment: parseAssignment("mnemonic:P"),
      asOf: AS_OF,
      env: { P: HARDHAT_MNEMONIC },
    });
    store.close();
    await start();
    await expectRefusal(await post(await request({ nonce: 3n })), 409, "file_schema_mismatch");
    // Account 1's file was imported under the model's schema: still released.
    expect((await post(await request({ nonce: 3n }, 1))).status).to.equal(200);
  });

  it("logs addresses and hashes, never a field's name or value", async () => {
    expect((await post(await request({ nonce: 8n }))).status).to.equal(200);
    await expectRefusal(await post(await request({ nonce: 8n })), 409, "replayed_nonce");
    const text = logs.join("");
    expect(text).to.include(borrowerWallet(0).address);
    for (const secret of ["LIMIT_BAL", "BILL_AMT", "3913", "3102", "fields"]) expect(text).to.not.include(secret);
  });

  it("refuses to start with a keystore for another key than provider.signerAddress, naming both", async () => {
    await bureau.shutdown("wrong key");
    let error: unknown;
    await startBureau(
      { ...config, provider: { ...config.provider, signerAddress: OTHER } },
      { logger: capturedLogger().logger, env: TEST_ENV },
    ).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.match(
      new RegExp(`holds the key of 0x.*, but the config's provider\\.signerAddress is ${OTHER}`),
    );
    await start();
  });
});
