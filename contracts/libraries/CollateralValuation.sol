// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {CollateralLogic, Use} from "./CollateralLogic.sol";
import {HealthFactor} from "./HealthFactor.sol";
import {Rules} from "./Rules.sol";
import {CollateralConfig, CollateralRegistry, CollateralState} from "../types/PoolTypes.sol";

/// @title The lending pool's hot price paths: valuation at checked prices
/// @notice Internal functions only, compiled into the pool: every borrow, withdrawal and liquidation runs them, so
/// the common case (an asset that is not frozen, priced by its primary feed within MAX_PRICE_DEVIATION of the last
/// agreed price) pays no extra call. Everything else is `CollateralLogic.resolve`, reached by DELEGATECALL (a
/// library cannot call its own functions that way, hence two libraries).
library CollateralValuation {
    /// @notice Values every asset in `mask` (bit i = asset i) of a borrower whose balances are `balances`, at
    /// checked prices (`checkedPrice`); also returns `focus`'s price (0 if not held) and whether it is frozen.
    /// Rounded down. `forLiquidation`: `focus` is the asset to be seized (`Use.Seized`: frozen, it is valued at the
    /// last agreed price); every other asset is `Use.Other`, so no asset a borrower chose to add can make the
    /// liquidation revert. Otherwise every asset is `Use.Strict`.
    function valueOf(
        CollateralRegistry storage r,
        mapping(address asset => uint256) storage balances,
        uint16 mask,
        address focus,
        ISupervisionPolicy policy,
        bool forLiquidation
    ) internal returns (uint256 valueWad, uint256 focusPriceWad, bool focusFrozen) {
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                address asset = r.assets[i];
                CollateralConfig memory cfg = r.configs[asset];
                Use use =
                    !forLiquidation
                        ? Use.Strict
                        : asset == focus
                            ? Use.Seized
                            : Use.Other;
                (uint256 priceWad, bool frozen) = checkedPrice(r, policy, asset, cfg, use);
                valueWad += HealthFactor.valueWad(balances[asset], priceWad, cfg.tokenDecimals);
                if (asset == focus) (focusPriceWad, focusFrozen) = (priceWad, frozen);
            }
            mask >>= 1;
        }
    }

    /// @notice The price of `asset` for a user operation. The common case stays in the pool: an asset that is not
    /// frozen, whose primary feed reads a valid price within MAX_PRICE_DEVIATION of the last agreed one (or the
    /// first price), is priced by the primary alone, and that price becomes the agreed one; the policy is asked
    /// for the bound only when the price changed. Anything else takes the rare path (`resolve`, by DELEGATECALL:
    /// both sources decide).
    function checkedPrice(
        CollateralRegistry storage r,
        ISupervisionPolicy policy,
        address asset,
        CollateralConfig memory cfg,
        Use use
    ) internal returns (uint256 priceWad, bool frozen) {
        if (!cfg.frozen) {
            (priceWad, ) = CollateralLogic.feedPrice(asset, cfg, false);
            if (priceWad != 0) {
                CollateralState storage st = r.states[asset];
                uint256 last = st.lastPriceWad;
                if (priceWad == last) return (priceWad, false);
                if (
                    last == 0 ||
                    CollateralLogic.deviationBps(last, priceWad) <= policy.ruleValue(Rules.MAX_PRICE_DEVIATION)
                ) {
                    CollateralLogic.acceptPrice(asset, st, priceWad);
                    return (priceWad, false);
                }
            }
        }
        return CollateralLogic.resolve(r, policy, asset, use);
    }
}
