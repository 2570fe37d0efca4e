// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IDexRouter} from "../interfaces/IDexRouter.sol";

/// @title A constant-product DEX for local chains: Uniswap V2's pools (x * y = k, 0.3 % fee) behind its router's
/// interface
/// @notice The one stand-in for a real DEX. Pools are per unordered token pair; anyone adds liquidity (no LP shares:
/// a local stand-in only). `getAmountsOut` and `swapExactTokensForTokens` follow Uniswap V2's router:
/// out = in * 997 * reserveOut / (reserveIn * 1000 + in * 997), floored, hop by hop.
contract MockConstantProductDex is IDexRouter {
    using SafeERC20 for IERC20;

    /// @notice The block is after the swap's deadline.
    error MockDexExpired(uint256 deadline, uint256 nowTs);
    /// @notice The swap's output is below the caller's minimum.
    error MockDexInsufficientOutput(uint256 amountOutMin, uint256 amountOut);
    /// @notice No liquidity for the pair (or a path shorter than two tokens).
    error MockDexNoPool(address tokenIn, address tokenOut);

    event LiquidityAdded(address indexed tokenA, address indexed tokenB, uint256 amountA, uint256 amountB);
    event Swapped(address indexed tokenIn, address indexed tokenOut, uint256 amountIn, uint256 amountOut);

    mapping(address token => mapping(address other => uint256)) private _reserves;

    /// @notice Adds `amountA` of `tokenA` and `amountB` of `tokenB` (pulled from the caller) to their pool.
    function addLiquidity(address tokenA, address tokenB, uint256 amountA, uint256 amountB) external {
        IERC20(tokenA).safeTransferFrom(msg.sender, address(this), amountA);
        IERC20(tokenB).safeTransferFrom(msg.sender, address(this), amountB);
        _reserves[tokenA][tokenB] += amountA;
        _reserves[tokenB][tokenA] += amountB;
        emit LiquidityAdded(tokenA, tokenB, amountA, amountB);
    }

    /// @notice The pool's reserves of `tokenA` and `tokenB`.
    function reservesOf(address tokenA, address tokenB) external view returns (uint256 reserveA, uint256 reserveB) {
        return (_reserves[tokenA][tokenB], _reserves[tokenB][tokenA]);
    }

    /// @inheritdoc IDexRouter
    function getAmountsOut(uint256 amountIn, address[] calldata path) public view returns (uint256[] memory amounts) {
        if (path.length < 2) revert MockDexNoPool(path.length == 1 ? path[0] : address(0), address(0));
        amounts = new uint256[](path.length);
        amounts[0] = amountIn;
        for (uint256 i = 0; i + 1 < path.length; ++i) {
            amounts[i + 1] = _amountOut(amounts[i], path[i], path[i + 1]);
        }
    }

    /// @inheritdoc IDexRouter
    function swapExactTokensForTokens(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external returns (uint256[] memory amounts) {
        if (block.timestamp > deadline) revert MockDexExpired(deadline, block.timestamp);
        amounts = getAmountsOut(amountIn, path);
        uint256 amountOut = amounts[amounts.length - 1];
        if (amountOut < amountOutMin) revert MockDexInsufficientOutput(amountOutMin, amountOut);
        for (uint256 i = 0; i + 1 < path.length; ++i) {
            (address tokenIn, address tokenOut) = (path[i], path[i + 1]);
            _reserves[tokenIn][tokenOut] += amounts[i];
            _reserves[tokenOut][tokenIn] -= amounts[i + 1];
            emit Swapped(tokenIn, tokenOut, amounts[i], amounts[i + 1]);
        }
        IERC20(path[0]).safeTransferFrom(msg.sender, address(this), amountIn);
        IERC20(path[path.length - 1]).safeTransfer(to, amountOut);
    }

    function _amountOut(uint256 amountIn, address tokenIn, address tokenOut) private view returns (uint256) {
        uint256 reserveIn = _reserves[tokenIn][tokenOut];
        uint256 reserveOut = _reserves[tokenOut][tokenIn];
        if (reserveIn == 0 || reserveOut == 0) revert MockDexNoPool(tokenIn, tokenOut);
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }
}
