/** Scoring with the committed model: quantised PD, reason codes from the explainer, range checks as integers. */
import { expect } from "chai";

import { loadCreditModel, pdToBps, type CreditModel } from "../../oracle/src/model/index.js";
import { createScorer, featureValidator } from "../../oracle/src/scoring/index.js";
import { GOOD_FEATURES, MODEL_PATH } from "./chain-fixture.js";

describe("scoring", function () {
  this.timeout(30_000);
  let model: CreditModel;
  const inOrder = (features: Record<string, number>) => model.featureNames.map((name) => features[name] as number);

  before(async () => {
    model = await loadCreditModel(MODEL_PATH);
  });

  it("takes the feature order from the model's metadata", () => {
    expect([...model.featureNames].sort()).to.deep.equal(Object.keys(GOOD_FEATURES).sort());
  });

  it("gives pdBps = pdToBps(model PD), at most four reason codes with texts, and the inference time", async () => {
    const score = await createScorer(model)(inOrder(GOOD_FEATURES));
    const [pd] = await model.predict([inOrder(GOOD_FEATURES)]);
    expect(score.pdBps).to.equal(pdToBps(pd!));
    expect(Number.isInteger(score.pdBps)).to.equal(true);
    expect(score.reasonCodes.length).to.be.at.most(4);
    expect(score.reasons.map((r) => r.code)).to.deep.equal(score.reasonCodes);
    expect(score.inferenceMs).to.be.greaterThan(0);
  });

  it("is deterministic and ranks a delinquent applicant riskier, with a payment-status reason first", async () => {
    const scorer = createScorer(model);
    const good = await scorer(inOrder(GOOD_FEATURES));
    expect((await scorer(inOrder(GOOD_FEATURES))).pdBps).to.equal(good.pdBps);
    const late = await scorer(inOrder({ ...GOOD_FEATURES, PAY_0: 3, PAY_2: 2, PAY_3: 2 }));
    expect(late.pdBps).to.be.greaterThan(good.pdBps);
    expect(late.reasonCodes[0]).to.be.oneOf([2, 3]);
  });

  it("the range check requires integers everywhere, as the intake does (amounts are whole NT$)", () => {
    const validate = featureValidator(model);
    expect(validate(GOOD_FEATURES)).to.deep.equal({ ok: true });
    for (const field of ["LIMIT_BAL", "BILL_AMT3", "PAY_AMT6"]) {
      const check = validate({ ...GOOD_FEATURES, [field]: (GOOD_FEATURES[field] as number) + 0.5 });
      expect(check.ok, field).to.equal(false);
      if (!check.ok) expect(check.error).to.match(new RegExp(`${field} must be an integer`));
    }
    const check = validate({ ...GOOD_FEATURES, PAY_AMT1: -1 });
    expect(check).to.deep.include({ ok: false, field: "PAY_AMT1" });
  });
});
