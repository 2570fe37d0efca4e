// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IPegStabilityModule} from "../interfaces/IPegStabilityModule.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {IVUSD} from "../interfaces/IVUSD.sol";
import {Roles} from "../libraries/Roles.sol";
import {Rules} from "../libraries/Rules.sol";
import {WadRayMath} from "../libraries/WadRayMath.sol";
import {PsmRules} from "../types/PolicyTypes.sol";

/// @title PegStabilityModule
/// @notice vUSD <-> one USD stablecoin. See `IPegStabilityModule`.
/// @dev MakerDAO LitePSM's design: the PSM holds a buffer of pre-minted vUSD (`fill`), so a swap is two token
/// transfers and writes none of the PSM's own storage: swap in = stablecoin user -> PSM, vUSD buffer -> user; swap
/// out = vUSD user -> buffer, stablecoin PSM -> user. The PSM's books are the two balances it holds plus vUSD's
/// minter record for it (`mintedWad` = buffer + vUSD the PSM paid out and did not take back). The listed stablecoin
/// must be a plain ERC20 (no fee on transfer, no rebasing, no hooks): the PSM books the amount it asked for. A
/// donation of either token is surplus (swept to the treasury) and counts towards the exposure limit, which bounds
/// the stablecoin actually held. The policy's PSM rules and the pause flag are cached in `_rules` (one slot, fees
/// already bounded by PSM_FEE_CAP), so a swap reads one slot of its own, the feed and the two tokens: the policy
/// pushes every executed PSM rule here (`syncRules`, linked by `SupervisionPolicy.setPsm`), and anyone may re-sync
/// from the policy at any time. Swaps write no PSM storage, so they need no re-entrancy lock (the fill, trim and
/// sweep paths keep one).
contract PegStabilityModule is IPegStabilityModule, ReentrancyGuardTransient {
    using SafeERC20 for IERC20Metadata;

    /// @notice Largest staleness threshold the constructor accepts.
    uint32 public constant MAX_FEED_AGE = 7 days;

    IVUSD public immutable vusd;
    IERC20Metadata public immutable stablecoin;
    AggregatorV3Interface public immutable priceFeed;
    ISupervisionPolicy public immutable policy;
    /// @notice Seconds after which the feed's round is stale (the feed's heartbeat plus a margin).
    uint32 public immutable maxFeedAgeSec;
    /// @notice 10^(18 - stablecoin decimals): vUSD wad per stablecoin unit.
    uint256 public immutable SCALE;
    /// @dev $1 in the feed's decimals.
    uint256 private immutable _ONE_USD;

    /// @dev The policy's PSM rules as a swap uses them (fees already `min(fee, PSM_FEE_CAP)`) and the pause flag:
    /// one slot, the only PSM storage a swap reads.
    struct CachedRules {
        uint16 feeInBps;
        uint16 feeOutBps;
        uint16 priceBandBps;
        uint128 exposureLimitWad;
        bool paused;
        /// @dev The last trim could not reach the target (users hold the rest): every swap in trims first.
        bool trimPending;
    }

    /// @notice Where `sweepFees` sends the fee surplus (the protocol's treasury), fixed at deployment.
    address public immutable treasury;

    CachedRules private _rules;
    /// @dev Bit offsets of `CachedRules`' fields in its slot (declaration order, packed from the low bits).
    uint256 private constant _FEE_OUT_SHIFT = 16;
    uint256 private constant _BAND_SHIFT = 32;
    uint256 private constant _PAUSED_SHIFT = 176;
    uint256 private constant _TRIM_PENDING_SHIFT = 184;
    /// @dev The freeze state last put on record by `syncFreeze` (events only; swaps read the feed themselves).
    bool public frozenOnRecord;

    constructor(
        IVUSD vusd_,
        IERC20Metadata stablecoin_,
        AggregatorV3Interface priceFeed_,
        ISupervisionPolicy policy_,
        uint32 maxFeedAgeSec_,
        address treasury_
    ) {
        if (address(vusd_) == address(0)) revert PegStabilityModuleZeroAddress("VUSD");
        if (address(stablecoin_) == address(0)) revert PegStabilityModuleZeroAddress("STABLECOIN");
        if (address(priceFeed_) == address(0)) revert PegStabilityModuleZeroAddress("PRICE_FEED");
        if (address(policy_) == address(0)) revert PegStabilityModuleZeroAddress("POLICY");
        if (treasury_ == address(0)) revert PegStabilityModuleZeroAddress("TREASURY");
        if (maxFeedAgeSec_ == 0 || maxFeedAgeSec_ > MAX_FEED_AGE) {
            revert PegStabilityModuleInvalidConfig("MAX_FEED_AGE", maxFeedAgeSec_);
        }
        uint8 stableDecimals = stablecoin_.decimals();
        if (stableDecimals > 18) revert PegStabilityModuleInvalidConfig("STABLECOIN_DECIMALS", stableDecimals);
        uint8 feedDecimals = priceFeed_.decimals();
        if (feedDecimals > 36) revert PegStabilityModuleInvalidConfig("FEED_DECIMALS", feedDecimals);
        vusd = vusd_;
        stablecoin = stablecoin_;
        priceFeed = priceFeed_;
        policy = policy_;
        maxFeedAgeSec = maxFeedAgeSec_;
        SCALE = 10 ** (18 - stableDecimals);
        _ONE_USD = 10 ** feedDecimals;
        treasury = treasury_;
        _syncRules();
    }

    // ---------------------------------------------------------------- swaps

    /// @inheritdoc IPegStabilityModule
    function swapIn(uint256 stableAmount, address to) external returns (uint256 vusdOutWad) {
        if (to == address(0)) revert PegStabilityModuleZeroAddress("TO");
        if (stableAmount == 0) revert PegStabilityModuleZeroAmount(0);
        uint256 packed = _packedRules();
        if ((packed >> _PAUSED_SHIFT) & 0xff != 0) revert PegStabilityModulePaused();
        if (!_live((packed >> _BAND_SHIFT) & 0xffff)) _revertFrozen(_rules.priceBandBps);

        uint256 grossWad = stableAmount * SCALE;
        uint256 feeWad = _feeUp(grossWad, packed & 0xffff);
        // feeWad <= grossWad: the fee is at most 10000 bps, rounded up to at most grossWad.
        unchecked {
            vusdOutWad = grossWad - feeWad;
        }
        if (vusdOutWad == 0) revert PegStabilityModuleZeroAmount(stableAmount);

        if ((packed >> _TRIM_PENDING_SHIFT) & 0xff != 0) _trim();
        // The buffer is the exposure check: it holds at most min(cap, PSM_EXPOSURE_LIMIT) - paid out (`fill`, and a
        // trim before any swap in while one is pending), so a payout it cannot cover is one the limit or the cap
        // refuses; `_revertBufferShort` says which. vUSD leaves before the stablecoin arrives: a stablecoin hook run
        // in between sees the PSM poorer, never richer, than its books (so a sweep then cannot take backing).
        if (!IERC20Metadata(address(vusd)).trySafeTransfer(to, vusdOutWad)) _revertBufferShort(vusdOutWad);
        stablecoin.safeTransferFrom(msg.sender, address(this), stableAmount);
        emit PsmSwappedIn(msg.sender, to, stableAmount, vusdOutWad, feeWad);
    }

    /// @inheritdoc IPegStabilityModule
    function swapOut(uint256 vusdAmountWad, address to) external returns (uint256 stableOut) {
        if (to == address(0)) revert PegStabilityModuleZeroAddress("TO");
        if (vusdAmountWad == 0) revert PegStabilityModuleZeroAmount(0);
        uint256 packed = _packedRules();
        if ((packed >> _PAUSED_SHIFT) & 0xff != 0) revert PegStabilityModulePaused();
        if (!_live((packed >> _BAND_SHIFT) & 0xffff)) _revertFrozen(_rules.priceBandBps);

        uint256 feeWad = _feeUp(vusdAmountWad, (packed >> _FEE_OUT_SHIFT) & 0xffff);
        // Floor: the vUSD a payout needs is rounded up, in the protocol's favour. feeWad <= vusdAmountWad.
        unchecked {
            stableOut = (vusdAmountWad - feeWad) / SCALE;
        }
        if (stableOut == 0) revert PegStabilityModuleZeroAmount(vusdAmountWad);
        // No underflow: stableOut * SCALE <= vusdAmountWad - feeWad.
        unchecked {
            feeWad = vusdAmountWad - stableOut * SCALE;
        }
        // The stablecoin leaves before the vUSD arrives (as in `swapIn`, a hook in between sees the PSM poorer).
        // Reserves short of `stableOut` revert in the stablecoin (its insufficient-balance error).
        stablecoin.safeTransfer(to, stableOut);
        // vUSD's own errors bubble up (ERC20InsufficientAllowance / ERC20InsufficientBalance).
        IERC20Metadata(address(vusd)).safeTransferFrom(msg.sender, address(this), vusdAmountWad);
        emit PsmSwappedOut(msg.sender, to, vusdAmountWad, stableOut, feeWad);
    }

    // ---------------------------------------------------------------- rules, buffer and fees

    /// @inheritdoc IPegStabilityModule
    /// @dev Also fills or trims the buffer to its new target (never reverts for it: the target is within the cap).
    function syncRules() external {
        _syncRules();
        _fill();
        _trim();
    }

    /// @inheritdoc IPegStabilityModule
    function fill() external nonReentrant returns (uint256 mintedNowWad) {
        return _fill();
    }

    /// @inheritdoc IPegStabilityModule
    function trim() external nonReentrant returns (uint256 burnedWad) {
        return _trim();
    }

    /// @inheritdoc IPegStabilityModule
    function sweepFees() external nonReentrant returns (uint256 feeUnits) {
        uint256 reserves = stablecoin.balanceOf(address(this));
        uint256 bufferWad = vusd.balanceOf(address(this));
        (, uint256 mintedWad) = vusd.minterOf(address(this));
        // Never negative: see `surplusWad`.
        uint256 surplus = reserves * SCALE + bufferWad - mintedWad;
        if (bufferWad > mintedWad) {
            // The PSM holds more vUSD than it minted, so every stablecoin unit is surplus and so is the extra vUSD.
            feeUnits = reserves;
            uint256 feeVusdWad = bufferWad - mintedWad;
            vusd.transfer(treasury, feeVusdWad);
            emit PsmVusdFeesSwept(treasury, feeVusdWad);
        } else {
            // Floor: what stays backs every vUSD the PSM paid out (reserves * SCALE >= minted - buffer).
            feeUnits = surplus / SCALE;
        }
        if (feeUnits == 0) return 0;
        stablecoin.safeTransfer(treasury, feeUnits);
        emit PsmFeesSwept(treasury, feeUnits);
    }

    // ---------------------------------------------------------------- freeze and pause

    /// @inheritdoc IPegStabilityModule
    function syncFreeze() external returns (bool frozen) {
        (bytes32 reason, int256 price,) = _freezeReason(_rules.priceBandBps);
        frozen = reason != bytes32(0);
        if (frozen == frozenOnRecord) return frozen;
        frozenOnRecord = frozen;
        if (frozen) emit CircuitBreakerTripped(reason, msg.sender, price > 0 ? uint256(price) : 0);
        else emit CircuitBreakerReset(msg.sender, uint64(block.timestamp));
    }

    /// @inheritdoc IPegStabilityModule
    function pause() external {
        IAccessControl roles = IAccessControl(address(policy));
        if (!roles.hasRole(Roles.GUARDIAN, msg.sender) && !roles.hasRole(Roles.REGULATOR, msg.sender)) {
            revert PegStabilityModuleUnauthorized(msg.sender, Roles.GUARDIAN);
        }
        _rules.paused = true;
        emit CircuitBreakerTripped(Rules.MANUAL, msg.sender, 0);
    }

    /// @inheritdoc IPegStabilityModule
    function unpause() external {
        if (!IAccessControl(address(policy)).hasRole(Roles.REGULATOR, msg.sender)) {
            revert PegStabilityModuleUnauthorized(msg.sender, Roles.REGULATOR);
        }
        if (!_rules.paused) revert PegStabilityModuleNotPaused();
        _rules.paused = false;
        emit CircuitBreakerReset(msg.sender, uint64(block.timestamp));
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPegStabilityModule
    function freezeStatus() external view returns (bytes32 reason, int256 price, uint256 updatedAt) {
        return _freezeReason(_rules.priceBandBps);
    }

    /// @inheritdoc IPegStabilityModule
    function balances() external view returns (uint256 mintedWad, uint256 reserves) {
        (, mintedWad) = vusd.minterOf(address(this));
        reserves = stablecoin.balanceOf(address(this));
    }

    /// @inheritdoc IPegStabilityModule
    function buffer() external view returns (uint256 bufferWad, uint256 paidOutWad, uint256 targetWad) {
        (uint256 capWad, uint256 mintedWad) = vusd.minterOf(address(this));
        bufferWad = vusd.balanceOf(address(this));
        paidOutWad = mintedWad > bufferWad ? mintedWad - bufferWad : 0;
        targetWad = _target(capWad);
    }

    /// @inheritdoc IPegStabilityModule
    function surplusWad() external view returns (uint256) {
        (, uint256 mintedWad) = vusd.minterOf(address(this));
        return stablecoin.balanceOf(address(this)) * SCALE + vusd.balanceOf(address(this)) - mintedWad;
    }

    /// @inheritdoc IPegStabilityModule
    function rules()
        external
        view
        returns (uint256 feeInBps, uint256 feeOutBps, uint256 priceBandBps, uint256 exposureLimitWad)
    {
        CachedRules memory r = _rules;
        return (r.feeInBps, r.feeOutBps, r.priceBandBps, r.exposureLimitWad);
    }

    /// @notice Whether swaps are paused by the guardian or regulator.
    function paused() external view returns (bool) {
        return _rules.paused;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Copies the policy's PSM rules, each fee bounded by the regulator's cap (the PSM charges the lower); keeps
    /// the pause flag.
    function _syncRules() private {
        PsmRules memory p = policy.psmRules();
        CachedRules memory r = CachedRules({
            feeInBps: _min16(p.feeInBps, p.feeCapBps),
            feeOutBps: _min16(p.feeOutBps, p.feeCapBps),
            priceBandBps: p.priceBandBps,
            exposureLimitWad: p.exposureLimitWad,
            paused: _rules.paused,
            trimPending: _rules.trimPending
        });
        _rules = r;
        emit PsmRulesSynced(r.feeInBps, r.feeOutBps, r.priceBandBps, r.exposureLimitWad);
    }

    /// @dev The minter record the buffer aims at: min(vUSD's cap for the PSM, PSM_EXPOSURE_LIMIT). The exposure
    /// limit suffices: every vUSD paid out was bought with at least as much stablecoin, which the limit bounds.
    function _target(uint256 capWad) private view returns (uint256) {
        uint256 limitWad = _rules.exposureLimitWad;
        return capWad < limitWad ? capWad : limitWad;
    }

    /// @dev Mints into the buffer up to the target (vUSD's cap check passes: the target is at most the cap).
    function _fill() private returns (uint256 mintedNowWad) {
        (uint256 capWad, uint256 mintedWad) = vusd.minterOf(address(this));
        uint256 targetWad = _target(capWad);
        if (mintedWad >= targetWad) return 0;
        if (_rules.trimPending) _rules.trimPending = false;
        mintedNowWad = targetWad - mintedWad;
        vusd.mint(address(this), mintedNowWad);
        emit PsmBufferFilled(mintedNowWad, targetWad);
    }

    /// @dev Burns buffer vUSD down to the target, as far as the buffer reaches (vUSD users hold is theirs); when it
    /// cannot reach it, `trimPending` makes every swap in trim first, so vUSD swapped back out into the buffer is
    /// burned before it could be paid out again past the target.
    function _trim() private returns (uint256 burnedWad) {
        (uint256 capWad, uint256 mintedWad) = vusd.minterOf(address(this));
        uint256 targetWad = _target(capWad);
        if (mintedWad <= targetWad) {
            if (_rules.trimPending) _rules.trimPending = false;
            return 0;
        }
        burnedWad = mintedWad - targetWad;
        uint256 bufferWad = vusd.balanceOf(address(this));
        bool short = burnedWad > bufferWad;
        if (short) burnedWad = bufferWad;
        if (_rules.trimPending != short) _rules.trimPending = short;
        if (burnedWad == 0) return 0;
        // burnedWad <= mintedWad - target: vUSD's saturating record never saturates here.
        vusd.burnFrom(address(this), burnedWad);
        emit PsmBufferTrimmed(burnedWad, mintedWad - burnedWad);
    }

    /// @dev `_rules`' slot as one word (the swaps read their fields by shift, skipping a memory copy of the struct).
    function _packedRules() private view returns (uint256 packed) {
        assembly ("memory-safe") {
            packed := sload(_rules.slot)
        }
    }

    /// @dev Why the buffer could not pay `outWad`: past the exposure limit (vUSD paid out after the swap above
    /// PSM_EXPOSURE_LIMIT), else the buffer is short (vUSD's cap below the limit, or not filled yet).
    function _revertBufferShort(uint256 outWad) private view {
        uint256 limitWad = _rules.exposureLimitWad;
        (, uint256 mintedWad) = vusd.minterOf(address(this));
        uint256 bufferWad = vusd.balanceOf(address(this));
        uint256 paidOutAfterWad = (mintedWad > bufferWad ? mintedWad - bufferWad : 0) + outWad;
        if (paidOutAfterWad > limitWad) {
            revert PegStabilityModuleExposureLimitExceeded(limitWad, paidOutAfterWad);
        }
        revert PegStabilityModuleBufferShort(bufferWad, outWad);
    }

    /// @dev The swaps' freeze check, one feed read and no more: true when `_freezeReason` would give no reason (same
    /// rules, written once more in assembly because it runs on every swap). A deviation above $1 itself is out of
    /// any band (at most 5000 bps), which also keeps the products below from overflowing.
    function _live(uint256 bandBps) private view returns (bool live) {
        address feed = address(priceFeed);
        uint256 maxAgeSec = maxFeedAgeSec;
        uint256 oneUsd = _ONE_USD;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, shl(224, 0xfeaf968c)) // latestRoundData()
            let ok := staticcall(gas(), feed, m, 4, m, 0xa0)
            if and(ok, iszero(lt(returndatasize(), 0xa0))) {
                let price := mload(add(m, 0x20))
                let updatedAt := mload(add(m, 0x60))
                let age := 0
                if gt(timestamp(), updatedAt) { age := sub(timestamp(), updatedAt) }
                let fresh := and(and(sgt(price, 0), iszero(iszero(updatedAt))), iszero(gt(age, maxAgeSec)))
                // answeredInRound >= roundId
                fresh := and(fresh, iszero(lt(mload(add(m, 0x80)), mload(m))))
                if fresh {
                    let deviation := sub(price, oneUsd)
                    if lt(price, oneUsd) { deviation := sub(oneUsd, price) }
                    live := and(iszero(gt(deviation, oneUsd)), iszero(gt(mul(deviation, 10000), mul(bandBps, oneUsd))))
                }
            }
        }
    }

    /// @dev Reverts `PegStabilityModuleFrozen` with the reason `_freezeReason` gives (the failure path of `_live`).
    function _revertFrozen(uint16 bandBps) private view {
        (bytes32 reason, int256 price, uint256 updatedAt) = _freezeReason(bandBps);
        revert PegStabilityModuleFrozen(reason == bytes32(0) ? Rules.PSM_PRICE_BAND : reason, price, updatedAt);
    }

    /// @dev Stale: the feed reverts, a non-positive answer, no update time, an incomplete round, or older than
    /// `maxFeedAgeSec` (an update time ahead of the block counts as age 0). Out of band: |price - $1| * 10000 >
    /// band * $1, so a price exactly at $1 +- band is inside.
    function _freezeReason(uint16 bandBps) private view returns (bytes32 reason, int256 price, uint256 updatedAt) {
        uint256 roundId;
        uint256 answeredInRound;
        bool ok;
        address feed = address(priceFeed);
        // latestRoundData() by hand (a swap's hottest external read): no try/catch frame and no abi decoding. A
        // revert, or an answer shorter than its five words, counts as stale.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, shl(224, 0xfeaf968c)) // latestRoundData()
            ok := staticcall(gas(), feed, m, 4, m, 0xa0)
            // Separately: Yul evaluates arguments right to left, so returndatasize() must follow the call.
            ok := and(ok, iszero(lt(returndatasize(), 0xa0)))
            roundId := mload(m)
            price := mload(add(m, 0x20))
            updatedAt := mload(add(m, 0x60))
            answeredInRound := mload(add(m, 0x80))
        }
        if (!ok) return (Rules.PSM_PRICE_STALE, 0, 0);
        if (
            price <= 0 || updatedAt == 0 || answeredInRound < roundId
                || (block.timestamp > updatedAt && block.timestamp - updatedAt > maxFeedAgeSec)
        ) return (Rules.PSM_PRICE_STALE, price, updatedAt);
        uint256 priceUnsigned = uint256(price);
        uint256 deviation = priceUnsigned > _ONE_USD ? priceUnsigned - _ONE_USD : _ONE_USD - priceUnsigned;
        if (deviation > _ONE_USD || deviation * WadRayMath.BPS > uint256(bandBps) * _ONE_USD) {
            return (Rules.PSM_PRICE_BAND, price, updatedAt);
        }
        return (bytes32(0), price, updatedAt);
    }

    /// @dev ceil(amount * feeBps / 10000) (checked: an amount that large reverts).
    function _feeUp(uint256 amount, uint256 feeBps) private pure returns (uint256) {
        return (amount * feeBps + WadRayMath.BPS - 1) / WadRayMath.BPS;
    }

    function _min16(uint16 a, uint16 b) private pure returns (uint16) {
        return a < b ? a : b;
    }
}
