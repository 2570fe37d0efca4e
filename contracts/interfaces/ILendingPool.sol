// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "./IComplianceEvents.sol";
import {IVUSD} from "./IVUSD.sol";
import {ScoreReport} from "../types/ScoreTypes.sol";

/// @title LendingPool: collateralised vUSD loans on score-based terms
/// @notice Borrowers deposit registered ERC20 collateral (WETH first), borrow vUSD on their tier's terms (from the
/// oracle's score; unscored or expired borrowers get the most conservative tier), repay (for themselves or for
/// another), and are liquidated below a health factor of 1. Interest accrues per tier through a cumulative rate
/// index (ray); a tier change re-bases the debt. Every borrow asks the SupervisionPolicy first.
/// Accounting identity: `vUSD.totalSupply() + surplusWad == totalPrincipalWad + deficitWad`
/// (with the pool as vUSD's only minter). Borrowing mints principal; a repayment burns principal and interest
/// (interest first), the interest paying down any deficit and then becoming surplus; bad debt is written off
/// against surplus first, the rest recorded as deficit; governance may mint surplus out (to a treasury), and the
/// savings vault draws its share of the interest from surplus (`paySavings`); neither moves the identity.
/// While paused (the guardian's and the regulator's tool only): repay and deposit still work; borrow, withdraw and
/// liquidate do not. A price that cannot be trusted freezes its asset, not the protocol (`pokePrice`).
interface ILendingPool is IComplianceEvents {
    event CollateralListed(address indexed asset, address indexed priceFeed, uint32 maxPriceAgeSec);
    event CollateralDeposited(address indexed borrower, address indexed asset, address indexed from, uint256 amount);
    event CollateralWithdrawn(address indexed borrower, address indexed asset, address indexed to, uint256 amount);
    event DebtRebased(address indexed borrower, uint8 oldTier, uint8 newTier, uint256 debtWad);
    /// @notice `priceWad` is `asset`'s agreed price from now on (the reference for the next move).
    event PriceAccepted(address indexed asset, uint256 priceWad);
    /// @notice Governance set `asset`'s second price source (zero: removed).
    event FallbackFeedSet(address indexed asset, address indexed priceFeed, uint32 maxPriceAgeSec);
    event SurplusMinted(address indexed to, uint256 amountWad);
    /// @notice Bad debt was written off: `coveredBySurplusWad` from surplus, the rest added to the deficit.
    event BadDebtWrittenOff(
        address indexed borrower,
        uint256 principalWad,
        uint256 coveredBySurplusWad,
        uint256 deficitAddedWad
    );
    /// @notice A tier's index now accrues at `newAprBps` (the policy's effective APR).
    event TierRateSynced(uint8 indexed tier, uint16 oldAprBps, uint16 newAprBps);

    error LendingPoolZeroAddress();
    error LendingPoolZeroAmount();
    /// @notice A constructor parameter is out of range (`field` names it).
    error LendingPoolInvalidConfig(bytes32 field);
    error LendingPoolCollateralNotListed(address asset);
    error LendingPoolTooManyCollaterals(uint256 max);
    error LendingPoolUnsupportedDecimals(address asset, uint8 decimals);
    error LendingPoolInsufficientBalance(address borrower, address asset, uint256 balance, uint256 requested);
    /// @notice A withdrawal would leave the debt above the tier's max LTV of the remaining collateral.
    error LendingPoolInsufficientCollateral(address borrower, uint256 collateralValueWad, uint256 requiredWad);
    error LendingPoolNoDebt(address borrower);
    /// @notice A borrow or liquidation would leave `debtWad` open, below the minimum debt.
    error LendingPoolDebtBelowMinimum(uint256 debtWad, uint256 minDebtWad);
    error LendingPoolPositionHealthy(address borrower, uint256 healthFactorWad);
    error LendingPoolPriceInvalid(address asset, int256 answer);
    error LendingPoolPriceRoundIncomplete(address asset, uint80 roundId, uint80 answeredInRound);
    error LendingPoolPriceStale(address asset, uint256 updatedAt, uint256 maxAgeSec);
    /// @notice `asset` is frozen: its two price sources do not confirm its price (either reads 0 when it cannot be
    /// read; with no fallback listed, the primary moved beyond MAX_PRICE_DEVIATION). Borrow and withdraw revert;
    /// a liquidation seizing it reverts only if no price was ever agreed.
    error LendingPoolAssetFrozen(address asset, uint256 primaryPriceWad, uint256 fallbackPriceWad);
    /// @notice The liquidation seizes a frozen asset (at the higher of its two live sources capped at the last
    /// agreed price, else the last agreed price), which needs the position's health factor at that price below
    /// FROZEN_LIQUIDATION_HEALTH (`limitWad`).
    error LendingPoolFrozenLiquidationHealth(address borrower, uint256 limitWad, uint256 healthFactorWad);
    /// @notice A price feed call failed for want of gas the caller withheld (not a failing feed).
    error LendingPoolFeedCallStarved(address priceFeed);
    error LendingPoolReportNotForCaller(address reportBorrower, address caller);
    error LendingPoolInsufficientSurplus(uint256 surplusWad, uint256 requestedWad);
    /// @notice Savers are not paid while bad debt is not covered (`deficitWad` > 0).
    error LendingPoolDeficitOutstanding(uint256 deficitWad);
    /// @notice A value does not fit its packed storage field (`max`).
    error LendingPoolOverflow(uint256 value, uint256 max);

