// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";

/// @title An ERC-3156 borrower whose behaviour a test chooses: repay, keep the loan, answer wrongly, re-enter
contract FlashBorrowerStub is IERC3156FlashBorrower {
    enum Mode {
        Repay,
        NoApproval,
        WrongReturn,
        Reenter
    }

    IERC3156FlashLender public immutable lender;
    Mode public mode;
    /// @notice What the last callback saw: the loan amount, the fee and this contract's balance during the loan.
    uint256 public seenAmount;
    uint256 public seenFee;
    uint256 public seenBalance;

    constructor(IERC3156FlashLender lender_) {
        lender = lender_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function borrow(address token, uint256 amount) external {
        lender.flashLoan(this, token, amount, "");
    }

    function onFlashLoan(
        address,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata
    ) external returns (bytes32) {
        seenAmount = amount;
        seenFee = fee;
        seenBalance = IERC20(token).balanceOf(address(this));
        if (mode == Mode.Reenter) lender.flashLoan(this, token, amount, "");
        if (mode != Mode.NoApproval) IERC20(token).approve(address(lender), amount + fee);
        if (mode == Mode.WrongReturn) return keccak256("wrong");
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
