/**
 * The bureau and node clients behind a path prefix (the dApp reaches them through its origin's proxy, at
 * `/svc/bureau` and `/svc/oracle-N`): each request keeps the base URL's path. A real HTTP server on 127.0.0.1
 * records the paths it is asked for and refuses with the services' error envelope.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { getAddress, id, Wallet } from "ethers";

import * as sdk from "../../sdk/src/index.js";

describe("SDK clients behind a path prefix (sdk/src/service-url.ts)", () => {
  let server: Server;
  let base: string;
  const paths: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? "");
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { code: "not_found", message: "nothing here" } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("joins a base with or without a trailing slash and a route with or without a leading one", () => {
    expect(sdk.serviceUrl("http://h:1/svc/bureau", "/v1/credit-files").toString()).to.equal(
      "http://h:1/svc/bureau/v1/credit-files",
    );
    expect(sdk.serviceUrl("http://h:1/svc/bureau/", "v1/credit-files").toString()).to.equal(
      "http://h:1/svc/bureau/v1/credit-files",
    );
    expect(sdk.serviceUrl("http://h:1", "/v1/scores/0x1").toString()).to.equal("http://h:1/v1/scores/0x1");
  });

  it("posts the consent to <base>/v1/credit-files and asks <base>/v1/scores/<borrower> of a node", async () => {
    paths.length = 0;
    const signer = new Wallet(id("service-url test borrower"));
    const refusal = await sdk
      .requestCreditFile({
        url: `${base}/svc/bureau`,
        signer,
        provider: getAddress("0x" + "ab".repeat(20)),
        chainId: 31337n,
        verifyingContract: getAddress("0x" + "42".repeat(20)),
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refusal).to.be.instanceOf(sdk.BureauClientError);
    expect((refusal as sdk.BureauClientError).code).to.equal("not_found");

    const client = new sdk.OracleNodesClient({ nodes: [`${base}/svc/oracle-0`, `${base}/svc/oracle-1/`] });
    const none = await client.latestBundle(signer.address).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(none).to.be.instanceOf(sdk.OracleNodeError);
    expect(paths).to.deep.equal([
      "/svc/bureau/v1/credit-files",
      `/svc/oracle-0/v1/scores/${signer.address}`,
      `/svc/oracle-1/v1/scores/${signer.address}`,
    ]);
  });
});
