import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import {
  ConfigError,
  loadBureauConfig,
  MAX_CONSENT_LIFETIME_CAP_SEC,
  MAX_FILE_VALIDITY_SEC,
  parseBureauConfig,
} from "../../bureau/src/config/index.js";
import { FeatureSchemaError, featureSchema, loadFeatureSchema } from "../../bureau/src/schema/feature-schema.js";
import { featureSchemaHash } from "../../oracle/src/protocol/credit-file.js";
import { configInput, tempDir } from "./helpers.js";

const MODEL_CARD = new URL("../../oracle/model/MODEL_CARD.json", import.meta.url);

describe("bureau config", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir("bureau-config")));
  afterEach(() => cleanup());

  const refused = (overrides: Record<string, unknown>, message: RegExp) =>
    expect(() => parseBureauConfig({ ...configInput(dir), ...overrides })).to.throw(ConfigError, message);

  it("accepts the example config's shape and fills the defaults", () => {
    const config = parseBureauConfig(configInput(dir));
    expect(config.listen.host).to.equal("127.0.0.1");
    expect(config.http).to.deep.equal({ maxBodyBytes: 8_192, drainTimeoutMs: 5_000 });
    expect(config.provider.id).to.equal("0x976EA74026E726554dB657fA54763abd0C3a0aa9");
  });

  it("the shipped example config is valid", async () => {
    const config = await loadBureauConfig(new URL("../../bureau/bureau.example.json", import.meta.url).pathname);
    expect(config.store.path).to.match(/bureau\/data\/bureau\.sqlite$/);
  });

  it("names every bad field: unknown, missing, not an address", () => {
    refused({ colour: "blue" }, /config\.colour: unknown field/);
    const { chain: _chain, ...withoutChain } = configInput(dir);
    expect(() => parseBureauConfig(withoutChain)).to.throw(ConfigError, /config\.chain: required/);
    refused({ provider: { id: "0x1234" } }, /config\.provider\.id: must be a 20-byte hex address/);
    refused(
      { chain: { chainId: 0, oracle: "0x5FbDB2315678afecb367f032d93F642f64180aa3" } },
      /config\.chain\.chainId: must be > 0/,
    );
  });

  it("refuses a non-loopback host unless it is listed, as the node does", () => {
    refused({ listen: { host: "0.0.0.0", port: 1 } }, /config\.listen\.host: "0\.0\.0\.0" is not a loopback address/);
    expect(
      parseBureauConfig({ ...configInput(dir), listen: { host: "0.0.0.0", port: 1, allowedHosts: ["0.0.0.0"] } }).listen
        .host,
    ).to.equal("0.0.0.0");
  });

  it("needs exactly one password source", () => {
    refused({ keystore: { path: "k.json" } }, /config\.keystore: must name exactly one password source/);
    refused({ keystore: { path: "k.json", passwordEnv: "A", passwordFile: "p" } }, /found 2/);
  });

  it("caps the consent lifetime at 30 days and the file validity at one year (both sides)", () => {
    expect(
      parseBureauConfig({ ...configInput(dir), consent: { maxLifetimeSec: MAX_CONSENT_LIFETIME_CAP_SEC } }).consent
        .maxLifetimeSec,
    ).to.equal(MAX_CONSENT_LIFETIME_CAP_SEC);
    refused(
      { consent: { maxLifetimeSec: MAX_CONSENT_LIFETIME_CAP_SEC + 1 } },
      /config\.consent\.maxLifetimeSec: must be ≤ 2592000/,
    );
    refused({ consent: { maxLifetimeSec: 0 } }, /config\.consent\.maxLifetimeSec: must be > 0/);
    expect(
      parseBureauConfig({ ...configInput(dir), files: { validitySec: MAX_FILE_VALIDITY_SEC } }).files.validitySec,
    ).to.equal(MAX_FILE_VALIDITY_SEC);
    refused({ files: { validitySec: MAX_FILE_VALIDITY_SEC + 1 } }, /config\.files\.validitySec: must be ≤ 31536000/);
  });

  it("needs a positive rate limit and takes the schema from a card or a list, not both", () => {
    refused({ rateLimit: { requests: 0, windowSec: 60 } }, /config\.rateLimit\.requests: must be > 0/);
    refused(
      { schema: { modelCardPath: "card.json", featureNames: ["LIMIT_BAL"] } },
      /config\.schema: give modelCardPath or featureNames, not both/,
    );
  });

  it("resolves paths against the config file's folder and names the file when it is not JSON", async () => {
    const folder = join(dir, "deploy");
    mkdirSync(folder);
    const path = join(folder, "bureau.json");
    writeFileSync(
      path,
      JSON.stringify({
        ...configInput(dir),
        keystore: { path: "keys/b.json", passwordFile: "pw" },
        store: { path: "../db/b.sqlite" },
        schema: { modelCardPath: "card.json" },
      }),
    );
    const config = await loadBureauConfig(path);
    expect(config.keystore.path).to.equal(join(folder, "keys/b.json"));
    expect(config.keystore.passwordFile).to.equal(join(folder, "pw"));
    expect(config.store.path).to.equal(join(dir, "db/b.sqlite"));
    expect(config.schema.modelCardPath).to.equal(join(folder, "card.json"));
    writeFileSync(path, "{ nope");
    let error: unknown;
    await loadBureauConfig(path).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.match(new RegExp(`bureau config file ${path} is not valid JSON`));
  });
});

describe("bureau feature schema", () => {
  it("defaults to the shipped model card's features, in its order", async () => {
    const schema = await loadFeatureSchema({});
    const card = JSON.parse(await (await import("node:fs/promises")).readFile(MODEL_CARD, "utf8")) as {
      features: { inputs: string[] };
    };
    expect(schema.featureNames).to.deep.equal(card.features.inputs);
    expect(schema.schemaHash).to.equal(featureSchemaHash(card.features.inputs));
    expect(schema.featureNames).to.not.include("SEX");
  });

  it("accepts names with a documented range and refuses others or a repeat, naming them", () => {
    expect(featureSchema(["LIMIT_BAL", "PAY_0"]).featureNames).to.deep.equal(["LIMIT_BAL", "PAY_0"]);
    expect(() => featureSchema(["LIMIT_BAL", "SEX"])).to.throw(
      FeatureSchemaError,
      /feature SEX has no documented range/,
    );
    expect(() => featureSchema(["LIMIT_BAL", "LIMIT_BAL"])).to.throw(
      FeatureSchemaError,
      /feature LIMIT_BAL is listed twice/,
    );
  });

  it("names a model card it cannot read", async () => {
    let error: unknown;
    await loadFeatureSchema({ modelCardPath: "/nonexistent/card.json" }).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.match(/\/nonexistent\/card\.json/);
  });
});
