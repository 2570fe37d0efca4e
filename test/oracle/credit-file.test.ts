import { expect } from "chai";
import { AbiCoder, hexlify, keccak256, randomBytes, toUtf8Bytes, TypedDataEncoder, Wallet } from "ethers";

import {
  consentPurposeHash,
  consentTypedData,
  creditFileTypedData,
  featureSchemaHash,
  hashConsent,
  hashCreditFile,
  recoverDigestSigner,
  type ConsentMessage,
  type CreditFileMessage,
} from "../../oracle/src/protocol/credit-file.js";

const domain = { chainId: 31337n, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const provider = new Wallet(keccak256(toUtf8Bytes("verity-credit-file-test-provider")));
const borrower = new Wallet(keccak256(toUtf8Bytes("verity-credit-file-test-borrower")));

const file = (overrides: Partial<CreditFileMessage> = {}): CreditFileMessage => ({
  fileId: hexlify(randomBytes(32)),
  borrower: borrower.address,
  provider: provider.address,
  schemaHash: featureSchemaHash(["LIMIT_BAL", "PAY_0"]),
  fieldsHash: hexlify(randomBytes(32)),
  asOf: 1_790_000_000,
  validUntil: 1_792_592_000,
  ...overrides,
});

describe("credit data EIP-712 types", () => {
  it("hashes a credit file exactly as ethers' TypedDataEncoder does, and a provider's signature recovers to it", async () => {
    for (let i = 0; i < 8; i += 1) {
      const message = file({ asOf: 1_790_000_000 + i, validUntil: 2 ** 48 - i });
      const typed = creditFileTypedData(domain, message);
      const digest = hashCreditFile(domain, message);
      expect(digest).to.equal(TypedDataEncoder.hash(typed.domain, typed.types, typed.message));
      const signature = await provider.signTypedData(typed.domain, typed.types, typed.message);
      expect(recoverDigestSigner(digest, signature)).to.equal(provider.address);
    }
  });

  it("hashes a consent exactly as ethers does, and binds it to the deployment", async () => {
    const message: ConsentMessage = {
      borrower: borrower.address,
      provider: provider.address,
      purpose: consentPurposeHash(),
      oracle: domain.verifyingContract,
      expiresAt: 1_790_000_600,
      nonce: 2n ** 255n + 7n,
    };
    const typed = consentTypedData(domain, message);
    const digest = hashConsent(domain, message);
    expect(digest).to.equal(TypedDataEncoder.hash(typed.domain, typed.types, typed.message));
    expect(
      recoverDigestSigner(digest, await borrower.signTypedData(typed.domain, typed.types, typed.message)),
    ).to.equal(borrower.address);
    expect(hashConsent({ ...domain, chainId: 1n }, message)).to.not.equal(digest);
    expect(hashConsent(domain, { ...message, nonce: message.nonce + 1n })).to.not.equal(digest);
  });

  it("schema hash is abi.encode(string[]) of the ordered names, so reordering two fields changes it", () => {
    const names = ["LIMIT_BAL", "PAY_0", "BILL_AMT1"];
    expect(featureSchemaHash(names)).to.equal(keccak256(AbiCoder.defaultAbiCoder().encode(["string[]"], [names])));
    expect(featureSchemaHash(["PAY_0", "LIMIT_BAL", "BILL_AMT1"])).to.not.equal(featureSchemaHash(names));
  });

  it("refuses a member that is not what its type says, naming it", () => {
    expect(() => hashCreditFile(domain, file({ fieldsHash: "0x1234" }))).to.throw(/fieldsHash/);
    expect(() => hashCreditFile(domain, file({ borrower: "bob" }))).to.throw(/borrower/);
    expect(() => hashCreditFile(domain, file({ validUntil: 2 ** 64 }))).to.throw(/validUntil/);
    expect(() => hashCreditFile(domain, file({ asOf: -1 }))).to.throw(/asOf/);
  });
});
