import { expect } from "chai";
import { AbiCoder, concat, keccak256, toBeHex, toTwos, TypedDataEncoder, Wallet, zeroPadValue } from "ethers";

import {
  acceptApplication,
  applicationBodyOf,
  applicationTypedData,
  hashApplication,
  hashApplicationFeatures,
  IntakeError,
  verifyApplication,
  verifyCreditFile,
  type IntakeContext,
  type ReceivedApplication,
} from "../../oracle/src/intake/index.js";
import {
  creditFileTypedData,
  featureSchemaHash,
  hashCreditFile,
  type CreditFileMessage,
} from "../../oracle/src/protocol/credit-file.js";
import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";
import { signedApplicationBody, TEST_CHAIN, TEST_FEATURE_NAMES, TEST_FEATURES, testProviders } from "./helpers.js";

const NOW = 1_750_000_000;
const borrower = new Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"); // Hardhat #2

const FILE_MAX_AGE = 30 * 24 * 3600;

function context(overrides: Partial<IntakeContext> = {}): IntakeContext {
  return {
    ...TEST_CHAIN,
    featureNames: TEST_FEATURE_NAMES,
    nowSec: NOW,
    applicationMaxAgeSec: 900,
    creditFileMaxAgeSec: FILE_MAX_AGE,
    providers: testProviders(),
    ...overrides,
  };
}

async function intakeError(run: () => unknown): Promise<IntakeError> {
  try {
    await run();
  } catch (error) {
    expect(error).to.be.instanceOf(IntakeError);
    return error as IntakeError;
  }
  throw new Error("expected an IntakeError");
}

/** Reference encoding written out word by word: offset 0x20, length, then each value as a two's-complement word. */
function referenceFeaturesHash(values: number[]): string {
  const word = (v: bigint) => zeroPadValue(toBeHex(toTwos(v, 256)), 32);
  return keccak256(concat([word(32n), word(BigInt(values.length)), ...values.map((v) => word(BigInt(v)))]));
}

