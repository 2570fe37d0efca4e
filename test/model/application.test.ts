import { expect } from "chai";
import { FEATURE_RANGES, validateApplication, applicationToFeatures } from "../../oracle/src/model/index.js";
import { FEATURE_NAMES } from "../../oracle/training/features.js";

const valid = (): Record<string, unknown> => ({
  LIMIT_BAL: 50_000,
  PAY_0: 0,
  PAY_2: 0,
  PAY_3: -1,
  PAY_4: -2,
  PAY_5: 2,
  PAY_6: 0,
  BILL_AMT1: 12_000,
  BILL_AMT2: -300,
  BILL_AMT3: 0,
  BILL_AMT4: 8000,
  BILL_AMT5: 7000,
  BILL_AMT6: 5e5,
  PAY_AMT1: 1000,
  PAY_AMT2: 0,
  PAY_AMT3: 2000,
  PAY_AMT4: 0,
  PAY_AMT5: 0,
  PAY_AMT6: 100,
  SEX: 2, // ignored: not a model input
});

describe("application validation", () => {
  it("returns the features in model order", () => {
    const check = validateApplication(FEATURE_NAMES, valid());
    expect(check.ok).to.equal(true);
    if (check.ok) expect(check.features).to.deep.equal(FEATURE_NAMES.map((f) => valid()[f]));
  });

  const cases: [string, unknown, RegExp][] = [
    ["PAY_0", undefined, /PAY_0 is missing/],
    ["PAY_2", 10, /PAY_2 = 10 is outside \[-2, 9\]/],
    ["PAY_3", 1.5, /PAY_3 must be an integer/],
    ["LIMIT_BAL", 0, /LIMIT_BAL = 0 is outside/],
    ["BILL_AMT1", Number.NaN, /BILL_AMT1 must be a finite number/],
    ["PAY_AMT2", -5, /PAY_AMT2 = -5 is outside/],
    ["PAY_AMT3", "100", /PAY_AMT3 must be a finite number, got "100"/],
    ["BILL_AMT6", Infinity, /BILL_AMT6 must be a finite number/],
  ];
  for (const [field, value, message] of cases) {
    it(`names the bad field: ${field} = ${String(value)}`, () => {
      const app = valid();
      if (value === undefined) delete app[field];
      else app[field] = value;
      const check = validateApplication(FEATURE_NAMES, app);
      expect(check.ok).to.equal(false);
      if (!check.ok) {
        expect(check.field).to.equal(field);
        expect(check.error).to.match(message);
      }
      expect(() => applicationToFeatures(FEATURE_NAMES, app)).to.throw(message);
    });
  }

  it("exports documented ranges for every model feature and AGE", () => {
    for (const f of [...FEATURE_NAMES, "AGE"])
      expect(FEATURE_RANGES[f], f).to.include.keys("min", "max", "integer", "description");
    expect(FEATURE_RANGES.AGE).to.include({ min: 18, max: 100 });
  });
});
