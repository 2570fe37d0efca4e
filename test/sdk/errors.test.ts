/**
 * The SDK's revert decoder: every custom error of every contract in the artifacts (core, periphery, libraries,
 * interfaces) decodes to a sentence; the important ones read as hand-written sentences with their units; reverts
 * are found wherever ethers or a JSON-RPC provider put them. Real reverts from a chain: `borrower-cycle.test.ts`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import {
  encodeBytes32String,
  ErrorFragment,
  Interface,
  parseEther,
  ZeroAddress,
  ZeroHash,
  type JsonFragment,
} from "ethers";

import * as sdk from "../../sdk/src/index.js";

const ARTIFACTS = new URL("../../artifacts/contracts/", import.meta.url).pathname;

function artifactErrors(): { contract: string; fragment: ErrorFragment }[] {
  const out: { contract: string; fragment: ErrorFragment }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".json") && !name.endsWith(".dbg.json")) {
        const abi = (JSON.parse(readFileSync(path, "utf8")) as { abi?: JsonFragment[] }).abi ?? [];
        for (const item of abi)
          if (item.type === "error")
            out.push({ contract: name.replace(/\.json$/, ""), fragment: ErrorFragment.from(item) });
      }
    }
  };
  for (const folder of ["core", "periphery", "libraries", "interfaces"]) walk(join(ARTIFACTS, folder));
  return out;
}

/** A plausible value for each argument type. */
function sample(type: string): unknown {
  if (type === "address") return "0x00000000000000000000000000000000000000aa";
  if (type === "bytes32") return encodeBytes32String("DEBT_CEILING");
  if (type === "bool") return true;
  if (type === "string") return "text";
  if (type.startsWith("int")) return -5n;
  if (type === "uint8") return 1n;
  return 1_800_000_000n;
}

const rule = (name: string, limit: bigint, actual: bigint) =>
  sdk.verityErrors.encodeErrorResult("SupervisionRuleViolated", [encodeBytes32String(name), limit, actual]);