    /// @notice Opens or adds to `onBehalfOf`'s collateral, pulled from the caller (allowance to the pool). Credits
    /// what arrived (balance delta), so fee-on-transfer tokens are credited net of the fee. Works while paused.
    /// @dev Reverts `LendingPoolCollateralNotListed`, `LendingPoolZeroAddress`, `LendingPoolZeroAmount` (nothing
    /// arrived), `SafeERC20FailedOperation`.
    function deposit(address asset, uint256 amount, address onBehalfOf) external;
    /// @notice Withdraws caller's collateral to `to` if the position stays within its current tier's max LTV. A
    /// position with debt is first re-based onto its current tier (`rebase`'s rule): a newer score, better or
    /// worse, a retired model or a score past its notice period binds the withdrawal; within the notice an
    /// expired score gives, the held tier's terms still apply.
    /// @dev Reverts `SupervisionPaused`, `LendingPoolInsufficientBalance`, `LendingPoolInsufficientCollateral`,
    /// and, when the caller has debt, the price errors and `LendingPoolAssetFrozen` for any asset held that is
    /// frozen or whose move its sources do not confirm (the withdrawal needs its price). Emits `DebtRebased` when the tier changed.
    function withdraw(address asset, uint256 amount, address to) external;
    /// @notice Borrows `amountWad` vUSD on the caller's stored score (or the conservative tier).
    /// @dev Reverts `LendingPoolZeroAmount`, `LendingPoolDebtBelowMinimum`, the price errors and
    /// `LendingPoolAssetFrozen` (no credit against a frozen asset), and the policy's
    /// `SupervisionPaused` / `SupervisionRuleViolated` (TIER_LTV, limits, CREDIT_DECLINED, ...).
    function borrow(uint256 amountWad) external;
    /// @notice Pull flow: verifies and stores `report` with `signatures` at the oracle, then borrows on the stored
    /// score. The report must be the caller's (`LendingPoolReportNotForCaller`). A pull report is used at once: if
    /// it is newer than the stored score it must have been issued at most PULL_REPORT_MAX_AGE ago (the policy's
    /// `requirePullReportFresh`), so a better bundle cannot be held back and used after a worse one was issued. If
    /// the oracle already holds a score at least as new, the report is not submitted and the loan is priced on the
    /// stored score: a front-run submission cannot grief the borrow, and an older, better report never prices one.
    /// @dev Reverts as `borrow`, plus `SupervisionRuleViolated(PULL_REPORT_MAX_AGE, maxAgeSec, ageSec)` and the
    /// oracle's `Oracle*` errors.
    function borrowWithReport(uint256 amountWad, ScoreReport calldata report, bytes calldata signatures) external;
    /// @notice Repays up to `amountWad` of `borrower`'s debt from the caller (type(uint256).max = all).
    /// Needs vUSD allowance to the pool. Works while paused. Returns the amount repaid.
    function repay(address borrower, uint256 amountWad) external returns (uint256 repaidWad);
    /// @notice As `repay`, approving the pool with an EIP-2612 permit in the same call.
    function repayWithPermit(
        address borrower,
        uint256 amountWad,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 repaidWad);
    /// @notice Liquidates an unhealthy position (health factor < 1): repays up to `debtToCoverWad` from the caller
    /// (close factor applies, unless what it would leave is below the minimum debt: then the whole debt may be
    /// repaid) and seizes `collateralAsset` worth the repaid debt plus the bonus, rounded down. If that asset runs
    /// out, the repayment shrinks to what it covers; if the borrower then has no collateral at all, the rest of
    /// the debt is bad debt: written off against surplus, the remainder recorded as deficit.
    /// Prices (two sources per asset, `pokePrice`): a move both sources confirm is real and liquidations proceed at
    /// it. If `collateralAsset`, the one seized, is frozen (its sources disagree, or one cannot be read), it is
    /// seized, with both sources live, at the higher of the two, never above the last agreed price (one source
    /// alone cannot lower it), else at the last agreed price, and only from a position whose health factor at that
    /// price is below FROZEN_LIQUIDATION_HEALTH (`LendingPoolFrozenLiquidationHealth` otherwise;
    /// `LendingPoolAssetFrozen` if no price was ever agreed). No other asset a borrower chose to add can block or delay their liquidation: one
    /// whose price is not confirmed is frozen and counts in the protocol's favour (0 if its primary cannot be read,
    /// else the lower of the primary and the last agreed price). A freeze found here is recorded (`AssetFrozen`).
    /// Terms: the position's held tier (`positionOf`); anyone may `rebase` it onto its current tier first.
    /// @dev Reverts `SupervisionPaused`, `SupervisionLiquidationGracePeriod`, `LendingPoolNoDebt`,
    /// `LendingPoolPositionHealthy`, `LendingPoolInsufficientBalance` (no such collateral),
    /// `LendingPoolDebtBelowMinimum` (leftover below minimum with collateral left), `LendingPoolFrozenLiquidationHealth`,
    /// `LendingPoolAssetFrozen`, `LendingPoolFeedCallStarved`.
    function liquidate(address borrower, address collateralAsset, uint256 debtToCoverWad) external;
    /// @notice Re-bases `borrower`'s debt onto their current tier (`ISupervisionPolicy.tierForPosition`): a fresh
    /// score's tier (a declined PD: the most conservative), the most conservative tier at once if there is no
    /// score or its model was retired, and for an expired score the held tier until SCORE_NOTICE_PERIOD after its
    /// expiry, then the most conservative one. Anyone may call: keepers re-base every position whose held tier
    /// differs (`scripts/keeper/rebase.ts`), a borrower with a better score may, and a liquidator may before
    /// liquidating (liquidation uses the held tier). Returns the held and the current tier; the position moved if
    /// they differ (`DebtRebased`), so `staticCall` tells a keeper whether a call is due.
    /// @dev Reverts `LendingPoolNoDebt`.
    function rebase(address borrower) external returns (uint8 oldTier, uint8 newTier);
    /// @notice Accrues `tier` at its old APR up to now, then adopts the policy's current effective APR. Anyone may
    /// call. Keepers call it right after a TIER_APR or TIER_CAP_APR change executes: borrow and liquidate also
    /// sync the tier they touch, but repay and withdraw do not (to keep them cheap), so until one of these runs
    /// the tier keeps accruing at the APR of its last sync.
    function syncTierRate(uint8 tier) external;

