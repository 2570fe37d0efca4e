import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import { expect } from "chai";
import {
  concat,
  hashMessage,
  keccak256,
  Signature,
  toBeHex,
  toUtf8Bytes,
  TypedDataEncoder,
  Wallet,
  zeroPadValue,
} from "ethers";

import {
  APPLICATION_TYPES,
  applicationTypedData,
  hashApplication,
  type ApplicationMessage,
} from "../../oracle/src/intake/index.js";
import {
  digestSigner,
  ethersSecp256k1,
  hashScoreReport,
  recoverMessageSigner,
  SCORE_REPORT_TYPES,
  scoreReportDomain,
  secp256k1,
  secp256k1LoadError,
  StructWords,
  type ScoreReport,
} from "../../oracle/src/signing/index.js";

const keys = Array.from({ length: 24 }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`verity-ecdsa-test-${i}`))));
const digests = keys.map((_, i) => keccak256(toUtf8Bytes(`digest ${i}`)));
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("oracle secp256k1 back end", () => {
  it("is libsecp256k1 where the addon ships a prebuild (linux-x64 here), ethers with the reason otherwise", () => {
    const prebuild = join(
      dirname(createRequire(import.meta.url).resolve("secp256k1/package.json")),
      "prebuilds",
      `${process.platform}-${process.arch}`,
    );
    if (existsSync(prebuild)) {
      expect(secp256k1LoadError, secp256k1LoadError?.message).to.equal(undefined);
      expect(secp256k1.backend).to.equal("libsecp256k1");
    } else {
      // No prebuild: libsecp256k1 only if npm compiled it at install; the ethers fallback always keeps the reason.
      expect(secp256k1.backend === "ethers", secp256k1LoadError?.message).to.equal(secp256k1LoadError !== undefined);
    }
  });

  it("signs byte for byte as ethers does (RFC 6979, low s, v = 27 + recovery id)", () => {
    keys.forEach((wallet, i) => {
      const digest = digests[i]!;
      const expected = wallet.signingKey.sign(digest).serialized;
      expect(digestSigner(wallet).signDigest(digest)).to.equal(expected);
      expect(digestSigner(wallet, ethersSecp256k1).signDigest(digest)).to.equal(expected);
    });
  });

  it("signs EIP-191 messages as Wallet.signMessage does, and recovers their signer", async () => {
    const wallet = keys[0]!;
    const message = "verity-peer/1\n/v1/cosign\n1750000000\n0xabc";
    const signature = digestSigner(wallet).signMessage(message);
    expect(signature).to.equal(await wallet.signMessage(message));
    expect(recoverMessageSigner(message, signature)).to.equal(wallet.address);
    expect(recoverMessageSigner(`${message}!`, signature)).to.not.equal(wallet.address);
  });

  it("recovers the same checksummed signer from 65-byte and 64-byte (EIP-2098) forms in both back ends", () => {
    keys.forEach((wallet, i) => {
      const signature = Signature.from(wallet.signingKey.sign(digests[i]!));
      for (const implementation of [secp256k1, ethersSecp256k1]) {
        expect(implementation.recoverAddress(digests[i]!, signature.serialized)).to.equal(wallet.address);
        expect(implementation.recoverAddress(digests[i]!, signature.compactSerialized)).to.equal(wallet.address);
      }
    });
  });

  it("recovers another address for another digest, as ethers does", () => {
    const signature = keys[0]!.signingKey.sign(digests[0]!).serialized;
    const other = digests[1]!;
    expect(secp256k1.recoverAddress(other, signature)).to.equal(ethersSecp256k1.recoverAddress(other, signature));
    expect(secp256k1.recoverAddress(other, signature)).to.not.equal(keys[0]!.address);
  });

  it("refuses what ethers refuses: a non-canonical (high) s, a bad v, an r of zero, a short digest", () => {
    const { r, s, v } = Signature.from(keys[0]!.signingKey.sign(digests[0]!));
    const highS = `${r}${toBeHex(SECP256K1_N - BigInt(s), 32).slice(2)}${(v === 27 ? 28 : 27).toString(16)}`;
    const badV = `${r}${s.slice(2)}1f`;
    const zeroR = `${zeroPadValue("0x", 32)}${s.slice(2)}1b`;
    for (const implementation of [secp256k1, ethersSecp256k1]) {
      expect(() => implementation.recoverAddress(digests[0]!, highS), `${implementation.backend}: high s`).to.throw();
      expect(() => implementation.recoverAddress(digests[0]!, badV), `${implementation.backend}: v = 31`).to.throw();
      expect(() => implementation.recoverAddress(digests[0]!, zeroR), `${implementation.backend}: r = 0`).to.throw();
      expect(
        () => implementation.recoverAddress("0x1234", Signature.from({ r, s, v }).serialized),
        `${implementation.backend}: 2-byte digest`,
      ).to.throw();
    }
  });

  it("recovers a message signer for hashMessage digests exactly like a raw digest", () => {
    const wallet = keys[1]!;
    const signature = digestSigner(wallet).signDigest(hashMessage("hello"));
    expect(recoverMessageSigner("hello", signature)).to.equal(wallet.address);
  });
});

