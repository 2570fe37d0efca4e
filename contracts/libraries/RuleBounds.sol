// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RuleBounds
/// @notice The hard bounds `SupervisionPolicy` puts on rule values, whatever the regulator or governance schedules:
/// a scheduled value outside them reverts `SupervisionInvalidValue` (or `SupervisionRuleViolated` naming the bound).
/// @dev Constants only (inlined where used); kept out of the policy's ABI so they cost it no bytecode.
library RuleBounds {
    /// @notice Bounds on TIMELOCK_DELAY, so a delay can neither vanish nor lock the rulebook.
    uint32 internal constant MIN_TIMELOCK_DELAY = 1 hours;
    uint32 internal constant MAX_TIMELOCK_DELAY = 30 days;
    /// @notice Bounds on PULL_REPORT_MAX_AGE: a pull report is used at once, so the window is minutes, never a day;
    /// at least a minute, so the pull flow survives a slow block.
    uint32 internal constant MIN_PULL_REPORT_AGE = 1 minutes;
    uint32 internal constant MAX_PULL_REPORT_AGE = 1 hours;
    /// @notice Bound on SCORE_NOTICE_PERIOD: notice, not a second validity period.
    uint32 internal constant MAX_SCORE_NOTICE_PERIOD = 90 days;
    /// @notice Bound on PSM_PRICE_BAND: a band wider than +-50 % is no peg.
    uint16 internal constant MAX_PSM_PRICE_BAND = 5000;
    /// @notice Bound on SAVINGS_SHARE: at least 10 % of the interest received stays as surplus, the first buffer
    /// against bad debt, whatever governance schedules.
    uint16 internal constant MAX_SAVINGS_SHARE_BPS = 9000;
    /// @notice Bound on FLASH_FEE: 1 % of a flash mint.
    uint16 internal constant MAX_FLASH_FEE_BPS = 100;
    /// @notice Bound on PRICE_SOURCE_TOLERANCE: two sources 20 % apart do not confirm each other.
    uint16 internal constant MAX_PRICE_SOURCE_TOLERANCE = 2000;
    /// @notice Bounds on FROZEN_LIQUIDATION_HEALTH (bps of a health factor of 1): at most 1 (then a frozen asset is
    /// seized as any other), at least 0.5 (deep-underwater positions are never left to grow).
    uint16 internal constant MIN_FROZEN_LIQUIDATION_HEALTH = 5000;
}
