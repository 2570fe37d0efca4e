// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {HealthFactor} from "./HealthFactor.sol";
import {Rules} from "./Rules.sol";
import {WadRayMath} from "./WadRayMath.sol";
import {
    CollateralConfig, CollateralRegistry, CollateralState, MAX_COLLATERAL_ASSETS
} from "../types/PoolTypes.sol";

/// @title The lending pool's collateral registry: listing, price checks and valuation
/// @notice Errors and events are `ILendingPool`'s: the code runs as the pool.
/// @dev Two kinds of functions, by how often they run. The `external` ones (listing, `pokePrice`, the exposure
/// snapshot's total) are cold paths: the pool reaches them by DELEGATECALL into a deployed, linked copy of this
/// library (one more call's cost), which keeps their bytecode out of the pool's, under EIP-170's 24,576 bytes. The
/// `internal` ones (price checks and valuation, on every borrow, withdrawal and liquidation) are compiled into the
/// pool, so the hot paths pay no extra call. All of them act on the pool's storage (`CollateralRegistry`).
library CollateralLogic {
    // ---------------------------------------------------------------- cold paths (linked, DELEGATECALL)

    /// @notice `LendingPool.listCollateral` after its governance check: lists `asset` at the next index, or
    /// updates a listed asset's feed and max age (its index and deposits kept, its reference price reset).
    /// @dev Reverts `LendingPoolZeroAddress`, `LendingPoolInvalidConfig("maxPriceAgeSec")`,
    /// `LendingPoolUnsupportedDecimals` (token or feed above 18), `LendingPoolTooManyCollaterals`.
    function list(CollateralRegistry storage r, address asset, address priceFeed, uint32 maxPriceAgeSec) external {
        if (asset == address(0) || priceFeed == address(0)) revert ILendingPool.LendingPoolZeroAddress();
        if (maxPriceAgeSec == 0) revert ILendingPool.LendingPoolInvalidConfig("maxPriceAgeSec");
        uint8 tokenDecimals = IERC20Metadata(asset).decimals();
        if (tokenDecimals > 18) revert ILendingPool.LendingPoolUnsupportedDecimals(asset, tokenDecimals);
        uint8 feedDecimals = AggregatorV3Interface(priceFeed).decimals();
        if (feedDecimals > 18) revert ILendingPool.LendingPoolUnsupportedDecimals(priceFeed, feedDecimals);

        CollateralConfig storage cfg = r.configs[asset];
        uint8 index = cfg.index;
        if (!cfg.listed) {
            uint256 count = r.count;
            if (count == MAX_COLLATERAL_ASSETS) revert ILendingPool.LendingPoolTooManyCollaterals(MAX_COLLATERAL_ASSETS);
            // count < 16 fits a uint8.
            index = uint8(count);
            r.assets[count] = asset;
            r.count = count + 1;
        }
        r.configs[asset] = CollateralConfig(priceFeed, maxPriceAgeSec, index, tokenDecimals, feedDecimals, true);
        r.states[asset].lastPriceWad = 0;
        emit ILendingPool.CollateralListed(asset, priceFeed, maxPriceAgeSec);
    }

    /// @notice `LendingPool.pokePrice`: accepts a fresh price within the deviation bound, trips the circuit breaker
    /// otherwise (PRICE_STALE with the round's `updatedAt`, PRICE_DEVIATION with the deviation in bps); while the
    /// breaker is tripped, a fresh valid price becomes the new reference.
    /// @dev Reverts `LendingPoolCollateralNotListed`.
    function poke(CollateralRegistry storage r, ISupervisionPolicy policy, address asset) external {
        CollateralConfig memory cfg = r.configs[asset];
        if (!cfg.listed) revert ILendingPool.LendingPoolCollateralNotListed(asset);
        bool isPaused = policy.paused();
        (uint256 priceWad, uint256 updatedAt) = feedPrice(asset, cfg, false);
        if (priceWad == 0) {
            if (!isPaused) policy.tripCircuitBreaker(Rules.PRICE_STALE, updatedAt);
            return;
        }
        CollateralState storage st = r.states[asset];
        uint256 last = st.lastPriceWad;
        if (priceWad == last) return;
        if (!isPaused && last != 0) {
            uint256 deviationBps = _deviationBps(last, priceWad);
            if (deviationBps > policy.ruleValue(Rules.MAX_PRICE_DEVIATION)) {
                policy.tripCircuitBreaker(Rules.PRICE_DEVIATION, deviationBps);
                return;
            }
        }
        _acceptPrice(asset, st, priceWad);
    }

    /// @notice Every listed asset's total deposits at its last accepted price (no feed reads), wad, rounded down.
    function totalValueWad(CollateralRegistry storage r) external view returns (uint256 valueWad) {
        uint256 count = r.count;
        for (uint256 i = 0; i < count; ++i) {
            address asset = r.assets[i];
            CollateralState memory st = r.states[asset];
            valueWad += HealthFactor.valueWad(st.totalDeposited, st.lastPriceWad, r.configs[asset].tokenDecimals);
        }
    }

    // ---------------------------------------------------------------- hot paths (compiled into the pool)

    /// @notice Values every asset in `mask` (bit i = asset i) of a borrower whose balances are `balances`, at
    /// checked prices (`checkedPrice`); also returns `focus`'s price (0 if not held). Rounded down.
    /// `forLiquidation`: `focus` is the asset to be seized and keeps the strict check (it must have a valid price);
    /// every other asset is checked leniently, so no asset a borrower chose to add can make the liquidation revert:
    /// a price that cannot be read counts as zero, one beyond the deviation bound at the lower of it and the last
    /// accepted price. Both undervalue rather than overvalue: the protocol's favour.
    function valueOf(
        CollateralRegistry storage r,
        mapping(address asset => uint256) storage balances,
        uint16 mask,
        address focus,
        ISupervisionPolicy policy,
        bool forLiquidation
    ) internal returns (uint256 valueWad, uint256 focusPriceWad) {
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                address asset = r.assets[i];
                CollateralConfig memory cfg = r.configs[asset];
                uint256 priceWad = checkedPrice(r, policy, asset, cfg, forLiquidation && asset != focus);
                valueWad += HealthFactor.valueWad(balances[asset], priceWad, cfg.tokenDecimals);
                if (asset == focus) focusPriceWad = priceWad;
            }
            mask >>= 1;
        }
    }

    /// @notice The feed's price for a user operation: reverts on a price `feedPrice` refuses, or on a move beyond
    /// MAX_PRICE_DEVIATION from the last accepted price (only `pokePrice` can persist a circuit-breaker trip).
    /// Otherwise the price becomes the accepted one. The policy is asked for the deviation bound only when the price
    /// changed. `lenient` (another asset than the one seized, in a liquidation): never reverts; a refused price is
    /// 0, a move beyond the bound returns the lower of the new and the last accepted price and is not accepted.
    function checkedPrice(
        CollateralRegistry storage r,
        ISupervisionPolicy policy,
        address asset,
        CollateralConfig memory cfg,
        bool lenient
    ) internal returns (uint256 priceWad) {
        (priceWad,) = feedPrice(asset, cfg, !lenient);
        if (priceWad == 0) return 0; // lenient only: a strict read reverts instead
        CollateralState storage st = r.states[asset];
        uint256 last = st.lastPriceWad;
        if (priceWad == last) return priceWad;
        if (last != 0 && _deviationBps(last, priceWad) > policy.ruleValue(Rules.MAX_PRICE_DEVIATION)) {
            if (!lenient) revert ILendingPool.LendingPoolPriceDeviation(asset, last, priceWad);
            return priceWad < last ? priceWad : last;
        }
        _acceptPrice(asset, st, priceWad);
    }

    /// @notice The feed's latest answer in wad (feed decimals <= 18 at listing), if positive and at most
    /// `type(uint128).max` in wad, from a complete round and not older than the asset's max age. Otherwise reverts
    /// with the named error when `strict` (a reverting feed: with the feed's own revert data), or returns a zero
    /// price (and the round's `updatedAt`, 0 if the feed reverted).
    /// @dev A feed whose return data does not decode as a round still reverts (Solidity decodes it outside `try`);
    /// feeds are listed by governance, and a listed feed that answers garbage is a listing to fix, not an input.
    function feedPrice(address asset, CollateralConfig memory cfg, bool strict)
        internal
        view
        returns (uint256 priceWad, uint256 updatedAt)
    {
        uint80 roundId;
        int256 answer;
        uint80 answeredInRound;
        try AggregatorV3Interface(cfg.priceFeed).latestRoundData() returns (
            uint80 roundId_, int256 answer_, uint256, uint256 updatedAt_, uint80 answeredInRound_
        ) {
            (roundId, answer, updatedAt, answeredInRound) = (roundId_, answer_, updatedAt_, answeredInRound_);
        } catch (bytes memory reason) {
            if (strict) {
                // Re-raise the feed's own error, as a plain call would.
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
            return (0, 0);
        }
        // answer > 0 here: the cast is exact; the bound keeps the wad price within the 128 bits it is stored in.
        if (answer <= 0 || uint256(answer) > type(uint128).max / 10 ** (18 - cfg.feedDecimals)) {
            if (strict) revert ILendingPool.LendingPoolPriceInvalid(asset, answer);
        } else if (updatedAt == 0 || answeredInRound < roundId) {
            if (strict) revert ILendingPool.LendingPoolPriceRoundIncomplete(asset, roundId, answeredInRound);
        } else if (block.timestamp > updatedAt + cfg.maxPriceAgeSec) {
            if (strict) revert ILendingPool.LendingPoolPriceStale(asset, updatedAt, cfg.maxPriceAgeSec);
        } else {
            priceWad = uint256(answer) * 10 ** (18 - cfg.feedDecimals);
        }
    }

    /// @dev `priceWad` comes from `feedPrice`, which bounds it to 128 bits: the cast is exact.
    function _acceptPrice(address asset, CollateralState storage st, uint256 priceWad) private {
        st.lastPriceWad = uint128(priceWad);
        emit ILendingPool.PriceAccepted(asset, priceWad);
    }

    /// @dev |price - last| / last in bps, rounded up (a trip is never missed by rounding).
    function _deviationBps(uint256 last, uint256 priceWad) private pure returns (uint256) {
        uint256 diff = priceWad > last ? priceWad - last : last - priceWad;
        return WadRayMath.mulDivUp(diff, WadRayMath.BPS, last);
    }
}
