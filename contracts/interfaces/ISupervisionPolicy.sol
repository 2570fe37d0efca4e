// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "./IComplianceEvents.sol";
import {TierTerms, TierCaps, BorrowRequest, PsmRules} from "../types/PolicyTypes.sol";

/// @title SupervisionPolicy: the supervisor's rulebook, enforced on chain
/// @notice Maps PD to risk tiers and their terms, and checks every borrow against the global rules. Every change
/// of a value goes through a timelock: `scheduleRuleChange` (event with old value, new value and the time it can
/// execute), then `executeRuleChange` after the delay. The regulator schedules caps and global rules; governance
/// schedules tier terms, which can never exceed the regulator's caps (checked when scheduled and when executed,
/// and the effective term is the lower of the two at use). A violated rule reverts with
/// `SupervisionRuleViolated(rule, limit, actual)`.
/// Daily origination limit: net new credit per UTC calendar day (`block.timestamp / 1 days`), i.e. how far total
/// principal outstanding may rise above its level at the day's first borrow. Repaid (and liquidated or written-off)
/// principal gives its room back the same day; interest neither uses nor frees room; principal outstanding from
/// earlier days does not count. The baseline assumes one pool holds the POOL role (as DEBT_CEILING does).
interface ISupervisionPolicy is IComplianceEvents {
    /// @notice The attester set or revoked a borrower's eligibility attestation (`expiresAt` 0 = revoked).
    event AttestationSet(address indexed borrower, uint64 expiresAt, bytes32 attestationHash);
    /// @notice The regulator linked the policy to the credit score oracle it pushes its approval threshold to.
    event ScoreOracleLinked(address indexed oracle);
    /// @notice The regulator linked the policy to the peg stability module it pushes the PSM rules to.
    event PsmLinked(address indexed module);

    /// @notice One rule, its limit and the value that broke it.
    error SupervisionRuleViolated(bytes32 rule, uint256 limit, uint256 actual);
    /// @notice The caller's role may not change `rule` (or the rule id is unknown).
    error SupervisionRuleNotSchedulable(bytes32 rule, address caller);
    /// @notice A value outside what the rule can hold (e.g. bps above 10000, a timelock delay out of range, a flag
    /// other than 0 / 1, a wad limit above `type(uint96).max`, PULL_REPORT_MAX_AGE outside [60, 3600] seconds,
    /// SCORE_NOTICE_PERIOD above 90 days, PRICE_SOURCE_TOLERANCE outside [1, 2000] bps, FROZEN_LIQUIDATION_HEALTH
    /// outside [5000, 10000] bps). Relations between rules (term above cap, LTV not below the liquidation threshold, PD
    /// bounds out of order) revert `SupervisionRuleViolated` instead.
    error SupervisionInvalidValue(bytes32 rule, uint256 value);
    /// @notice `ruleValue` was asked for an id that is not a rule.
    error SupervisionUnknownRule(bytes32 rule);
    /// @notice A role holder in the constructor config is the zero address, or `setScoreOracle` was given the
    /// zero address or an account without code ("SCORE_ORACLE").
    error SupervisionZeroAddress(bytes32 role);
    /// @notice `setScoreOracle` after the policy was linked (to `oracle`): the link is set once.
    error SupervisionScoreOracleAlreadyLinked(address oracle);
    /// @notice `setPsm` after the policy was linked (to `psm`): the link is set once.
    error SupervisionPsmAlreadyLinked(address module);
    /// @notice `unpause` while not paused.
    error SupervisionNotPaused();
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
    /// @notice The effective terms of `tier` (governance's terms bounded by the regulator's caps). Reverts
    /// Panic(0x32) for a tier at or above `tierCount()`.
    function termsOf(uint8 tier) external view returns (TierTerms memory);
    /// @notice The regulator's caps for `tier`.
    function capsOf(uint8 tier) external view returns (TierCaps memory);
    /// @notice The current value of a rule by id from `Rules`: global rules, and tier-scoped terms and caps
    /// (`Rules.tierRule`) as set, before bounding. Reverts `SupervisionUnknownRule`.
    function ruleValue(bytes32 rule) external view returns (uint256);