describe("EIP-712 digests (struct words written directly)", () => {
  const domain = scoreReportDomain(31_337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  const otherDomain = scoreReportDomain(1n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  const report = (i: number): ScoreReport => ({
    borrower: keys[i]!.address,
    pdBps: (i * 431) % 10_001,
    reasonCodes: [i % 7, (i + 1) % 7, 0, 0],
    modelId: keccak256(toUtf8Bytes(`model ${i}`)),
    operatorSetVersion: BigInt(i + 1),
    issuedAt: 1_750_000_000n + BigInt(i),
    validUntil: 1_750_086_400n + BigInt(i),
    creditFileHash: keccak256(toUtf8Bytes(`credit file ${i}`)),
    provider: keys[(i + 1) % keys.length]!.address,
  });

  it("hashScoreReport equals TypedDataEncoder.hash for every report and each domain it has seen", () => {
    for (let i = 0; i < keys.length; i++) {
      for (const d of [domain, otherDomain]) {
        expect(hashScoreReport(d, report(i))).to.equal(
          TypedDataEncoder.hash(d, SCORE_REPORT_TYPES, { ...report(i), reasonCodes: [...report(i).reasonCodes] }),
        );
      }
    }
    expect(hashScoreReport(domain, report(0))).to.not.equal(hashScoreReport(otherDomain, report(0)));
  });

  it("accepts each member up to its type's limit and refuses it one past, naming the member", () => {
    const max16 = { ...report(1), pdBps: 0xffff, reasonCodes: [0xffff, 0, 0, 0] as ScoreReport["reasonCodes"] };
    expect(hashScoreReport(domain, max16)).to.equal(
      TypedDataEncoder.hash(domain, SCORE_REPORT_TYPES, { ...max16, reasonCodes: [...max16.reasonCodes] }),
    );
    const max64 = {
      ...report(1),
      operatorSetVersion: 2n ** 64n - 1n,
      issuedAt: 2n ** 64n - 1n,
      validUntil: 2n ** 64n - 1n,
    };
    expect(hashScoreReport(domain, max64)).to.equal(
      TypedDataEncoder.hash(domain, SCORE_REPORT_TYPES, { ...max64, reasonCodes: [...max64.reasonCodes] }),
    );
    expect(() => hashScoreReport(domain, { ...report(1), pdBps: 0x10000 })).to.throw(
      "EIP-712 pdBps: not a uint16 (65536)",
    );
    expect(() => hashScoreReport(domain, { ...report(1), pdBps: -1 })).to.throw("EIP-712 pdBps: not a uint16 (-1)");
    expect(() => hashScoreReport(domain, { ...report(1), pdBps: 1.5 })).to.throw("EIP-712 pdBps: not a uint16 (1.5)");
    expect(() => hashScoreReport(domain, { ...report(1), reasonCodes: [0x10000, 0, 0, 0] })).to.throw(
      "EIP-712 reasonCodes[0]: not a uint16",
    );
    expect(() => hashScoreReport(domain, { ...report(1), reasonCodes: [1, 2, 3] as never })).to.throw(
      "4 codes expected, got 3",
    );
    expect(() => hashScoreReport(domain, { ...report(1), issuedAt: 2n ** 64n })).to.throw(
      "EIP-712 issuedAt: not a uint64",
    );
    expect(() => hashScoreReport(domain, { ...report(1), modelId: "0x1234" })).to.throw(
      "EIP-712 modelId: not 32 bytes",
    );
    expect(() => hashScoreReport(domain, { ...report(1), borrower: "0x12" })).to.throw(
      "EIP-712 borrower: not an address",
    );
    // A mixed-case address with a wrong checksum is refused, as ethers refuses it.
    const badChecksum = keys[1]!.address.replace(/[a-f]/, (c) => c.toUpperCase());
    expect(() => hashScoreReport(domain, { ...report(1), borrower: badChecksum })).to.throw(
      "EIP-712 borrower: not an address",
    );
    expect(hashScoreReport(domain, { ...report(1), borrower: keys[1]!.address.toLowerCase() })).to.equal(
      hashScoreReport(domain, report(1)),
    );
  });

  it("hashes only a complete struct: one member short or one too many is an error", () => {
    const word = digests[0]!;
    expect(() => new StructWords(2).bytes32("a", word).hash()).to.throw("1 of 2 members written");
    expect(() => new StructWords(1).bytes32("a", word).bytes32("b", word)).to.throw("more than 1 members");
    expect(new StructWords(2).bytes32("a", word).bytes32("b", word).hash()).to.equal(keccak256(concat([word, word])));
  });

  it("hashApplication equals TypedDataEncoder.hash over the intake domain", () => {
    const params = { chainId: 31_337n, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
    for (let i = 0; i < 8; i++) {
      const message: ApplicationMessage = {
        borrower: keys[i]!.address,
        featuresHash: digests[i]!,
        nonce: BigInt(i),
        expiry: 1_750_000_000 + i,
      };
      const { domain: intakeDomain } = applicationTypedData(params, message);
      expect(hashApplication(params, message)).to.equal(
        TypedDataEncoder.hash(intakeDomain, APPLICATION_TYPES, message),
      );
    }
  });
});
