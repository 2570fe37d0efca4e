// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Loan terms of one risk tier. Governance sets them; the regulator's caps bound them.
/// @dev `maxPdBps` is the tier's upper PD bound (inclusive); tiers are ordered from best (0) to most conservative.
/// Packed into one storage slot (192 bits).
struct TierTerms {
    uint16 maxPdBps;
    uint16 maxLtvBps;
    uint16 liquidationThresholdBps;
    uint16 aprBps;
    uint128 creditLimitWad;
}

/// @notice The regulator's caps on every tier's terms (usury cap, leverage caps, credit cap).
/// @dev Packed into one storage slot (176 bits).
struct TierCaps {
    uint16 maxLtvBps;
    uint16 liquidationThresholdBps;
    uint16 aprBps;
    uint128 creditLimitWad;
}

/// @notice The regulator's global rules, as the policy is deployed with them (`PolicyConfig`).
/// @dev The policy stores the wad limits in 96 bits (every rule a borrow checks fits two slots), so each wad limit
/// must be at most `type(uint96).max` (about 7.9e28 wad, 79.2 billion vUSD; the constructor and
/// `scheduleRuleChange` revert `SupervisionInvalidValue` above it), and `type(uint96).max` stands for "no limit".
/// Rule ids in `Rules` name each field.
struct GlobalRules {
    uint128 debtCeilingWad; // DEBT_CEILING: total principal outstanding
    uint128 borrowerCapWad; // BORROWER_CAP: one borrower's debt with interest
    uint128 concentrationFloorWad; // CONCENTRATION_FLOOR: total principal from which the concentration cap applies
    uint128 dailyOriginationLimitWad; // DAILY_ORIGINATION_LIMIT: net new credit (principal) per UTC day
    uint16 concentrationCapBps; // CONCENTRATION_CAP: one borrower's share of total principal
    uint16 maxPriceDeviationBps; // MAX_PRICE_DEVIATION: from the last accepted price, in (0, 10000]
    uint32 maxScoreAgeSec; // MAX_SCORE_AGE: older scores count as unscored
    uint32 liquidationGracePeriodSec; // LIQUIDATION_GRACE_PERIOD: after an unpause
    uint32 timelockDelaySec; // TIMELOCK_DELAY: schedule -> execute
    uint32 pullReportMaxAgeSec; // PULL_REPORT_MAX_AGE: a pull report's issuedAt to its use, in [60, 3600]
    uint32 scoreNoticePeriodSec; // SCORE_NOTICE_PERIOD: after a score expires, its debt keeps its tier; <= 90 days
    bool attestationRequired; // ATTESTATION_REQUIRED (0 / 1)
}

/// @notice Everything `SupervisionPolicy` is deployed with; validated once in the constructor.
/// @dev `terms.length == caps.length` is the tier count, fixed for the contract's life (1..16).
// Constructor input only, never stored: slot packing does not apply.
// solhint-disable-next-line gas-struct-packing
struct PolicyConfig {
    address governance;
    address regulator;
    address guardian;
    address attester;
    TierTerms[] terms;
    TierCaps[] caps;
    GlobalRules rules;
    uint16 savingsShareBps; // SAVINGS_SHARE: share of interest received paid to savers, <= RuleBounds.MAX_SAVINGS_SHARE_BPS
}

/// @notice What the pool asks the policy before it lends (all amounts in vUSD wad, values after the borrow).
/// @dev The policy resolves the tier itself from the score (one call per borrow): a score that is not `valid`,
/// older than MAX_SCORE_AGE, or posted more than PULL_REPORT_MAX_AGE after its issue counts as no score, i.e. the
/// most conservative tier.
struct BorrowRequest {
    address borrower;
    uint16 pdBps; // the oracle's stored PD for the borrower
    bool scoreValid; // the oracle's `valid` flag
    uint64 scoreIssuedAt; // the stored score's issuedAt
    uint64 scorePostedAt; // when the oracle stored it
    uint256 amountWad; // amount being borrowed now
    uint256 borrowerDebtAfterWad; // borrower's debt with interest after the borrow (credit limit, cap, LTV)
    uint256 borrowerPrincipalAfterWad; // borrower's principal after the borrow (concentration)
    uint256 totalPrincipalAfterWad; // total principal outstanding after the borrow (ceiling, concentration)
    uint256 collateralValueWad; // borrower's collateral value (rounded down)
}

/// @notice The stablecoin modules' rules as stored by the policy (one slot; `SupervisionPolicy.psmRules`): the peg
/// stability module's, and the flash minter's fee.
/// @dev Fees as set by governance; the PSM charges `min(fee, feeCapBps)`. Defaults at deployment: fees 0, fee cap
/// 100 bps, band 100 bps (+-1 %), exposure limit 0 (the PSM takes no reserves until the regulator opens it), flash fee 0.
struct PsmRules {
    uint16 feeInBps; // PSM_FEE_IN
    uint16 feeOutBps; // PSM_FEE_OUT
    uint16 feeCapBps; // PSM_FEE_CAP
    uint16 priceBandBps; // PSM_PRICE_BAND, in [1, 5000]
    uint128 exposureLimitWad; // PSM_EXPOSURE_LIMIT, reserves in wad (1e12 per unit of a 6-decimal stablecoin)
    uint16 flashFeeBps; // FLASH_FEE, in [0, MAX_FLASH_FEE_BPS]
}
