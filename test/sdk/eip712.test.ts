/**
 * The SDK's EIP-712 types: each digest equals ethers' `TypedDataEncoder.hash`, a wallet's signature verifies, and
 * any tampered field is refused. No chain.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { AbiCoder, getAddress, id, keccak256, TypedDataEncoder, Wallet, ZeroHash } from "ethers";

import * as sdk from "../../sdk/src/index.js";

const domain = { chainId: 31337n, verifyingContract: getAddress("0x" + "42".repeat(20)) };
const borrower = new Wallet(id("sdk test borrower"));
const provider = new Wallet(id("sdk test provider key"));
const providerId = getAddress("0x" + "ab".repeat(20));
const featureNames = ["LIMIT_BAL", "AGE", "BILL_AMT1"];
const fields = { LIMIT_BAL: 50_000, AGE: 35, BILL_AMT1: -1_200 };

async function attested(): Promise<sdk.AttestedCreditFile> {
  const creditFile: sdk.CreditFileMessage = {
    fileId: id("file 1"),
    borrower: borrower.address,
    provider: providerId,
    schemaHash: sdk.featureSchemaHash(featureNames),
    fieldsHash: sdk.hashApplicationFeatures(featureNames, fields),
    asOf: 1_800_000_000,
    validUntil: 1_800_086_400,
  };
  const typed = sdk.creditFileTypedData(domain, creditFile);
  return {
    creditFile,
    fields,
    providerSignature: await provider.signTypedData(typed.domain, typed.types, typed.message),
  };
}

describe("sdk: EIP-712 builders and verifiers", () => {
  it("featuresHash is keccak256(abi.encode(int256[] values)) in the model's order; non-integers are refused", () => {
    const expected = keccak256(AbiCoder.defaultAbiCoder().encode(["int256[]"], [[50_000, 35, -1_200]]));
    expect(sdk.hashApplicationFeatures(featureNames, fields)).to.equal(expected);
    expect(() => sdk.hashApplicationFeatures(featureNames, { ...fields, AGE: 35.5 })).to.throw(
      sdk.FeatureError,
      /features\.AGE: must be an integer/,
    );
    expect(() => sdk.hashApplicationFeatures(featureNames, { ...fields, EXTRA: 1 })).to.throw(
      /features\.EXTRA: not a feature/,
    );
  });

  it("an application signed by the wallet verifies, its nonce travels as a decimal string, and a tampered one is refused", async () => {
    const file = await attested();
    const body = await sdk.signApplication(domain, borrower, featureNames, file, {
      nonce: 2n ** 200n,
      expiry: 1_800_000_600,
    });
    expect(body.nonce).to.equal((2n ** 200n).toString());
    expect(body).to.not.have.property("flow");
    const applicationHash = sdk.verifyApplicationSignature(domain, featureNames, body);
    const message = {
      borrower: borrower.address,
      featuresHash: sdk.hashApplicationFeatures(featureNames, fields),
      nonce: 2n ** 200n,
      expiry: 1_800_000_600,
    };
    const typed = sdk.applicationTypedData(domain, message);
    expect(applicationHash).to.equal(TypedDataEncoder.hash(typed.domain, typed.types, typed.message));
    expect(() =>
      sdk.verifyApplicationSignature(domain, featureNames, { ...body, features: { ...fields, AGE: 36 } }),
    ).to.throw(/signature: signed by 0x[0-9a-fA-F]{40}, not by the borrower/);
    expect(() => sdk.verifyApplicationSignature(domain, featureNames, { ...body, nonce: "1" })).to.throw(
      /not by the borrower/,
    );
    expect(() => sdk.verifyApplicationSignature({ ...domain, chainId: 1n }, featureNames, body)).to.throw(
      /not by the borrower/,
    );
    expect(() => sdk.verifyApplicationSignature(domain, featureNames, { ...body, nonce: "0x10" })).to.throw(
      /nonce: must be a decimal string/,
    );
    const push = await sdk.signApplication(domain, borrower, featureNames, file, {
      nonce: 1n,
      expiry: 1_800_000_600,
      flow: "push",
    });
    expect(push.flow).to.equal("push");
  });

  it("a credit file verifies against the provider's keys; another key or a tampered field is refused", async () => {
    const file = await attested();
    const typed = sdk.creditFileTypedData(domain, file.creditFile);
    const digest = sdk.verifyCreditFileSignature(domain, file.creditFile, file.providerSignature, [provider.address]);
    expect(digest).to.equal(TypedDataEncoder.hash(typed.domain, typed.types, typed.message));
    expect(() =>
      sdk.verifyCreditFileSignature(domain, file.creditFile, file.providerSignature, [borrower.address]),
    ).to.throw(/not by a signing key of provider/);
    expect(() =>
      sdk.verifyCreditFileSignature(
        domain,
        { ...file.creditFile, validUntil: file.creditFile.validUntil + 1 },
        file.providerSignature,
        [provider.address],
      ),
    ).to.throw(/not by a signing key/);
  });

  it("a consent verifies as the borrower's; a tampered purpose is refused", async () => {
    const consent: sdk.ConsentMessage = {
      borrower: borrower.address,
      provider: providerId,
      purpose: sdk.consentPurposeHash(),
      oracle: domain.verifyingContract,
      expiresAt: 1_800_000_600,
      nonce: 7n,
    };
    const typed = sdk.consentTypedData(domain, consent);
    const signature = await borrower.signTypedData(typed.domain, typed.types, typed.message);
    expect(sdk.verifyConsentSignature(domain, consent, signature)).to.equal(
      TypedDataEncoder.hash(typed.domain, typed.types, typed.message),
    );
    expect(() =>
      sdk.verifyConsentSignature(domain, { ...consent, purpose: sdk.consentPurposeHash("marketing") }, signature),
    ).to.throw(/consent signature: signed by/);
  });

  it("a score report signed by k operators verifies; an outsider's signature, a short quorum or a changed PD is refused", async () => {
    const operators = [new Wallet(id("op 1")), new Wallet(id("op 2")), new Wallet(id("op 3"))];
    const report: sdk.ScoreReport = {
      borrower: borrower.address,
      pdBps: 150,
      reasonCodes: [3, 1, 0, 0],
      modelId: id("model"),
      operatorSetVersion: 1n,
      issuedAt: 1_800_000_000n,
      validUntil: 1_800_086_400n,
      creditFileHash: ZeroHash,
      provider: providerId,
    };
    const reportDomain = sdk.scoreReportDomain(domain.chainId, domain.verifyingContract);
    expect(sdk.hashScoreReport(reportDomain, report)).to.equal(
      TypedDataEncoder.hash(reportDomain, sdk.SCORE_REPORT_TYPES, { ...report }),
    );
    const signatures = sdk.packSignatures(
      await Promise.all(operators.slice(0, 2).map((op) => sdk.signScoreReport(op, reportDomain, report))),
    );
    const addresses = operators.map((op) => op.address);
    expect(sdk.verifyScoreReport(reportDomain, report, signatures, addresses, 2)).to.deep.equal(addresses.slice(0, 2));
    expect(() => sdk.verifyScoreReport(reportDomain, report, signatures, addresses, 3)).to.throw(
      /2 distinct operators signed, the quorum is 3/,
    );
    expect(() => sdk.verifyScoreReport(reportDomain, { ...report, pdBps: 149 }, signatures, addresses, 2)).to.throw(
      /signatures\[0\]: signed by .*, not an operator/,
    );
    const outsider = sdk.packSignatures([await sdk.signScoreReport(new Wallet(id("outsider")), reportDomain, report)]);
    expect(() => sdk.verifyScoreReport(reportDomain, report, outsider, addresses, 1)).to.throw(
      /not an operator of the set/,
    );
  });

  it("bundles' reports convert to bigints for borrowWithReport", () => {
    const report = sdk.reportFromJson(
      sdk.reportJsonSchema.parse({
        borrower: borrower.address.toLowerCase(),
        pdBps: 150,
        reasonCodes: [1, 2, 0, 0],
        modelId: ZeroHash,
        operatorSetVersion: "3",
        issuedAt: "1800000000",
        validUntil: "1800086400",
        creditFileHash: ZeroHash,
        provider: providerId,
      }),
    );
    expect([report.borrower, report.operatorSetVersion, report.issuedAt]).to.deep.equal([
      borrower.address,
      3n,
      1_800_000_000n,
    ]);
  });
});

describe("sdk: browser entry", () => {
  const root = new URL("../../sdk/src/", import.meta.url).pathname;
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });

  it("imports only ethers, zod, the TypeChain types and its own modules outside sdk/src/node*", () => {
    const browser = files(root).filter((f) => f.endsWith(".ts") && !f.slice(root.length).startsWith("node"));
    expect(browser.length).to.be.greaterThan(10);
    for (const file of browser) {
      const specifiers = [...readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
      for (const spec of specifiers) {
        const allowed =
          spec === "ethers" ||
          spec === "zod" ||
          spec.startsWith("./") ||
          (spec.startsWith("../") &&
            !spec.includes("/oracle/") &&
            !spec.includes("/scripts/") &&
            !spec.includes("/bureau/"));
        expect(allowed, `${file.slice(root.length)} imports ${spec}`).to.equal(true);
        expect(spec.startsWith("node:"), `${file.slice(root.length)} imports ${spec}`).to.equal(false);
      }
    }
  });
});