    /// @notice Checks a borrow against every rule and records it in the day's origination. Only the pool.
    /// @dev Reverts `SupervisionPaused`, `SupervisionRuleViolated` for the first broken rule.
    /// The policy resolves the tier from the score in the request: a score that is not valid, older than
    /// MAX_SCORE_AGE, or posted more than PULL_REPORT_MAX_AGE after its issue (held back, then posted straight to
    /// the oracle) counts as none (most conservative tier, `scored` false); a PD above every tier reverts
    /// `SupervisionRuleViolated(CREDIT_DECLINED, approvalThresholdBps, pdBps)`. Checks, in order: paused,
    /// CREDIT_DECLINED, ELIGIBILITY (limit: attestation expiry, actual: now), TIER_CREDIT_LIMIT (tier-scoped id),
    /// TIER_LTV (limit: collateral value x max LTV, actual: debt after), BORROWER_CAP, DEBT_CEILING (on total
    /// principal), CONCENTRATION_CAP (bps of total principal, when total principal after >= CONCENTRATION_FLOOR;
    /// actual rounded up), DAILY_ORIGINATION_LIMIT (limit, net new credit today including this borrow: total
    /// principal after it minus the total at the day's first borrow, before that borrow; 0 if below).
    /// @return tier The tier the loan is priced in.
    /// @return scored Whether the score was used.
    /// @return terms That tier's effective terms.
    function authorizeBorrow(
        BorrowRequest calldata request
    ) external returns (uint8 tier, bool scored, TierTerms memory terms);

    /// @notice The tier a stored score maps to now (same rule as `authorizeBorrow`), without reverting: a
    /// declined PD returns the most conservative tier with `declined` true.
    function tierForScore(
        uint16 pdBps,
        uint64 issuedAt,
        uint64 postedAt,
        bool valid
    ) external view returns (uint8 tier, bool scored, bool declined);

    /// @notice The tier an existing position belongs on now (`LendingPool.rebase`, and every withdrawal, which
    /// re-bases first), given the tier it holds and its stored score (`ICreditScoreOracle.positionScoreOf`):
    /// - a fresh score (unexpired, at most MAX_SCORE_AGE old, model approved) posted at once (at most
    ///   PULL_REPORT_MAX_AGE after its issue): its PD's tier (a declined PD: the most conservative tier), better or
    ///   worse than the held one; posted later (held back): its tier only if worse than the held one;
    /// - no score, or a score whose model is no longer approved (retired): the most conservative tier, at once;
    /// - an expired score (past its validUntil or older than MAX_SCORE_AGE, model still approved) gives notice:
    ///   for SCORE_NOTICE_PERIOD after it expired the debt keeps its held tier (or the expired score's own tier if
    ///   that is worse), then the most conservative tier. New borrowing gets no notice (`authorizeBorrow`).
    /// An operator-set change does not void stored scores: each was verified by a quorum of the set in force when
    /// it was posted; the change voids reports not yet posted (they name the retired set's version).
    function tierForPosition(
        uint8 heldTier,
        uint16 pdBps,
        uint64 issuedAt,
        uint64 validUntil,
        uint64 postedAt,
        bool modelApproved
    ) external view returns (uint8 tier);

    /// @notice `termsOf(tier)`, reverting `SupervisionPaused` while paused (withdrawals).
    function termsForWithdrawal(uint8 tier) external view returns (TierTerms memory);

    /// @notice `termsOf(tier)`, reverting unless liquidations are allowed now (liquidations).
    /// @dev Reverts `SupervisionPaused`, `SupervisionLiquidationGracePeriod`.
    function termsForLiquidation(uint8 tier) external view returns (TierTerms memory);

    /// @notice The circuit breaker state: paused, and when liquidations resume after the last unpause.
    function breakerState() external view returns (bool isPaused, uint64 liquidationsResumeAt);

    /// @notice The UTC day (`block.timestamp / 1 days`) of the last borrow and the baseline of that day's
    /// DAILY_ORIGINATION_LIMIT: total principal outstanding at the day's first borrow, before it. Net new credit
    /// that day = the pool's total principal now minus `dayStartPrincipalWad` (0 if below).
    function originationOf() external view returns (uint64 day, uint256 dayStartPrincipalWad);

    /// @notice A scheduled change (zero `executableAt` if unknown, executed or cancelled).
    function pendingChange(
        bytes32 changeId
    ) external view returns (bytes32 rule, uint256 newValue, uint64 executableAt);

    /// @notice Reverts unless liquidations are allowed now (not paused, grace period over).
    function requireLiquidationsAllowed() external view;
    /// @notice Reverts unless a pull-flow report issued at `issuedAt` may be used now: a pull report is used at
    /// once, so it must have been issued at most PULL_REPORT_MAX_AGE seconds ago (a report issued ahead of the
    /// block, within the oracle's clock skew, has age 0). This bounds score shopping: a borrower cannot hold a
    /// better bundle back and borrow on it after a newer, worse one was issued. The same bound applies however a
    /// report reaches the oracle: one posted later than this after its issue prices no new credit
    /// (`authorizeBorrow`) and cannot improve a position's tier (`tierForPosition`).
    /// @dev Reverts `SupervisionRuleViolated(PULL_REPORT_MAX_AGE, maxAgeSec, ageSec)`.
    function requirePullReportFresh(uint64 issuedAt) external view;
    /// @notice When a score issued at `issuedAt`, valid until `validUntil`, expires (the earlier of `validUntil` and
    /// MAX_SCORE_AGE after issue) and when the notice its debt gets ends (SCORE_NOTICE_PERIOD later): until then a
    /// position keeps its tier (`tierForPosition`). The pool announces it (`ScoreExpiring`).
    function scoreNoticeOf(
        uint64 issuedAt,
        uint64 validUntil
    ) external view returns (uint64 expiredAt, uint64 noticeEndsAt);
    /// @notice True while the circuit breaker is tripped.
    function paused() external view returns (bool);

