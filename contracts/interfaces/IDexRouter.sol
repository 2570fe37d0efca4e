// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The part of Uniswap V2's router (IUniswapV2Router02) that a liquidation helper needs
/// @notice A real deployment points the helper at a Uniswap V2-style router; locally `MockConstantProductDex` serves.
interface IDexRouter {
    /// @notice The amounts along `path` for `amountIn` of `path[0]` (after each pool's fee).
    function getAmountsOut(uint256 amountIn, address[] calldata path) external view returns (uint256[] memory amounts);

    /// @notice Swaps exactly `amountIn` of `path[0]` (pulled from the caller) along `path`, sending the last token to
    /// `to`; reverts when the output is below `amountOutMin` or the block is after `deadline`.
    function swapExactTokensForTokens(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external returns (uint256[] memory amounts);
}
