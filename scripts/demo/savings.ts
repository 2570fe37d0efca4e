/**
 * The demo's savings scene: a saver deposits vUSD in sVUSD, borrowers' repayments bring interest in, anyone drips
 * the savers' share from surplus into the vault, and the saver redeems more than she deposited.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  MaxUint256,
  parseUnits,
  type ContractTransactionResponse,
  type LogDescription,
  type TransactionReceipt,
} from "ethers";

import type { LendingPool, SavingsVault, SupervisionPolicy, VUSD } from "../../types/ethers-contracts/index.js";
import { ruleId } from "../../oracle/src/protocol/rules.js";
import { fmtBps, fmtVusd, short, type Narrative } from "./narrative.js";

export interface SavingsSceneContext {
  say: Narrative;
  vusd: VUSD;
  pool: LendingPool;
  policy: SupervisionPolicy;
  vault: SavingsVault;
  /** The saver, and a borrower with open debt who repays (with vUSD to spare: the market maker). */
  saver: HardhatEthersSigner;
  borrower: HardhatEthersSigner;
  send(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt>;
  /** Moves the chain (and the nodes' clock) forward and publishes a fresh price. */
  advanceDays(days: number): Promise<void>;
}

export interface SavingsSceneSummary {
  saver: string;
  depositedWad: bigint;
  interestReceivedWad: bigint;
  shareBps: bigint;
  paidWad: bigint;
  redeemedWad: bigint;
  sharePriceBeforeWad: bigint;
  sharePriceAfterWad: bigint;
}

const DEPOSIT = parseUnits("5000", 18);
const REPAYMENT = parseUnits("2000", 18);

export async function savingsScene(ctx: SavingsSceneContext): Promise<SavingsSceneSummary> {
  const { say, vusd, pool, policy, vault, saver, borrower } = ctx;
  const send = (tx: Promise<ContractTransactionResponse>) => ctx.send(tx);
  const vaultAddress = await vault.getAddress();
  const shareBps = await policy.ruleValue(ruleId("SAVINGS_SHARE"));
  const parsed = (receipt: TransactionReceipt, name: string): LogDescription | undefined =>
    receipt.logs.map((log) => vault.interface.parseLog(log)).find((log) => log?.name === name) ?? undefined;

  say.step(
    `Grace ${short(saver.address)} buys ${fmtVusd(DEPOSIT)} from the market maker and deposits it in sVUSD ${short(vaultAddress)}`,
  );
  await send(vusd.connect(borrower).transfer(saver.address, DEPOSIT));
  await send(vusd.connect(saver).approve(vaultAddress, MaxUint256));
  const deposited = await send(vault.connect(saver).deposit(DEPOSIT, saver.address));
  const sharesOut = parsed(deposited, "Deposit")?.args.shares as bigint;
  const sharePriceBeforeWad = await vault.sharePriceWad();
  say.ok(
    `Deposit: ${fmtVusd(DEPOSIT)} for ${fmtVusd(sharesOut / 10n ** 6n).replace("vUSD", "sVUSD")} at ${fmtVusd(sharePriceBeforeWad)} per sVUSD`,
  );
  say.detail(
    `no promised rate: savers get SAVINGS_SHARE = ${fmtBps(shareBps)} of the interest borrowers actually pay (governance, timelocked, at most 90 %)`,
  );

  await ctx.advanceDays(90);
  const counterBefore = await pool.interestToSurplusWad();
  say.step(`90 days on, the market maker repays ${fmtVusd(REPAYMENT)} of his loan (interest first)`);
  await send(vusd.connect(borrower).approve(await pool.getAddress(), MaxUint256));
  await send(pool.connect(borrower).repay(borrower.address, REPAYMENT));
  const interestReceivedWad = (await pool.interestToSurplusWad()) - counterBefore;
  say.detail(`interest received that became surplus since the vault's last check: ${fmtVusd(interestReceivedWad)}`);

  say.step(
    "a keeper calls drip(): the savers' share is minted from surplus into the vault (the identity does not move)",
  );
  const dripped = parsed(await send(vault.drip()), "SavingsYieldPaid");
  if (dripped === undefined) throw new Error("drip paid nothing");
  const paidWad = dripped.args.paidWad as bigint;
  const sharePriceAfterWad = dripped.args.sharePriceWad as bigint;
  say.ok(
    `SavingsYieldPaid: ${fmtVusd(paidWad)} on an interest basis of ${fmtVusd(dripped.args.interestBasisWad as bigint)} at ${fmtBps(dripped.args.shareBps as bigint)}; share price ${fmtVusd(sharePriceAfterWad)}`,
  );
  const [principal, surplus, deficit] = await pool.accounts();
  const supply = await vusd.totalSupply();
  say.detail(
    `accounts: supply ${fmtVusd(supply)} + surplus ${fmtVusd(surplus)} = principal ${fmtVusd(principal)} + deficit ${fmtVusd(deficit)} + other minters' vUSD`,
  );

  const before = await vusd.balanceOf(saver.address);
  await send(vault.connect(saver).redeem(await vault.balanceOf(saver.address), saver.address, saver.address));
  const redeemedWad = (await vusd.balanceOf(saver.address)) - before;
  if (redeemedWad <= DEPOSIT) throw new Error("the saver did not earn");
  say.ok(
    `Grace redeems all her sVUSD for ${fmtVusd(redeemedWad)}: ${fmtVusd(redeemedWad - DEPOSIT)} more than she deposited, all of it interest received`,
  );

  return {
    saver: saver.address,
    depositedWad: DEPOSIT,
    interestReceivedWad,
    shareBps,
    paidWad,
    redeemedWad,
    sharePriceBeforeWad,
    sharePriceAfterWad,
  };
}