describe("oracle intake", () => {
  describe("hashApplicationFeatures", () => {
    it("is keccak256(abi.encode(int256[])) in model order, negatives in two's complement", () => {
      const expected = referenceFeaturesHash([50_000, 35, -1, -1200]);
      expect(hashApplicationFeatures(TEST_FEATURE_NAMES, TEST_FEATURES)).to.equal(expected);
      // Key order in the JSON object does not matter; the model's order does.
      const shuffled = { BILL_AMT1: -1200, PAY_0: -1, AGE: 35, LIMIT_BAL: 50_000 };
      expect(hashApplicationFeatures(TEST_FEATURE_NAMES, shuffled)).to.equal(expected);
      expect(hashApplicationFeatures([...TEST_FEATURE_NAMES].reverse(), TEST_FEATURES)).to.not.equal(expected);
    });

    it("equals keccak256 of ethers' AbiCoder encoding, for no features and for a spread of values", () => {
      const abiHash = (values: number[]) =>
        keccak256(AbiCoder.defaultAbiCoder().encode(["int256[]"], [values.map((v) => BigInt(v))]));
      const spread = [
        0,
        1,
        -1,
        255,
        -256,
        2 ** 31,
        -(2 ** 31) - 1,
        2 ** 32,
        123_456_789_012,
        -987_654_321_098,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
      ];
      const names = spread.map((_, i) => `F${i}`);
      expect(hashApplicationFeatures(names, Object.fromEntries(names.map((n, i) => [n, spread[i]])))).to.equal(
        abiHash(spread),
      );
      expect(hashApplicationFeatures([], {})).to.equal(abiHash([]));
    });

    it("accepts the largest safe integers and refuses fractions, unsafe integers and strings", async () => {
      const names = ["X"];
      expect(hashApplicationFeatures(names, { X: Number.MAX_SAFE_INTEGER })).to.equal(
        referenceFeaturesHash([Number.MAX_SAFE_INTEGER]),
      );
      expect(hashApplicationFeatures(names, { X: -Number.MAX_SAFE_INTEGER })).to.equal(
        referenceFeaturesHash([-Number.MAX_SAFE_INTEGER]),
      );
      const fraction = await intakeError(() => hashApplicationFeatures(names, { X: 1.5 }));
      expect(fraction.code).to.equal("not_an_integer");
      expect(fraction.message).to.include("features.X");
      expect((await intakeError(() => hashApplicationFeatures(names, { X: 2 ** 53 }))).code).to.equal("not_an_integer");
      expect((await intakeError(() => hashApplicationFeatures(names, { X: "7" }))).code).to.equal("not_a_number");
    });

    it("names missing and unknown features", async () => {
      const missing = await intakeError(() =>
        hashApplicationFeatures(TEST_FEATURE_NAMES, { ...TEST_FEATURES, AGE: undefined as never }),
      );
      expect(missing.code).to.equal("missing_field");
      const { AGE: _age, ...withoutAge } = TEST_FEATURES;
      expect((await intakeError(() => hashApplicationFeatures(TEST_FEATURE_NAMES, withoutAge))).message).to.equal(
        "features.AGE: required",
      );
      const unknown = await intakeError(() =>
        hashApplicationFeatures(TEST_FEATURE_NAMES, { ...TEST_FEATURES, SEX: 2 }),
      );
      expect(unknown.code).to.equal("unknown_field");
      expect(unknown.message).to.include("features.SEX");
    });
  });

  describe("verifyApplication", () => {
    it("accepts a borrower-signed application and returns its EIP-712 digest as applicationHash", async () => {
      const body = await signedApplicationBody(borrower, { nowSec: NOW, nonce: 7n, expiry: NOW + 600 });
      const verified = await verifyApplication(body, context());
      expect(verified.borrower).to.equal(borrower.address);
      expect(verified.features).to.deep.equal([50_000, 35, -1, -1200]);
      expect(verified.nonce).to.equal(7n);
      const message = { borrower: borrower.address, featuresHash: verified.featuresHash, nonce: 7n, expiry: NOW + 600 };
      const { domain, types } = applicationTypedData(TEST_CHAIN, message);
      expect(verified.applicationHash).to.equal(TypedDataEncoder.hash(domain, types, message));
      expect(verified.applicationHash).to.equal(hashApplication(TEST_CHAIN, message));
      expect(domain).to.deep.include({ name: "Verity Oracle Intake", version: "1", chainId: 31337 });
    });

    it("keeps the signature, and rebuilds a body that verifies to the same application", async () => {
      const body = await signedApplicationBody(borrower, { nowSec: NOW, nonce: 8n, expiry: NOW + 600 });
      const verified = await verifyApplication(body, context());
      expect(verified.signature).to.equal(body.signature);
      const rebuilt = applicationBodyOf(TEST_FEATURE_NAMES, verified);
      expect(rebuilt).to.deep.equal({
        ...body,
        features: Object.fromEntries(TEST_FEATURE_NAMES.map((n) => [n, (body.features as Record<string, number>)[n]])),
      });
      expect(await verifyApplication(rebuilt, context())).to.deep.equal(verified);
      expect(() => applicationBodyOf(TEST_FEATURE_NAMES.slice(1), verified)).to.throw(
        "application has 4 feature values, the model 3 features",
      );
    });

    it("rejects a signature by someone else as wrong_signer", async () => {
      const body = await signedApplicationBody(borrower, {
        nowSec: NOW,
        expiry: NOW + 600,
        signer: Wallet.createRandom(),
      });
      const error = await intakeError(() => verifyApplication(body, context()));
      expect([error.code, error.status]).to.deep.equal(["wrong_signer", 401]);
    });

    it("binds the signature to the features, the chain and the contract", async () => {
      const body = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 600 });
      const tampered = { ...body, features: { ...TEST_FEATURES, PAY_0: -2 } };
      expect((await intakeError(() => verifyApplication(tampered, context()))).code).to.equal("wrong_signer");
      expect((await intakeError(() => verifyApplication(body, context({ chainId: 1 })))).code).to.equal("wrong_signer");
      const otherOracle = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
      expect(
        (await intakeError(() => verifyApplication(body, context({ verifyingContract: otherOracle })))).code,
      ).to.equal("wrong_signer");
    });

    it("rejects a malformed signature as bad_signature", async () => {
      const body = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 600 });
      const broken = { ...body, signature: `0x${"00".repeat(64)}1b` };
      expect((await intakeError(() => verifyApplication(broken, context()))).code).to.equal("bad_signature");
    });

    it("enforces the expiry window at its boundaries", async () => {
      const atNow = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW });
      expect((await intakeError(() => verifyApplication(atNow, context()))).code).to.equal("expired");
      const justValid = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 1 });
      expect((await verifyApplication(justValid, context())).expiry).to.equal(NOW + 1);
      const atLimit = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 900 });
      expect((await verifyApplication(atLimit, context())).expiry).to.equal(NOW + 900);
      const pastLimit = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 901 });
      expect((await intakeError(() => verifyApplication(pastLimit, context()))).code).to.equal("expiry_too_far");
    });

    it("names the field for shape errors", async () => {
      const body = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 600 });
      const { nonce: _nonce, ...noNonce } = body;
      expect((await intakeError(() => verifyApplication(noNonce, context()))).message).to.equal("nonce: required");
      expect((await intakeError(() => verifyApplication({ ...body, nonce: 5 }, context()))).code).to.equal(
        "invalid_field",
      );
      expect((await intakeError(() => verifyApplication({ ...body, nonce: "-1" }, context()))).message).to.include(
        "nonce: must be a uint256",
      );
      expect((await intakeError(() => verifyApplication({ ...body, expiry: "soon" }, context()))).code).to.equal(
        "not_a_number",
      );
      expect((await intakeError(() => verifyApplication({ ...body, borrower: "0x12" }, context()))).message).to.include(
        "borrower:",
      );
      expect((await intakeError(() => verifyApplication({ ...body, extra: 1 }, context()))).code).to.equal(
        "unknown_field",
      );
      expect((await intakeError(() => verifyApplication([], context()))).message).to.equal(
        "body: must be a JSON object",
      );
    });

    it("answers a 4xx IntakeError, never a crash, for nonces BigInt cannot read and for deeply nested values", async () => {
      const body = await signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 600 });
      for (const nonce of ["1e3", "NaN", "１２３", "0x10", " 1", "1".repeat(79)]) {
        const error = await intakeError(() => verifyApplication({ ...body, nonce }, context()));
        expect([error.code, error.status], nonce).to.deep.equal(["invalid_field", 400]);
        expect(error.message, nonce).to.match(/^nonce: must be a uint256/);
      }
      let nested: unknown = 1;
      for (let i = 0; i < 5_000; i++) nested = [nested];
      const deepFeature = await intakeError(() =>
        verifyApplication({ ...body, features: { ...TEST_FEATURES, AGE: nested } }, context()),
      );
      expect([deepFeature.code, deepFeature.status, deepFeature.message]).to.deep.equal([
        "not_a_number",
        400,
        "features.AGE: must be a number, got an array",
      ]);
    });

    it("applies the injected model range check after the signature", async () => {
      const body = await signedApplicationBody(borrower, {
        nowSec: NOW,
        expiry: NOW + 600,
        features: { ...TEST_FEATURES, AGE: 12 },
      });
      const validateFeatures = (f: Readonly<Record<string, number>>) =>
        (f.AGE ?? 0) < 18
          ? { ok: false as const, field: "AGE", error: `AGE = ${f.AGE} is outside [18, 100]` }
          : { ok: true as const };
      const error = await intakeError(() => verifyApplication(body, context({ validateFeatures })));
      expect([error.code, error.status, error.message]).to.deep.equal([
        "out_of_range",
        422,
        "features.AGE: AGE = 12 is outside [18, 100]",
      ]);
    });
  });

  describe("the attested credit file", () => {
    const body = (options: Partial<Parameters<typeof signedApplicationBody>[1]> = {}) =>
      signedApplicationBody(borrower, { nowSec: NOW, expiry: NOW + 600, ...options });
    const codeOf = async (raw: unknown, overrides: Partial<IntakeContext> = {}) => {
      const error = await intakeError(() => verifyApplication(raw, context(overrides)));
      return [error.code, error.status, error.message] as const;
    };

    it("accepts the provider's fields and commits to the file's EIP-712 digest", async () => {
      const raw = await body();
      const verified = await verifyApplication(raw, context());
      const creditFile = raw.creditFile as CreditFileMessage;
      expect(verified.creditFile).to.deep.equal(creditFile);
      expect(verified.providerSignature).to.equal(raw.providerSignature);
      expect(verified.creditFileHash).to.equal(hashCreditFile(TEST_CHAIN, creditFile));
      expect(creditFile.provider).to.equal(DEMO_PROVIDER.id);
    });

    it("refuses an application without a credit file or without the provider's signature: no self-declared path", async () => {
      const { creditFile: _file, ...selfDeclared } = await body();
      const [code, status, message] = await codeOf(selfDeclared);
      expect([code, status]).to.deep.equal(["credit_file_required", 400]);
      expect(message).to.match(/^creditFile: required/);
      const { providerSignature: _sig, ...unsigned } = await body();
      expect((await codeOf(unsigned))[0]).to.equal("credit_file_required");
      expect((await codeOf({ ...(await body()), creditFile: { fileId: "0x12" } }))[0]).to.equal("invalid_field");
    });

    it("refuses a provider that is not approved on chain (retired or never approved)", async () => {
      const raw = await body();
      const [code, status, message] = await codeOf(raw, { providers: testProviders({ status: "retired" }) });
      expect([code, status]).to.deep.equal(["provider_not_approved", 403]);
      expect(message).to.include(
        `creditFile.provider: ${DEMO_PROVIDER.id} is not an approved data provider on chain (status retired)`,
      );
      const unknown = await body({ file: { provider: Wallet.createRandom().address } });
      expect((await codeOf(unknown))[0]).to.equal("provider_not_approved");
    });

    it("accepts a signature by any of the provider's approved keys and refuses any other", async () => {
      const rotated = Wallet.createRandom();
      const byNewKey = await body({ fileSigner: rotated });
      const [code, status, message] = await codeOf(byNewKey);
      expect([code, status]).to.deep.equal(["provider_signature_invalid", 401]);
      expect(message).to.include(
        `signed by ${rotated.address}, which is not one of provider ${DEMO_PROVIDER.id}'s approved signing keys`,
      );
      const bothKeys = testProviders({ signingKeys: [DEMO_PROVIDER.signer.address, rotated.address] });
      expect((await verifyApplication(byNewKey, context({ providers: bothKeys }))).borrower).to.equal(borrower.address);
      const malformed = { ...(await body()), providerSignature: `0x${"00".repeat(64)}1b` };
      expect((await codeOf(malformed))[0]).to.equal("provider_signature_invalid");
    });

    it("binds the provider's signature to this chain and oracle", async () => {
      const raw = await body();
      const elsewhere = await codeOf(raw, { verifyingContract: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" });
      // The borrower's signature is bound to the same domain and fails first; a file alone moved across is
      // refused by the provider's check.
      expect(elsewhere[0]).to.equal("wrong_signer");
      const foreignFile = await body();
      const typed = creditFileTypedData({ ...TEST_CHAIN, chainId: 1 }, foreignFile.creditFile as CreditFileMessage);
      const moved = {
        ...foreignFile,
        providerSignature: await DEMO_PROVIDER.signer.signTypedData(typed.domain, typed.types, { ...typed.message }),
      };
      expect((await codeOf(moved))[0]).to.equal("provider_signature_invalid");
    });

    it("refuses another borrower's file", async () => {
      const [code, status, message] = await codeOf(await body({ file: { borrower: Wallet.createRandom().address } }));
      expect([code, status]).to.deep.equal(["credit_file_wrong_borrower", 403]);
      expect(message).to.match(/^creditFile\.borrower: the file is 0x[0-9a-fA-F]{40}'s, the application is/);
    });

    it("takes data as of creditFileMaxAgeSec ago, and refuses a second older", async () => {
      const atLimit = await body({ file: { asOf: NOW - FILE_MAX_AGE } });
      expect((await verifyApplication(atLimit, context())).creditFile.asOf).to.equal(NOW - FILE_MAX_AGE);
      const [code, status, message] = await codeOf(await body({ file: { asOf: NOW - FILE_MAX_AGE - 1 } }));
      expect([code, status]).to.deep.equal(["credit_file_too_old", 422]);
      expect(message).to.include(
        `creditFile.asOf: data as of ${NOW - FILE_MAX_AGE - 1} is older than ${FILE_MAX_AGE} s`,
      );
    });

    it("takes a file on its last valid second, and refuses it a second later", async () => {
      const lastSecond = await body({ file: { validUntil: NOW } });
      expect((await verifyApplication(lastSecond, context())).creditFile.validUntil).to.equal(NOW);
      const [code, status, message] = await codeOf(await body({ file: { validUntil: NOW - 1 } }));
      expect([code, status]).to.deep.equal(["credit_file_expired", 422]);
      expect(message).to.equal(
        `creditFile.validUntil: the provider vouched for the file until ${NOW - 1}, now is ${NOW}`,
      );
    });

    it("refuses a file of another feature schema than the model's", async () => {
      const reordered = featureSchemaHash([...TEST_FEATURE_NAMES].reverse());
      const [code, status, message] = await codeOf(await body({ file: { schemaHash: reordered } }));
      expect([code, status]).to.deep.equal(["credit_file_schema_mismatch", 422]);
      expect(message).to.include(
        `creditFile.schemaHash: ${reordered} is not the model's feature schema ${featureSchemaHash(TEST_FEATURE_NAMES)}`,
      );
    });

    it("checks the file's schema against the model's feature list of this call, not one it saw before", async () => {
      const raw = await body();
      const creditFile = raw.creditFile as CreditFileMessage;
      const input = {
        borrower: borrower.address,
        featuresHash: creditFile.fieldsHash,
        creditFile,
        providerSignature: raw.providerSignature as string,
      };
      expect((await verifyCreditFile(input, context())).creditFile).to.deep.equal(creditFile);
      const otherModel = [...TEST_FEATURE_NAMES].reverse();
      const error = await intakeError(() => verifyCreditFile(input, context({ featureNames: otherModel })));
      expect([error.code, error.message]).to.deep.equal([
        "credit_file_schema_mismatch",
        `creditFile.schemaHash: ${creditFile.schemaHash} is not the model's feature schema ${featureSchemaHash(otherModel)}`,
      ]);
      expect((await verifyCreditFile(input, context())).creditFile).to.deep.equal(creditFile);
    });

    it("refuses a provider attesting a schema it is not approved for", async () => {
      const approvedFor = featureSchemaHash(["LIMIT_BAL"]);
      const [code, status, message] = await codeOf(await body(), {
        providers: testProviders({ schemaHash: approvedFor }),
      });
      expect([code, status]).to.deep.equal(["provider_schema_mismatch", 422]);
      expect(message).to.include(`is approved to attest schema ${approvedFor}`);
    });

    it("refuses features that differ from the attested fields by one value", async () => {
      const edited = await body({ fields: TEST_FEATURES, features: { ...TEST_FEATURES, PAY_0: -2 } });
      const [code, status, message] = await codeOf(edited);
      expect([code, status]).to.deep.equal(["credit_file_fields_mismatch", 422]);
      expect(message).to.match(
        /^creditFile\.fieldsHash: the application's features \(hash 0x[0-9a-f]{64}\) are not the fields the provider attested/,
      );
      const same = await body({ fields: TEST_FEATURES, features: { ...TEST_FEATURES } });
      expect((await verifyApplication(same, context())).features).to.deep.equal([50_000, 35, -1, -1200]);
    });

    it("passes on a registry that cannot be read as the chain's error, not as a refusal of the borrower", async () => {
      const down = async () => {
        throw new Error("cannot read data provider: connection refused");
      };
      let caught: unknown;
      try {
        await verifyApplication(await body(), context({ providers: down }));
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(Error).and.not.instanceOf(IntakeError);
      expect((caught as Error).message).to.include("connection refused");
    });
  });

  describe("acceptApplication", () => {
    it("records once and refuses the same (borrower, nonce) again", async () => {
      const used = new Set<string>();
      const recorded: ReceivedApplication[] = [];
      const recorder = {
        recordApplication(app: ReceivedApplication) {
          const key = `${app.borrower}:${app.nonce}`;
          if (used.has(key)) return "replayed_nonce" as const;
          used.add(key);
          recorded.push(app);
          return "recorded" as const;
        },
      };
      const body = await signedApplicationBody(borrower, { nowSec: NOW, nonce: 3n, expiry: NOW + 600 });
      expect((await acceptApplication(body, context(), recorder)).receivedAt).to.equal(NOW);
      const replay = await intakeError(() => acceptApplication(body, context(), recorder));
      expect([replay.code, replay.status]).to.deep.equal(["replayed_nonce", 409]);
      expect(recorded).to.have.length(1);
    });
  });
});
