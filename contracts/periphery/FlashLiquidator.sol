// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IDexRouter} from "../interfaces/IDexRouter.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";

/// @title FlashLiquidator: liquidation with no capital
/// @notice `liquidate` flash-mints the vUSD a liquidation needs, liquidates, sells all the seized collateral on a
/// Uniswap V2-style router for vUSD, repays the flash loan with its fee, and sends what is left (the liquidation
/// bonus less the DEX's price and fee) to the caller, reverting unless that is at least `minProfitWad`. Anyone; the
/// contract keeps nothing between transactions.
contract FlashLiquidator is IERC3156FlashBorrower, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    uint256 private constant BPS = 10_000;

    /// @notice What the liquidation earned the caller, in vUSD (the flash fee already paid).
    event FlashLiquidated(
        address indexed keeper,
        address indexed borrower,
        address indexed collateral,
        uint256 seized,
        uint256 profitWad
    );

    /// @notice The liquidation earned less than the caller's minimum.
    error FlashLiquidatorProfitTooLow(uint256 minProfitWad, uint256 profitWad);
    /// @notice `onFlashLoan` called by anyone but the flash minter, or for a loan this contract did not start.
    error FlashLiquidatorUntrustedLoan(address lender, address initiator);
    /// @notice The swap path does not start at the collateral and end at vUSD.
    error FlashLiquidatorBadPath(address first, address last);
    /// @notice A zero address in the constructor (`what` names it).
    error FlashLiquidatorZeroAddress(bytes32 what);

    ILendingPool public immutable pool;
    IERC3156FlashLender public immutable flashMinter;
    IDexRouter public immutable router;
    IERC20 public immutable vusd;
    /// @dev The collateral the current liquidation seized (set inside the loan, read after it).
    uint256 private _lastSeized;

    constructor(ILendingPool pool_, IERC3156FlashLender flashMinter_, IDexRouter router_, IERC20 vusd_) {
        if (address(pool_) == address(0)) revert FlashLiquidatorZeroAddress("POOL");
        if (address(flashMinter_) == address(0)) revert FlashLiquidatorZeroAddress("FLASH_MINTER");
        if (address(router_) == address(0)) revert FlashLiquidatorZeroAddress("ROUTER");
        if (address(vusd_) == address(0)) revert FlashLiquidatorZeroAddress("VUSD");
        (pool, flashMinter, router, vusd) = (pool_, flashMinter_, router_, vusd_);
    }

    /// @notice Liquidates `borrower` up to `debtToCoverWad` with flash-minted vUSD, sells the seized `collateral`
    /// along `path` (collateral first, vUSD last) before `deadline`, repays the loan and its fee, and sends the rest
    /// to the caller. Anyone. The loan is sized in this block (`loanWad`): a keeper may pass the debt it read a
    /// block ago, or more (`type(uint256).max`), for "as much as the pool allows".
    /// @dev Reverts `FlashLiquidatorBadPath`, `FlashLiquidatorProfitTooLow`, the pool's liquidation errors, the
    /// router's errors (`deadline`), and the flash minter's (a cap too small for the loan).
    /// @return profitWad the vUSD sent to the caller.
    function liquidate(
        address borrower,
        address collateral,
        uint256 debtToCoverWad,
        address[] calldata path,
        uint256 minProfitWad,
        uint256 deadline
    ) external nonReentrant returns (uint256 profitWad) {
        if (path.length < 2 || path[0] != collateral || path[path.length - 1] != address(vusd)) {
            revert FlashLiquidatorBadPath(
                path.length == 0 ? address(0) : path[0],
                path.length == 0 ? address(0) : path[path.length - 1]
            );
        }
        flashMinter.flashLoan(
            this,
            address(vusd),
            loanWad(borrower, debtToCoverWad),
            abi.encode(borrower, collateral, path, deadline)
        );
        uint256 seized = _lastSeized;
        profitWad = vusd.balanceOf(address(this));
        if (profitWad < minProfitWad) revert FlashLiquidatorProfitTooLow(minProfitWad, profitWad);
        vusd.safeTransfer(msg.sender, profitWad);
        emit FlashLiquidated(msg.sender, borrower, collateral, seized, profitWad);
    }

    /// @notice The vUSD `liquidate` borrows for `debtToCoverWad`: the pool's maximum liquidation of `borrower` now
    /// (its close factor's share of the debt accrued to this block, all of it when the rest would be below the
    /// minimum debt, as `LendingPool` computes it) when `debtToCoverWad` reaches it or would leave the position
    /// less than the minimum debt; else `debtToCoverWad`. So the debt a keeper read a block ago, which interest has
    /// since outgrown, closes a position the dust rule closes in full instead of leaving interest dust the pool
    /// refuses (`LendingPoolDebtBelowMinimum`), and no loan (and flash fee) is larger than the pool will use. With
    /// no debt, `debtToCoverWad` (the pool then says why).
    function loanWad(address borrower, uint256 debtToCoverWad) public view returns (uint256) {
        (uint256 debtWad, , , ) = pool.positionOf(borrower);
        if (debtWad == 0) return debtToCoverWad;
        uint256 minDebtWad = pool.minDebtWad();
        uint256 maxWad = (debtWad * pool.closeFactorBps()) / BPS; // debt < 2^128: no overflow
        if (debtWad - maxWad < minDebtWad) maxWad = debtWad;
        if (debtToCoverWad >= maxWad || debtWad - debtToCoverWad < minDebtWad) return maxWad;
        return debtToCoverWad;
    }

    /// @inheritdoc IERC3156FlashBorrower
    /// @dev Only the flash minter, for a loan this contract started (inside `liquidate`, which holds the guard).
    function onFlashLoan(
        address initiator,
        address,
        uint256 amount,
        uint256 fee,
        bytes calldata data
    ) external returns (bytes32) {
        if (msg.sender != address(flashMinter) || initiator != address(this)) {
            revert FlashLiquidatorUntrustedLoan(msg.sender, initiator);
        }
        (address borrower, address collateral, address[] memory path, uint256 deadline) = abi.decode(
            data,
            (address, address, address[], uint256)
        );
        uint256 collateralBefore = IERC20(collateral).balanceOf(address(this));
        vusd.forceApprove(address(pool), amount);
        pool.liquidate(borrower, collateral, amount);
        uint256 seized = IERC20(collateral).balanceOf(address(this)) - collateralBefore;
        _lastSeized = seized;
        IERC20(collateral).forceApprove(address(router), seized);
        // No minimum here: the caller's `minProfitWad` and the flash repayment bound the outcome.
        router.swapExactTokensForTokens(seized, 0, path, address(this), deadline);
        vusd.forceApprove(address(flashMinter), amount + fee);
        return CALLBACK_SUCCESS;
    }
}
