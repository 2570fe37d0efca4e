/**
 * The demo's stablecoin scenes (called from scripts/demo.ts after the regulator's report): a swap through the peg
 * stability module both ways, and a keeper with no capital liquidating through the flash minter, the liquidation
 * helper and the deployed constant-product pool, seeded with vUSD that a market maker took from the PSM.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { MaxUint256, Wallet, formatEther, id, parseEther, parseUnits } from "ethers";

import { openPsm, seedLocalDex, type DeployedSystem } from "../deploy/deploy-system.js";
import type { DeploymentParameters } from "../deploy/parameters.js";
import { mined as send } from "./local-stack.js";
import { fmtVusd, short, type Narrative } from "./narrative.js";

export interface StablecoinScenes {
  psm: { swappedInUsdc: bigint; mintedWad: bigint; redeemedWad: bigint; paidUsdc: bigint };
  flashLiquidation: {
    keeper: string;
    repaidWad: bigint;
    seized: bigint;
    profitWad: bigint;
    flashOutstandingWad: bigint;
  };
}

export interface StablecoinSceneContext {
  ethers: HardhatEthers;
  time: { increase(seconds: number | bigint): Promise<unknown>; latest(): Promise<number> };
  system: DeployedSystem;
  params: DeploymentParameters;
  regulator: HardhatEthersSigner;
  funder: HardhatEthersSigner;
  /** Three accounts the story has not used: a PSM user, a market maker, a borrower to be liquidated. */
  user: HardhatEthersSigner;
  maker: HardhatEthersSigner;
  victim: HardhatEthersSigner;
  say: Narrative;
}

const USDC = (amount: string) => parseUnits(amount, 6);
const WAD = (amount: string) => parseUnits(amount, 18);

