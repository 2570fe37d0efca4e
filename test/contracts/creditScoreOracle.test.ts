import { expect } from "chai";
import { network } from "hardhat";
import type { Wallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

type Signer = HardhatEthersSigner;

import {
  hashScoreReport,
  MAX_ISSUED_AT_SKEW_SEC,
  packSignatures,
  SCORE_REPORT_DOMAIN_NAME,
  SCORE_REPORT_DOMAIN_VERSION,
  scoreReportDomain,
  signScoreReport,
  structHashScoreReport,
  type ScoreReport,
  type ScoreReportDomain,
} from "../../oracle/src/signing/index.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const GOVERNANCE = ethers.id("verity.role.GOVERNANCE");
const REGULATOR = ethers.id("verity.role.REGULATOR");
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const MODEL_ID = ethers.sha256(ethers.toUtf8Bytes("verity-credit-model-v1.onnx"));
const OTHER_MODEL_ID = ethers.sha256(ethers.toUtf8Bytes("verity-credit-model-v2.onnx"));
const VALIDATION_REPORT_HASH = ethers.sha256(ethers.toUtf8Bytes("validation report v1"));
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const UINT40_MAX = (1n << 40n) - 1n;
const HOUR = 3600n;
const THRESHOLD = 3;

const enum Status {
  None = 0,
  Proposed = 1,
  Approved = 2,
  Retired = 3,
}

const enum ProviderStatus {
  None = 0,
  Approved = 1,
  Retired = 2,
}

/** The data provider every fixture report names: approved by the fixture. */
const PROVIDER_ID = ethers.getAddress(ethers.dataSlice(ethers.id("test bureau"), 12));
const PROVIDER_KEY = new ethers.Wallet(ethers.id("test bureau signing key")).address;
const SCHEMA_HASH = ethers.id("the model's feature schema");
const DATA_QUALITY_HASH = ethers.sha256(ethers.toUtf8Bytes("data-quality assessment of the test bureau"));

const field = (name: string) => ethers.encodeBytes32String(name);

/** The first `count` Hardhat accounts, checked present (the tsconfig indexes arrays as possibly undefined). */
async function firstSigners(count: number) {
  const signers = await ethers.getSigners();
  return Array.from({ length: count }, (_, i) => {
    const signer = signers[i];
    if (signer === undefined) throw new Error(`need ${count} accounts, have ${signers.length}`);
    return signer;
  });
}

/** Deterministic operator keys, so a failing test can be reproduced. */
function wallets(label: string, count: number): Wallet[] {
  return Array.from({ length: count }, (_, i) => new ethers.Wallet(ethers.id(`${label}-${i}`)));
}

async function deployOracleFixture() {
  const [deployer, governance, regulator, submitter, borrower, stranger] = (await firstSigners(6)) as [
    Signer,
    Signer,
    Signer,
    Signer,
    Signer,
    Signer,
  ];
  const operators = wallets("operator", 7);
  const oracle = await ethers.deployContract("CreditScoreOracle", [governance.address, regulator.address], deployer);
  const oracleAddress = await oracle.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const domain = scoreReportDomain(chainId, oracleAddress);

  await oracle.connect(regulator).proposeModel(MODEL_ID, VALIDATION_REPORT_HASH);
  await oracle.connect(regulator).approveModel(MODEL_ID);
  await oracle
    .connect(regulator)
    .approveProvider(PROVIDER_ID, "Test Bureau", [PROVIDER_KEY], SCHEMA_HASH, DATA_QUALITY_HASH);
  // Five operators, threshold three; operators[5..6] are spare keys for set rotations.
  await oracle.connect(governance).setOperators(
    operators.slice(0, 5).map((w) => w.address),
    THRESHOLD,
  );

  /** A fresh, valid report for `borrower` under the current set, issued at the latest block time. */
  async function makeReport(overrides: Partial<ScoreReport> = {}): Promise<ScoreReport> {
    const now = BigInt(await time.latest());
    const [version] = await oracle.operatorSet();
    return {
      borrower: borrower.address,
      pdBps: 420,
      reasonCodes: [3, 17, 5, 0],
      modelId: MODEL_ID,
      operatorSetVersion: version,
      issuedAt: now,
      validUntil: now + 24n * HOUR,
      creditFileHash: ethers.id(`credit file of ${borrower.address} at ${now}`),
      provider: PROVIDER_ID,
      ...overrides,
    };
  }

  async function sign(report: ScoreReport, signers: Wallet[], signingDomain: ScoreReportDomain = domain) {
    return packSignatures(await Promise.all(signers.map((w) => signScoreReport(w, signingDomain, report))));
  }

  return {
    oracle,
    oracleAddress,
    domain,
    deployer,
    governance,
    regulator,
    submitter,
    borrower,
    stranger,
    operators,
    makeReport,
    sign,
  };
}

/** The address `ecrecover` yields for `signature` over the oracle's digest of `report` (a stranger if forged). */
function recovered(domain: ScoreReportDomain, report: ScoreReport, signature: string): string {
  return ethers.recoverAddress(hashScoreReport(domain, report), signature);
}

function scoreTuple(report: ScoreReport, valid: boolean) {
  return [
    BigInt(report.pdBps),
    report.reasonCodes.map(BigInt),
    report.modelId,
    report.issuedAt,
    report.validUntil,
    valid,
  ];
}

describe("CreditScoreOracle", function () {
  describe("deployment", function () {
    it("binds the EIP-712 domain to its name, version, chain and address", async function () {
      const { oracle, oracleAddress, domain } = await networkHelpers.loadFixture(deployOracleFixture);
      const eip712 = await oracle.eip712Domain();
      expect(eip712.name).to.equal(SCORE_REPORT_DOMAIN_NAME);
      expect(eip712.version).to.equal(SCORE_REPORT_DOMAIN_VERSION);
      expect(eip712.chainId).to.equal(domain.chainId);
      expect(eip712.verifyingContract).to.equal(oracleAddress);
    });

    it("states the issuedAt skew: 5 minutes", async function () {
      const { oracle } = await networkHelpers.loadFixture(deployOracleFixture);
      expect(await oracle.MAX_ISSUED_AT_SKEW()).to.equal(300n);
      expect(MAX_ISSUED_AT_SKEW_SEC).to.equal(300n);
    });

    it("grants governance and regulator, each its own admin, and DEFAULT_ADMIN_ROLE to nobody", async function () {
      const { oracle, deployer, governance, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      expect(await oracle.hasRole(GOVERNANCE, governance.address)).to.equal(true);
      expect(await oracle.hasRole(REGULATOR, regulator.address)).to.equal(true);
      expect(await oracle.getRoleAdmin(GOVERNANCE)).to.equal(GOVERNANCE);
      expect(await oracle.getRoleAdmin(REGULATOR)).to.equal(REGULATOR);
      for (const account of [deployer, governance, regulator]) {
        expect(await oracle.hasRole(DEFAULT_ADMIN_ROLE, account.address)).to.equal(false);
      }
      expect(await oracle.hasRole(REGULATOR, governance.address)).to.equal(false);
      expect(await oracle.hasRole(GOVERNANCE, regulator.address)).to.equal(false);
    });

    it("rejects zero governance and zero regulator addresses", async function () {
      const { oracle, governance, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      await expect(ethers.deployContract("CreditScoreOracle", [ethers.ZeroAddress, regulator.address]))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("governance"));
      await expect(ethers.deployContract("CreditScoreOracle", [governance.address, ethers.ZeroAddress]))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("regulator"));
    });

    it("accepts nothing before governance sets an operator set", async function () {
      const { governance, regulator, operators, borrower } = await networkHelpers.loadFixture(deployOracleFixture);
      const fresh = await ethers.deployContract("CreditScoreOracle", [governance.address, regulator.address]);
      await fresh.connect(regulator).proposeModel(MODEL_ID, VALIDATION_REPORT_HASH);
      await fresh.connect(regulator).approveModel(MODEL_ID);
      expect(await fresh.operatorSet()).to.deep.equal([0n, 0n, []]);
      const now = BigInt(await time.latest());
      const report: ScoreReport = {
        borrower: borrower.address,
        pdBps: 1,
        reasonCodes: [0, 0, 0, 0],
        modelId: MODEL_ID,
        operatorSetVersion: 0n,
        issuedAt: now,
        validUntil: now + HOUR,
        creditFileHash: ethers.id("file"),
        provider: PROVIDER_ID,
      };
      const domain = scoreReportDomain((await ethers.provider.getNetwork()).chainId, await fresh.getAddress());
      const signature = await signScoreReport(operators[0]!, domain, report);
      await expect(fresh.submitScore(report, signature)).to.be.revertedWithCustomError(fresh, "OracleNoOperatorSet");
    });
  });

  describe("hashing", function () {
    it("hashReport equals the TypeScript module's EIP-712 digest (ethers TypedDataEncoder)", async function () {
      const { oracle, domain, makeReport } = await networkHelpers.loadFixture(deployOracleFixture);
      const reports: ScoreReport[] = [
        await makeReport(),
        await makeReport({ pdBps: 10_000, reasonCodes: [65535, 1, 65534, 2], operatorSetVersion: 2n ** 64n - 1n }),
        await makeReport({
          borrower: ethers.ZeroAddress,
          pdBps: 0,
          reasonCodes: [0, 0, 0, 0],
          modelId: ethers.ZeroHash,
          issuedAt: 0n,
          validUntil: 0n,
        }),
      ];
      for (const report of reports) {
        expect(await oracle.hashReport(report)).to.equal(hashScoreReport(domain, report));
      }
    });

    it("hashes the reason codes as the keccak256 of four padded words, as EIP-712 specifies", async function () {
      const { makeReport } = await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport({ reasonCodes: [1, 2, 3, 4] });
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const expected = ethers.keccak256(
        coder.encode(
          ["bytes32", "address", "uint16", "bytes32", "bytes32", "uint64", "uint64", "uint64", "bytes32", "address"],
          [
            ethers.id(
              "ScoreReport(address borrower,uint16 pdBps,uint16[4] reasonCodes,bytes32 modelId,uint64 operatorSetVersion,uint64 issuedAt,uint64 validUntil,bytes32 creditFileHash,address provider)",
            ),
            report.borrower,
            report.pdBps,
            ethers.keccak256(coder.encode(["uint16", "uint16", "uint16", "uint16"], report.reasonCodes)),
            report.modelId,
            report.operatorSetVersion,
            report.issuedAt,
            report.validUntil,
            report.creditFileHash,
            report.provider,
          ],
        ),
      );
      expect(structHashScoreReport(report)).to.equal(expected);
    });

    it("packSignatures concatenates 65-byte signatures and refuses anything else", async function () {
      const a = "0x" + "11".repeat(65);
      const b = "0x" + "22".repeat(65);
      expect(packSignatures([a, b])).to.equal("0x" + "11".repeat(65) + "22".repeat(65));
      expect(() => packSignatures([a, "0x" + "33".repeat(64)])).to.throw("signature 1 is not 65 bytes");
    });

    it("rejects calldata with dirty high-order bits instead of hashing them", async function () {
      const { oracle, makeReport, sign, operators, submitter } = await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport();
      const data = oracle.interface.encodeFunctionData("submitScore", [
        report,
        await sign(report, operators.slice(0, 3)),
      ]);
      // Word 1 of the report (pdBps) starts at 4 + 32 bytes; set its top byte.
      const dirty = data.slice(0, 2 + 2 * (4 + 32)) + "ff" + data.slice(2 + 2 * (4 + 32) + 2);
      await expect(submitter.sendTransaction({ to: await oracle.getAddress(), data: dirty })).to.be.revert(ethers);
      await expect(submitter.sendTransaction({ to: await oracle.getAddress(), data })).not.to.be.revert(ethers);
    });
  });

  describe("submitScore", function () {
    it("stores a report signed by k operators and emits ScorePosted", async function () {
      const { oracle, makeReport, sign, operators, submitter, borrower } =
        await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport();
      await expect(oracle.connect(submitter).submitScore(report, await sign(report, operators.slice(0, 3))))
        .to.emit(oracle, "ScorePosted")
        .withArgs(
          borrower.address,
          MODEL_ID,
          PROVIDER_ID,
          report.pdBps,
          report.reasonCodes,
          report.issuedAt,
          report.validUntil,
          1n,
          report.creditFileHash,
        );
      expect(await oracle.scoreOf(borrower.address)).to.deep.equal(scoreTuple(report, true));
    });

    it("accepts more than k signatures, in any order", async function () {
      const { oracle, makeReport, sign, operators, borrower } = await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport();
      const signers = [operators[4]!, operators[0]!, operators[2]!, operators[1]!, operators[3]!];
      await expect(oracle.submitScore(report, await sign(report, signers))).to.emit(oracle, "ScorePosted");
      expect((await oracle.scoreOf(borrower.address))[5]).to.equal(true);
    });

    it("replaces the stored score with a newer one", async function () {
      const { oracle, makeReport, sign, operators, borrower } = await networkHelpers.loadFixture(deployOracleFixture);
      const first = await makeReport();
      await oracle.submitScore(first, await sign(first, operators.slice(0, 3)));
      const second = await makeReport({ issuedAt: first.issuedAt + 1n, pdBps: 9_000, reasonCodes: [9, 0, 0, 0] });
      await oracle.submitScore(second, await sign(second, operators.slice(1, 4)));
      expect(await oracle.scoreOf(borrower.address)).to.deep.equal(scoreTuple(second, true));
    });

    it("reports no score for an unknown borrower", async function () {
      const { oracle, stranger } = await networkHelpers.loadFixture(deployOracleFixture);
      expect(await oracle.scoreOf(stranger.address)).to.deep.equal([
        0n,
        [0n, 0n, 0n, 0n],
        ethers.ZeroHash,
        0n,
        0n,
        false,
      ]);
    });

    it("reports a stored score as invalid once it expires", async function () {
      const { oracle, makeReport, sign, operators, borrower } = await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport();
      await oracle.submitScore(report, await sign(report, operators.slice(0, 3)));
      await time.increaseTo(report.validUntil);
      expect((await oracle.scoreOf(borrower.address))[5]).to.equal(true);
      await time.increaseTo(report.validUntil + 1n);
      expect(await oracle.scoreOf(borrower.address)).to.deep.equal(scoreTuple(report, false));
    });

    it("loanScoreOf returns scoreOf's pdBps, modelId, issuedAt and valid in every state, and when it was posted", async function () {
      const { oracle, makeReport, sign, operators, borrower, stranger } =
        await networkHelpers.loadFixture(deployOracleFixture);
      let postedAt = 0n;
      const agree = async (who: string, valid: boolean) => {
        const full = await oracle.scoreOf(who);
        expect(full[5]).to.equal(valid);
        expect(await oracle.loanScoreOf(who)).to.deep.equal([full[0], full[2], full[3], postedAt, full[5]]);
      };
      await agree(stranger.address, false); // no score: zeros, invalid
      expect(await oracle.loanScoreOf(stranger.address)).to.deep.equal([0n, ethers.ZeroHash, 0n, 0n, false]);
      const first = await makeReport({ pdBps: 1234 });
      postedAt = BigInt(await time.latest()) + 7n; // the post's block time, not the report's issuedAt
      await time.setNextBlockTimestamp(postedAt);
      await oracle.submitScore(first, await sign(first, operators.slice(0, 3)));
      await agree(borrower.address, true);
      expect(await oracle.loanScoreOf(borrower.address)).to.deep.equal([
        1234n,
        MODEL_ID,
        first.issuedAt,
        postedAt,
        true,
      ]);
      const second = await makeReport({ issuedAt: first.issuedAt + 1n, pdBps: 9_000 });
      await oracle.submitScore(second, await sign(second, operators.slice(0, 3)));
      postedAt = BigInt(await time.latest());
      await agree(borrower.address, true);
      expect((await oracle.loanScoreOf(borrower.address))[0]).to.equal(9_000n);
      await time.increaseTo(second.validUntil); // last valid second
      await agree(borrower.address, true);
      await time.increaseTo(second.validUntil + 1n); // expired
      await agree(borrower.address, false);
      expect(await oracle.loanScoreOf(borrower.address)).to.deep.equal([
        9_000n,
        MODEL_ID,
        second.issuedAt,
        postedAt,
        false,
      ]);
    });

    it("positionScoreOf keeps expiry apart from model status: expired stays approved, retired is not", async function () {
      const { oracle, regulator, makeReport, sign, operators, borrower, stranger } =
        await networkHelpers.loadFixture(deployOracleFixture);
      expect(await oracle.positionScoreOf(stranger.address)).to.deep.equal([0n, 0n, 0n, 0n, false]);
      const report = await makeReport({ pdBps: 1234 });
      await oracle.submitScore(report, await sign(report, operators.slice(0, 3)));
      const postedAt = BigInt(await time.latest());
      const fields = (approved: boolean) => [1234n, report.issuedAt, report.validUntil, postedAt, approved];
      expect(await oracle.positionScoreOf(borrower.address)).to.deep.equal(fields(true));
      await time.increaseTo(report.validUntil + 1n); // expired: `valid` false, the model still approved
      expect((await oracle.scoreOf(borrower.address))[5]).to.equal(false);
      expect(await oracle.positionScoreOf(borrower.address)).to.deep.equal(fields(true));
      await oracle.connect(regulator).retireModel(MODEL_ID);
      expect(await oracle.positionScoreOf(borrower.address)).to.deep.equal(fields(false));
    });

    it("loanScoreOf turns invalid with scoreOf when the model is retired", async function () {
      const { oracle, regulator, makeReport, sign, operators, borrower } =
        await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport();
      await oracle.submitScore(report, await sign(report, operators.slice(0, 3)));
      expect((await oracle.loanScoreOf(borrower.address))[4]).to.equal(true);
      await oracle.connect(regulator).retireModel(MODEL_ID);
      expect(await oracle.loanScoreOf(borrower.address)).to.deep.equal([
        BigInt(report.pdBps),
        MODEL_ID,
        report.issuedAt,
        BigInt(await time.latest()) - 1n, // posted one block before the retirement
        false,
      ]);
      expect((await oracle.scoreOf(borrower.address))[5]).to.equal(false);
    });

    describe("report fields", function () {
      it("accepts pdBps = 10000 and rejects 10001", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const tooHigh = await makeReport({ pdBps: 10_001 });
        await expect(oracle.submitScore(tooHigh, await sign(tooHigh, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleReportInvalid")
          .withArgs(field("pdBps"));
        const max = await makeReport({ pdBps: 10_000 });
        await expect(oracle.submitScore(max, await sign(max, operators.slice(0, 3)))).to.emit(oracle, "ScorePosted");
      });

      it("rejects a zero borrower", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport({ borrower: ethers.ZeroAddress });
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleReportInvalid")
          .withArgs(field("borrower"));
      });

      it("requires validUntil > issuedAt (equal rejected, one more accepted)", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const now = BigInt(await time.latest()) + 10n;
        const equal = await makeReport({ issuedAt: now, validUntil: now });
        await expect(oracle.submitScore(equal, await sign(equal, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleReportInvalid")
          .withArgs(field("validUntil"));
        const after = await makeReport({ issuedAt: now, validUntil: now + 1n });
        await expect(oracle.submitScore(after, await sign(after, operators.slice(0, 3)))).to.emit(
          oracle,
          "ScorePosted",
        );
      });

      it("rejects validUntil beyond uint40 (stored in 40 bits) and accepts the uint40 maximum", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const beyond = await makeReport({ validUntil: UINT40_MAX + 1n });
        await expect(oracle.submitScore(beyond, await sign(beyond, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleReportInvalid")
          .withArgs(field("validUntil"));
        const max = await makeReport({ validUntil: UINT40_MAX });
        await expect(oracle.submitScore(max, await sign(max, operators.slice(0, 3)))).to.emit(oracle, "ScorePosted");
      });
    });

    describe("signatures", function () {
      it("rejects signatures whose length is not a positive multiple of 65", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        const signatures = await sign(report, operators.slice(0, 3));
        await expect(oracle.submitScore(report, signatures.slice(0, -2)))
          .to.be.revertedWithCustomError(oracle, "OracleSignaturesMalformed")
          .withArgs(194n);
        await expect(oracle.submitScore(report, "0x"))
          .to.be.revertedWithCustomError(oracle, "OracleSignaturesMalformed")
          .withArgs(0n);
      });

      it("rejects a forged signature (report altered after signing)", async function () {
        const { oracle, domain, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const signed = await makeReport({ pdBps: 9_500 });
        const signatures = await sign(signed, operators.slice(0, 3));
        const forged = { ...signed, pdBps: 100 };
        const firstSignature = ethers.dataSlice(signatures, 0, 65);
        await expect(oracle.submitScore(forged, signatures))
          .to.be.revertedWithCustomError(oracle, "OracleUnknownSigner")
          .withArgs(recovered(domain, forged, firstSignature));
      });

      it("rejects an unregistered signer", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const [outsider] = wallets("outsider", 1);
        const report = await makeReport();
        await expect(oracle.submitScore(report, await sign(report, [operators[0]!, operators[1]!, outsider!])))
          .to.be.revertedWithCustomError(oracle, "OracleUnknownSigner")
          .withArgs(outsider!.address);
      });

      it("rejects a duplicate signer", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        await expect(oracle.submitScore(report, await sign(report, [operators[0]!, operators[1]!, operators[0]!])))
          .to.be.revertedWithCustomError(oracle, "OracleDuplicateSigner")
          .withArgs(operators[0]!.address);
      });

      it("rejects fewer than k signatures and accepts exactly k", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 2))))
          .to.be.revertedWithCustomError(oracle, "OracleBelowThreshold")
          .withArgs(2n, BigInt(THRESHOLD));
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3)))).to.emit(
          oracle,
          "ScorePosted",
        );
      });

      it("rejects a malleable (high-s) signature", async function () {
        const { oracle, domain, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        const good = await signScoreReport(operators[2]!, domain, report);
        const { r, s, v } = ethers.Signature.from(good);
        const highS = ethers.toBeHex(SECP256K1_N - BigInt(s), 32);
        const malleable = ethers.concat([r, highS, ethers.toBeHex(v === 27 ? 28 : 27, 1)]);
        // The twin (r, n - s, flipped v) recovers the same operator with a bare ecrecover; only the low-s rule
        // (EIP-2, enforced by OpenZeppelin's ECDSA.tryRecover) rejects it.
        const signatures = ethers.concat([await sign(report, operators.slice(0, 2)), malleable]);
        await expect(oracle.submitScore(report, signatures))
          .to.be.revertedWithCustomError(oracle, "OracleInvalidSignature")
          .withArgs(2n);
      });

      it("rejects a signature with an invalid v", async function () {
        const { oracle, domain, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        const good = await signScoreReport(operators[0]!, domain, report);
        const badV = ethers.concat([ethers.dataSlice(good, 0, 64), "0x1d"]);
        await expect(oracle.submitScore(report, ethers.concat([badV, await sign(report, operators.slice(1, 3))])))
          .to.be.revertedWithCustomError(oracle, "OracleInvalidSignature")
          .withArgs(0n);
      });

      it("rejects a report signed for another chain id", async function () {
        const { oracle, oracleAddress, domain, makeReport, sign, operators } =
          await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        const otherChain = scoreReportDomain(domain.chainId + 1n, oracleAddress);
        const signatures = await sign(report, operators.slice(0, 3), otherChain);
        await expect(oracle.submitScore(report, signatures))
          .to.be.revertedWithCustomError(oracle, "OracleUnknownSigner")
          .withArgs(recovered(domain, report, ethers.dataSlice(signatures, 0, 65)));
      });

      it("rejects a report signed for another contract address", async function () {
        const { oracle, domain, makeReport, sign, operators, stranger } =
          await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        const otherContract = scoreReportDomain(domain.chainId, stranger.address);
        const signatures = await sign(report, operators.slice(0, 3), otherContract);
        await expect(oracle.submitScore(report, signatures))
          .to.be.revertedWithCustomError(oracle, "OracleUnknownSigner")
          .withArgs(recovered(domain, report, ethers.dataSlice(signatures, 0, 65)));
      });
    });

    describe("freshness", function () {
      it("rejects a replay of the same report", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        const signatures = await sign(report, operators.slice(0, 3));
        await oracle.submitScore(report, signatures);
        await expect(oracle.submitScore(report, signatures))
          .to.be.revertedWithCustomError(oracle, "OracleReportNotNewer")
          .withArgs(report.issuedAt, report.issuedAt);
      });

      it("rejects a replay of an older report", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const older = await makeReport({ pdBps: 100 });
        const olderSignatures = await sign(older, operators.slice(0, 3));
        const newer = await makeReport({ issuedAt: older.issuedAt + 60n, pdBps: 8_000 });
        await oracle.submitScore(newer, await sign(newer, operators.slice(0, 3)));
        await expect(oracle.submitScore(older, olderSignatures))
          .to.be.revertedWithCustomError(oracle, "OracleReportNotNewer")
          .withArgs(older.issuedAt, newer.issuedAt);
      });

      it("rejects an expired report (validUntil = now - 1) and accepts validUntil = now", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const now = BigInt(await time.latest()) + 100n;
        const expired = await makeReport({ issuedAt: now - HOUR, validUntil: now - 1n });
        const expiredSignatures = await sign(expired, operators.slice(0, 3));
        await time.setNextBlockTimestamp(now);
        await expect(oracle.submitScore(expired, expiredSignatures))
          .to.be.revertedWithCustomError(oracle, "OracleReportExpired")
          .withArgs(now - 1n, now);
        const lastSecond = await makeReport({ issuedAt: now - HOUR, validUntil: now + 1n });
        const lastSignatures = await sign(lastSecond, operators.slice(0, 3));
        await time.setNextBlockTimestamp(now + 1n);
        await expect(oracle.submitScore(lastSecond, lastSignatures)).to.emit(oracle, "ScorePosted");
      });

      it("accepts issuedAt = now + 5 minutes and rejects one second more", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const now = BigInt(await time.latest()) + 100n;
        const tooEarly = await makeReport({ issuedAt: now + 301n, validUntil: now + HOUR });
        const tooEarlySignatures = await sign(tooEarly, operators.slice(0, 3));
        await time.setNextBlockTimestamp(now);
        await expect(oracle.submitScore(tooEarly, tooEarlySignatures))
          .to.be.revertedWithCustomError(oracle, "OracleReportFromFuture")
          .withArgs(now + 301n, now + 300n);
        const edge = await makeReport({ issuedAt: now + 301n, validUntil: now + HOUR });
        await time.setNextBlockTimestamp(now + 1n);
        await expect(oracle.submitScore(edge, await sign(edge, operators.slice(0, 3)))).to.emit(oracle, "ScorePosted");
      });
    });

    describe("models", function () {
      it("rejects a report from a proposed, not yet approved, model", async function () {
        const { oracle, regulator, makeReport, sign, operators } =
          await networkHelpers.loadFixture(deployOracleFixture);
        await oracle.connect(regulator).proposeModel(OTHER_MODEL_ID, VALIDATION_REPORT_HASH);
        const report = await makeReport({ modelId: OTHER_MODEL_ID });
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleModelNotApproved")
          .withArgs(OTHER_MODEL_ID, Status.Proposed);
      });

      it("rejects a report from an unknown model", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport({ modelId: OTHER_MODEL_ID });
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleModelNotApproved")
          .withArgs(OTHER_MODEL_ID, Status.None);
      });

      it("rejects new reports from a retired model, and its stored scores stop counting", async function () {
        const { oracle, regulator, makeReport, sign, operators, borrower } =
          await networkHelpers.loadFixture(deployOracleFixture);
        const stored = await makeReport();
        await oracle.submitScore(stored, await sign(stored, operators.slice(0, 3)));
        await expect(oracle.connect(regulator).retireModel(MODEL_ID))
          .to.emit(oracle, "ModelRetired")
          .withArgs(MODEL_ID);
        expect(await oracle.scoreOf(borrower.address)).to.deep.equal(scoreTuple(stored, false));
        const next = await makeReport({ issuedAt: stored.issuedAt + 1n });
        await expect(oracle.submitScore(next, await sign(next, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleModelNotApproved")
          .withArgs(MODEL_ID, Status.Retired);
      });
    });

    describe("operator set versions", function () {
      it("voids a report signed under a retired operator set version", async function () {
        const { oracle, governance, makeReport, sign, operators } =
          await networkHelpers.loadFixture(deployOracleFixture);
        const underVersion1 = await makeReport();
        const signatures = await sign(underVersion1, operators.slice(0, 3));
        // Same members, new version: the version alone voids the old report.
        await oracle.connect(governance).setOperators(
          operators.slice(0, 5).map((w) => w.address),
          THRESHOLD,
        );
        await expect(oracle.submitScore(underVersion1, signatures))
          .to.be.revertedWithCustomError(oracle, "OracleOperatorSetRetired")
          .withArgs(1n, 2n);
      });

      it("rejects removed operators under the new version and accepts the new members", async function () {
        const { oracle, governance, makeReport, sign, operators } =
          await networkHelpers.loadFixture(deployOracleFixture);
        await oracle.connect(governance).setOperators(
          operators.slice(2, 7).map((w) => w.address),
          THRESHOLD,
        );
        const report = await makeReport();
        expect(report.operatorSetVersion).to.equal(2n);
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleUnknownSigner")
          .withArgs(operators[0]!.address);
        await expect(oracle.submitScore(report, await sign(report, operators.slice(4, 7)))).to.emit(
          oracle,
          "ScorePosted",
        );
      });

      it("rejects a report claiming a future version", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport({ operatorSetVersion: 2n });
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleOperatorSetRetired")
          .withArgs(2n, 1n);
      });
    });

    describe("verifier", function () {
      async function withVerifierFixture() {
        const base = await deployOracleFixture();
        const verifier = await ethers.deployContract("ScoreVerifierStub");
        await base.oracle.connect(base.governance).setScoreVerifier(await verifier.getAddress());
        return { ...base, verifier };
      }

      it("rejects submitScore without a proof while a verifier is set", async function () {
        const { oracle, verifier, makeReport, sign, operators } = await networkHelpers.loadFixture(withVerifierFixture);
        const report = await makeReport();
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
          .to.be.revertedWithCustomError(oracle, "OracleVerifierRejected")
          .withArgs(await verifier.getAddress());
      });

      it("accepts submitScoreWithProof with a proof the verifier accepts, and rejects a bad proof", async function () {
        const { oracle, verifier, makeReport, sign, operators, borrower } =
          await networkHelpers.loadFixture(withVerifierFixture);
        const report = await makeReport();
        const signatures = await sign(report, operators.slice(0, 3));
        const coder = ethers.AbiCoder.defaultAbiCoder();
        await expect(oracle.submitScoreWithProof(report, signatures, coder.encode(["address"], [ethers.ZeroAddress])))
          .to.be.revertedWithCustomError(oracle, "OracleVerifierRejected")
          .withArgs(await verifier.getAddress());
        await expect(
          oracle.submitScoreWithProof(report, signatures, coder.encode(["address"], [borrower.address])),
        ).to.emit(oracle, "ScorePosted");
      });

      it("emits old and new verifier and goes back to no verifier with the zero address", async function () {
        const { oracle, verifier, governance, makeReport, sign, operators } =
          await networkHelpers.loadFixture(withVerifierFixture);
        const verifierAddress = await verifier.getAddress();
        expect(await oracle.scoreVerifier()).to.equal(verifierAddress);
        await expect(oracle.connect(governance).setScoreVerifier(ethers.ZeroAddress))
          .to.emit(oracle, "ScoreVerifierSet")
          .withArgs(verifierAddress, ethers.ZeroAddress);
        const report = await makeReport();
        const signatures = await sign(report, operators.slice(0, 3));
        await expect(oracle.submitScore(report, signatures)).to.emit(oracle, "ScorePosted");
      });

      it("accepts submitScoreWithProof without a verifier (the proof is ignored)", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport();
        await expect(oracle.submitScoreWithProof(report, await sign(report, operators.slice(0, 3)), "0x1234")).to.emit(
          oracle,
          "ScorePosted",
        );
      });
    });

    describe("adverse action", function () {
      async function withPolicyFixture() {
        const base = await deployOracleFixture();
        const policy = await ethers.deployContract("ApprovalThresholdStub", [2_500]);
        await policy.setScoreOracle(base.oracleAddress);
        await base.oracle.connect(base.governance).setPolicy(await policy.getAddress());
        return { ...base, policy };
      }

      it("emits AdverseAction when the PD is above the policy's approval threshold", async function () {
        const { oracle, makeReport, sign, operators, borrower } = await networkHelpers.loadFixture(withPolicyFixture);
        const report = await makeReport({ pdBps: 2_501, reasonCodes: [12, 4, 0, 0] });
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
          .to.emit(oracle, "AdverseAction")
          .withArgs(borrower.address, MODEL_ID, 2_501, [12, 4, 0, 0]);
      });

      it("emits no AdverseAction at exactly the threshold", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(withPolicyFixture);
        const report = await makeReport({ pdBps: 2_500 });
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3)))).not.to.emit(
          oracle,
          "AdverseAction",
        );
      });

      it("emits no AdverseAction without a policy", async function () {
        const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
        const report = await makeReport({ pdBps: 10_000 });
        await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3)))).not.to.emit(
          oracle,
          "AdverseAction",
        );
      });

      it("emits old and new policy", async function () {
        const { oracle, policy, governance } = await networkHelpers.loadFixture(withPolicyFixture);
        const policyAddress = await policy.getAddress();
        expect(await oracle.policy()).to.equal(policyAddress);
        await expect(oracle.connect(governance).setPolicy(ethers.ZeroAddress))
          .to.emit(oracle, "PolicySet")
          .withArgs(policyAddress, ethers.ZeroAddress);
      });

      it("emits AdverseAction against the synced threshold: at threshold + 1, not at the threshold", async function () {
        const { oracle, oracleAddress, policy, makeReport, sign, operators } =
          await networkHelpers.loadFixture(withPolicyFixture);
        await policy.pushApprovalThreshold(oracleAddress, 3_000);
        expect(await oracle.approvalThresholdBps()).to.equal(3_000);
        const atThreshold = await makeReport({ pdBps: 3_000 });
        await expect(oracle.submitScore(atThreshold, await sign(atThreshold, operators.slice(0, 3)))).not.to.emit(
          oracle,
          "AdverseAction",
        );
        // The old threshold no longer applies: 2,501 (adverse before) is approved now.
        const underOld = await makeReport({ pdBps: 2_501, issuedAt: atThreshold.issuedAt + 1n });
        await expect(oracle.submitScore(underOld, await sign(underOld, operators.slice(0, 3)))).not.to.emit(
          oracle,
          "AdverseAction",
        );
        const above = await makeReport({ pdBps: 3_001, issuedAt: atThreshold.issuedAt + 2n });
        await expect(oracle.submitScore(above, await sign(above, operators.slice(0, 3))))
          .to.emit(oracle, "AdverseAction")
          .withArgs(above.borrower, MODEL_ID, 3_001, above.reasonCodes);
      });
    });

    describe("approval threshold copy (policy link)", function () {
      async function stubsFixture() {
        const base = await deployOracleFixture();
        const linked = await ethers.deployContract("ApprovalThresholdStub", [2_500]);
        await linked.setScoreOracle(base.oracleAddress);
        const other = await ethers.deployContract("ApprovalThresholdStub", [1_800]);
        await other.setScoreOracle(base.oracleAddress);
        return {
          ...base,
          linked,
          linkedAddress: await linked.getAddress(),
          other,
          otherAddress: await other.getAddress(),
        };
      }

      it("starts with no policy and a zero copy", async function () {
        const { oracle } = await networkHelpers.loadFixture(deployOracleFixture);
        expect(await oracle.policy()).to.equal(ethers.ZeroAddress);
        expect(await oracle.approvalThresholdBps()).to.equal(0);
      });

      it("setPolicy rejects a policy not linked to any oracle, or linked to another oracle", async function () {
        const { oracle, governance, linked, linkedAddress } = await networkHelpers.loadFixture(stubsFixture);
        const unlinked = await ethers.deployContract("ApprovalThresholdStub", [2_500]);
        const unlinkedAddress = await unlinked.getAddress();
        await expect(oracle.connect(governance).setPolicy(unlinkedAddress))
          .to.be.revertedWithCustomError(oracle, "OraclePolicyNotLinked")
          .withArgs(unlinkedAddress, ethers.ZeroAddress);
        const otherOracle = ethers.Wallet.createRandom().address;
        await linked.setScoreOracle(otherOracle);
        await expect(oracle.connect(governance).setPolicy(linkedAddress))
          .to.be.revertedWithCustomError(oracle, "OraclePolicyNotLinked")
          .withArgs(linkedAddress, otherOracle);
        // An account that is no policy at all (no code) cannot answer scoreOracle().
        await expect(oracle.connect(governance).setPolicy(otherOracle)).to.be.revert(ethers);
        expect(await oracle.policy()).to.equal(ethers.ZeroAddress);
        expect(await oracle.approvalThresholdBps()).to.equal(0);
      });

      it("setPolicy of a linked policy copies its threshold; re-pointing and clearing re-read or zero it", async function () {
        const { oracle, governance, linkedAddress, otherAddress } = await networkHelpers.loadFixture(stubsFixture);
        await expect(oracle.connect(governance).setPolicy(linkedAddress))
          .to.emit(oracle, "PolicySet")
          .withArgs(ethers.ZeroAddress, linkedAddress)
          .and.to.emit(oracle, "ApprovalThresholdSynced")
          .withArgs(linkedAddress, 0, 2_500);
        expect(await oracle.approvalThresholdBps()).to.equal(2_500);
        await expect(oracle.connect(governance).setPolicy(otherAddress))
          .to.emit(oracle, "ApprovalThresholdSynced")
          .withArgs(otherAddress, 2_500, 1_800);
        expect(await oracle.approvalThresholdBps()).to.equal(1_800);
        await expect(oracle.connect(governance).setPolicy(ethers.ZeroAddress))
          .to.emit(oracle, "PolicySet")
          .withArgs(otherAddress, ethers.ZeroAddress)
          .and.to.emit(oracle, "ApprovalThresholdSynced")
          .withArgs(ethers.ZeroAddress, 1_800, 0);
        expect(await oracle.approvalThresholdBps()).to.equal(0);
        // The operator set in the same slot is untouched by all of this.
        const [version, threshold] = await oracle.operatorSet();
        expect([version, threshold]).to.deep.equal([1n, BigInt(THRESHOLD)]);
      });

      it("syncApprovalThreshold: the linked policy may, with (policy, old, new); anyone else reverts naming the caller", async function () {
        const { oracle, oracleAddress, governance, regulator, stranger, linked, linkedAddress, other, otherAddress } =
          await networkHelpers.loadFixture(stubsFixture);
        // No policy yet: even a policy linked to this oracle is refused.
        await expect(linked.pushApprovalThreshold(oracleAddress, 2_600))
          .to.be.revertedWithCustomError(oracle, "OracleCallerNotPolicy")
          .withArgs(linkedAddress, ethers.ZeroAddress);
        await oracle.connect(governance).setPolicy(linkedAddress);
        await expect(linked.pushApprovalThreshold(oracleAddress, 2_600))
          .to.emit(oracle, "ApprovalThresholdSynced")
          .withArgs(linkedAddress, 2_500, 2_600);
        expect(await oracle.approvalThresholdBps()).to.equal(2_600);
        for (const caller of [governance, regulator, stranger]) {
          await expect(oracle.connect(caller).syncApprovalThreshold(0))
            .to.be.revertedWithCustomError(oracle, "OracleCallerNotPolicy")
            .withArgs(caller.address, linkedAddress);
        }
        // Another policy linked to this oracle, but not the one it uses.
        await expect(other.pushApprovalThreshold(oracleAddress, 100))
          .to.be.revertedWithCustomError(oracle, "OracleCallerNotPolicy")
          .withArgs(otherAddress, linkedAddress);
        expect(await oracle.approvalThresholdBps()).to.equal(2_600);
        // Once the oracle points elsewhere, the former policy is refused too.
        await oracle.connect(governance).setPolicy(otherAddress);
        await expect(linked.pushApprovalThreshold(oracleAddress, 2_700))
          .to.be.revertedWithCustomError(oracle, "OracleCallerNotPolicy")
          .withArgs(linkedAddress, otherAddress);
        await expect(other.pushApprovalThreshold(oracleAddress, 1_900))
          .to.emit(oracle, "ApprovalThresholdSynced")
          .withArgs(otherAddress, 1_800, 1_900);
      });
    });
  });

  describe("push and pull flows", function () {
    it("push: requestScore emits incrementing request ids; a node's submitScore answers", async function () {
      const { oracle, makeReport, sign, operators, borrower, stranger, submitter } =
        await networkHelpers.loadFixture(deployOracleFixture);
      const applicationHash = ethers.id("application #1");
      await expect(oracle.connect(borrower).requestScore(applicationHash))
        .to.emit(oracle, "ScoreRequested")
        .withArgs(borrower.address, 1n, applicationHash);
      await expect(oracle.connect(stranger).requestScore(ethers.ZeroHash))
        .to.emit(oracle, "ScoreRequested")
        .withArgs(stranger.address, 2n, ethers.ZeroHash);
      const report = await makeReport();
      await expect(oracle.connect(submitter).submitScore(report, await sign(report, operators.slice(0, 3))))
        .to.emit(oracle, "ScorePosted")
        .withArgs(
          borrower.address,
          MODEL_ID,
          PROVIDER_ID,
          report.pdBps,
          report.reasonCodes,
          report.issuedAt,
          report.validUntil,
          1n,
          report.creditFileHash,
        );
    });

    it("pull: a contract forwards the signed report and reads the score in the same call", async function () {
      const { oracle, oracleAddress, makeReport, sign, operators, borrower } =
        await networkHelpers.loadFixture(deployOracleFixture);
      const consumer = await ethers.deployContract("ScoreConsumerHarness", [oracleAddress]);
      const report = await makeReport({ pdBps: 777 });
      const tx = consumer.connect(borrower).consume(report, await sign(report, operators.slice(0, 3)));
      await expect(tx).to.emit(oracle, "ScorePosted");
      await expect(tx).to.emit(consumer, "ScoreConsumed").withArgs(borrower.address, 777, true);
    });
  });

  describe("data-provider registry", function () {
    it("approves a provider with its name, keys, schema and assessment, and emits DataProviderApproved", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const id = ethers.Wallet.createRandom().address;
      const keys = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address];
      expect(await oracle.providerInfo(id)).to.deep.equal([
        BigInt(ProviderStatus.None),
        "",
        [],
        ethers.ZeroHash,
        ethers.ZeroHash,
      ]);
      await expect(oracle.connect(regulator).approveProvider(id, "Second Bureau", keys, SCHEMA_HASH, DATA_QUALITY_HASH))
        .to.emit(oracle, "DataProviderApproved")
        .withArgs(id, "Second Bureau", keys, SCHEMA_HASH, DATA_QUALITY_HASH);
      expect(await oracle.providerInfo(id)).to.deep.equal([
        BigInt(ProviderStatus.Approved),
        "Second Bureau",
        keys,
        SCHEMA_HASH,
        DATA_QUALITY_HASH,
      ]);
    });

    it("re-approves an approved provider with new terms (key rotation), replacing the old keys", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const rotated = ethers.Wallet.createRandom().address;
      const newAssessment = ethers.id("2027 assessment");
      await expect(
        oracle.connect(regulator).approveProvider(PROVIDER_ID, "Test Bureau", [rotated], SCHEMA_HASH, newAssessment),
      )
        .to.emit(oracle, "DataProviderApproved")
        .withArgs(PROVIDER_ID, "Test Bureau", [rotated], SCHEMA_HASH, newAssessment);
      expect((await oracle.providerInfo(PROVIDER_ID))[2]).to.deep.equal([rotated]);
    });

    it("retires an approved provider and emits DataProviderRetired; retirement is final", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      await expect(oracle.connect(regulator).retireProvider(PROVIDER_ID))
        .to.emit(oracle, "DataProviderRetired")
        .withArgs(PROVIDER_ID);
      expect((await oracle.providerInfo(PROVIDER_ID))[0]).to.equal(BigInt(ProviderStatus.Retired));
      await expect(oracle.connect(regulator).retireProvider(PROVIDER_ID))
        .to.be.revertedWithCustomError(oracle, "OracleProviderStatusTransition")
        .withArgs(PROVIDER_ID, ProviderStatus.Retired, ProviderStatus.Retired);
      await expect(
        oracle
          .connect(regulator)
          .approveProvider(PROVIDER_ID, "Test Bureau", [PROVIDER_KEY], SCHEMA_HASH, DATA_QUALITY_HASH),
      )
        .to.be.revertedWithCustomError(oracle, "OracleProviderStatusTransition")
        .withArgs(PROVIDER_ID, ProviderStatus.Retired, ProviderStatus.Approved);
    });

    it("cannot retire a provider that was never approved", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const unknown = ethers.Wallet.createRandom().address;
      await expect(oracle.connect(regulator).retireProvider(unknown))
        .to.be.revertedWithCustomError(oracle, "OracleProviderStatusTransition")
        .withArgs(unknown, ProviderStatus.None, ProviderStatus.Retired);
    });

    it("refuses a zero id, an empty name, no keys, a zero key and a zero schema, naming the argument", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const id = ethers.Wallet.createRandom().address;
      const asRegulator = oracle.connect(regulator);
      const cases: [string, Promise<unknown>][] = [
        [
          "provider",
          asRegulator.approveProvider(ethers.ZeroAddress, "B", [PROVIDER_KEY], SCHEMA_HASH, ethers.ZeroHash),
        ],
        ["name", asRegulator.approveProvider(id, "", [PROVIDER_KEY], SCHEMA_HASH, ethers.ZeroHash)],
        ["signingKeys", asRegulator.approveProvider(id, "B", [], SCHEMA_HASH, ethers.ZeroHash)],
        [
          "signingKeys",
          asRegulator.approveProvider(id, "B", [PROVIDER_KEY, ethers.ZeroAddress], SCHEMA_HASH, ethers.ZeroHash),
        ],
        ["schemaHash", asRegulator.approveProvider(id, "B", [PROVIDER_KEY], ethers.ZeroHash, ethers.ZeroHash)],
      ];
      for (const [name, call] of cases) {
        await expect(call, name).to.be.revertedWithCustomError(oracle, "OracleInvalidArgument").withArgs(field(name));
      }
      // One of each on the accepted side: a one-letter name, one key, a zero assessment hash (not yet assessed).
      await expect(asRegulator.approveProvider(id, "B", [PROVIDER_KEY], SCHEMA_HASH, ethers.ZeroHash)).to.emit(
        oracle,
        "DataProviderApproved",
      );
    });

    it("accepts a report from an approved provider and refuses one from a never-approved provider", async function () {
      const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
      const unknown = ethers.Wallet.createRandom().address;
      const refused = await makeReport({ provider: unknown });
      await expect(oracle.submitScore(refused, await sign(refused, operators.slice(0, 3))))
        .to.be.revertedWithCustomError(oracle, "OracleProviderNotApproved")
        .withArgs(unknown, ProviderStatus.None);
      const accepted = await makeReport();
      await expect(oracle.submitScore(accepted, await sign(accepted, operators.slice(0, 3)))).to.emit(
        oracle,
        "ScorePosted",
      );
    });

    it("refuses a report from a provider retired after it was signed", async function () {
      const { oracle, regulator, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport();
      const signatures = await sign(report, operators.slice(0, 3));
      await oracle.connect(regulator).retireProvider(PROVIDER_ID);
      await expect(oracle.submitScore(report, signatures))
        .to.be.revertedWithCustomError(oracle, "OracleProviderNotApproved")
        .withArgs(PROVIDER_ID, ProviderStatus.Retired);
    });

    it("refuses a report that names no credit file", async function () {
      const { oracle, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
      const report = await makeReport({ creditFileHash: ethers.ZeroHash });
      await expect(oracle.submitScore(report, await sign(report, operators.slice(0, 3))))
        .to.be.revertedWithCustomError(oracle, "OracleReportInvalid")
        .withArgs(field("creditFileHash"));
    });

    it("binds the provider and the file into the signed digest: changing either voids the signatures", async function () {
      const { oracle, regulator, makeReport, sign, operators } = await networkHelpers.loadFixture(deployOracleFixture);
      const other = ethers.Wallet.createRandom().address;
      await oracle
        .connect(regulator)
        .approveProvider(other, "Other Bureau", [PROVIDER_KEY], SCHEMA_HASH, ethers.ZeroHash);
      const report = await makeReport();
      const signatures = await sign(report, operators.slice(0, 3));
      for (const changed of [
        { ...report, provider: other },
        { ...report, creditFileHash: ethers.id("another file") },
      ]) {
        await expect(oracle.submitScore(changed, signatures)).to.be.revertedWithCustomError(
          oracle,
          "OracleUnknownSigner",
        );
      }
      await expect(oracle.submitScore(report, signatures)).to.emit(oracle, "ScorePosted");
    });
  });

  describe("model registry", function () {
    it("proposes with a 1-based index and the validation report hash, then approves and retires", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const reportHash = ethers.id("v2 validation");
      await expect(oracle.connect(regulator).proposeModel(OTHER_MODEL_ID, reportHash))
        .to.emit(oracle, "ModelProposed")
        .withArgs(OTHER_MODEL_ID, reportHash, 2n);
      expect(await oracle.modelInfo(OTHER_MODEL_ID)).to.deep.equal([BigInt(Status.Proposed), reportHash]);
      await expect(oracle.connect(regulator).approveModel(OTHER_MODEL_ID))
        .to.emit(oracle, "ModelApproved")
        .withArgs(OTHER_MODEL_ID);
      expect((await oracle.modelInfo(OTHER_MODEL_ID))[0]).to.equal(BigInt(Status.Approved));
      await expect(oracle.connect(regulator).retireModel(OTHER_MODEL_ID))
        .to.emit(oracle, "ModelRetired")
        .withArgs(OTHER_MODEL_ID);
      expect(await oracle.modelInfo(OTHER_MODEL_ID)).to.deep.equal([BigInt(Status.Retired), reportHash]);
    });

    it("retires a proposed model directly", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      await oracle.connect(regulator).proposeModel(OTHER_MODEL_ID, VALIDATION_REPORT_HASH);
      await expect(oracle.connect(regulator).retireModel(OTHER_MODEL_ID)).to.emit(oracle, "ModelRetired");
    });

    it("rejects every other status transition", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const asRegulator = oracle.connect(regulator);
      const unknown = ethers.id("unknown model");
      // None -> Approved, None -> Retired
      await expect(asRegulator.approveModel(unknown))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(unknown, Status.None, Status.Approved);
      await expect(asRegulator.retireModel(unknown))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(unknown, Status.None, Status.Retired);
      // Approved -> Proposed, Approved -> Approved
      await expect(asRegulator.proposeModel(MODEL_ID, VALIDATION_REPORT_HASH))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(MODEL_ID, Status.Approved, Status.Proposed);
      await expect(asRegulator.approveModel(MODEL_ID))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(MODEL_ID, Status.Approved, Status.Approved);
      // Proposed -> Proposed
      await asRegulator.proposeModel(OTHER_MODEL_ID, VALIDATION_REPORT_HASH);
      await expect(asRegulator.proposeModel(OTHER_MODEL_ID, VALIDATION_REPORT_HASH))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(OTHER_MODEL_ID, Status.Proposed, Status.Proposed);
      // Retired -> anything
      await asRegulator.retireModel(MODEL_ID);
      await expect(asRegulator.approveModel(MODEL_ID))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(MODEL_ID, Status.Retired, Status.Approved);
      await expect(asRegulator.retireModel(MODEL_ID))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(MODEL_ID, Status.Retired, Status.Retired);
      await expect(asRegulator.proposeModel(MODEL_ID, VALIDATION_REPORT_HASH))
        .to.be.revertedWithCustomError(oracle, "OracleModelStatusTransition")
        .withArgs(MODEL_ID, Status.Retired, Status.Proposed);
    });

    it("rejects a zero model id", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      await expect(oracle.connect(regulator).proposeModel(ethers.ZeroHash, VALIDATION_REPORT_HASH))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("modelId"));
    });

    it("publishes a fairness report and validates its arguments", async function () {
      const { oracle, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const asRegulator = oracle.connect(regulator);
      const reportHash = ethers.id("fairness Q1");
      await expect(asRegulator.publishFairnessReport(MODEL_ID, 100n, 200n, 10_000, 12_500, reportHash))
        .to.emit(oracle, "FairnessReportPublished")
        .withArgs(MODEL_ID, 100n, 200n, 10_000, 12_500, reportHash);
      await expect(asRegulator.publishFairnessReport(OTHER_MODEL_ID, 100n, 200n, 0, 0, reportHash))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("modelId"));
      await expect(asRegulator.publishFairnessReport(MODEL_ID, 200n, 200n, 0, 0, reportHash))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("period"));
      await expect(asRegulator.publishFairnessReport(MODEL_ID, 100n, 200n, 10_001, 0, reportHash))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("eodBps"));
    });

    it("publishes a drift-monitoring report from a current operator only, and validates its arguments", async function () {
      const { oracle, governance, operators, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      const [member, spare] = [operators[0]!, operators[5]!].map((w) => w.connect(ethers.provider));
      for (const w of [member!, spare!]) await networkHelpers.setBalance(w.address, 10n ** 18n);
      const summaryHash = ethers.id("window summary");
      await expect(oracle.connect(member!).publishMonitoringReport(MODEL_ID, 100n, 200n, 1000, 4321, summaryHash))
        .to.emit(oracle, "MonitoringReportPublished")
        .withArgs(MODEL_ID, member!.address, 100n, 200n, 1000, 4321, summaryHash);
      for (const caller of [spare!, regulator]) {
        await expect(oracle.connect(caller).publishMonitoringReport(MODEL_ID, 100n, 200n, 1000, 4321, summaryHash))
          .to.be.revertedWithCustomError(oracle, "OracleCallerNotOperator")
          .withArgs(await caller.getAddress());
      }
      await expect(oracle.connect(member!).publishMonitoringReport(OTHER_MODEL_ID, 100n, 200n, 1, 0, summaryHash))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("modelId"));
      await expect(oracle.connect(member!).publishMonitoringReport(MODEL_ID, 201n, 200n, 1, 0, summaryHash))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("window"));
      await expect(oracle.connect(member!).publishMonitoringReport(MODEL_ID, 100n, 200n, 0, 0, summaryHash))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidArgument")
        .withArgs(field("applications"));
      // A member of a retired set is no longer an operator.
      await oracle.connect(governance).setOperators(
        operators.slice(1, 6).map((w) => w.address),
        3,
      );
      await expect(oracle.connect(member!).publishMonitoringReport(MODEL_ID, 100n, 200n, 1, 0, summaryHash))
        .to.be.revertedWithCustomError(oracle, "OracleCallerNotOperator")
        .withArgs(member!.address);
      await expect(oracle.connect(spare!).publishMonitoringReport(MODEL_ID, 100n, 200n, 1, 0, summaryHash)).to.emit(
        oracle,
        "MonitoringReportPublished",
      );
    });
  });

  describe("operator set", function () {
    it("bumps the version and emits the set on every change", async function () {
      const { oracle, governance, operators } = await networkHelpers.loadFixture(deployOracleFixture);
      const members = operators.slice(3, 7).map((w) => w.address);
      await expect(oracle.connect(governance).setOperators(members, 4))
        .to.emit(oracle, "OperatorSetChanged")
        .withArgs(2n, members, 4);
      expect(await oracle.operatorSet()).to.deep.equal([2n, 4n, members]);
    });

    it("validates size, threshold, zero and duplicate members", async function () {
      const { oracle, governance, operators } = await networkHelpers.loadFixture(deployOracleFixture);
      const asGovernance = oracle.connect(governance);
      const members = operators.slice(0, 3).map((w) => w.address);
      const cases: [string[], number, string][] = [
        [[], 1, "size"],
        [members, 0, "threshold"],
        [members, 4, "threshold"],
        [[members[0]!, ethers.ZeroAddress, members[1]!], 2, "zero"],
        [[members[0]!, members[1]!, members[0]!], 2, "duplicate"],
      ];
      for (const [set, threshold, reason] of cases) {
        await expect(asGovernance.setOperators(set, threshold))
          .to.be.revertedWithCustomError(oracle, "OracleOperatorSetInvalid")
          .withArgs(field(reason));
      }
      const tooMany = Array.from({ length: 256 }, (_, i) => ethers.getAddress(ethers.toBeHex(i + 1, 20)));
      await expect(asGovernance.setOperators(tooMany, 1))
        .to.be.revertedWithCustomError(oracle, "OracleOperatorSetInvalid")
        .withArgs(field("size"));
      await expect(asGovernance.setOperators(members, 3)).to.emit(oracle, "OperatorSetChanged");
    });
  });

  describe("access control", function () {
    type Oracle = Awaited<ReturnType<typeof deployOracleFixture>>["oracle"];
    type Call = [name: string, role: string, call: (o: Oracle) => Promise<unknown>];
    // approveModel targets the model every test proposes first (see below).
    const calls: Call[] = [
      ["setOperators", GOVERNANCE, (o) => o.setOperators([ethers.Wallet.createRandom().address], 1)],
      ["setScoreVerifier", GOVERNANCE, (o) => o.setScoreVerifier(ethers.ZeroAddress)],
      ["setPolicy", GOVERNANCE, (o) => o.setPolicy(ethers.ZeroAddress)],
      ["proposeModel", REGULATOR, (o) => o.proposeModel(ethers.id("yet another model"), VALIDATION_REPORT_HASH)],
      ["approveModel", REGULATOR, (o) => o.approveModel(OTHER_MODEL_ID)],
      ["retireModel", REGULATOR, (o) => o.retireModel(MODEL_ID)],
      ["publishFairnessReport", REGULATOR, (o) => o.publishFairnessReport(MODEL_ID, 1n, 2n, 0, 0, ethers.ZeroHash)],
      [
        "approveProvider",
        REGULATOR,
        (o) =>
          o.approveProvider(ethers.Wallet.createRandom().address, "B", [PROVIDER_KEY], SCHEMA_HASH, ethers.ZeroHash),
      ],
      ["retireProvider", REGULATOR, (o) => o.retireProvider(PROVIDER_ID)],
    ];

    for (const [name, role, call] of calls) {
      const roleName = role === GOVERNANCE ? "governance" : "regulator";
      it(`${name}: only ${roleName}; the other role, the deployer and a stranger are refused`, async function () {
        const { oracle, deployer, governance, regulator, stranger } =
          await networkHelpers.loadFixture(deployOracleFixture);
        await oracle.connect(regulator).proposeModel(OTHER_MODEL_ID, VALIDATION_REPORT_HASH);
        const other = role === GOVERNANCE ? regulator : governance;
        for (const caller of [other, deployer, stranger]) {
          await expect(call(oracle.connect(caller)))
            .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
        const holder = role === GOVERNANCE ? governance : regulator;
        await expect(call(oracle.connect(holder))).not.to.be.revert(ethers);
      });
    }

    it("neither role can grant itself the other's role", async function () {
      const { oracle, governance, regulator } = await networkHelpers.loadFixture(deployOracleFixture);
      await expect(oracle.connect(governance).grantRole(REGULATOR, governance.address))
        .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
        .withArgs(governance.address, REGULATOR);
      await expect(oracle.connect(regulator).grantRole(GOVERNANCE, regulator.address))
        .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
        .withArgs(regulator.address, GOVERNANCE);
    });
  });
});
