// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Rule ids of the supervision rulebook
/// @notice Each id is the rule's name as ASCII in a bytes32, so events and errors decode to readable text.
/// Tier-scoped rules carry the tier index in their last byte (`tierRule`).
library Rules {
    // ---- global rules (regulator) ----
    bytes32 internal constant DEBT_CEILING = "DEBT_CEILING"; // wad, aggregate vUSD debt
    bytes32 internal constant BORROWER_CAP = "BORROWER_CAP"; // wad, one borrower's debt
    bytes32 internal constant CONCENTRATION_CAP = "CONCENTRATION_CAP"; // bps of total debt, one borrower
    bytes32 internal constant CONCENTRATION_FLOOR = "CONCENTRATION_FLOOR"; // wad, total debt above which it applies
    bytes32 internal constant DAILY_ORIGINATION_LIMIT = "DAILY_ORIGINATION_LIMIT"; // wad of net new principal per UTC day
    bytes32 internal constant MAX_SCORE_AGE = "MAX_SCORE_AGE"; // seconds since issuedAt
    bytes32 internal constant ATTESTATION_REQUIRED = "ATTESTATION_REQUIRED"; // 0 or 1
    bytes32 internal constant MAX_PRICE_DEVIATION = "MAX_PRICE_DEVIATION"; // bps from the last accepted price
    bytes32 internal constant LIQUIDATION_GRACE_PERIOD = "LIQUIDATION_GRACE_PERIOD"; // seconds after unpause
    bytes32 internal constant TIMELOCK_DELAY = "TIMELOCK_DELAY"; // seconds between schedule and execute
    bytes32 internal constant PULL_REPORT_MAX_AGE = "PULL_REPORT_MAX_AGE"; // seconds from a pull report's issuedAt to its use
    bytes32 internal constant SCORE_NOTICE_PERIOD = "SCORE_NOTICE_PERIOD"; // seconds an expired score's debt keeps its tier
    bytes32 internal constant PRICE_SOURCE_TOLERANCE = "PRICE_SOURCE_TOLERANCE"; // bps two price sources may differ and agree
    bytes32 internal constant FROZEN_LIQUIDATION_HEALTH = "FROZEN_LIQUIDATION_HEALTH"; // bps of HF 1 below which a frozen asset may be seized

    // ---- peg stability module (fees: governance within the regulator's fee cap; the rest: regulator) ----
    bytes32 internal constant PSM_FEE_IN = "PSM_FEE_IN"; // bps of a swap in (stablecoin -> vUSD), <= PSM_FEE_CAP
    bytes32 internal constant PSM_FEE_OUT = "PSM_FEE_OUT"; // bps of a swap out (vUSD -> stablecoin), <= PSM_FEE_CAP
    bytes32 internal constant PSM_FEE_CAP = "PSM_FEE_CAP"; // bps, the regulator's cap on both fees, <= 10000
    bytes32 internal constant PSM_PRICE_BAND = "PSM_PRICE_BAND"; // bps around $1 the stablecoin's feed must stay in
    bytes32 internal constant PSM_EXPOSURE_LIMIT = "PSM_EXPOSURE_LIMIT"; // wad, stablecoin reserves the PSM may hold
    bytes32 internal constant FLASH_FEE = "FLASH_FEE"; // bps of a flash mint (governance), <= MAX_FLASH_FEE_BPS

    // ---- savings vault (governance, bounded by RuleBounds.MAX_SAVINGS_SHARE_BPS) ----
    bytes32 internal constant SAVINGS_SHARE = "SAVINGS_SHARE"; // bps of the interest that becomes surplus paid to sVUSD

    // ---- per-tier caps (regulator) ----
    bytes32 internal constant TIER_CAP_MAX_LTV = "TIER_CAP_MAX_LTV";
    bytes32 internal constant TIER_CAP_LIQUIDATION_THRESHOLD = "TIER_CAP_LIQUIDATION_THRESHOLD";
    bytes32 internal constant TIER_CAP_APR = "TIER_CAP_APR";
    bytes32 internal constant TIER_CAP_CREDIT_LIMIT = "TIER_CAP_CREDIT_LIMIT";

    // ---- per-tier terms (governance, bounded by the caps) ----
    bytes32 internal constant TIER_MAX_PD = "TIER_MAX_PD";
    bytes32 internal constant TIER_MAX_LTV = "TIER_MAX_LTV";
    bytes32 internal constant TIER_LIQUIDATION_THRESHOLD = "TIER_LIQUIDATION_THRESHOLD";
    bytes32 internal constant TIER_APR = "TIER_APR";
    bytes32 internal constant TIER_CREDIT_LIMIT = "TIER_CREDIT_LIMIT";

    // ---- checks that are not timelocked values but still name a rule in errors / breaker events ----
    bytes32 internal constant TIER_LTV = "TIER_LTV"; // a borrow above the tier's max LTV
    bytes32 internal constant CREDIT_DECLINED = "CREDIT_DECLINED"; // PD above the last tier
    bytes32 internal constant ELIGIBILITY = "ELIGIBILITY"; // attestation missing or expired
    bytes32 internal constant CIRCUIT_BREAKER = "CIRCUIT_BREAKER"; // paused
    bytes32 internal constant PRICE_STALE = "PRICE_STALE"; // asset freeze: a price source is stale, invalid or reverting
    bytes32 internal constant PRICE_DEVIATION = "PRICE_DEVIATION"; // asset freeze: a jump with no second source to confirm it
    bytes32 internal constant MANUAL = "MANUAL";
    bytes32 internal constant PSM_PRICE_STALE = "PSM_PRICE_STALE"; // the PSM's stablecoin feed is stale or invalid

    /// @notice The id of a tier-scoped rule for `tier` (tier index in the last byte).
    function tierRule(bytes32 rule, uint8 tier) internal pure returns (bytes32) {
        return rule | bytes32(uint256(tier));
    }
}
