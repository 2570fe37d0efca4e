/** The leader's hedge delay: the configured floor, or twice the recent p95 of answered co-sign round trips. */
import { expect } from "chai";

import {
  AdaptiveHedgeDelay,
  HEDGE_MIN_SAMPLES,
  HEDGE_P95_FACTOR,
  HEDGE_WINDOW,
} from "../../oracle/src/node/hedge-delay.js";

describe("adaptive hedge delay", () => {
  it("keeps the configured delay until it has seen enough answers", () => {
    const delay = new AdaptiveHedgeDelay();
    for (let i = 0; i < HEDGE_MIN_SAMPLES - 1; i++) delay.record(900);
    expect(delay.p95Ms()).to.equal(undefined);
    expect(delay.delayMs(100)).to.equal(100);
    delay.record(900);
    expect(delay.delayMs(100)).to.equal(HEDGE_P95_FACTOR * 900);
  });

  it("takes the nearest-rank p95, and never goes below the configured delay", () => {
    const delay = new AdaptiveHedgeDelay();
    for (let ms = 1; ms <= 100; ms++) delay.record(ms);
    expect(delay.p95Ms()).to.equal(95);
    expect(delay.delayMs(50)).to.equal(190);
    expect(delay.delayMs(1_000)).to.equal(1_000);
  });

  it("remembers only the last HEDGE_WINDOW answers, so it follows a change of load", () => {
    const delay = new AdaptiveHedgeDelay();
    for (let i = 0; i < HEDGE_WINDOW; i++) delay.record(3_000);
    expect(delay.p95Ms()).to.equal(3_000);
    for (let i = 0; i < HEDGE_WINDOW; i++) delay.record(40);
    expect(delay.p95Ms()).to.equal(40);
  });

  it("refuses a round trip that is not a non-negative number", () => {
    const delay = new AdaptiveHedgeDelay();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => delay.record(bad)).to.throw(RangeError, /non-negative number of ms/);
  });
});
