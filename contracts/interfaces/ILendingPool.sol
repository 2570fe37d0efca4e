// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "./IComplianceEvents.sol";
import {ScoreReport} from "../types/ScoreTypes.sol";

/// @title LendingPool: collateralised vUSD loans on score-based terms
/// @notice Borrowers deposit registered ERC20 collateral (WETH first), borrow vUSD on their tier's terms (from the
/// oracle's score; unscored or expired borrowers get the most conservative tier), repay (for themselves or for
/// another), and are liquidated below a health factor of 1. Interest accrues per tier through a cumulative rate
/// index (ray); a tier change re-bases the debt. Every borrow asks the SupervisionPolicy first.
/// Accounting identity: `vUSD.totalSupply() + surplusWad == totalPrincipalWad + deficitWad`
/// (repayments burn principal and interest; interest becomes surplus; bad debt is covered by surplus first).
/// While paused: repay and deposit still work; borrow, withdraw and liquidate do not.
interface ILendingPool is IComplianceEvents {
    event CollateralListed(address indexed asset, address indexed priceFeed, uint32 maxPriceAgeSec);
    event CollateralDeposited(address indexed borrower, address indexed asset, address indexed from, uint256 amount);
    event CollateralWithdrawn(address indexed borrower, address indexed asset, address indexed to, uint256 amount);
    event DebtRebased(address indexed borrower, uint8 oldTier, uint8 newTier, uint256 debtWad);
    event PriceAccepted(address indexed asset, uint256 priceWad);
    event SurplusMinted(address indexed to, uint256 amountWad);

    /// @notice Opens or adds to `onBehalfOf`'s collateral. Works while paused.
    function deposit(address asset, uint256 amount, address onBehalfOf) external;
    /// @notice Withdraws caller's collateral to `to` if the position stays within its tier's LTV.
    function withdraw(address asset, uint256 amount, address to) external;
    /// @notice Borrows `amountWad` vUSD on the caller's stored score (or the conservative tier).
    function borrow(uint256 amountWad) external;
    /// @notice Pull flow: verifies and stores `report` with `signatures` at the oracle, then borrows.
    function borrowWithReport(uint256 amountWad, ScoreReport calldata report, bytes calldata signatures) external;
    /// @notice Repays up to `amountWad` of `borrower`'s debt from the caller (type(uint256).max = all).
    /// Needs vUSD allowance to the pool. Works while paused. Returns the amount repaid.
    function repay(address borrower, uint256 amountWad) external returns (uint256 repaidWad);
    /// @notice As `repay`, approving the pool with an EIP-2612 permit in the same call.
    function repayWithPermit(address borrower, uint256 amountWad, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 repaidWad);
    /// @notice Liquidates an unhealthy position: repays up to `debtToCoverWad` (close factor applies, except for dust
    /// positions) and seizes `collateralAsset` worth the repaid debt plus the bonus.
    function liquidate(address borrower, address collateralAsset, uint256 debtToCoverWad) external;
    /// @notice Re-bases `borrower`'s debt onto the tier of their current score. Anyone may call.
    function rebase(address borrower) external;
    /// @notice Checks `asset`'s feed: accepts a fresh price within the deviation bound, trips the circuit breaker
    /// otherwise. Anyone may call (keepers, nodes, the guardian's bot).
    function pokePrice(address asset) external;
    /// @notice Emits an `ExposureSnapshot`. Anyone may call.
    function publishExposureSnapshot() external;

    /// @notice A borrower's debt (with interest), tier, collateral value and health factor (wad; max if no debt).
    function positionOf(address borrower)
        external
        view
        returns (uint256 debtWad, uint8 tier, uint256 collateralValueWad, uint256 healthFactorWad);
}
