// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IComplianceEvents} from "../interfaces/IComplianceEvents.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {HealthFactor} from "./HealthFactor.sol";
import {Rules} from "./Rules.sol";
import {WadRayMath} from "./WadRayMath.sol";
import {
    AssetSlot,
    CollateralConfig,
    CollateralRegistry,
    FallbackFeed,
    MAX_COLLATERAL_ASSETS
} from "../types/PoolTypes.sol";

/// @notice How a price check's outcome is used when the sources do not confirm it (`CollateralLogic._resolve`).
enum Use {
    Strict, // borrow, withdraw: revert
    Other, // an asset not seized in a liquidation: freeze, value as if seized (no fallback: in the protocol's favour)
    Seized, // the asset a liquidation seizes: freeze, `_frozenSeizurePrice` (none without an agreed price)
    Poke // pokePrice: freeze
}

/// @title The lending pool's collateral registry: listing, price checks and valuation
/// @notice Errors and events are `ILendingPool`'s: the code runs as the pool.
/// @dev The pool reaches every `external` function here by DELEGATECALL into a deployed, linked copy of this
/// library (one more call's cost, once per operation), which keeps their bytecode out of the pool's, under
/// EIP-170's 24,576 bytes: listing, `pokePrice`, the exposure snapshot's total, and the valuation of a position
/// (`valueOf`, on every borrow, withdrawal with debt and liquidation), whose price checks take the rare path
/// (`_resolve`) without a further call. All of them act on the pool's storage (`CollateralRegistry`).
library CollateralLogic {
    /// @notice Gas a price feed's `latestRoundData` may use (a Chainlink proxy and aggregator take under 30,000): a
    /// feed that burns more counts as reverting, and cannot take a transaction's whole gas with it.
    uint256 internal constant FEED_CALL_GAS = 100_000;

    // ---------------------------------------------------------------- listing and pokes

    /// @notice `LendingPool.listCollateral` after its governance check: lists `asset` at the next index, or
    /// updates a listed asset's feed and max age (its index and deposits kept, its reference price reset and any
    /// freeze lifted: the next check starts afresh).
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
            if (count == MAX_COLLATERAL_ASSETS)
                revert ILendingPool.LendingPoolTooManyCollaterals(MAX_COLLATERAL_ASSETS);
            // count < 16 fits a uint8.
            index = uint8(count);
            r.count = count + 1;
        }
        r.configs[asset] = CollateralConfig(priceFeed, maxPriceAgeSec, index, tokenDecimals, feedDecimals, true, false);
        r.assets[index] = AssetSlot(asset, 0);
        emit ILendingPool.CollateralListed(asset, priceFeed, maxPriceAgeSec);
    }

    /// @notice `LendingPool.setFallbackFeed` after its governance check: sets (or, with the zero address, removes)
    /// `asset`'s second price source. The freeze state and the last agreed price are kept: the next check decides.
    /// @dev Reverts `LendingPoolCollateralNotListed`, `LendingPoolInvalidConfig("fallbackFeed")` (the primary
    /// itself: no second opinion), `LendingPoolInvalidConfig("maxPriceAgeSec")`, `LendingPoolUnsupportedDecimals`.
    function setFallback(
        CollateralRegistry storage r,
        address asset,
        address priceFeed,
        uint32 maxPriceAgeSec
    ) external {
        CollateralConfig memory cfg = r.configs[asset];
        if (!cfg.listed) revert ILendingPool.LendingPoolCollateralNotListed(asset);
        if (priceFeed == cfg.priceFeed) revert ILendingPool.LendingPoolInvalidConfig("fallbackFeed");
        uint8 feedDecimals;
        if (priceFeed != address(0)) {
            if (maxPriceAgeSec == 0) revert ILendingPool.LendingPoolInvalidConfig("maxPriceAgeSec");
            feedDecimals = AggregatorV3Interface(priceFeed).decimals();
            if (feedDecimals > 18) revert ILendingPool.LendingPoolUnsupportedDecimals(priceFeed, feedDecimals);
        }
        r.fallbacks[asset] = FallbackFeed(priceFeed, maxPriceAgeSec, feedDecimals);
        emit ILendingPool.FallbackFeedSet(asset, priceFeed, maxPriceAgeSec);
    }

    /// @notice `LendingPool.pokePrice`: checks both of `asset`'s sources now (`_resolve` with `Use.Poke`), so a
    /// keeper or simulation sees a disagreement even while the primary moves within MAX_PRICE_DEVIATION, and
    /// persists the outcome: the agreed price accepted and any freeze lifted, or the asset frozen. Never pauses.
    /// @dev Reverts `LendingPoolCollateralNotListed`.
    function poke(CollateralRegistry storage r, ISupervisionPolicy policy, address asset) external {
        if (!r.configs[asset].listed) revert ILendingPool.LendingPoolCollateralNotListed(asset);
        _resolve(r, policy, asset, Use.Poke);
    }

    /// @notice The rare path of a price check, taken when the primary alone cannot settle it (it moved beyond
    /// MAX_PRICE_DEVIATION from the last agreed price, it cannot be read, or the asset is frozen), and by `poke`.
    /// Reads both sources. They **confirm** each other when both read a valid price (`feedPrice`) and differ by at
    /// most PRICE_SOURCE_TOLERANCE of the lower one (rounded up); an asset with no fallback listed is confirmed by
    /// its primary alone only within MAX_PRICE_DEVIATION of the last agreed price (or when there is none yet).
    /// Confirmed: the primary's price becomes the agreed one and a freeze is lifted (`AssetUnfrozen`). Otherwise,
    /// by `use`: `Strict` (borrow, withdraw) reverts (the primary's own error if it cannot be read, else
    /// `LendingPoolAssetFrozen`; a revert cannot persist a freeze); the others freeze the asset (`AssetFrozen`)
    /// and return, for a liquidation's assets (`Seized`, and `Other`: one not seized), the higher of the two
    /// sources' prices when both are live, never above the last agreed price, else the last agreed price
    /// (`_frozenSeizurePrice`; `frozen` true: for `Seized` the pool then requires FROZEN_LIQUIDATION_HEALTH at
    /// that price; `Seized` reverts `LendingPoolAssetFrozen` if there is no agreed price yet, `Other` is then
    /// worth 0), except an `Other` asset with no fallback listed: the value in the protocol's favour (0 if the
    /// primary cannot be read, else the lower of it and the last agreed price: its only source, dead or after a
    /// real fall beyond MAX_PRICE_DEVIATION, may never confirm a price again); for `Poke` nothing.
    function _resolve(
        CollateralRegistry storage r,
        ISupervisionPolicy policy,
        address asset,
        Use use
    ) private returns (uint256 priceWad, bool frozen) {
        CollateralConfig memory cfg = r.configs[asset];
        AssetSlot storage slot = r.assets[cfg.index];
        uint256 last = slot.lastPriceWad;
        (uint256 primaryWad, ) = feedPrice(asset, cfg, false);
        FallbackFeed memory fb = r.fallbacks[asset];
        uint256 fallbackWad;
        bytes32 reason;
        if (fb.priceFeed == address(0)) {
            if (primaryWad == 0) reason = Rules.PRICE_STALE;
            else if (last != 0 && deviationBps(last, primaryWad) > policy.ruleValue(Rules.MAX_PRICE_DEVIATION)) {
                reason = Rules.PRICE_DEVIATION;
            }
        } else {
            (fallbackWad, ) = feedPrice(
                asset,
                CollateralConfig(fb.priceFeed, fb.maxPriceAgeSec, 0, 0, fb.feedDecimals, true, false),
                false
            );
            if (primaryWad == 0 || fallbackWad == 0) {
                reason = Rules.PRICE_STALE;
            } else {
                uint256 lower = primaryWad < fallbackWad ? primaryWad : fallbackWad;
                if (
                    deviationBps(lower, primaryWad + fallbackWad - lower) >
                    policy.ruleValue(Rules.PRICE_SOURCE_TOLERANCE)
                ) {
                    reason = Rules.PRICE_SOURCE_TOLERANCE;
                }
            }
        }

        if (reason == bytes32(0)) {
            if (cfg.frozen) {
                r.configs[asset].frozen = false;
                emit IComplianceEvents.AssetUnfrozen(asset, primaryWad);
            }
            if (primaryWad != last) acceptPrice(asset, slot, primaryWad);
            return (primaryWad, false);
        }
        if (use == Use.Strict) {
            if (primaryWad == 0) feedPrice(asset, cfg, true); // reverts with the primary's own error
            revert ILendingPool.LendingPoolAssetFrozen(asset, primaryWad, fallbackWad);
        }
        if (use == Use.Seized && last == 0) revert ILendingPool.LendingPoolAssetFrozen(asset, primaryWad, fallbackWad);
        if (!cfg.frozen) {
            r.configs[asset].frozen = true;
            emit IComplianceEvents.AssetFrozen(asset, reason, primaryWad, fallbackWad, last);
        }
        // With no fallback there is no second source to tell a rogue primary from a real move.
        if (use == Use.Other && fb.priceFeed == address(0)) return (primaryWad < last ? primaryWad : last, true);
        return (_frozenSeizurePrice(last, primaryWad, fallbackWad), true);
    }

    /// @notice The price at which a liquidation values a frozen asset, seized or not, whose last agreed price is
    /// `last` (0 for an asset never priced since its listing: then 0, worth nothing unless seized, which reverts),
    /// given what its sources read now (`primaryWad`, `fallbackWad`; 0 = not live: unreadable, invalid, stale or
    /// not listed): with **both sources live** (they disagree beyond PRICE_SOURCE_TOLERANCE: else the asset would
    /// not be frozen), the **higher** of the two, **never above `last`**; with one source or none live, `last`.
    /// @dev Why, as an attacker would try it. A lower price makes a position easier to liquidate and a seizure
    /// larger, so a price below `last` needs both sources: one feed pushed down alone (rogue, glitching or
    /// manipulated) leaves the honest one as the higher, and the seizure stays at the honest price or `last`. One
    /// feed pushed up alone, to shield a position, gets at most `last`: today's value for a frozen asset, no worse.
    /// With one source dead, the live one is unconfirmed and could be the rogue one: `last`, as before. The result
    /// is never above `last`, so every liquidation `last` allowed is still allowed, and the position must still be
    /// below FROZEN_LIQUIDATION_HEALTH at this price (the sources disagree: a margin against both being off, and
    /// against a liquidator front-running the round that unfreezes the asset). Only liquidations use it: nothing
    /// is accepted as the agreed price (a borrow or withdrawal still reverts on a frozen asset) and the freeze
    /// lifts only when the sources confirm each other. A frozen asset the liquidation does not seize gets the same
    /// price (it was the lower of the primary and `last`, 0 with the primary dead): else one feed pushed down alone
    /// lowers the health factor and opens a liquidation on the borrower's other assets. Never above `last`, so a
    /// position that `last` leaves liquidatable stays so; below it only when both live sources say so. (Not for
    /// an unseized asset with no fallback listed: `_resolve`.)
    function _frozenSeizurePrice(uint256 last, uint256 primaryWad, uint256 fallbackWad) private pure returns (uint256) {
        if (primaryWad == 0 || fallbackWad == 0) return last;
        uint256 higher = primaryWad > fallbackWad ? primaryWad : fallbackWad;
        return higher < last ? higher : last;
    }

    /// @notice Values the assets in `mask` (bit i = asset i) of a borrower whose balances are `balances`, at
    /// checked prices (`checkedPrice`), in index order, and stops once the value reaches `enoughWad`; also returns
    /// `focus`'s price (0 if not reached) and whether it is frozen; `focus` is the asset a liquidation seizes,
    /// the zero address for a borrow or withdrawal. Rounded down. Stopping early only leaves value
    /// out, so the result is never more than the full value: a caller that only needs to know whether the value
    /// covers `enoughWad` (a withdrawal) passes its requirement, and the assets it does not reach are not priced
    /// (an unreadable or frozen one then does not block it: the withdrawal does not need its price); a caller that
    /// needs the whole value (a borrow: the policy and `LoanOriginated` use it; a liquidation: the full health
    /// factor) passes `type(uint256).max`. In a liquidation `focus` is `Use.Seized` and every other asset
    /// `Use.Other`, so no asset a borrower chose to add can make the liquidation revert; a frozen one, seized or
    /// not, is valued at the higher of its two live sources capped at the last agreed price, or with one source
    /// live at the last agreed price (`_frozenSeizurePrice`). Otherwise every asset is `Use.Strict`.
    /// @dev MAX_PRICE_DEVIATION is read from the policy at most once per valuation (`Bound`), however many of the
    /// assets' prices moved.
    function valueOf(
        CollateralRegistry storage r,
        mapping(address asset => uint256) storage balances,
        uint16 mask,
        address focus,
        ISupervisionPolicy policy,
        uint256 enoughWad
    ) external returns (uint256 valueWad, uint256 focusPriceWad, bool focusFrozen) {
        Bound memory bound = Bound(policy, false, 0);
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                (uint256 assetValueWad, address asset, uint256 priceWad, bool frozen) = _valueAt(
                    r,
                    balances,
                    i,
                    focus,
                    bound
                );
                valueWad += assetValueWad;
                if (asset == focus) (focusPriceWad, focusFrozen) = (priceWad, frozen);
                if (valueWad >= enoughWad) break;
            }
            mask >>= 1;
        }
    }

    /// @dev Asset `i`'s balance in `balances` at its checked price (`valueOf`'s loop body).
    function _valueAt(
        CollateralRegistry storage r,
        mapping(address asset => uint256) storage balances,
        uint256 i,
        address focus,
        Bound memory bound
    ) private returns (uint256 valueWad, address asset, uint256 priceWad, bool frozen) {
        AssetSlot memory slot = r.assets[i];
        asset = slot.asset;
        CollateralConfig memory cfg = r.configs[asset];
        (priceWad, frozen) = checkedPrice(
            r,
            asset,
            cfg,
            slot.lastPriceWad,
            focus == address(0)
                ? Use.Strict
                : asset == focus
                    ? Use.Seized
                    : Use.Other,
            bound
        );
        valueWad = HealthFactor.valueWad(balances[asset], priceWad, cfg.tokenDecimals);
    }

    /// @notice MAX_PRICE_DEVIATION, read from the policy when a valuation first needs it.
    struct Bound {
        ISupervisionPolicy policy;
        bool read;
        uint256 maxDeviationBps;
    }

    /// @notice The price of `asset` for a user operation. The common case stays in the pool: an asset that is not
    /// frozen, whose primary feed reads a valid price within MAX_PRICE_DEVIATION of the last agreed one (or the
    /// first price), is priced by the primary alone, and that price becomes the agreed one; the policy is asked
    /// for the bound only when a price changed, once per valuation (`bound`). Anything else takes the rare path
    /// (`_resolve`: both sources decide).
    function checkedPrice(
        CollateralRegistry storage r,
        address asset,
        CollateralConfig memory cfg,
        uint256 last,
        Use use,
        Bound memory bound
    ) private returns (uint256 priceWad, bool frozen) {
        if (!cfg.frozen) {
            (priceWad, ) = feedPrice(asset, cfg, false);
            if (priceWad != 0) {
                if (priceWad == last) return (priceWad, false);
                if (last != 0 && !bound.read) {
                    (bound.read, bound.maxDeviationBps) = (true, bound.policy.ruleValue(Rules.MAX_PRICE_DEVIATION));
                }
                if (last == 0 || deviationBps(last, priceWad) <= bound.maxDeviationBps) {
                    acceptPrice(asset, r.assets[cfg.index], priceWad);
                    return (priceWad, false);
                }
            }
        }
        return _resolve(r, bound.policy, asset, use);
    }

    /// @notice Every listed asset's total deposits at its last accepted price (no feed reads), wad, rounded down.
    function totalValueWad(CollateralRegistry storage r) external view returns (uint256 valueWad) {
        uint256 count = r.count;
        for (uint256 i = 0; i < count; ++i) {
            AssetSlot memory slot = r.assets[i];
            valueWad += HealthFactor.valueWad(
                r.states[slot.asset].totalDeposited,
                slot.lastPriceWad,
                r.configs[slot.asset].tokenDecimals
            );
        }
    }

    // ---------------------------------------------------------------- helpers (compiled into their caller)

    /// @notice The feed's latest answer in wad (feed decimals <= 18 at listing), if positive and at most
    /// `type(uint96).max` in wad (`AssetSlot`), from a complete round and not older than the asset's max age. Otherwise reverts
    /// with the named error when `strict` (a reverting feed, or one using more than FEED_CALL_GAS: with the feed's
    /// own revert data), or returns a zero price (and the round's `updatedAt`, 0 if the feed reverted).
    /// @dev A feed whose return data does not decode as a round still reverts (Solidity decodes it outside `try`);
    /// feeds are listed by governance, and a listed feed that answers garbage is a listing to fix, not an input.
    function feedPrice(
        address asset,
        CollateralConfig memory cfg,
        bool strict
    ) internal view returns (uint256 priceWad, uint256 updatedAt) {
        uint80 roundId;
        int256 answer;
        uint80 answeredInRound;
        try AggregatorV3Interface(cfg.priceFeed).latestRoundData{gas: FEED_CALL_GAS}() returns (
            uint80 roundId_,
            int256 answer_,
            uint256,
            uint256 updatedAt_,
            uint80 answeredInRound_
        ) {
            (roundId, answer, updatedAt, answeredInRound) = (roundId_, answer_, updatedAt_, answeredInRound_);
        } catch (bytes memory reason) {
            // A feed that ran out of FEED_CALL_GAS leaves this frame at least FEED_CALL_GAS / 63; less means the
            // caller starved the call (EIP-150 forwards at most 63/64), which must not pass for a failing feed.
            if (gasleft() < FEED_CALL_GAS / 63) revert ILendingPool.LendingPoolFeedCallStarved(cfg.priceFeed);
            if (strict) {
                // Re-raise the feed's own error, as a plain call would.
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
            return (0, 0);
        }
        // answer > 0 here: the cast is exact; the bound keeps the wad price within the 96 bits it is stored in.
        if (answer <= 0 || uint256(answer) > type(uint96).max / 10 ** (18 - cfg.feedDecimals)) {
            if (strict) revert ILendingPool.LendingPoolPriceInvalid(asset, answer);
        } else if (updatedAt == 0 || answeredInRound < roundId) {
            if (strict) revert ILendingPool.LendingPoolPriceRoundIncomplete(asset, roundId, answeredInRound);
        } else if (block.timestamp > updatedAt + cfg.maxPriceAgeSec) {
            if (strict) revert ILendingPool.LendingPoolPriceStale(asset, updatedAt, cfg.maxPriceAgeSec);
        } else {
            priceWad = uint256(answer) * 10 ** (18 - cfg.feedDecimals);
        }
    }

    /// @dev `priceWad` comes from `feedPrice`, which bounds it to 96 bits: the cast is exact.
    function acceptPrice(address asset, AssetSlot storage slot, uint256 priceWad) internal {
        slot.lastPriceWad = uint96(priceWad);
        emit ILendingPool.PriceAccepted(asset, priceWad);
    }

    /// @dev |price - last| / last in bps, rounded up (a trip is never missed by rounding).
    function deviationBps(uint256 last, uint256 priceWad) internal pure returns (uint256) {
        uint256 diff = priceWad > last ? priceWad - last : last - priceWad;
        return WadRayMath.mulDivUp(diff, WadRayMath.BPS, last);
    }
}
