/**
 * The market the keepers sell into, and the fire-sale feedback (after Cont & Schaanning, "Fire sales, indirect
 * contagion and systemic stress testing", 2017): a WETH/vUSD constant-product pool (`MockConstantProductDex`, 0.3 %
 * fee) of finite depth, seeded by a market maker whose vUSD comes from the PSM.
 *
 * Model (stated in every report):
 * - the market price is M(t) = E(t) x I(t): E the scenario's exogenous path, I the cumulative price impact of fire
 *   sales (I = 1 without any);
 * - each step, after the feeds publish M and the pool is poked, an arbitrageur trades the pool back towards M (it
 *   holds WETH; it buys WETH with vUSD it takes from the PSM, so while the PSM is frozen only with vUSD it already
 *   holds); then the keepers flash-liquidate and sell the seized WETH into the pool;
 * - the step's fire sales move the pool from P_before to P_after, and I takes that impact: I <- I x P_after/P_before;
 * - impact decays towards 1 with a half-life (market resilience): 1 - I <- (1 - I) x 2^(-dt / halfLife).
 * So the price the feeds publish next includes the impact of the liquidations, which can make more positions
 * liquidatable: liquidations can feed on themselves, more so the shallower the pool.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { MaxUint256, parseEther, parseUnits } from "ethers";

import { TX } from "./publication.js";
import type {
  MockConstantProductDex,
  MockUSDC,
  PegStabilityModule,
  VUSD,
  WETH9,
} from "../../types/ethers-contracts/index.js";

export const FIRE_SALE_MODEL =
  "market price M = E x I (E: the scenario's exogenous path; I: cumulative fire-sale impact). Each step an arbitrageur trades the WETH/vUSD constant-product pool (0.3 % fee) back towards M (buying WETH with vUSD taken from the PSM, so only from its own vUSD while the PSM is frozen), then keepers flash-liquidate and sell into it; the step's sales move the pool from P_before to P_after and I <- I x P_after / P_before; impact decays: 1 - I <- (1 - I) x 2^(-dt / half-life).";

const WAD = 10n ** 18n;
const toWad = (x: number) => parseUnits(x.toFixed(18), 18);
const fromWad = (x: bigint) => Number(x) / 1e18;

export interface MarketOptions {
  depthWeth: number;
  resilienceHalfLifeSec: number;
}

export class FireSaleMarket {
  impact = 1;
  /** The pool price before the keepers' sales this step (vUSD per WETH). */
  private beforeSales = 0;
  psmFrozenSteps = 0;
  arbShortfallSteps = 0;

  private constructor(
    readonly dex: MockConstantProductDex,
    readonly dexAddress: string,
    private readonly weth: WETH9,
    private readonly wethAddress: string,
    private readonly vusd: VUSD,
    private readonly vusdAddress: string,
    private readonly psm: PegStabilityModule,
    private readonly usdc: MockUSDC,
    private readonly arb: HardhatEthersSigner,
    readonly options: MarketOptions,
  ) {}

  /** Deploys the pool and seeds it at `priceUsd` with `depthWeth` WETH; funds the arbitrageur. */
  static async open(
    ethers: HardhatEthers,
    c: {
      weth: WETH9;
      vusd: VUSD;
      psm: PegStabilityModule;
      usdc: MockUSDC;
      maker: HardhatEthersSigner;
      arb: HardhatEthersSigner;
    },
    priceUsd: number,
    options: MarketOptions,
  ): Promise<FireSaleMarket> {
    if (!(options.depthWeth > 0)) throw new Error(`--depth must be a positive WETH amount, got ${options.depthWeth}`);
    const dex = await ethers.deployContract("MockConstantProductDex", [], c.maker);
    const dexAddress = await dex.getAddress();
    const psmAddress = await c.psm.getAddress();
    const wethAddress = await c.weth.getAddress();
    const vusdAddress = await c.vusd.getAddress();
    const depthWeth = parseEther(String(options.depthWeth));
    const depthVusd = (depthWeth * toWad(priceUsd)) / WAD;
    const usdcIn = depthVusd / 10n ** 12n + parseUnits("1000", 6);
    for (const [who, usdc] of [
      [c.maker, usdcIn],
      [c.arb, parseUnits("1000000000", 6)],
    ] as const) {
      await (await c.usdc.mint(who.address, usdc)).wait();
      await (await c.usdc.connect(who).approve(psmAddress, MaxUint256)).wait();
      await (await c.weth.connect(who).approve(dexAddress, MaxUint256)).wait();
      await (await c.vusd.connect(who).approve(dexAddress, MaxUint256)).wait();
    }
    await (await c.psm.connect(c.maker).swapIn(usdcIn, c.maker.address)).wait();
    await (await c.weth.connect(c.maker).deposit({ value: depthWeth })).wait();
    await (await dex.connect(c.maker).addLiquidity(wethAddress, vusdAddress, depthWeth, depthVusd)).wait();
    await (await c.weth.connect(c.arb).deposit({ value: parseEther("100000") })).wait();
    return new FireSaleMarket(dex, dexAddress, c.weth, wethAddress, c.vusd, vusdAddress, c.psm, c.usdc, c.arb, options);
  }

  async reserves(): Promise<{ weth: bigint; vusd: bigint }> {
    const [weth, vusd] = await this.dex.reservesOf(this.wethAddress, this.vusdAddress);
    return { weth, vusd };
  }

  /** vUSD per WETH in the pool. */
  async poolPrice(): Promise<number> {
    const r = await this.reserves();
    return fromWad((r.vusd * WAD) / r.weth);
  }

  /** Market price for an exogenous price. */
  marketPrice(exogenousUsd: number): number {
    return exogenousUsd * this.impact;
  }

  /** The arbitrageur trades the pool towards `targetUsd` (vUSD per WETH at vUSD = $1). */
  async realign(targetUsd: number, deadline: number): Promise<void> {
    const { weth: x, vusd: y } = await this.reserves();
    const k = fromWad(x) * fromWad(y);
    const price = fromWad(y) / fromWad(x);
    if (Math.abs(price / targetUsd - 1) < 0.0005) {
      this.beforeSales = price;
      return;
    }
    if (price > targetUsd) {
      // WETH dear in the pool: sell WETH into it.
      const wethIn = (Math.sqrt(k / targetUsd) - fromWad(x)) / 0.997;
      await (
        await this.dex
          .connect(this.arb)
          .swapExactTokensForTokens(
            toWad(wethIn),
            0n,
            [this.wethAddress, this.vusdAddress],
            this.arb.address,
            deadline,
            TX,
          )
      ).wait();
    } else {
      // WETH cheap: buy it with vUSD, topping up from the PSM.
      let vusdIn = toWad((Math.sqrt(k * targetUsd) - fromWad(y)) / 0.997);
      const held = await this.vusd.balanceOf(this.arb.address);
      if (held < vusdIn) {
        try {
          await (await this.psm.connect(this.arb).swapIn((vusdIn - held) / 10n ** 12n + 1n, this.arb.address)).wait();
        } catch {
          // The PSM is frozen (or its exposure limit reached): only what the arbitrageur holds.
          this.arbShortfallSteps++;
        }
        const now = await this.vusd.balanceOf(this.arb.address);
        if (now < vusdIn) vusdIn = now;
      }
      if (vusdIn > 0n) {
        await (
          await this.dex
            .connect(this.arb)
            .swapExactTokensForTokens(vusdIn, 0n, [this.vusdAddress, this.wethAddress], this.arb.address, deadline, TX)
        ).wait();
      }
    }
    this.beforeSales = await this.poolPrice();
  }

  /** Whether the PSM refuses swaps now (its stablecoin off its band, or its feed stale). */
  async psmFrozen(): Promise<boolean> {
    const [reason] = await this.psm.freezeStatus();
    return reason !== "0x" + "0".repeat(64);
  }

  /** After the keepers' sales: takes their impact into I, then decays I over `dtSec`; returns the pool price. */
  async afterSales(dtSec: number): Promise<number> {
    const after = await this.poolPrice();
    if (this.beforeSales > 0) this.impact *= after / this.beforeSales;
    this.impact = 1 - (1 - this.impact) * Math.pow(2, -dtSec / this.options.resilienceHalfLifeSec);
    return after;
  }

  get usdcToken(): MockUSDC {
    return this.usdc;
  }

  get wethToken(): WETH9 {
    return this.weth;
  }
}