export async function playStablecoinScenes(c: StablecoinSceneContext): Promise<StablecoinScenes> {
  const { ethers, system, say } = c;
  const { vusd, pool, psm, psmStablecoin, flashMinter, weth, priceFeed, fallbackPriceFeed, wethAddress } = system;
  if (psmStablecoin === undefined || weth === undefined || priceFeed === undefined || fallbackPriceFeed === undefined) {
    throw new Error("the stablecoin scenes need the local mocks (USDC, WETH, the ETH feed)");
  }
  const psmAddress = await psm.getAddress();
  const vusdAddress = await vusd.getAddress();

  // ---------------------------------------------------------------- the PSM
  say.section("10. Peg stability module: USDC in, vUSD out, and back");
  await openPsm(system, c.regulator, c.params, c.time);
  say.ok(`the regulator opened the PSM through the timelock: PSM_EXPOSURE_LIMIT ${c.params.psm.exposureLimit} vUSD`);
  await send(psmStablecoin.mint(c.user.address, USDC("1000")));
  await send(psmStablecoin.connect(c.user).approve(psmAddress, MaxUint256));
  await send(vusd.connect(c.user).approve(psmAddress, MaxUint256));
  await send(psm.connect(c.user).swapIn(USDC("1000"), c.user.address));
  const mintedWad = await vusd.balanceOf(c.user.address);
  say.ok(`swapIn 1,000 USDC -> ${fmtVusd(mintedWad)} (fee PSM_FEE_IN, rounded up)`);
  const usdcBefore = await psmStablecoin.balanceOf(c.user.address);
  await send(psm.connect(c.user).swapOut(WAD("400"), c.user.address));
  const paidUsdc = (await psmStablecoin.balanceOf(c.user.address)) - usdcBefore;
  const [, reserves] = await psm.balances();
  const [bufferWad, paidOutWad] = await psm.buffer();
  say.ok(
    `swapOut 400 vUSD -> ${Number(paidUsdc) / 1e6} USDC; the PSM now holds ${Number(reserves) / 1e6} USDC backing the ${fmtVusd(paidOutWad)} it paid out (buffer ${fmtVusd(bufferWad)} pre-minted)`,
  );

  // ---------------------------------------------------------------- flash liquidation
  say.section("11. A keeper with no capital liquidates through a flash loan");
  const [, answer] = await priceFeed.latestRoundData();
  // Both sources fresh after the PSM's timelock wait.
  await send(priceFeed.setAnswer(answer));
  await send(fallbackPriceFeed.setAnswer(answer));
  await send(pool.pokePrice(wethAddress));
  const priceWad = BigInt(answer) * 10n ** 10n;
  const tiers = c.params.tiers;
  const lastTier = tiers[tiers.length - 1]!;
  await send(weth.connect(c.victim).deposit({ value: parseEther("10") }));
  await send(weth.connect(c.victim).approve(await pool.getAddress(), MaxUint256));
  await send(pool.connect(c.victim).deposit(wethAddress, parseEther("10"), c.victim.address));
  const borrowWad = (10n * priceWad * BigInt(lastTier.maxLtvBps) * 99n) / 10_000n / 100n;
  await send(pool.connect(c.victim).borrow(borrowWad));
  say.step(
    `an unscored borrower takes ${fmtVusd(borrowWad)} against 10 WETH at $${Number(answer) / 1e8} (the conservative tier's LTV)`,
  );
  const fallen = (BigInt(answer) * 75n) / 100n;
  // A fall both sources confirm: a real move, so liquidations proceed at it.
  await send(priceFeed.setAnswer(fallen));
  await send(fallbackPriceFeed.setAnswer(fallen));
  await send(pool.pokePrice(wethAddress));
  say.step(`ETH falls 25 % to $${Number(fallen) / 1e8}: the position is below a health factor of 1`);

  // The deployed constant-product pool, seeded now at the new price by a market maker with vUSD taken from the PSM,
  // and the deployed FlashLiquidator.
  const { dex, flashLiquidator: liquidator } = system;
  if (dex === undefined || liquidator === undefined)
    throw new Error("the local deployment has the mock DEX and the FlashLiquidator");
  const seeded = await seedLocalDex(system, c.maker, c.params);
  say.step(
    `the deployed WETH/vUSD pool ${short(await dex.getAddress())} is seeded ${formatEther(seeded.wethWei)} WETH deep (its vUSD from the PSM); the deployed FlashLiquidator ${short(await liquidator.getAddress())} sells on it`,
  );

  const keeper = new Wallet(id("demo keeper"), ethers.provider);
  await send(c.funder.sendTransaction({ to: keeper.address, value: parseEther("1") }));
  say.step(`keeper ${keeper.address.slice(0, 10)}…: 1 ETH for gas, 0 vUSD, 0 WETH, no position`);
  const repayWad = borrowWad / 2n;
  const deadline = (await c.time.latest()) + 600;
  const receipt = await send(
    liquidator
      .connect(keeper)
      .liquidate(c.victim.address, wethAddress, repayWad, [wethAddress, vusdAddress], 1n, deadline),
  );
  const event = receipt.logs
    .map((log) => {
      try {
        return liquidator.interface.parseLog(log);
      } catch {
        return null;
      }
    })
    .find((l) => l?.name === "FlashLiquidated");
  if (event === undefined || event === null) throw new Error("FlashLiquidated was not emitted");
  const profitWad: bigint = event.args.profitWad;
  const flashOutstandingWad = await flashMinter.outstandingWad();
  say.ok(
    `one transaction: flash-mint ${fmtVusd(repayWad)}, liquidate, sell ${Number(event.args.seized) / 1e18} WETH on the pool, repay; the keeper keeps ${fmtVusd(profitWad)}`,
  );
  say.detail(`flash minter outstanding afterwards: ${fmtVusd(flashOutstandingWad)}`);

  return {
    psm: { swappedInUsdc: USDC("1000"), mintedWad, redeemedWad: WAD("400"), paidUsdc },
    flashLiquidation: {
      keeper: keeper.address,
      repaidWad: repayWad,
      seized: event.args.seized,
      profitWad,
      flashOutstandingWad,
    },
  };
}