    /// @notice Lists `asset` as collateral priced by `priceFeed` (its primary source), or updates a listed asset's
    /// primary feed (the agreed price is then reset and any freeze lifted). Only governance. Token and feed
    /// decimals must be <= 18; at most 16 assets.
    function listCollateral(address asset, address priceFeed, uint32 maxPriceAgeSec) external;
    /// @notice Sets `asset`'s second, independent price source (`priceFeed`, with its own max age), or removes it
    /// (zero address). Only governance. The fallback confirms a move beyond MAX_PRICE_DEVIATION and lifts a freeze;
    /// without one, such a move cannot be confirmed and freezes the asset.
    /// @dev Reverts `LendingPoolCollateralNotListed`, `LendingPoolInvalidConfig("fallbackFeed")` (the primary
    /// feed), `LendingPoolInvalidConfig("maxPriceAgeSec")` (0), `LendingPoolUnsupportedDecimals`. Emits
    /// `FallbackFeedSet`.
    function setFallbackFeed(address asset, address priceFeed, uint32 maxPriceAgeSec) external;
    /// @notice Mints `amountWad` of surplus to `to` (e.g. a treasury). Only governance.
    /// @dev Reverts `LendingPoolInsufficientSurplus`.
    function mintSurplus(address to, uint256 amountWad) external;
    /// @notice Mints `amountWad` of surplus to `to` for savers. Only the policy's SAVINGS role (the savings vault,
    /// which bounds the amount by its share of `interestToSurplusWad`), and only while there is no deficit.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `LendingPoolDeficitOutstanding`,
    /// `LendingPoolInsufficientSurplus`, `LendingPoolZeroAddress`. Emits `SurplusMinted`.
    function paySavings(address to, uint256 amountWad) external;

