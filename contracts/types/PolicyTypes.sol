// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Loan terms of one risk tier. Governance sets them; the regulator's caps bound them.
/// @dev `maxPdBps` is the tier's upper PD bound (inclusive); tiers are ordered from best (0) to most conservative.
struct TierTerms {
    uint16 maxPdBps;
    uint16 maxLtvBps;
    uint16 liquidationThresholdBps;
    uint16 aprBps;
    uint128 creditLimitWad;
}

/// @notice The regulator's caps on every tier's terms (usury cap, leverage caps, credit cap).
struct TierCaps {
    uint16 maxLtvBps;
    uint16 liquidationThresholdBps;
    uint16 aprBps;
    uint128 creditLimitWad;
}

/// @notice What the pool asks the policy before it lends (all amounts in vUSD wad, debts after the borrow).
struct BorrowRequest {
    address borrower;
    uint8 tier;
    uint256 amountWad;
    uint256 borrowerDebtAfterWad;
    uint256 totalDebtAfterWad;
    uint256 collateralValueWad;
    uint64 scoreIssuedAt;
}
