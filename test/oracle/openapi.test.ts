/**
 * The node's OpenAPI document (`GET /openapi.json`) against real nodes (three on 127.0.0.1, k = 2, on Hardhat's
 * in-process chain): OpenAPI 3.1, every route the node serves documented, and each real answer (both flows,
 * refusals, operations and the operator-only peer routes) valid against the document's schema for its path, method
 * and status.
 */
import { expect } from "chai";

import { MONITORING_DEFAULTS } from "../../oracle/src/config/index.js";
import { signPeerEnvelope, type RunningNode } from "../../oracle/src/node/index.js";
import { digestSigner } from "../../oracle/src/signing/index.js";
import { clusterConfigs, deployChain, signedBody, startTestNode, type ChainFixture } from "./chain-fixture.js";
import { tempDir } from "./helpers.js";
import {
  documentedRoutes,
  expectDocumented,
  expectOpenApi31,
  fetchOpenApi,
  get,
  jsonPost,
  type OpenApiDoc,
} from "./openapi-helpers.js";

const APPLICATIONS = "/v1/applications";
const SCORES = "/v1/scores/{borrower}";

describe("oracle node OpenAPI document (3 nodes, real HTTP)", function () {
  this.timeout(120_000);
  let fixture: ChainFixture;
  let nodes: RunningNode[];
  let cleanup: () => void;
  let doc: OpenApiDoc;
  let url: string;

  before(async () => {
    fixture = await deployChain();
    let dir: string;
    ({ dir, cleanup } = tempDir("openapi"));
    const configs = await clusterConfigs(dir, fixture, 3, {
      monitoring: { ...MONITORING_DEFAULTS, enabled: true, minApplications: 10, publishOnChain: false },
    });
    nodes = await Promise.all(configs.map((config) => startTestNode(config, fixture, { watch: false })));
    url = nodes[0]!.url;
    doc = await fetchOpenApi(url);
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((node) => node.shutdown("test done")));
    cleanup();
  });

  it("is OpenAPI 3.1 and documents exactly the routes the node serves; peer routes are marked operator-only", () => {
    expectOpenApi31(doc, /oracle node/i);
    const served = nodes[0]!.routes.map(({ method, path }) => `${method} ${path}`);
    expect(served).to.include("GET /v1/monitoring/drift");
    expect(documentedRoutes(doc)).to.have.members(served);
    for (const path of ["/v1/cosign", "/v1/peer/coordinate", "/v1/peer/applications"]) {
      const operation = doc.paths[path]!.post as unknown as Record<string, unknown>;
      expect(operation["x-operator-only"], path).to.equal(true);
      expect(operation.description, path).to.match(/operator-only/i);
    }
  });

  it("pull (201) and push (202) applications, and the stored bundle, match the document", async () => {
    const borrower = fixture.signers[5]!;
    const pull = await jsonPost(`${url}${APPLICATIONS}`, await signedBody(fixture, borrower));
    expect(pull.status).to.equal(201);
    const bundle = await expectDocumented(doc, APPLICATIONS, "POST", pull);

    const stored = await get(`${url}/v1/scores/${borrower.address}`);
    expect(stored.status).to.equal(200);
    expect((await expectDocumented(doc, SCORES, "GET", stored)).report.borrower).to.equal(bundle.report.borrower);

    const push = await jsonPost(`${url}${APPLICATIONS}`, {
      ...(await signedBody(fixture, fixture.signers[6]!)),
      flow: "push",
    });
    expect(push.status).to.equal(202);
    expect((await expectDocumented(doc, APPLICATIONS, "POST", push)).flow).to.equal("push");
  });

  it("refusals match the documented error answers, with their code in the status's enum", async () => {
    const body = await signedBody(fixture, fixture.signers[7]!);
    const cases: [Promise<Response>, string, string, number, string][] = [
      [jsonPost(`${url}${APPLICATIONS}`, "{"), APPLICATIONS, "POST", 400, "invalid_json"],
      [jsonPost(`${url}${APPLICATIONS}`, { ...body, extra: 1 }), APPLICATIONS, "POST", 400, "unknown_field"],
      [jsonPost(`${url}${APPLICATIONS}`, { ...body, flow: "both" }), APPLICATIONS, "POST", 400, "invalid_field"],
      [jsonPost(`${url}${APPLICATIONS}`, { ...body, nonce: "999" }), APPLICATIONS, "POST", 401, "wrong_signer"],
      [get(`${url}/v1/scores/nope`), SCORES, "GET", 400, "invalid_field"],
      [get(`${url}/v1/scores/${fixture.signers[9]!.address}`), SCORES, "GET", 404, "not_found"],
      [jsonPost(`${url}/v1/cosign`, { sender: "me" }), "/v1/cosign", "POST", 401, "peer_unauthorized"],
      [jsonPost(`${url}/v1/peer/coordinate`, {}), "/v1/peer/coordinate", "POST", 401, "peer_unauthorized"],
    ];
    for (const [pending, path, method, status, code] of cases) {
      const response = await pending;
      const json = await expectDocumented(doc, path, method, response);
      expect([response.status, json.error.code], `${method} ${path}`).to.deep.equal([status, code]);
    }
  });

  it("an operator's peer application is answered as documented: 201 stored, then 200 already held", async () => {
    const route = "/v1/peer/applications";
    const application = await signedBody(fixture, fixture.signers[8]!);
    const send = async () =>
      jsonPost(
        `${url}${route}`,
        signPeerEnvelope(digestSigner(fixture.operators[1]!), route, { application }, Math.floor(Date.now() / 1000)),
      );
    const first = await send();
    expect(first.status).to.equal(201);
    expect((await expectDocumented(doc, route, "POST", first)).stored).to.equal(true);
    const again = await send();
    expect(again.status).to.equal(200);
    expect((await expectDocumented(doc, route, "POST", again)).stored).to.equal(false);
  });

  it("/health, /metrics, drift and /openapi.json answer as documented", async () => {
    const health = await get(`${url}/health`);
    expect([200, 503]).to.include(health.status);
    expect((await expectDocumented(doc, "/health", "GET", health)).nodeId).to.equal("node-0");
    const metrics = await get(`${url}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(Object.keys(doc.paths["/metrics"]!.get!.responses["200"]!.content!)).to.deep.equal(["text/plain"]);
    expect(metrics.headers.get("content-type")).to.match(/^text\/plain/);
    const drift = await get(`${url}/v1/monitoring/drift`);
    expect(drift.status).to.equal(200);
    expect((await expectDocumented(doc, "/v1/monitoring/drift", "GET", drift)).windows).to.have.keys("rolling", "day");
    await expectDocumented(doc, "/openapi.json", "GET", await get(`${url}/openapi.json`));
  });
});
