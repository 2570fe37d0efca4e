// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Fixed-point helpers (wad = 1e18, ray = 1e27, bps = 1e4) with explicit rounding direction
/// @notice Every caller picks the direction that favours the protocol; the inputs are bounded by the packed
/// storage types (<= 2^128 each), so the products cannot overflow 256 bits and plain checked math suffices.
library WadRayMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant RAY = 1e27;
    uint256 internal constant BPS = 10_000;

    /// @notice `a * b / d` rounded down.
    function mulDivDown(uint256 a, uint256 b, uint256 d) internal pure returns (uint256) {
        return (a * b) / d;
    }

    /// @notice `a * b / d` rounded up.
    function mulDivUp(uint256 a, uint256 b, uint256 d) internal pure returns (uint256 r) {
        uint256 p = a * b;
        r = p / d;
        // unchecked: r <= p / d <= type(uint256).max - 1 whenever p % d != 0 (d >= 2), so r + 1 cannot overflow.
        unchecked {
            if (p % d != 0) ++r;
        }
    }
}
