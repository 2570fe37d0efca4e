// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "./IComplianceEvents.sol";
import {TierTerms, TierCaps, BorrowRequest} from "../types/PolicyTypes.sol";

/// @title SupervisionPolicy: the supervisor's rulebook, enforced on chain
/// @notice Maps PD to risk tiers and their terms, and checks every borrow against the global rules. Every change
/// of a value goes through a timelock: `scheduleRuleChange` (event with old value, new value and the time it can
/// execute), then `executeRuleChange` after the delay. The regulator schedules caps and global rules; governance
/// schedules tier terms, which can never exceed the regulator's caps (checked when scheduled and when executed,
/// and the effective term is the lower of the two at use). A violated rule reverts with
/// `SupervisionRuleViolated(rule, limit, actual)`.
/// Daily origination window: the UTC calendar day, `block.timestamp / 1 days`.
interface ISupervisionPolicy is IComplianceEvents {
    /// @notice The attester set or revoked a borrower's eligibility attestation (`expiresAt` 0 = revoked).
    event AttestationSet(address indexed borrower, uint64 expiresAt, bytes32 attestationHash);

    /// @notice One rule, its limit and the value that broke it.
    error SupervisionRuleViolated(bytes32 rule, uint256 limit, uint256 actual);
    /// @notice The caller's role may not change `rule` (or the rule id is unknown).
    error SupervisionRuleNotSchedulable(bytes32 rule, address caller);
    /// @notice A value outside what the rule can hold (e.g. bps above 10000, LTV above liquidation threshold).
    error SupervisionInvalidValue(bytes32 rule, uint256 value);
    error SupervisionChangeUnknown(bytes32 changeId);
    error SupervisionChangeNotReady(bytes32 changeId, uint64 executableAt, uint64 nowTs);
    /// @notice The protocol is paused (borrow, withdraw and liquidation are blocked).
    error SupervisionPaused();
    /// @notice Liquidations are waiting out the grace period after an unpause.
    error SupervisionLiquidationGracePeriod(uint64 resumesAt, uint64 nowTs);

    /// @notice Number of tiers (fixed at deployment). Tier `tierCount() - 1` is the most conservative one.
    function tierCount() external view returns (uint8);
    /// @notice The tier for `pdBps`, and whether the PD is above every tier (credit declined).
    function tierOf(uint16 pdBps) external view returns (uint8 tier, bool declined);
    /// @notice The PD above which credit is declined (the most conservative tier's `maxPdBps`).
    function approvalThresholdBps() external view returns (uint16);
    /// @notice The effective terms of `tier` (governance's terms bounded by the regulator's caps).
    function termsOf(uint8 tier) external view returns (TierTerms memory);
    /// @notice The regulator's caps for `tier`.
    function capsOf(uint8 tier) external view returns (TierCaps memory);
    /// @notice The current value of a global rule (by rule id from `Rules`).
    function ruleValue(bytes32 rule) external view returns (uint256);

    /// @notice Checks a borrow against every rule and records it in the day's origination. Only the pool.
    /// @dev Reverts `SupervisionPaused`, `SupervisionRuleViolated` for the first broken rule.
    function authorizeBorrow(BorrowRequest calldata request) external returns (TierTerms memory terms);

    /// @notice Reverts unless liquidations are allowed now (not paused, grace period over).
    function requireLiquidationsAllowed() external view;
    /// @notice True while the circuit breaker is tripped.
    function paused() external view returns (bool);

    // ---- timelock ----

    /// @notice Schedules `rule` to become `newValue` after the timelock delay. Regulator for caps and global rules,
    /// governance for tier terms. Returns the change id.
    function scheduleRuleChange(bytes32 rule, uint256 newValue) external returns (bytes32 changeId);
    /// @notice Executes a scheduled change once its time has come. Anyone may call.
    function executeRuleChange(bytes32 changeId) external;
    /// @notice Cancels a scheduled change. Only the role that may schedule it.
    function cancelRuleChange(bytes32 changeId) external;

    // ---- circuit breaker ----

    /// @notice Pauses (manual trip). Regulator or guardian.
    function pause() external;
    /// @notice Trips the breaker for `reason` (PRICE_STALE / PRICE_DEVIATION) with a detail value. Only the pool.
    function tripCircuitBreaker(bytes32 reason, uint256 detail) external;
    /// @notice Resets the breaker; liquidations resume after the grace period. Only the regulator.
    function unpause() external;

    // ---- eligibility ----

    /// @notice Sets `borrower`'s eligibility attestation until `expiresAt` (0 revokes). Only the attester.
    function setAttestation(address borrower, uint64 expiresAt, bytes32 attestationHash) external;
    /// @notice Whether `borrower` holds an unexpired attestation.
    function isEligible(address borrower) external view returns (bool);
}
