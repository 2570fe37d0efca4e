/**
 * Keepers: every step they flash-liquidate (FlashLiquidator + the vUSD flash minter, selling the seized WETH into
 * the DEX pool) every position the pool would liquidate: HF below 1 at the last agreed price, or, while the asset is
 * frozen, below FROZEN_LIQUIDATION_HEALTH at the price the pool seizes it at (`seizurePriceWad`). They act on the
 * pool's own answer (`positionOf`, rescaled to that price), worst first, and repeat on a position (close factor)
 * while it stays liquidatable, at most `MAX_ROUNDS` times a step.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Interface, TransactionReceipt } from "ethers";

import type { FlashLiquidator, LendingPool, MockConstantProductDex } from "../../types/ethers-contracts/index.js";
import { TX } from "./publication.js";

const MAX_ROUNDS = 6;
const WAD = 10n ** 18n;

/**
 * The price at which the pool seizes WETH in a liquidation (`CollateralLogic._frozenSeizurePrice`): the last agreed
 * price unless the asset is frozen and both sources are live (`primaryWad`, `fallbackWad`: null when not live), then
 * the higher of the two, never above the last agreed price.
 */
export function seizurePriceWad(
  agreedWad: bigint,
  frozen: boolean,
  primaryWad: bigint | null,
  fallbackWad: bigint | null,
): bigint {
  if (!frozen || primaryWad === null || fallbackWad === null) return agreedWad;
  const higher = primaryWad > fallbackWad ? primaryWad : fallbackWad;
  return higher < agreedWad ? higher : agreedWad;
}

export interface LiquidationRecord {
  borrower: string;
  repaidWad: bigint;
  seized: bigint;
  badDebtWad: bigint;
}

export interface KeeperContext {
  pool: LendingPool;
  dex: MockConstantProductDex;
  closeFactorBps: bigint;
  liquidationBonusBps: bigint;
  minDebtWad: bigint;
  liquidator: FlashLiquidator;
  keeper: HardhatEthersSigner;
  wethAddress: string;
  vusdAddress: string;
  interfaces: Interface[];
}

/** The revert's error name (decoded with the system's interfaces), or its message's first line. */
export function revertName(interfaces: Interface[], error: unknown): string {
  const data = (error as { data?: string })?.data ?? (error as { error?: { data?: string } })?.error?.data;
  if (typeof data === "string" && data.length >= 10) {
    for (const iface of interfaces) {
      try {
        const parsed = iface.parseError(data);
        if (parsed !== null) return parsed.name;
      } catch {
        // not this contract's error
      }
    }
  }
  const message = String((error as Error)?.message ?? error);
  const custom = /custom error '(\w+)\(/.exec(message);
  return custom?.[1] ?? message.split("\n")[0]!.slice(0, 120);
}

export interface KeeperStepResult {
  liquidations: LiquidationRecord[];
  failures: Map<string, number>;
}

/** Fractions of the pool's maximum a keeper tries, largest first: a smaller sale moves a thin pool less. */
const SIZES: readonly [bigint, bigint][] = [
  [1n, 1n],
  [1n, 4n],
  [1n, 16n],
];
/** Reverts that mean "not liquidatable now" (the pool's answer changed), not a failed attempt. */
const NOT_LIQUIDATABLE = new Set(["LendingPoolPositionHealthy", "LendingPoolFrozenLiquidationHealth"]);
/** Counted when the keeper's own check finds the sale would not cover the flash loan (nothing sent). */
export const UNPROFITABLE_SKIPPED = "unprofitable sale (not sent)";
/** Reverts that mean the sale did not cover the flash loan: a smaller size may. */
const UNPROFITABLE = new Set(["ERC20InsufficientBalance", "FlashLiquidatorProfitTooLow"]);

