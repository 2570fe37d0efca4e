// Deployment of the whole lending system for the pool tests.
// vUSD and the score oracle are interim stand-ins (contracts/test/Interim*.sol) until the real VUSD and
// CreditScoreOracle are merged into main; only this file changes when they are.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import { DAY, FEED_DECIMALS, MAX_PRICE_AGE, MODEL_ID, POOL_PARAMS, WAD, WETH_PRICE, deployPolicy, roleId } from "./fixtures.js";

export const mulDivUp = (a: bigint, b: bigint, d: bigint) => (a * b + d - 1n) / d;
export const RAY = 10n ** 27n;
const YEAR = 365n * DAY;
export const accrue = (indexRay: bigint, aprBps: bigint, dt: bigint) =>
  dt === 0n || aprBps === 0n ? indexRay : indexRay + mulDivUp(indexRay * aprBps, dt, 10_000n * YEAR);
export const debtOf = (scaled: bigint, indexRay: bigint) => mulDivUp(scaled, indexRay, RAY);
export const price8 = (usd: bigint) => usd * 10n ** FEED_DECIMALS;

export async function deploySystem(ethers: HardhatEthers) {
  const f = await deployPolicy(ethers);
  const vusd = await ethers.deployContract("InterimVUSD");
  const oracle = await ethers.deployContract("InterimScoreOracle");
  const pool = await ethers.deployContract("LendingPool", [
    { vusd: await vusd.getAddress(), oracle: await oracle.getAddress(), policy: await f.policy.getAddress(), ...POOL_PARAMS },
  ]);
  const poolAddress = await pool.getAddress();
  await f.policy.connect(f.regulator).grantRole(roleId(ethers, "POOL"), poolAddress);
  await vusd.setMinterCap(poolAddress, 10n ** 30n);

  const weth = await ethers.deployContract("WETH9");
  const feed = await ethers.deployContract("MockAggregatorV3", [Number(FEED_DECIMALS), "ETH / USD", price8(WETH_PRICE)]);
  await pool.connect(f.governance).listCollateral(await weth.getAddress(), await feed.getAddress(), MAX_PRICE_AGE);

  async function fund(signer: any, eth: bigint) {
    await weth.connect(signer).deposit({ value: eth * WAD });
    await weth.connect(signer).approve(poolAddress, ethers.MaxUint256);
    await vusd.connect(signer).approve(poolAddress, ethers.MaxUint256);
  }
  for (const s of [f.alice, f.bob, f.carol, f.liquidator]) await fund(s, 200n);

  async function score(borrower: string, pdBps: number) {
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    await oracle.setScore(borrower, pdBps, MODEL_ID, now, now + 90n * DAY, true);
  }
  return { ...f, vusd, oracle, pool, poolAddress, weth, feed, fund, score };
}

/** vUSD.totalSupply() + surplus == totalPrincipal + deficit */
export async function identityHolds(pool: any, vusd: any) {
  const [principal, surplus, deficit] = await pool.accounts();
  const supply = await vusd.totalSupply();
  return { lhs: supply + surplus, rhs: principal + deficit };
}