describe("sdk: revert decoder", () => {
  it("decodes every custom error of every contract in artifacts to a sentence, none unknown", () => {
    const errors = artifactErrors();
    expect(errors.length).to.be.greaterThan(80);
    for (const { contract, fragment } of errors) {
      const data = new Interface([fragment]).encodeErrorResult(
        fragment,
        fragment.inputs.map((p) => sample(p.type)),
      );
      const decoded = sdk.decodeRevertData(data);
      expect(decoded.name, `${contract}.${fragment.name}`).to.equal(fragment.name);
      expect(decoded.sentence, `${contract}.${fragment.name}`).to.not.match(
        /unknown custom error|undefined|NaN|\[object/,
      );
      expect(decoded.sentence.length, `${contract}.${fragment.name}`).to.be.greaterThan(fragment.name.length + 5);
    }
  });

  it("states a broken rule with its name, limit and actual value in their units", () => {
    expect(
      sdk.decodeRevertData(rule("DEBT_CEILING", parseEther("10000000"), parseEther("10000001.5"))).sentence,
    ).to.equal(
      "The protocol's debt ceiling is 10,000,000.00 vUSD; this borrow would bring total debt to 10,000,001.50 vUSD (DEBT_CEILING)",
    );
    expect(
      sdk.decodeRevertData(rule("DAILY_ORIGINATION_LIMIT", parseEther("50000"), parseEther("50100"))).sentence,
    ).to.equal(
      "Net new credit is limited to 50,000.00 vUSD per UTC day; this borrow would make today's 50,100.00 vUSD (DAILY_ORIGINATION_LIMIT)",
    );
    expect(sdk.decodeRevertData(rule("CONCENTRATION_CAP", 1500n, 1612n)).sentence).to.equal(
      "One borrower may hold at most 15.00 % of total debt; this borrow would make it 16.12 % (CONCENTRATION_CAP)",
    );
    expect(sdk.decodeRevertData(rule("CREDIT_DECLINED", 2800n, 4100n)).sentence).to.equal(
      "Credit declined: the score's PD 41.00 % is above the approval threshold 28.00 % (CREDIT_DECLINED)",
    );
    const tierLimit = sdk.verityErrors.encodeErrorResult("SupervisionRuleViolated", [
      sdk.tierRuleId("TIER_CREDIT_LIMIT", 1),
      parseEther("25000"),
      parseEther("26000"),
    ]);
    expect(sdk.decodeRevertData(tierLimit).sentence).to.equal(
      "Tier B's credit limit is 25,000.00 vUSD; this borrow would make the debt 26,000.00 vUSD (TIER_CREDIT_LIMIT)",
    );
  });

  it("names the global TIER_LTV rule by its name, never as tier 0, and speaks in % when the tier's max LTV is known", () => {
    const data = rule("TIER_LTV", parseEther("7000"), parseEther("7412"));
    const plain = sdk.decodeRevertData(data);
    expect(plain.rule).to.deep.equal({ name: "TIER_LTV" });
    expect(plain.technical).to.equal(
      "SupervisionRuleViolated (SupervisionPolicy): rule TIER_LTV, limit 7,000.00 vUSD, actual 7,412.00 vUSD",
    );
    expect(sdk.describeRule(encodeBytes32String("TIER_LTV"))).to.deep.equal({ name: "TIER_LTV" });
    expect(sdk.ruleLabel(sdk.tierRuleId("TIER_APR", 0))).to.equal("TIER_APR (tier 0)");
    expect(sdk.decodeRevertData(data, { tier: 1, maxLtvBps: 7000n }).sentence).to.equal(
      "Tier B allows 70.00 % LTV; this borrow would make it 74.12 % (TIER_LTV: at most 7,000.00 vUSD of debt against this collateral, the borrow would make it 7,412.00 vUSD)",
    );
  });

  it("hand-writes the paused, timelock, score, price and registry errors", () => {
    const e = (name: string, args: unknown[]) =>
      sdk.decodeRevertData(sdk.verityErrors.encodeErrorResult(name, args)).sentence;
    expect(e("SupervisionChangeNotReady", [ZeroHash, 1_800_000_000n, 1_799_996_400n])).to.equal(
      "This rule change is timelocked until 2027-01-15T08:00:00Z; now is 2027-01-15T07:00:00Z (1 h 00 min to go) (SupervisionChangeNotReady)",
    );
    expect(e("OracleReportExpired", [1_800_000_000n, 1_800_000_001n])).to.equal(
      "The score expired at 2027-01-15T08:00:00Z; now is 2027-01-15T08:00:01Z: apply again for a fresh score (OracleReportExpired)",
    );
    expect(e("LendingPoolPriceStale", [ZeroAddress, 1_800_000_000n, 3600n])).to.equal(
      `The price of ${ZeroAddress} is stale: last updated 2027-01-15T08:00:00Z, older than the 1 h 00 min allowed (LendingPoolPriceStale)`,
    );
    expect(e("OracleProviderNotApproved", [ZeroAddress, 2n])).to.equal(
      `Data provider ${ZeroAddress} is not approved by the regulator (status Retired) (OracleProviderNotApproved)`,
    );
    expect(e("OracleModelNotApproved", [ZeroHash, 1n])).to.equal(
      `Model ${ZeroHash} is not approved by the regulator (status Proposed) (OracleModelNotApproved)`,
    );
    expect(e("LendingPoolInsufficientCollateral", [ZeroAddress, parseEther("100"), parseEther("150")])).to.match(
      /^Collateral worth 100\.00 vUSD does not cover the 150\.00 vUSD/,
    );
  });

  it("finds the revert data in an ethers error, a nested CALL_EXCEPTION, a JSON-RPC error or raw hex; refuses unknown data", () => {
    const data = sdk.verityErrors.encodeErrorResult("SupervisionPaused", []);
    const expected = sdk.decodeRevertData(data).sentence;
    expect(sdk.describeRevert(data)).to.equal(expected);
    expect(sdk.describeRevert({ code: "CALL_EXCEPTION", data })).to.equal(expected);
    expect(sdk.describeRevert(new Error("wrapped", { cause: { info: { error: { code: 3, data } } } }))).to.equal(
      expected,
    );
    expect(
      sdk.describeRevert({
        jsonrpc: "2.0",
        error: { code: -32603, message: "reverted", data: { originalError: { data } } },
      }),
    ).to.equal(expected);
    expect(sdk.decodeRevert({ data: "0x12345678" })).to.equal(undefined);
    expect(() => sdk.decodeRevertData("0x12345678")).to.throw(
      sdk.RevertDecodeError,
      "selector 0x12345678 is not a custom error of any Verity contract",
    );
    expect(() => sdk.decodeRevertData("nonsense")).to.throw(/is not revert data/);
  });
});
