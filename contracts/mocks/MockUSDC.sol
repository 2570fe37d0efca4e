// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A 6-decimal USD stablecoin for local chains (the PSM's listed stablecoin)
/// @notice The real ERC20 interface (OpenZeppelin ERC20: reverts on failure, returns true). `mint` is open to anyone:
/// this is a local-chain stand-in only, like `MockAggregatorV3`.
contract MockUSDC is ERC20 {
    constructor() ERC20("Mock USD Coin", "USDC") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
