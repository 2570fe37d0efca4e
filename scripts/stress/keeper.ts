/**
 * Keepers: every step they flash-liquidate (FlashLiquidator + the vUSD flash minter, selling the seized WETH into
 * the DEX pool) every position the pool would liquidate: HF below 1 at the last agreed price, or below
 * FROZEN_LIQUIDATION_HEALTH while the asset is frozen. They act on the pool's own answer (`positionOf`), worst first,
 * and repeat on a position (close factor) while it stays liquidatable, at most `MAX_ROUNDS` times a step.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Interface, TransactionReceipt } from "ethers";

import type { FlashLiquidator, LendingPool } from "../../types/ethers-contracts/index.js";

const MAX_ROUNDS = 6;
const WAD = 10n ** 18n;

export interface LiquidationRecord {
  borrower: string;
  repaidWad: bigint;
  seized: bigint;
  badDebtWad: bigint;
}

export interface KeeperContext {
  pool: LendingPool;
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
  return String((error as Error)?.message ?? error).split("\n")[0]!.slice(0, 120);
}

export interface KeeperStepResult {
  liquidations: LiquidationRecord[];
  failures: Map<string, number>;
}

/** Liquidates `candidates` (addresses) that the pool says are liquidatable now. */
export async function keeperStep(c: KeeperContext, candidates: string[], frozenLimitWad: bigint, frozen: boolean, deadline: number): Promise<KeeperStepResult> {
  const liquidations: LiquidationRecord[] = [];
  const failures = new Map<string, number>();
  const limit = frozen ? frozenLimitWad : WAD;
  for (const borrower of candidates) {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const [debtWad, , collateralValueWad, hfWad] = await c.pool.positionOf(borrower);
      if (debtWad === 0n || collateralValueWad === 0n || hfWad >= limit) break;
      let receipt: TransactionReceipt | null;
      try {
        receipt = await (
          await c.liquidator.connect(c.keeper).liquidate(borrower, c.wethAddress, debtWad, [c.wethAddress, c.vusdAddress], 1n, deadline)
        ).wait();
      } catch (error) {
        const name = revertName(c.interfaces, error);
        failures.set(name, (failures.get(name) ?? 0) + 1);
        break;
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
      if (event === undefined || event === null) throw new Error(`flash liquidation of ${borrower} emitted no PositionLiquidated`);
      liquidations.push({ borrower, repaidWad: event.args.debtRepaidWad, seized: event.args.collateralSeized, badDebtWad: event.args.badDebtWad });
    }
  }
  return { liquidations, failures };
}
