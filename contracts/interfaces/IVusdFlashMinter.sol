// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";

/// @title vUSD flash minter (ERC-3156)
/// @notice Lends freshly minted vUSD for the length of one call: `flashLoan` mints `amount` to the receiver, calls
/// its `onFlashLoan`, then burns `amount` from it and moves the fee from it to the protocol's `treasury` (the
/// receiver approves this contract for `amount + fee`, as ERC-3156 lenders pull repayment). Anything short of full
/// repayment in the same transaction reverts the whole loan, so between transactions the minter's outstanding
/// amount is 0 and the accounting identity's flash term vanishes.
/// A capped vUSD minter (`VUSD.setMinterCap`, governance): a loan is at most the cap's remaining room. The fee is
/// FLASH_FEE (`SupervisionPolicy.psmRules().flashFeeBps`, governance through the policy's timelock, default 0, at
/// most 100 bps): fee = ceil(amount * feeBps / 10000), rounded up in the protocol's favour. Only vUSD is lent.
interface IVusdFlashMinter is IERC3156FlashLender {
    /// @notice `receiver` borrowed and repaid `amountWad` vUSD, paying `feeWad` to the treasury; `initiator` called.
    event FlashMinted(address indexed initiator, address indexed receiver, uint256 amountWad, uint256 feeWad);

    /// @notice A loan of a token other than vUSD (ERC-3156: unsupported tokens revert).
    error VusdFlashMinterUnsupportedToken(address token);
    /// @notice A loan above the minter's remaining vUSD cap.
    error VusdFlashMinterAmountExceedsMax(uint256 maxWad, uint256 amountWad);
    /// @notice The receiver's `onFlashLoan` did not return keccak256("ERC3156FlashBorrower.onFlashLoan").
    error VusdFlashMinterCallbackFailed(bytes32 returned);
    /// @notice A zero amount.
    error VusdFlashMinterZeroAmount();
    /// @notice A zero address where a contract or account is required (`what` names it).
    error VusdFlashMinterZeroAddress(bytes32 what);

    /// @notice vUSD lent and not yet repaid (wad): vUSD's minter record for this contract; 0 between transactions.
    function outstandingWad() external view returns (uint256);
}
