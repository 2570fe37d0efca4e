// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadRayMath} from "./WadRayMath.sol";

/// @title Cumulative rate index per tier (ray), linear per-second compounding (Compound style)
/// @notice Between two accruals the index grows linearly at the APR in force; accruals compound. Debt of a
/// position = scaled debt x index. Rounding: the index and debt round up, scaled debt rounds up when it is
/// added (borrow, rebase) and down when it is removed (repay), so rounding never favours a borrower.
library InterestIndex {
    using WadRayMath for uint256;

    uint256 internal constant SECONDS_PER_YEAR = 365 days;
    uint256 internal constant INITIAL_INDEX_RAY = WadRayMath.RAY;

    /// @notice The index after `elapsedSec` seconds at `aprBps`: `index * (1 + apr * elapsed / year)`, rounded up.
    function accrue(uint256 indexRay, uint256 aprBps, uint256 elapsedSec) internal pure returns (uint256) {
        if (elapsedSec == 0 || aprBps == 0) return indexRay;
        return indexRay + (indexRay * aprBps).mulDivUp(elapsedSec, WadRayMath.BPS * SECONDS_PER_YEAR);
    }

    /// @notice Debt with interest of `scaledDebt` at `indexRay`, rounded up (the borrower owes the fraction).
    function debtOf(uint256 scaledDebt, uint256 indexRay) internal pure returns (uint256) {
        return scaledDebt.mulDivUp(indexRay, WadRayMath.RAY);
    }

    /// @notice Scaled amount to add for `amountWad` of new debt, rounded up.
    function scaleUp(uint256 amountWad, uint256 indexRay) internal pure returns (uint256) {
        return amountWad.mulDivUp(WadRayMath.RAY, indexRay);
    }

    /// @notice Scaled amount to remove for `amountWad` repaid, rounded down.
    function scaleDown(uint256 amountWad, uint256 indexRay) internal pure returns (uint256) {
        return amountWad.mulDivDown(WadRayMath.RAY, indexRay);
    }
}
