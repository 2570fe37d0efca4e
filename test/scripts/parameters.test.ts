import { expect } from "chai";

import { defaultParameters, deploymentParametersSchema } from "../../scripts/deploy/parameters.js";

describe("deployment parameters", () => {
  it("accepts a global wad limit up to 2^96 - 1 wad (the policy's 96-bit storage) and rejects one wei more", () => {
    const withRule = (
      field: "debtCeiling" | "borrowerCap" | "concentrationFloor" | "dailyOriginationLimit",
      v: string,
    ) =>
      deploymentParametersSchema.safeParse({ ...defaultParameters, rules: { ...defaultParameters.rules, [field]: v } })
        .success;
    for (const field of ["debtCeiling", "borrowerCap", "concentrationFloor", "dailyOriginationLimit"] as const) {
      expect(withRule(field, "79228162514.264337593543950335"), field).to.equal(true);
      expect(withRule(field, "79228162514.264337593543950336"), field).to.equal(false);
      expect(withRule(field, "79228162515"), field).to.equal(false);
    }
    expect(deploymentParametersSchema.safeParse(defaultParameters).success).to.equal(true);
  });

  it("bounds the pull-report window to the policy's 60..3600 s and the score notice period to 90 days", () => {
    const withRule = (field: "pullReportMaxAgeSec" | "scoreNoticePeriodSec", v: number) =>
      deploymentParametersSchema.safeParse({ ...defaultParameters, rules: { ...defaultParameters.rules, [field]: v } })
        .success;
    expect([59, 60, 3600, 3601].map((v) => withRule("pullReportMaxAgeSec", v))).to.deep.equal([
      false,
      true,
      true,
      false,
    ]);
    expect([-1, 0, 90 * 86_400, 90 * 86_400 + 1].map((v) => withRule("scoreNoticePeriodSec", v))).to.deep.equal([
      false,
      true,
      true,
      false,
    ]);
  });
});
