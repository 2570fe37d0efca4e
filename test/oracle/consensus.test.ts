import { expect } from "chai";
import { keccak256, Signature, toUtf8Bytes, Wallet } from "ethers";

import {
  requestKeyFromRequestId,
  selectLeader,
  SignatureCollector,
  sortOperators,
  toReasonCodeSlots,
  validateProposal,
  type ProposalCheckContext,
  type ScoreReportFields,
} from "../../oracle/src/consensus/index.js";

const NOW = 1_750_000_000;
// Deterministic operator keys, so test failures are reproducible.
const operators = [1, 2, 3, 4].map((i) => new Wallet(keccak256(toUtf8Bytes(`verity-test-operator-${i}`))));
const addresses = operators.map((w) => w.address);
const DIGEST = keccak256(toUtf8Bytes("a report digest"));

describe("oracle consensus", () => {
  describe("selectLeader", () => {
    it("orders operators by address value and does not depend on the listing order", () => {
      const order = sortOperators(addresses);
      expect(order.map((a) => BigInt(a))).to.deep.equal(order.map((a) => BigInt(a)).sort((x, y) => (x < y ? -1 : 1)));
      const key = requestKeyFromRequestId(7n);
      const a = selectLeader({ operators: addresses, requestKey: key, operatorSetVersion: 1n });
      const b = selectLeader({
        operators: [...addresses].reverse().map((x) => x.toLowerCase()),
        requestKey: key,
        operatorSetVersion: 1n,
      });
      expect(b.leader).to.equal(a.leader);
    });

    it("is keccak256(requestKey ‖ uint64 version) mod n, and rounds pass leadership on in order", () => {
      const key = requestKeyFromRequestId(7n);
      const seed = BigInt(keccak256(`${key}${1n.toString(16).padStart(16, "0")}`));
      const selection = selectLeader({ operators: addresses, requestKey: key, operatorSetVersion: 1n });
      expect(selection.index).to.equal(Number(seed % 4n));
      const next = selectLeader({ operators: addresses, requestKey: key, operatorSetVersion: 1n, round: 1 });
      expect(next.index).to.equal((selection.index + 1) % 4);
      const wrapped = selectLeader({ operators: addresses, requestKey: key, operatorSetVersion: 1n, round: 4 });
      expect(wrapped.leader).to.equal(selection.leader);
    });

    it("spreads leadership over every operator", () => {
      const counts = new Map<string, number>();
      for (let id = 0n; id < 200n; id++) {
        const { leader } = selectLeader({
          operators: addresses,
          requestKey: requestKeyFromRequestId(id),
          operatorSetVersion: 3n,
        });
        counts.set(leader, (counts.get(leader) ?? 0) + 1);
      }
      expect(counts.size).to.equal(4);
      for (const count of counts.values()) expect(count).to.be.within(25, 75);
    });

    it("refuses an empty or duplicated operator set", () => {
      expect(() => sortOperators([])).to.throw("empty");
      expect(() => sortOperators([addresses[0]!, addresses[0]!.toLowerCase()])).to.throw("listed twice");
    });
  });

  describe("validateProposal", () => {
    const leader = addresses[0]!;
    const borrower = addresses[3]!;
    const report: ScoreReportFields = {
      borrower,
      pdBps: 1_000,
      reasonCodes: [4, 2, 0, 0],
      modelId: keccak256(toUtf8Bytes("model")),
      operatorSetVersion: 2n,
      issuedAt: BigInt(NOW),
      validUntil: BigInt(NOW + 86_400),
      creditFileHash: keccak256(toUtf8Bytes("the verified credit file")),
      provider: addresses[2]!,
    };
    const context: ProposalCheckContext = {
      expectedLeader: leader,
      borrower,
      modelId: report.modelId,
      operatorSetVersion: 2n,
      tolerancePdBps: 5,
      nowSec: NOW,
      maxClockSkewSec: 60,
      maxValiditySec: 86_400,
      creditFile: { creditFileHash: report.creditFileHash, provider: report.provider.toLowerCase() },
    };
    const own = { pdBps: 1_000, reasonCodes: [4, 2] };
    const codes = (
      edit: Partial<ScoreReportFields>,
      ownEdit: Partial<typeof own> = {},
      ctx: Partial<ProposalCheckContext> = {},
    ) => {
      const verdict = validateProposal(
        { leader, report: { ...report, ...edit } },
        { ...own, ...ownEdit },
        { ...context, ...ctx },
      );
      return verdict.ok ? [] : verdict.problems.map((p) => p.code);
    };

    it("accepts a report that matches the node's own score", () => {
      expect(validateProposal({ leader, report }, own, context)).to.deep.equal({ ok: true });
    });

    it("accepts a PD gap exactly at the tolerance, either way, and refuses one past it", () => {
      expect(codes({ pdBps: 1_005 })).to.deep.equal([]);
      expect(codes({ pdBps: 995 })).to.deep.equal([]);
      expect(codes({ pdBps: 1_006 })).to.deep.equal(["pd_disagreement"]);
      expect(codes({ pdBps: 994 })).to.deep.equal(["pd_disagreement"]);
      expect(codes({ pdBps: 1_000 }, {}, { tolerancePdBps: 0 })).to.deep.equal([]);
      expect(codes({ pdBps: 1_001 }, {}, { tolerancePdBps: 0 })).to.deep.equal(["pd_disagreement"]);
    });

    it("refuses a PD outside 0..10000 even within tolerance", () => {
      expect(codes({ pdBps: 10_001 }, { pdBps: 10_000 })).to.deep.equal(["pd_out_of_range"]);
      expect(codes({ pdBps: 10_000 }, { pdBps: 10_000 })).to.deep.equal([]);
    });

    it("requires identical reason codes, order included", () => {
      expect(codes({ reasonCodes: [2, 4, 0, 0] })).to.deep.equal(["reason_codes_mismatch"]);
      expect(codes({ reasonCodes: [4, 2, 1, 0] })).to.deep.equal(["reason_codes_mismatch"]);
    });

    it("requires the same leader, borrower, model and operator-set version", () => {
      expect(codes({}, {}, { expectedLeader: addresses[1]! })).to.deep.equal(["wrong_leader"]);
      expect(codes({ borrower: addresses[2]! })).to.deep.equal(["wrong_borrower"]);
      expect(codes({ modelId: keccak256(toUtf8Bytes("other model")) })).to.deep.equal(["model_mismatch"]);
      expect(codes({ modelId: report.modelId.toUpperCase().replace("0X", "0x") })).to.deep.equal([]);
      expect(codes({ operatorSetVersion: 1n })).to.deep.equal(["operator_set_mismatch"]);
    });

    it("bounds issuedAt by the clock skew at both edges", () => {
      const at = (issuedAt: number) => codes({ issuedAt: BigInt(issuedAt), validUntil: BigInt(issuedAt + 3_600) });
      expect(at(NOW + 60)).to.deep.equal([]);
      expect(at(NOW + 61)).to.deep.equal(["issued_in_future"]);
      expect(at(NOW - 60)).to.deep.equal([]);
      expect(at(NOW - 61)).to.deep.equal(["issued_too_long_ago"]);
    });

    it("bounds the validity window", () => {
      expect(codes({ validUntil: BigInt(NOW + 86_401) })).to.deep.equal(["bad_validity_window"]);
      expect(codes({ validUntil: BigInt(NOW) })).to.deep.equal(["bad_validity_window"]);
      expect(codes({ validUntil: BigInt(NOW + 1) })).to.deep.equal([]);
    });

    it("requires the credit file this node verified: same digest, same provider", () => {
      expect(codes({ creditFileHash: keccak256(toUtf8Bytes("an edited file")) })).to.deep.equal([
        "credit_file_mismatch",
      ]);
      expect(codes({ provider: addresses[1]! })).to.deep.equal(["credit_file_mismatch"]);
      expect(codes({ creditFileHash: report.creditFileHash.toUpperCase().replace("0X", "0x") })).to.deep.equal([]);
      expect(codes({}, {}, { creditFile: undefined })).to.deep.equal(["credit_file_mismatch"]);
    });

    it("reports every problem at once", () => {
      expect(codes({ pdBps: 2_000, operatorSetVersion: 9n })).to.deep.equal([
        "operator_set_mismatch",
        "pd_disagreement",
      ]);
    });

    it("pads reason codes to four slots and refuses more than four", () => {
      expect(toReasonCodeSlots([7])).to.deep.equal([7, 0, 0, 0]);
      expect(() => toReasonCodeSlots([1, 2, 3, 4, 5])).to.throw("at most 4");
      expect(() => toReasonCodeSlots([70_000])).to.throw("uint16");
    });
  });

  describe("SignatureCollector", () => {
    const sign = (i: number) => operators[i]!.signingKey.sign(DIGEST).serialized;

    it("keeps the first k distinct operator signatures and ignores the rest", () => {
      const collector = new SignatureCollector(DIGEST, addresses, 2);
      expect(collector.add(sign(2))).to.deep.equal({ outcome: "added", signer: addresses[2], collected: 1 });
      expect(collector.add(sign(2))).to.deep.equal({ outcome: "duplicate", signer: addresses[2] });
      expect(collector.complete).to.equal(false);
      expect(collector.add(sign(0), addresses[0]!.toLowerCase())).to.deep.include({ outcome: "added", collected: 2 });
      expect(collector.complete).to.equal(true);
      expect(collector.add(sign(1))).to.deep.equal({ outcome: "already_complete" });
      expect(collector.signatures().map((s) => s.signer)).to.deep.equal([addresses[2], addresses[0]]);
    });

    it("refuses outsiders, mismatched claims and malformed or malleable signatures", () => {
      const collector = new SignatureCollector(DIGEST, addresses.slice(0, 3), 3);
      const outsider = new Wallet(keccak256(toUtf8Bytes("outsider")));
      expect(collector.add(outsider.signingKey.sign(DIGEST).serialized)).to.deep.equal({
        outcome: "unknown_signer",
        signer: outsider.address,
      });
      expect(collector.add(sign(0), addresses[1])).to.deep.include({
        outcome: "signer_mismatch",
        signer: addresses[0],
      });
      expect(collector.add("0x1234").outcome).to.equal("invalid_signature");
      const { r, s, v } = Signature.from(sign(1));
      const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = `0x${r.slice(2)}${(N - BigInt(s)).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}`;
      expect(collector.add(highS).outcome).to.equal("invalid_signature");
      expect(collector.signatures()).to.deep.equal([]);
    });

    it("stores signatures in canonical 65-byte form, whatever form they arrived in", () => {
      const collector = new SignatureCollector(DIGEST, addresses, 1);
      const compact = Signature.from(sign(3)).compactSerialized; // EIP-2098, 64 bytes
      collector.add(compact);
      expect(collector.signatures()[0]?.signature).to.equal(sign(3));
    });

    it("takes the node's own signature without recovery, but still only from a member and only once", () => {
      const collector = new SignatureCollector(DIGEST, addresses.slice(0, 3), 2);
      const outsider = new Wallet(keccak256(toUtf8Bytes("outsider")));
      expect(collector.addOwn(outsider.signingKey.sign(DIGEST).serialized, outsider.address)).to.deep.equal({
        outcome: "unknown_signer",
        signer: outsider.address,
      });
      expect(collector.addOwn(sign(1), addresses[1]!.toLowerCase())).to.deep.equal({
        outcome: "added",
        signer: addresses[1],
        collected: 1,
      });
      expect(collector.addOwn(sign(1), addresses[1]!)).to.deep.equal({ outcome: "duplicate", signer: addresses[1] });
      // A peer's copy of the same operator's signature is a duplicate too.
      expect(collector.add(sign(1))).to.deep.equal({ outcome: "duplicate", signer: addresses[1] });
      expect(collector.add(sign(0))).to.deep.include({ outcome: "added", collected: 2 });
      expect(collector.addOwn(sign(2), addresses[2]!)).to.deep.equal({ outcome: "already_complete" });
      expect(collector.signatures()).to.deep.equal([
        { signer: addresses[1], signature: sign(1) },
        { signer: addresses[0], signature: sign(0) },
      ]);
    });

    it("refuses a threshold outside 1..n", () => {
      expect(() => new SignatureCollector(DIGEST, addresses, 0)).to.throw("threshold must be in 1..4");
      expect(() => new SignatureCollector(DIGEST, addresses, 5)).to.throw("threshold must be in 1..4");
    });
  });
});
