/**
 * The bureau's OpenAPI document (`GET /openapi.json`) against the real service: OpenAPI 3.1, every route the
 * bureau serves documented, and each real answer (success and refusals) valid against the document's schema for
 * its path, method and status.
 */
import { expect } from "chai";

import { importCsv, parseAssignment } from "../../bureau/src/import/index.js";
import { loadFeatureSchema } from "../../bureau/src/schema/feature-schema.js";
import { startBureau, type RunningBureau } from "../../bureau/src/service.js";
import { openBureauStore } from "../../bureau/src/store/index.js";
import {
  documentedRoutes,
  expectDocumented,
  expectOpenApi31,
  fetchOpenApi,
  get,
  jsonPost,
  type OpenApiDoc,
} from "../oracle/openapi-helpers.js";
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
const PATH = "/v1/credit-files";

describe("bureau OpenAPI document", function () {
  this.timeout(30_000);
  let cleanup: () => void;
  let bureau: RunningBureau;
  let doc: OpenApiDoc;

  before(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir("bureau-openapi"));
    await providerKeystore(dir);
    const config = testConfig(dir, { rateLimit: { requests: 3, windowSec: 60 } });
    const { header, lines } = dataSetLines(2);
    const store = openBureauStore(config.store.path);
    try {
      await importCsv({
        store,
        schema: await loadFeatureSchema({}),
        csvPath: writeCsv(dir, "rows.csv", header, lines),
        assignment: parseAssignment("mnemonic:PHRASE"),
        asOf: AS_OF,
        env: { PHRASE: HARDHAT_MNEMONIC },
      });
    } finally {
      store.close();
    }
    bureau = await startBureau(config, { logger: capturedLogger().logger, env: TEST_ENV, nowSec: () => NOW });
    doc = await fetchOpenApi(bureau.url);
  });

  after(async () => {
    await bureau?.shutdown("test over");
    cleanup();
  });

  it("is OpenAPI 3.1 and documents exactly the routes the bureau serves", () => {
    expectOpenApi31(doc, /bureau/i);
    const served = bureau.routes.map(({ method, path }) => `${method} ${path}`);
    expect(documentedRoutes(doc)).to.have.members(served);
  });

  it("a release matches the documented 200 answer", async () => {
    const body = await signedRequest(borrowerWallet(0), consent(borrowerWallet(0).address, NOW, { nonce: 7n }));
    const response = await jsonPost(`${bureau.url}${PATH}`, body);
    expect(response.status).to.equal(200);
    const json = await expectDocumented(doc, PATH, "POST", response);
    expect(json.creditFile.borrower).to.equal(borrowerWallet(0).address);
  });

  it("refusals match the documented error answers, with their code in the status's enum", async () => {
    const cases: [Promise<Response>, number, string][] = [
      [jsonPost(`${bureau.url}${PATH}`, { consent: {} }), 400, "invalid_body"],
      [jsonPost(`${bureau.url}${PATH}`, "{"), 400, "invalid_json"],
      [
        jsonPost(
          `${bureau.url}${PATH}`,
          await signedRequest(borrowerWallet(0), consent(borrowerWallet(1).address, NOW, { nonce: 8n })),
        ),
        401,
        "bad_signature",
      ],
      [
        fetch(`${bureau.url}${PATH}`, { method: "POST", body: "{}", headers: { "content-type": "text/plain" } }),
        415,
        "unsupported_media_type",
      ],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      expect(response.status).to.equal(status);
      const json = await expectDocumented(doc, PATH, "POST", response);
      expect(json.error.code).to.equal(code);
    }
  });

  it("/health, /metrics and /openapi.json answer as documented", async () => {
    const health = await get(`${bureau.url}/health`);
    expect(health.status).to.equal(200);
    expect((await expectDocumented(doc, "/health", "GET", health)).status).to.equal("ok");
    const metrics = await get(`${bureau.url}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(Object.keys(doc.paths["/metrics"]!.get!.responses["200"]!.content!)).to.deep.equal(["text/plain"]);
    expect(metrics.headers.get("content-type")).to.match(/^text\/plain/);
    await expectDocumented(doc, "/openapi.json", "GET", await get(`${bureau.url}/openapi.json`));
  });
});
