/** `npm run bench:gaming -- --json` on the committed model: the keys, its targets, and the card's figures. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { committedModel } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function benchJson(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      "node_modules/.bin/tsx",
      ["scripts/bench/gaming.ts", "--json"],
      { cwd: ROOT, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Record<string, unknown>);
      },
    );
  });
}

describe("npm run bench:gaming (scripts/bench/gaming.ts)", function () {
  this.timeout(150_000);

  it("prints the issue's figures for the shipped model, meets the targets, and matches the model card", async () => {
    const bench = await benchJson();
    const model = await committedModel();
    expect(bench.modelId).to.equal(model.modelId);
    expect(bench.threshold).to.equal(model.approvalPdThreshold);
    for (const key of [
      "crossAt100",
      "crossAt1000",
      "crossAt10pctLimit",
      "medianPdChangeAt100",
      "medianPdChangeAt1000",
      "medianPdChangeAt10pctLimit",
    ]) {
      expect(bench[key], key).to.be.a("number");
      expect((bench.anyMonth as Record<string, unknown>)[key], `anyMonth.${key}`).to.be.a("number");
    }
    expect(bench.applicants).to.be.greaterThan(50);
    expect(bench.crossAt100).to.equal(0);
    expect(bench.crossAt1000).to.be.at.most(0.1);
    // A larger payment can only help (the PD is non-increasing in every payment).
    expect(bench.medianPdChangeAt10pctLimit as number).to.be.at.most(bench.medianPdChangeAt1000 as number);
    expect(bench.medianPdChangeAt1000 as number).to.be.at.most(bench.medianPdChangeAt100 as number);
    expect(bench.medianPdChangeAt100 as number).to.be.at.most(0);

    const card = JSON.parse(readFileSync(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url), "utf8")) as {
      robustness: {
        gaming: { applicants: number; latestMonth: Record<string, { crossShare: number; medianPdChange: number }> };
      };
    };
    const g = card.robustness.gaming;
    expect(g.applicants).to.equal(bench.applicants);
    expect([
      g.latestMonth.at100?.crossShare,
      g.latestMonth.at1000?.crossShare,
      g.latestMonth.at10pctLimit?.crossShare,
    ]).to.deep.equal([bench.crossAt100, bench.crossAt1000, bench.crossAt10pctLimit]);
    expect(g.latestMonth.at1000?.medianPdChange).to.equal(bench.medianPdChangeAt1000);
  });
});
