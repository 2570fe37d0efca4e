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
  type IntakeContext,
  type ReceivedApplication,
} from "../../oracle/src/intake/index.js";
import { signedApplicationBody, TEST_CHAIN, TEST_FEATURE_NAMES, TEST_FEATURES } from "./helpers.js";

const NOW = 1_750_000_000;
const borrower = new Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"); // Hardhat #2

function context(overrides: Partial<IntakeContext> = {}): IntakeContext {
  return { ...TEST_CHAIN, featureNames: TEST_FEATURE_NAMES, nowSec: NOW, applicationMaxAgeSec: 900, ...overrides };
}

function intakeError(run: () => unknown): IntakeError {
  try {
    run();
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
      const abiHash = (values: number[]) => keccak256(AbiCoder.defaultAbiCoder().encode(["int256[]"], [values.map((v) => BigInt(v))]));
      const spread = [0, 1, -1, 255, -256, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 123_456_789_012, -987_654_321_098, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
      const names = spread.map((_, i) => `F${i}`);
      expect(hashApplicationFeatures(names, Object.fromEntries(names.map((n, i) => [n, spread[i]])))).to.equal(abiHash(spread));
      expect(hashApplicationFeatures([], {})).to.equal(abiHash([]));
    });

    it("accepts the largest safe integers and refuses fractions, unsafe integers and strings", () => {
      const names = ["X"];
      expect(hashApplicationFeatures(names, { X: Number.MAX_SAFE_INTEGER })).to.equal(referenceFeaturesHash([Number.MAX_SAFE_INTEGER]));
      expect(hashApplicationFeatures(names, { X: -Number.MAX_SAFE_INTEGER })).to.equal(referenceFeaturesHash([-Number.MAX_SAFE_INTEGER]));
      const fraction = intakeError(() => hashApplicationFeatures(names, { X: 1.5 }));
      expect(fraction.code).to.equal("not_an_integer");
      expect(fraction.message).to.include("features.X");
      expect(intakeError(() => hashApplicationFeatures(names, { X: 2 ** 53 })).code).to.equal("not_an_integer");
      expect(intakeError(() => hashApplicationFeatures(names, { X: "7" })).code).to.equal("not_a_number");
    });

    it("names missing and unknown features", () => {
      const missing = intakeError(() => hashApplicationFeatures(TEST_FEATURE_NAMES, { ...TEST_FEATURES, AGE: undefined as never }));
      expect(missing.code).to.equal("missing_field");
      const { AGE: _age, ...withoutAge } = TEST_FEATURES;
      expect(intakeError(() => hashApplicationFeatures(TEST_FEATURE_NAMES, withoutAge)).message).to.equal("features.AGE: required");
      const unknown = intakeError(() => hashApplicationFeatures(TEST_FEATURE_NAMES, { ...TEST_FEATURES, SEX: 2 }));
      expect(unknown.code).to.equal("unknown_field");
      expect(unknown.message).to.include("features.SEX");
    });
  });

  describe("verifyApplication", () => {
    it("accepts a borrower-signed application and returns its EIP-712 digest as applicationHash", async () => {
      const body = await signedApplicationBody(borrower, { nonce: 7n, expiry: NOW + 600 });
      const verified = verifyApplication(body, context());
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
      const body = await signedApplicationBody(borrower, { nonce: 8n, expiry: NOW + 600 });
      const verified = verifyApplication(body, context());
      expect(verified.signature).to.equal(body.signature);
      const rebuilt = applicationBodyOf(TEST_FEATURE_NAMES, verified);
      expect(rebuilt).to.deep.equal({ ...body, features: Object.fromEntries(TEST_FEATURE_NAMES.map((n) => [n, (body.features as Record<string, number>)[n]])) });
      expect(verifyApplication(rebuilt, context())).to.deep.equal(verified);
      expect(() => applicationBodyOf(TEST_FEATURE_NAMES.slice(1), verified)).to.throw("application has 4 feature values, the model 3 features");
    });

    it("rejects a signature by someone else as wrong_signer", async () => {
      const body = await signedApplicationBody(borrower, { expiry: NOW + 600, signer: Wallet.createRandom() });
      const error = intakeError(() => verifyApplication(body, context()));
      expect([error.code, error.status]).to.deep.equal(["wrong_signer", 401]);
    });

    it("binds the signature to the features, the chain and the contract", async () => {
      const body = await signedApplicationBody(borrower, { expiry: NOW + 600 });
      const tampered = { ...body, features: { ...TEST_FEATURES, PAY_0: -2 } };
      expect(intakeError(() => verifyApplication(tampered, context())).code).to.equal("wrong_signer");
      expect(intakeError(() => verifyApplication(body, context({ chainId: 1 }))).code).to.equal("wrong_signer");
      const otherOracle = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
      expect(intakeError(() => verifyApplication(body, context({ verifyingContract: otherOracle }))).code).to.equal("wrong_signer");
    });

    it("rejects a malformed signature as bad_signature", async () => {
      const body = await signedApplicationBody(borrower, { expiry: NOW + 600 });
      const broken = { ...body, signature: `0x${"00".repeat(64)}1b` };
      expect(intakeError(() => verifyApplication(broken, context())).code).to.equal("bad_signature");
    });

    it("enforces the expiry window at its boundaries", async () => {
      const atNow = await signedApplicationBody(borrower, { expiry: NOW });
      expect(intakeError(() => verifyApplication(atNow, context())).code).to.equal("expired");
      const justValid = await signedApplicationBody(borrower, { expiry: NOW + 1 });
      expect(verifyApplication(justValid, context()).expiry).to.equal(NOW + 1);
      const atLimit = await signedApplicationBody(borrower, { expiry: NOW + 900 });
      expect(verifyApplication(atLimit, context()).expiry).to.equal(NOW + 900);
      const pastLimit = await signedApplicationBody(borrower, { expiry: NOW + 901 });
      expect(intakeError(() => verifyApplication(pastLimit, context())).code).to.equal("expiry_too_far");
    });

    it("names the field for shape errors", async () => {
      const body = await signedApplicationBody(borrower, { expiry: NOW + 600 });
      const { nonce: _nonce, ...noNonce } = body;
      expect(intakeError(() => verifyApplication(noNonce, context())).message).to.equal("nonce: required");
      expect(intakeError(() => verifyApplication({ ...body, nonce: 5 }, context())).code).to.equal("invalid_field");
      expect(intakeError(() => verifyApplication({ ...body, nonce: "-1" }, context())).message).to.include("nonce: must be a uint256");
      expect(intakeError(() => verifyApplication({ ...body, expiry: "soon" }, context())).code).to.equal("not_a_number");
      expect(intakeError(() => verifyApplication({ ...body, borrower: "0x12" }, context())).message).to.include("borrower:");
      expect(intakeError(() => verifyApplication({ ...body, extra: 1 }, context())).code).to.equal("unknown_field");
      expect(intakeError(() => verifyApplication([], context())).message).to.equal("body: must be a JSON object");
    });

    it("answers a 4xx IntakeError, never a crash, for nonces BigInt cannot read and for deeply nested values", async () => {
      const body = await signedApplicationBody(borrower, { expiry: NOW + 600 });
      for (const nonce of ["1e3", "NaN", "１２３", "0x10", " 1", "1".repeat(79)]) {
        const error = intakeError(() => verifyApplication({ ...body, nonce }, context()));
        expect([error.code, error.status], nonce).to.deep.equal(["invalid_field", 400]);
        expect(error.message, nonce).to.match(/^nonce: must be a uint256/);
      }
      let nested: unknown = 1;
      for (let i = 0; i < 5_000; i++) nested = [nested];
      const deepFeature = intakeError(() => verifyApplication({ ...body, features: { ...TEST_FEATURES, AGE: nested } }, context()));
      expect([deepFeature.code, deepFeature.status, deepFeature.message]).to.deep.equal(["not_a_number", 400, "features.AGE: must be a number, got an array"]);
    });

    it("applies the injected model range check after the signature", async () => {
      const body = await signedApplicationBody(borrower, { expiry: NOW + 600, features: { ...TEST_FEATURES, AGE: 12 } });
      const validateFeatures = (f: Readonly<Record<string, number>>) =>
        (f.AGE ?? 0) < 18 ? { ok: false as const, field: "AGE", error: `AGE = ${f.AGE} is outside [18, 100]` } : { ok: true as const };
      const error = intakeError(() => verifyApplication(body, context({ validateFeatures })));
      expect([error.code, error.status, error.message]).to.deep.equal(["out_of_range", 422, "features.AGE: AGE = 12 is outside [18, 100]"]);
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
      const body = await signedApplicationBody(borrower, { nonce: 3n, expiry: NOW + 600 });
      expect(acceptApplication(body, context(), recorder).receivedAt).to.equal(NOW);
      const replay = intakeError(() => acceptApplication(body, context(), recorder));
      expect([replay.code, replay.status]).to.deep.equal(["replayed_nonce", 409]);
      expect(recorded).to.have.length(1);
    });
  });
});