    // ---- timelock ----

    /// @notice Schedules `rule` to become `newValue` after the timelock delay. Regulator for caps and global rules,
    /// governance for tier terms. Returns the change id. The value is validated now and again at execution.
    /// @dev Reverts `SupervisionRuleNotSchedulable` (wrong role or unknown id), `SupervisionInvalidValue`,
    /// `SupervisionRuleViolated` (term above cap, LTV >= liquidation threshold, threshold > 10000, PD order).
    function scheduleRuleChange(bytes32 rule, uint256 newValue) external returns (bytes32 changeId);
    /// @notice Executes a scheduled change once its time has come (`block.timestamp >= executableAt`). Anyone may
    /// call. Re-validates against the rules in force now. A change of the last tier's TIER_MAX_PD is pushed to the
    /// linked score oracle in the same call (`setScoreOracle`).
    /// @dev Reverts `SupervisionChangeUnknown`, `SupervisionChangeNotReady`, and the validation errors.
    function executeRuleChange(bytes32 changeId) external;
    /// @notice Cancels a scheduled change. Only the role that may schedule it (else `SupervisionRuleNotSchedulable`).
    function cancelRuleChange(bytes32 changeId) external;

    // ---- circuit breaker ----

    /// @notice Pauses (manual trip, reason MANUAL). Regulator or guardian, else `AccessControlUnauthorizedAccount`.
    /// The only way to pause: a price that cannot be trusted freezes its asset in the pool, not the protocol.
    function pause() external;
    /// @notice Resets the breaker; liquidations resume after the grace period. Only the regulator.
    /// @dev Reverts `SupervisionNotPaused` when not paused.
    function unpause() external;

    // ---- score oracle link ----

    /// @notice Links the policy to the credit score oracle that copies its approval threshold. Only the
    /// regulator, once. Deployment order: `policy.setScoreOracle(oracle)` (regulator), then
    /// `oracle.setPolicy(policy)` (governance), which checks `scoreOracle()` and copies the threshold.
    /// From then on, every executed change of the last tier's TIER_MAX_PD calls
    /// `oracle.syncApprovalThreshold(newValue)` in the same transaction, while the oracle's `policy()` is this
    /// policy (an oracle that points elsewhere does not use this threshold, and re-reads it if it points back).
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `SupervisionZeroAddress("SCORE_ORACLE")` (zero address or
    /// no code), `SupervisionScoreOracleAlreadyLinked`. Emits `ScoreOracleLinked`.
    function setScoreOracle(address oracle) external;
    /// @notice Links the policy to the peg stability module that keeps a copy of the PSM rules, and syncs it. Only the
    /// regulator, once. From then on every executed PSM rule (PSM_* and FLASH_FEE) calls `psm.syncRules()` in the
    /// same transaction, so the PSM never swaps under rules the policy has replaced.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `SupervisionZeroAddress("PSM")` (no code),
    /// `SupervisionPsmAlreadyLinked`. Emits `PsmLinked`.
    function setPsm(address module) external;
    /// @notice The linked peg stability module (zero before `setPsm`).
    function psm() external view returns (address);
    /// @notice The stablecoin modules' rules in one read (FLASH_FEE, governance, at most 100 bps, else
    /// `SupervisionRuleViolated(FLASH_FEE, 100, fee)`, is the flash minter's fee). The peg stability module's rules: PSM_FEE_IN and PSM_FEE_OUT as governance set them
    /// (the PSM charges at most PSM_FEE_CAP), PSM_PRICE_BAND, PSM_EXPOSURE_LIMIT. Scheduled like every rule: the
    /// fees by governance (at most PSM_FEE_CAP, else `SupervisionRuleViolated(PSM_FEE_CAP, cap, fee)`), the rest by
    /// the regulator (PSM_FEE_CAP <= 10000, PSM_PRICE_BAND in [1, 5000], else `SupervisionInvalidValue`).
    function psmRules() external view returns (PsmRules memory);

    /// @notice The linked credit score oracle (zero address: not linked yet).
    function scoreOracle() external view returns (address);

    // ---- eligibility ----

    /// @notice Sets `borrower`'s eligibility attestation until `expiresAt` (0 revokes). Only the attester.
    function setAttestation(address borrower, uint64 expiresAt, bytes32 attestationHash) external;
    /// @notice Whether `borrower` holds an unexpired attestation.
    function isEligible(address borrower) external view returns (bool);
}
