// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadRayMath} from "./WadRayMath.sol";

/// @title Collateral valuation, LTV and health factor
/// @notice Values round down and requirements round up, in the protocol's favour.
library HealthFactor {
    using WadRayMath for uint256;

    /// @notice Value in vUSD wad of `amount` token units at `priceWad` (vUSD per whole token), rounded down.
    function valueWad(uint256 amount, uint256 priceWad, uint8 tokenDecimals) internal pure returns (uint256) {
        return amount.mulDivDown(priceWad, 10 ** tokenDecimals);
    }

    /// @notice Token units worth `valueWad_` at `priceWad`, rounded down (used for seized collateral).
    function amountForValue(uint256 valueWad_, uint256 priceWad, uint8 tokenDecimals) internal pure returns (uint256) {
        return valueWad_.mulDivDown(10 ** tokenDecimals, priceWad);
    }

    /// @notice The largest debt `collateralValueWad` supports at `ltvBps`, rounded down.
    function maxDebtWad(uint256 collateralValueWad, uint256 ltvBps) internal pure returns (uint256) {
        return collateralValueWad.mulDivDown(ltvBps, WadRayMath.BPS);
    }

    /// @notice Collateral value needed for `debtWad` at `ltvBps`, rounded up.
    function requiredCollateralWad(uint256 debtWad, uint256 ltvBps) internal pure returns (uint256) {
        if (ltvBps == 0) return type(uint256).max;
        return debtWad.mulDivUp(WadRayMath.BPS, ltvBps);
    }

    /// @notice Loan-to-value in bps, rounded up; `type(uint256).max` with debt and no collateral.
    function loanToValueBps(uint256 debtWad, uint256 collateralValueWad) internal pure returns (uint256) {
        if (debtWad == 0) return 0;
        if (collateralValueWad == 0) return type(uint256).max;
        return debtWad.mulDivUp(WadRayMath.BPS, collateralValueWad);
    }

    /// @notice Health factor (wad) = collateral value x liquidation threshold / debt, rounded down;
    /// `type(uint256).max` without debt. Below 1e18 the position can be liquidated.
    function healthFactorWad(
        uint256 collateralValueWad,
        uint256 liquidationThresholdBps,
        uint256 debtWad
    ) internal pure returns (uint256) {
        if (debtWad == 0) return type(uint256).max;
        return collateralValueWad.mulDivDown(liquidationThresholdBps * WadRayMath.WAD, WadRayMath.BPS * debtWad);
    }
}
