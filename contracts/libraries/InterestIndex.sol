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
    /// @notice The largest index a tier stores (`TierState.indexRay` is 104 bits): 20,282 x its start. The index
    /// saturates there (`accrueSaturating`).
    uint256 internal constant MAX_INDEX_RAY = type(uint104).max;

    /// @notice The index after `elapsedSec` seconds at `aprBps`: `index * (1 + apr * elapsed / year)`, rounded up.
    function accrue(uint256 indexRay, uint256 aprBps, uint256 elapsedSec) internal pure returns (uint256) {
        if (elapsedSec == 0 || aprBps == 0) return indexRay;
        return indexRay + (indexRay * aprBps).mulDivUp(elapsedSec, WadRayMath.BPS * SECONDS_PER_YEAR);
    }

    /// @notice `accrue`, capped at `MAX_INDEX_RAY`: once a tier's debt has grown 20,282-fold (e.g. 33 yearly
    /// accruals at 36 %, or 5 at the highest APR a cap can hold, 655.35 %), its index stops and the tier accrues no
    /// more interest, rather than overflowing its storage and reverting every call that touches the tier.
    /// @dev Cannot overflow for any stored input: index < 2^104, APR < 2^16 and elapsed < 2^40 (uint40 timestamps)
    /// keep `accrue`'s product below 2^160.
    function accrueSaturating(uint256 indexRay, uint256 aprBps, uint256 elapsedSec) internal pure returns (uint256) {
        uint256 next = accrue(indexRay, aprBps, elapsedSec);
        return next < MAX_INDEX_RAY ? next : MAX_INDEX_RAY;
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
