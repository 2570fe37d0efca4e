// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {ILendingPool} from "../../../contracts/interfaces/ILendingPool.sol";
import {ISupervisionPolicy} from "../../../contracts/interfaces/ISupervisionPolicy.sol";
import {Rules} from "../../../contracts/libraries/Rules.sol";

/// @notice What the invariant campaign counts: for each handler action, how often it was attempted, accepted,
/// skipped (nothing to act on) and rejected, by reason; and how often each path the suite exists to prove was
/// taken (`Path`). `LendingInvariants.afterInvariant` sums them over the campaign's runs and fails unless every
/// path was taken at least `minimumOf(path)` times.
abstract contract CampaignCounters {
    enum Action {
        Deposit,
        Withdraw,
        Borrow,
        BorrowWithReport,
        BorrowToCeiling,
        Repay,
        Liquidate,
        LiquidateFrozen,
        Warp,
        MovePrice,
        AimPrice,
        ShockPrice,
        Recover,
        ChangeScore,
        ChangeTierTerm,
        MintSurplus,
        DriftSource
    }

    /// @dev Why a call was rejected. `SupervisionRuleViolated` is split by the rule it names.
    enum Reason {
        Paused,
        GracePeriod,
        DebtCeiling,
        ConcentrationCap,
        BorrowerCap,
        TierCreditLimit,
        TierLtv,
        CreditDeclined,
        DailyOriginationLimit,
        OtherRule,
        InsufficientCollateral,
        InsufficientBalance,
        NoDebt,
        DebtBelowMinimum,
        PositionHealthy,
        PriceStale,
        AssetFrozen,
        FrozenLiquidationHealth,
        OtherPrice,
        InsufficientSurplus,
        Overflow,
        TokenBalanceOrAllowance,
        Panic,
        Other
    }

    enum Path {
        RepayPartial,
        RepayFull,
        RepayWhilePaused,
        InterestRepaid,
        DeficitRepaid,
        LiquidationPartial,
        LiquidationFull,
        LiquidationRejectedHealthy,
        BadDebtWrittenOff,
        BadDebtCoveredBySurplus,
        BadDebtIntoDeficit,
        ConfirmedJump,
        FreezeOneSourceJump,
        FreezeStaleSource,
        Unfreeze,
        FrozenLiquidation,
        FrozenLiquidationRefused,
        ManualPause,
        BreakerReset,
        TierChange,
        RateChange,
        BorrowAtDebtCeiling,
        BorrowRejectedByDebtCeiling,
        SurplusMinted,
        PullScoreBorrow,
        FreezeSourcesOutOfStep,
        FrozenLiquidationBelowAgreed
    }

    /// @dev The enums' sizes (array lengths must be literal constants; the constructor checks them).
    uint256 internal constant ACTIONS = 17;
    uint256 internal constant REASONS = 24;
    uint256 internal constant PATHS = 27;
    uint256 public constant ACTION_COUNT = ACTIONS;
    /// @dev Per action: attempted, succeeded, skipped, then one slot per reason.
    uint256 internal constant ATTEMPTED = 0;
    uint256 internal constant SUCCEEDED = 1;
    uint256 internal constant SKIPPED = 2;
    uint256 internal constant SLOTS = 3 + REASONS;

    uint256[ACTIONS * SLOTS] private _calls;
    uint256[PATHS] private _paths;

    constructor() {
        require(
            uint256(type(Action).max) + 1 == ACTIONS &&
                uint256(type(Reason).max) + 1 == REASONS &&
                uint256(type(Path).max) + 1 == PATHS,
            "CampaignCounters: an enum's size constant is stale"
        );
    }

    /// @notice The flat call counters of this run: `[action * SLOTS + slot]`.
    function callCounts() external view returns (uint256[] memory counts) {
        counts = new uint256[](ACTIONS * SLOTS);
        for (uint256 i = 0; i < counts.length; ++i) {
            counts[i] = _calls[i];
        }
    }

    /// @notice How often each `Path` was taken in this run.
    function pathCounts() external view returns (uint256[] memory counts) {
        counts = new uint256[](PATHS);
        for (uint256 i = 0; i < PATHS; ++i) {
            counts[i] = _paths[i];
        }
    }

    function _attempt(Action action) internal {
        ++_calls[uint256(action) * SLOTS + ATTEMPTED];
    }

    function _succeed(Action action) internal {
        ++_calls[uint256(action) * SLOTS + SUCCEEDED];
    }

    function _skip(Action action) internal {
        ++_calls[uint256(action) * SLOTS + SKIPPED];
    }

    /// @dev Counts a rejection of `action` under the reason `err` decodes to.
    function _reject(Action action, bytes memory err) internal returns (Reason reason) {
        reason = reasonOf(err);
        ++_calls[uint256(action) * SLOTS + 3 + uint256(reason)];
    }

    function _hit(Path path) internal {
        ++_paths[uint256(path)];
    }

    /// @notice The `Reason` of a revert's data.
    function reasonOf(bytes memory err) public pure returns (Reason) {
        if (err.length < 4) return Reason.Other;
        bytes4 selector = bytes4(err);
        if (selector == ISupervisionPolicy.SupervisionRuleViolated.selector) return _ruleReason(err);
        if (selector == ISupervisionPolicy.SupervisionPaused.selector) return Reason.Paused;
        if (selector == ISupervisionPolicy.SupervisionLiquidationGracePeriod.selector) return Reason.GracePeriod;
        if (selector == ILendingPool.LendingPoolInsufficientCollateral.selector) return Reason.InsufficientCollateral;
        if (selector == ILendingPool.LendingPoolInsufficientBalance.selector) return Reason.InsufficientBalance;
        if (selector == ILendingPool.LendingPoolNoDebt.selector) return Reason.NoDebt;
        if (selector == ILendingPool.LendingPoolDebtBelowMinimum.selector) return Reason.DebtBelowMinimum;
        if (selector == ILendingPool.LendingPoolPositionHealthy.selector) return Reason.PositionHealthy;
        if (selector == ILendingPool.LendingPoolPriceStale.selector) return Reason.PriceStale;
        if (selector == ILendingPool.LendingPoolAssetFrozen.selector) return Reason.AssetFrozen;
        if (selector == ILendingPool.LendingPoolFrozenLiquidationHealth.selector) return Reason.FrozenLiquidationHealth;
        if (
            selector == ILendingPool.LendingPoolPriceInvalid.selector ||
            selector == ILendingPool.LendingPoolPriceRoundIncomplete.selector
        ) return Reason.OtherPrice;
        if (selector == ILendingPool.LendingPoolInsufficientSurplus.selector) return Reason.InsufficientSurplus;
        if (selector == ILendingPool.LendingPoolOverflow.selector) return Reason.Overflow;
        if (
            selector == IERC20Errors.ERC20InsufficientBalance.selector ||
            selector == IERC20Errors.ERC20InsufficientAllowance.selector
        ) return Reason.TokenBalanceOrAllowance;
        if (selector == 0x4e487b71) return Reason.Panic; // Panic(uint256)
        return Reason.Other;
    }

    function _ruleReason(bytes memory err) private pure returns (Reason) {
        bytes32 rule;
        // The rule is the first argument: the word after the 4-byte selector (err has >= 4 bytes; a short
        // payload reads zeros past its end, which no rule id equals).
        assembly ("memory-safe") {
            rule := mload(add(err, 36))
        }
        bytes32 base = rule & ~bytes32(uint256(0xff)); // tier-scoped ids carry the tier in their last byte
        if (rule == Rules.DEBT_CEILING) return Reason.DebtCeiling;
        if (rule == Rules.CONCENTRATION_CAP) return Reason.ConcentrationCap;
        if (rule == Rules.BORROWER_CAP) return Reason.BorrowerCap;
        if (base == Rules.TIER_CREDIT_LIMIT) return Reason.TierCreditLimit;
        if (rule == Rules.TIER_LTV) return Reason.TierLtv;
        if (rule == Rules.CREDIT_DECLINED) return Reason.CreditDeclined;
        if (rule == Rules.DAILY_ORIGINATION_LIMIT) return Reason.DailyOriginationLimit;
        return Reason.OtherRule;
    }

    // ------------------------------------------------------------------ names (for the campaign report)

    function actionName(uint256 action) public pure returns (string memory) {
        string[ACTIONS] memory names = [
            "deposit",
            "withdraw",
            "borrow",
            "borrowWithReport",
            "borrowToCeiling",
            "repay",
            "liquidate",
            "liquidateFrozen",
            "warp",
            "movePrice",
            "aimPrice",
            "shockPrice",
            "recover",
            "changeScore",
            "changeTierTerm",
            "mintSurplus",
            "driftSource"
        ];
        return names[action];
    }

    function reasonName(uint256 reason) public pure returns (string memory) {
        string[REASONS] memory names = [
            "Paused",
            "GracePeriod",
            "DEBT_CEILING",
            "CONCENTRATION_CAP",
            "BORROWER_CAP",
            "TIER_CREDIT_LIMIT",
            "TIER_LTV",
            "CREDIT_DECLINED",
            "DAILY_ORIGINATION_LIMIT",
            "other rule",
            "InsufficientCollateral",
            "InsufficientBalance",
            "NoDebt",
            "DebtBelowMinimum",
            "PositionHealthy",
            "PriceStale",
            "AssetFrozen",
            "FrozenLiquidationHealth",
            "other price error",
            "InsufficientSurplus",
            "Overflow",
            "ERC20 balance/allowance",
            "Panic",
            "other"
        ];
        return names[reason];
    }

    function pathName(uint256 path) public pure returns (string memory) {
        string[PATHS] memory names = [
            "repay, partial",
            "repay, in full",
            "repay while paused",
            "interest repaid (surplus or deficit)",
            "interest paid down the deficit",
            "liquidation, partial",
            "liquidation, in full",
            "liquidation refused: healthy",
            "bad debt written off",
            "bad debt covered by surplus",
            "bad debt into deficit",
            "jump both sources confirm: accepted",
            "freeze: jump one source shows",
            "freeze: a source silent",
            "unfreeze: sources agree again",
            "liquidation of a frozen asset (deep)",
            "frozen-asset liquidation refused: not deep",
            "manual pause (guardian)",
            "breaker reset",
            "tier change (debt re-based)",
            "tier rate change",
            "borrow up to the debt ceiling",
            "borrow refused: DEBT_CEILING",
            "surplus minted",
            "borrow with a pulled score",
            "freeze: sources out of step (one moved alone)",
            "liquidation of a frozen asset below its agreed price"
        ];
        return names[path];
    }
}
