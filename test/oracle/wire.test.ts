/** The peer wire schemas refuse malformed numbers with a parse failure, never an exception. */
import { expect } from "chai";

import { reportSchema } from "../../oracle/src/node/index.js";

const REPORT = {
  borrower: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  pdBps: 910,
  reasonCodes: [1, 2, 0, 0],
  modelId: `0x${"ab".repeat(32)}`,
  operatorSetVersion: "1",
  issuedAt: "1750000000",
  validUntil: "1750086400",
  creditFileHash: `0x${"cd".repeat(32)}`,
  provider: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
};

describe("oracle peer wire", () => {
  it("reads a report's uint64 fields from decimal strings", () => {
    const parsed = reportSchema.parse(REPORT);
    expect([parsed.operatorSetVersion, parsed.issuedAt, parsed.validUntil]).to.deep.equal([
      1n,
      1_750_000_000n,
      1_750_086_400n,
    ]);
    expect(parsed.provider, "checksummed").to.equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  });

  it("requires the report's credit file digest and provider", () => {
    const { creditFileHash: _hash, ...withoutFile } = REPORT;
    expect(reportSchema.safeParse(withoutFile).error?.issues[0]?.path).to.deep.equal(["creditFileHash"]);
    expect(reportSchema.safeParse({ ...REPORT, provider: "0x12" }).error?.issues[0]?.path).to.deep.equal(["provider"]);
  });

  it("refuses uint64 fields BigInt cannot read, or that overflow, as a failed parse naming the field", () => {
    for (const issuedAt of ["1e3", "NaN", "１２３", "0x10", "-1", (1n << 64n).toString()]) {
      const result = reportSchema.safeParse({ ...REPORT, issuedAt });
      expect(result.success, issuedAt).to.equal(false);
      expect(result.error?.issues[0]?.path, issuedAt).to.deep.equal(["issuedAt"]);
    }
  });
});