    /// @notice The vUSD this pool mints and burns.
    function vusd() external view returns (IVUSD);
    /// @notice Cumulative interest received that became surplus (repaid and liquidation interest, net of what paid
    /// down a deficit), wad. It only grows; the savings vault pays its share of each increase.
    function interestToSurplusWad() external view returns (uint128);

    /// @notice `asset`'s last agreed price (wad; 0: none yet), whether it is frozen, and its fallback feed.
    function priceStatusOf(
        address asset
    ) external view returns (uint256 lastAgreedPriceWad, bool frozen, address fallbackFeed);
    /// @notice Total principal, surplus and deficit (the accounting identity's terms besides vUSD supply).
    function accounts() external view returns (uint256 totalPrincipalWad, uint256 surplusWad, uint256 deficitWad);
    /// @notice A borrower's collateral balance of `asset` (token units).
    function collateralOf(address borrower, address asset) external view returns (uint256);
    /// @notice A tier's rate index (ray), last accrual time, APR in force, and scaled debt total.
    function tierStateOf(
        uint8 tier
    ) external view returns (uint256 indexRay, uint64 lastAccrualTs, uint16 aprBps, uint256 scaledDebtTotal);

    /// @notice Checks both of `asset`'s price sources now and records the outcome; never pauses anything. Both
    /// read a valid price (positive, complete, within their max age, from a feed that did not revert or run out of
    /// gas) and differ by at most PRICE_SOURCE_TOLERANCE of the lower one: the primary's price becomes the agreed
    /// price (`PriceAccepted`) and a freeze is lifted (`AssetUnfrozen`) — this is how a frozen asset unfreezes
    /// (any user operation that reads the asset does the same check while it is frozen). Otherwise the asset is
    /// frozen (`AssetFrozen` with the reason). With no fallback listed, the primary alone confirms a price within
    /// MAX_PRICE_DEVIATION of the last agreed one. Anyone may call (keepers, nodes, simulations).
    /// @dev Reverts `LendingPoolCollateralNotListed`, `LendingPoolFeedCallStarved`.
    function pokePrice(address asset) external;
    /// @notice Emits an `ExposureSnapshot`: total debt with interest, collateral valued at the last accepted
    /// prices (no feed reads, so it never reverts), vUSD supply, and each tier's debt. Anyone may call.
    function publishExposureSnapshot() external;

    /// @notice The share of a position's debt one liquidation may repay, bps (all of it when the rest would be below
    /// `minDebtWad`).
    function closeFactorBps() external view returns (uint16);
    /// @notice The smallest debt a position may keep (wad): a borrow or liquidation leaving less reverts.
    function minDebtWad() external view returns (uint256);

    /// @notice A borrower's debt (with interest), tier, collateral value and health factor (wad; max if no debt).
    /// Collateral is valued at the last accepted prices (a view cannot persist a check of the feed).
    function positionOf(
        address borrower
    ) external view returns (uint256 debtWad, uint8 tier, uint256 collateralValueWad, uint256 healthFactorWad);
}
