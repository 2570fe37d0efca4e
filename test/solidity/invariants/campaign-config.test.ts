/**
 * The invariant campaign checks its reach after its last run, which it recognises by counting runs: its
 * CAMPAIGN_RUNS constant must equal the runner's `invariant.runs` (more runs fail the campaign, fewer would skip
 * the check silently), and `afterInvariant` must see one campaign only (each `invariant_*` function is a campaign of
 * its own, and all would share the tally file).
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

describe("invariant campaign configuration (LendingInvariants.t.sol)", function () {
  const source = readFileSync(new URL("./LendingInvariants.t.sol", import.meta.url), "utf8");
  const inline = (key: string): number[] =>
    [...source.matchAll(new RegExp(`hardhat-config:\\s*invariant\\.${key}\\s*=\\s*(\\d+)`, "g"))].map((m) =>
      Number(m[1]),
    );
  const constant = (name: string): number => {
    const match = source.match(new RegExp(`uint256 internal constant ${name} = (\\d+);`));
    if (match === null) throw new Error(`${name} not found`);
    return Number(match[1]);
  };

  it("has one invariant function, so one campaign feeds the tally", function () {
    expect(source.match(/function invariant_\w+\(/g)).to.have.length(1);
    expect(source.match(/function afterInvariant\(/g)).to.have.length(1);
  });

  it("CAMPAIGN_RUNS and CAMPAIGN_DEPTH equal its invariant.runs and invariant.depth", function () {
    expect(inline("runs")).to.deep.equal([constant("CAMPAIGN_RUNS")]);
    expect(inline("depth")).to.deep.equal([constant("CAMPAIGN_DEPTH")]);
  });
});
