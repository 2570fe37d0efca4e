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
/// @dev The listed stablecoin must be a plain ERC20 (no fee on transfer, no rebasing): the PSM books the amount it
/// asked for. Its own books (`_state`, one slot) are the source of truth for reserves, not `balanceOf`, so a donation
/// changes nothing. The policy's PSM rules are cached in `_rules` (one slot, fees already bounded by PSM_FEE_CAP), so a
/// swap reads two slots of its own and no policy: the policy pushes every executed PSM rule here (`syncRules`, linked
/// by `SupervisionPolicy.setPsm`), and anyone may re-sync from the policy at any time. vUSD's minter record for this PSM always equals `mintedWad`: the PSM burns at most what it minted
/// (`PegStabilityModuleExceedsMinted`), so vUSD's saturating burn never saturates here.
contract PegStabilityModule is IPegStabilityModule, ReentrancyGuardTransient {
    using SafeERC20 for IERC20Metadata;

    /// @notice Largest staleness threshold the constructor accepts.
    uint32 public constant MAX_FEED_AGE = 7 days;

    /// @dev One slot: every swap reads and writes it once. `mintedWad` fits 120 bits because vUSD caps a minter at
    /// `type(uint120).max`; `reserves` fits 128 bits because `reserves * SCALE <= PSM_EXPOSURE_LIMIT < 2^128`.
    struct State {
        uint120 mintedWad;
        uint128 reserves;
        bool paused;
    }

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

    /// @dev The policy's PSM rules as a swap uses them: fees already `min(fee, PSM_FEE_CAP)`.
    struct CachedRules {
        uint16 feeInBps;
        uint16 feeOutBps;
        uint16 priceBandBps;
        uint128 exposureLimitWad;
    }

    /// @notice Where `sweepFees` sends the fee surplus (the protocol's treasury), fixed at deployment.
    address public immutable treasury;

    State private _state;
    CachedRules private _rules;
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
    function swapIn(uint256 stableAmount, address to) external nonReentrant returns (uint256 vusdOutWad) {
        if (to == address(0)) revert PegStabilityModuleZeroAddress("TO");
        if (stableAmount == 0) revert PegStabilityModuleZeroAmount(0);
        State memory s = _state;
        if (s.paused) revert PegStabilityModulePaused();
        CachedRules memory r = _rules;
        _requireLive(r.priceBandBps);

        uint256 reservesAfter = s.reserves + stableAmount;
        uint256 reservesAfterWad = reservesAfter * SCALE;
        if (reservesAfterWad > r.exposureLimitWad) {
            revert PegStabilityModuleExposureLimitExceeded(r.exposureLimitWad, reservesAfterWad);
        }
        uint256 grossWad = stableAmount * SCALE;
        uint256 feeWad = _feeUp(grossWad, r.feeInBps);
        // feeWad <= grossWad: the fee is at most 10000 bps, rounded up to at most grossWad.
        unchecked {
            vusdOutWad = grossWad - feeWad;
        }
        if (vusdOutWad == 0) revert PegStabilityModuleZeroAmount(stableAmount);

        // Casts: reservesAfter * SCALE <= exposure limit < 2^128; minted + out is checked by vUSD's cap below
        // (<= type(uint120).max), and the whole transaction reverts if it is not.
        _state = State(uint120(uint256(s.mintedWad) + vusdOutWad), uint128(reservesAfter), false);
        stablecoin.safeTransferFrom(msg.sender, address(this), stableAmount);
        vusd.mint(to, vusdOutWad);
        emit PsmSwappedIn(msg.sender, to, stableAmount, vusdOutWad, feeWad);
    }

    /// @inheritdoc IPegStabilityModule
    function swapOut(uint256 vusdAmountWad, address to) external nonReentrant returns (uint256 stableOut) {
        if (to == address(0)) revert PegStabilityModuleZeroAddress("TO");
        if (vusdAmountWad == 0) revert PegStabilityModuleZeroAmount(0);
        State memory s = _state;
        if (s.paused) revert PegStabilityModulePaused();
        if (vusdAmountWad > s.mintedWad) revert PegStabilityModuleExceedsMinted(s.mintedWad, vusdAmountWad);
        CachedRules memory r = _rules;
        _requireLive(r.priceBandBps);

        uint256 feeWad = _feeUp(vusdAmountWad, r.feeOutBps);
        // Floor: the vUSD a payout needs is rounded up, in the protocol's favour.
        stableOut = (vusdAmountWad - feeWad) / SCALE;
        if (stableOut == 0) revert PegStabilityModuleZeroAmount(vusdAmountWad);
        // No underflow: stableOut * SCALE <= vusdAmountWad <= mintedWad <= reserves * SCALE.
        unchecked {
            _state = State(uint120(s.mintedWad - vusdAmountWad), uint128(s.reserves - stableOut), false);
            feeWad = vusdAmountWad - stableOut * SCALE;
        }
        vusd.burnFrom(msg.sender, vusdAmountWad);
        stablecoin.safeTransfer(to, stableOut);
        emit PsmSwappedOut(msg.sender, to, vusdAmountWad, stableOut, feeWad);
    }

    // ---------------------------------------------------------------- rules and fees

    /// @inheritdoc IPegStabilityModule
    function syncRules() external {
        _syncRules();
    }

    /// @inheritdoc IPegStabilityModule
    function sweepFees() external nonReentrant returns (uint256 feeUnits) {
        State memory s = _state;
        // Floor: the swept amount never takes reserves below what backs the minted vUSD (reserves * SCALE >= minted).
        feeUnits = (uint256(s.reserves) * SCALE - s.mintedWad) / SCALE;
        if (feeUnits == 0) return 0;
        // No underflow: feeUnits * SCALE <= reserves * SCALE - minted.
        unchecked {
            _state.reserves = uint128(s.reserves - feeUnits);
        }
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
        _state.paused = true;
        emit CircuitBreakerTripped(Rules.MANUAL, msg.sender, 0);
    }

    /// @inheritdoc IPegStabilityModule
    function unpause() external {
        if (!IAccessControl(address(policy)).hasRole(Roles.REGULATOR, msg.sender)) {
            revert PegStabilityModuleUnauthorized(msg.sender, Roles.REGULATOR);
        }
        if (!_state.paused) revert PegStabilityModuleNotPaused();
        _state.paused = false;
        emit CircuitBreakerReset(msg.sender, uint64(block.timestamp));
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPegStabilityModule
    function freezeStatus() external view returns (bytes32 reason, int256 price, uint256 updatedAt) {
        return _freezeReason(_rules.priceBandBps);
    }

    /// @inheritdoc IPegStabilityModule
    function balances() external view returns (uint256 mintedWad, uint256 reserves) {
        State memory s = _state;
        return (s.mintedWad, s.reserves);
    }

    /// @inheritdoc IPegStabilityModule
    function surplusWad() external view returns (uint256) {
        State memory s = _state;
        return uint256(s.reserves) * SCALE - s.mintedWad;
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
        return _state.paused;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Copies the policy's PSM rules, each fee bounded by the regulator's cap (the PSM charges the lower).
    function _syncRules() private {
        PsmRules memory p = policy.psmRules();
        CachedRules memory r = CachedRules({
            feeInBps: _min16(p.feeInBps, p.feeCapBps),
            feeOutBps: _min16(p.feeOutBps, p.feeCapBps),
            priceBandBps: p.priceBandBps,
            exposureLimitWad: p.exposureLimitWad
        });
        _rules = r;
        emit PsmRulesSynced(r.feeInBps, r.feeOutBps, r.priceBandBps, r.exposureLimitWad);
    }

    function _requireLive(uint16 bandBps) private view {
        (bytes32 reason, int256 price, uint256 updatedAt) = _freezeReason(bandBps);
        if (reason != bytes32(0)) revert PegStabilityModuleFrozen(reason, price, updatedAt);
    }

    /// @dev Stale: the feed reverts, a non-positive answer, no update time, an incomplete round, or older than
    /// `maxFeedAgeSec` (an update time ahead of the block counts as age 0). Out of band: |price - $1| * 10000 >
    /// band * $1, so a price exactly at $1 +- band is inside.
    function _freezeReason(uint16 bandBps) private view returns (bytes32 reason, int256 price, uint256 updatedAt) {
        uint80 roundId;
        uint80 answeredInRound;
        try priceFeed.latestRoundData() returns (uint80 r, int256 p, uint256, uint256 u, uint80 a) {
            (roundId, price, updatedAt, answeredInRound) = (r, p, u, a);
        } catch {
            return (Rules.PSM_PRICE_STALE, 0, 0);
        }
        if (
            price <= 0 || updatedAt == 0 || answeredInRound < roundId
                || (block.timestamp > updatedAt && block.timestamp - updatedAt > maxFeedAgeSec)
        ) return (Rules.PSM_PRICE_STALE, price, updatedAt);
        uint256 priceUnsigned = uint256(price);
        uint256 deviation = priceUnsigned > _ONE_USD ? priceUnsigned - _ONE_USD : _ONE_USD - priceUnsigned;
        if (deviation * WadRayMath.BPS > uint256(bandBps) * _ONE_USD) return (Rules.PSM_PRICE_BAND, price, updatedAt);
        return (bytes32(0), price, updatedAt);
    }

    /// @dev ceil(amount * feeBps / 10000).
    function _feeUp(uint256 amount, uint256 feeBps) private pure returns (uint256) {
        return (amount * feeBps + WadRayMath.BPS - 1) / WadRayMath.BPS;
    }

    function _min16(uint16 a, uint16 b) private pure returns (uint16) {
        return a < b ? a : b;
    }
}
