/** The liquidation price, pure (no imports): the borrower page shows it, a unit test checks it. */

export const WAD = 10n ** 18n;

/**
 * The ETH price at which the health factor reaches 1, other collateral valued as now: HF = value × LT / debt, so
 * (collateral × price + other) × LT = debt, price = (debt − other × LT) / (collateral × LT) (bps scaled). Undefined
 * without debt or WETH, or when the other collateral alone covers the debt.
 */
export function liquidationPriceWad(
  debtWad: bigint,
  collateralWei: bigint,
  otherCollateralValueWad: bigint,
  liquidationThresholdBps: bigint,
): bigint | undefined {
  if (debtWad === 0n || collateralWei === 0n || liquidationThresholdBps === 0n) return undefined;
  const shortfall = debtWad * 10_000n - otherCollateralValueWad * liquidationThresholdBps;
  if (shortfall <= 0n) return undefined;
  return (shortfall * WAD) / (liquidationThresholdBps * collateralWei);
}