/**
 * Liquidates `candidates` (addresses) that the pool says are liquidatable now. The full size asks for the debt the
 * keeper read: it grows by some interest before the transaction, and `FlashLiquidator` sizes its loan from the
 * pool's maximum liquidation in that block (`loanWad`: the close factor's share, or all of the debt when the rest
 * would be dust), so no interest dust is left for the pool to refuse (`LendingPoolDebtBelowMinimum`).
 */
/**
 * What a keeper checks before sending (two view calls, cheaper than a reverting transaction): the repayment the
 * pool would make for `amount`, the WETH it would seize at `priceWad`, and whether selling that on the pool now
 * covers the flash loan.
 */
async function profitable(
  c: KeeperContext,
  borrower: string,
  debtWad: bigint,
  amount: bigint,
  priceWad: bigint,
): Promise<boolean> {
  let repaid = (debtWad * c.closeFactorBps) / 10_000n;
  if (debtWad - repaid < c.minDebtWad) repaid = debtWad;
  if (amount < repaid) repaid = amount;
  const balance = await c.pool.collateralOf(borrower, c.wethAddress);
  let seized = (repaid * (10_000n + c.liquidationBonusBps) * WAD) / 10_000n / priceWad;
  if (seized >= balance) {
    seized = balance;
    repaid = (balance * priceWad * 10_000n) / WAD / (10_000n + c.liquidationBonusBps);
  }
  if (seized === 0n) return false;
  const amounts = await c.dex.getAmountsOut(seized, [c.wethAddress, c.vusdAddress]);
  return amounts[1]! > repaid;
}

export async function keeperStep(
  c: KeeperContext,
  candidates: string[],
  frozenLimitWad: bigint,
  frozen: boolean,
  agreedWad: bigint,
  priceWad: bigint,
  deadline: number,
): Promise<KeeperStepResult> {
  const liquidations: LiquidationRecord[] = [];
  const failures = new Map<string, number>();
  const limit = frozen ? frozenLimitWad : WAD;
  for (const borrower of candidates) {
    rounds: for (let round = 0; round < MAX_ROUNDS; round++) {
      const [debtWad, , collateralValueWad, hfWad] = await c.pool.positionOf(borrower);
      // positionOf values WETH at the last agreed price; the pool's liquidation may seize it at a lower one.
      if (debtWad === 0n || collateralValueWad === 0n || (hfWad * priceWad) / agreedWad >= limit) break;
      for (const [num, den] of SIZES) {
        const amount = num === den ? debtWad : (debtWad * num) / (2n * den);
        if (!(await profitable(c, borrower, debtWad, amount, priceWad))) {
          failures.set(UNPROFITABLE_SKIPPED, (failures.get(UNPROFITABLE_SKIPPED) ?? 0) + 1);
          continue;
        }
        let receipt: TransactionReceipt | null;
        try {
          receipt = await (
            await c.liquidator
              .connect(c.keeper)
              .liquidate(borrower, c.wethAddress, amount, [c.wethAddress, c.vusdAddress], 1n, deadline, TX)
          ).wait();
        } catch (error) {
          const name = revertName(c.interfaces, error);
          if (NOT_LIQUIDATABLE.has(name)) break rounds;
          failures.set(name, (failures.get(name) ?? 0) + 1);
          if (UNPROFITABLE.has(name)) continue;
          break rounds;
        }
        const event = receipt?.logs
          .map((log) => {
            try {
              return c.pool.interface.parseLog(log);
            } catch {
              return null;
            }
          })
          .find((parsed) => parsed?.name === "PositionLiquidated");
        if (event === undefined || event === null)
          throw new Error(`flash liquidation of ${borrower} emitted no PositionLiquidated`);
        liquidations.push({
          borrower,
          repaidWad: event.args.debtRepaidWad as bigint,
          seized: event.args.collateralSeized as bigint,
          badDebtWad: event.args.badDebtWad as bigint,
        });
        continue rounds;
      }
      break; // no size was profitable
    }
  }
  return { liquidations, failures };
}
