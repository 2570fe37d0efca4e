/** The borrower page's liquidation price (app/src/borrow/liquidation.ts): the ETH price at which the health factor is 1. */
import { expect } from "chai";
import { parseEther, parseUnits } from "ethers";

import { liquidationPriceWad } from "../../app/src/borrow/liquidation.js";

const usd = (n: string) => parseUnits(n, 18);

describe("the borrower page's liquidation price (app/src/borrow/liquidation.ts)", () => {
  it("is debt / (WETH × threshold) with WETH alone: 1,000 vUSD on 2 ETH at 85 % is 588.23… USD", () => {
    const price = liquidationPriceWad(usd("1000"), parseEther("2"), 0n, 8500n)!;
    expect(price).to.equal((usd("1000") * 10_000n * 10n ** 18n) / (8500n * parseEther("2")));
    // At that price the health factor is 1: 2 ETH × price × 85 % = the debt (to rounding).
    const valueAtLtWad = (parseEther("2") * price * 8500n) / 10n ** 18n / 10_000n;
    expect(usd("1000") - valueAtLtWad).to.be.lessThan(10n);
  });

  it("counts other collateral as it is valued now, and is none when it covers the debt", () => {
    // 3,000 vUSD of debt, 1 ETH and 2,000 USD of other collateral, threshold 80 %:
    // (price + 2,000) × 0.8 = 3,000 → price = 1,750.
    expect(liquidationPriceWad(usd("3000"), parseEther("1"), usd("2000"), 8000n)).to.equal(usd("1750"));
    expect(liquidationPriceWad(usd("1000"), parseEther("1"), usd("2000"), 8000n)).to.equal(undefined);
    expect(liquidationPriceWad(0n, parseEther("1"), 0n, 8000n)).to.equal(undefined);
    expect(liquidationPriceWad(usd("1"), 0n, 0n, 8000n)).to.equal(undefined);
  });
});
