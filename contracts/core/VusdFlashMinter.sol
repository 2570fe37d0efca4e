// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {IVUSD} from "../interfaces/IVUSD.sol";
import {IVusdFlashMinter} from "../interfaces/IVusdFlashMinter.sol";
import {WadRayMath} from "../libraries/WadRayMath.sol";

/// @title VusdFlashMinter
/// @notice ERC-3156 flash loans of vUSD, minted and burned in the same call. See `IVusdFlashMinter`.
/// @dev vUSD's burn lowers this minter's record by what it burns; the minter burns exactly what it minted, so the
/// record returns to its value before the loan (0) and never saturates. The fee is a transfer to the treasury, not a
/// mint or burn, so it leaves vUSD's supply unchanged.
contract VusdFlashMinter is IVusdFlashMinter, ReentrancyGuardTransient {
    using SafeERC20 for IVUSD;

    /// @dev ERC-3156: what a borrower's `onFlashLoan` returns to accept the loan.
    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    IVUSD public immutable vusd;
    ISupervisionPolicy public immutable policy;
    /// @notice Where flash fees go (the protocol's treasury), fixed at deployment.
    address public immutable treasury;

    constructor(IVUSD vusd_, ISupervisionPolicy policy_, address treasury_) {
        if (address(vusd_) == address(0)) revert VusdFlashMinterZeroAddress("VUSD");
        if (address(policy_) == address(0)) revert VusdFlashMinterZeroAddress("POLICY");
        if (treasury_ == address(0)) revert VusdFlashMinterZeroAddress("TREASURY");
        vusd = vusd_;
        policy = policy_;
        treasury = treasury_;
    }

    /// @inheritdoc IERC3156FlashLender
    /// @dev The room left under vUSD's cap for this minter (0 for any other token).
    function maxFlashLoan(address token) public view returns (uint256) {
        if (token != address(vusd)) return 0;
        (uint256 capWad, uint256 mintedWad) = vusd.minterOf(address(this));
        return capWad > mintedWad ? capWad - mintedWad : 0;
    }

    /// @inheritdoc IERC3156FlashLender
    /// @dev ceil(amount * FLASH_FEE / 10000). Reverts `VusdFlashMinterUnsupportedToken` for a token other than vUSD.
    function flashFee(address token, uint256 amount) public view returns (uint256) {
        if (token != address(vusd)) revert VusdFlashMinterUnsupportedToken(token);
        uint256 feeBps = policy.psmRules().flashFeeBps;
        return (amount * feeBps + WadRayMath.BPS - 1) / WadRayMath.BPS;
    }

    /// @inheritdoc IERC3156FlashLender
    /// @dev Anyone. Reverts `VusdFlashMinterUnsupportedToken`, `VusdFlashMinterZeroAmount`,
    /// `VusdFlashMinterAmountExceedsMax`, `VusdFlashMinterCallbackFailed`, `ReentrancyGuardReentrantCall` (a loan
    /// inside a loan), and vUSD's `ERC20InsufficientAllowance` / `ERC20InsufficientBalance` when the receiver does
    /// not repay `amount + fee`. Emits `FlashMinted`.
    function flashLoan(
        IERC3156FlashBorrower receiver,
        address token,
        uint256 amount,
        bytes calldata data
    ) external nonReentrant returns (bool) {
        if (address(receiver) == address(0)) revert VusdFlashMinterZeroAddress("RECEIVER");
        if (amount == 0) revert VusdFlashMinterZeroAmount();
        uint256 maxWad = maxFlashLoan(token);
        uint256 feeWad = flashFee(token, amount);
        if (amount > maxWad) revert VusdFlashMinterAmountExceedsMax(maxWad, amount);

        vusd.mint(address(receiver), amount);
        bytes32 returned = receiver.onFlashLoan(msg.sender, token, amount, feeWad, data);
        if (returned != CALLBACK_SUCCESS) revert VusdFlashMinterCallbackFailed(returned);
        // Repayment: the receiver approved this contract for amount + fee (ERC-3156). The burn takes the principal
        // out of circulation again; the fee moves to the treasury.
        vusd.burnFrom(address(receiver), amount);
        if (feeWad > 0) vusd.safeTransferFrom(address(receiver), treasury, feeWad);
        emit FlashMinted(msg.sender, address(receiver), amount, feeWad);
        return true;
    }

    /// @inheritdoc IVusdFlashMinter
    function outstandingWad() external view returns (uint256 mintedWad) {
        (, mintedWad) = vusd.minterOf(address(this));
    }
}
