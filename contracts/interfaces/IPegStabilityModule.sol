// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "./IComplianceEvents.sol";

/// @title Peg stability module: vUSD <-> one listed USD stablecoin, 1:1 after decimals, with fees
/// @notice A capped vUSD minter (`VUSD.setMinterCap`, governance). A swap in takes `amount` stablecoin units and
/// mints floor(amount * SCALE * (10000 - feeIn) / 10000) vUSD wad, SCALE = 10^(18 - stablecoin decimals); a swap out
/// burns `amountWad` vUSD and pays floor(amountWad * (10000 - feeOut) / (10000 * SCALE)) stablecoin units, i.e. the
/// vUSD a payout needs is rounded up. Both roundings favour the protocol.
/// Buffer (MakerDAO LitePSM's design): the PSM holds vUSD it pre-minted, so a swap moves tokens and mints or burns
/// nothing. `mintedWad` is vUSD's minter record for the PSM (`VUSD.minterOf(psm)`): what it minted and has not burned,
/// i.e. its buffer plus the vUSD it paid out and did not take back; vUSD's cap bounds it at every mint, so no more than
/// the cap can ever reach users through the PSM. `fill` (anyone) mints the buffer up to
/// min(cap, PSM_EXPOSURE_LIMIT); `trim` (anyone) burns buffer down to it after the cap or the limit was lowered;
/// `syncRules` does both. A swap out takes vUSD into the buffer (from whichever minter it came) and pays stablecoin
/// from the reserves (the stablecoin the PSM holds, its balance).
/// Fees stay in the PSM: its surplus is `reserves * SCALE + bufferWad - mintedWad` (never negative: a swap in adds
/// at least as much stablecoin as the vUSD it pays out, a swap out takes in at least as much vUSD as the stablecoin it
/// pays, fill and trim move buffer and record together, donations only add). `sweepFees` (anyone) sends it to the
/// protocol's `treasury`: the whole stablecoin units of it, and, when the PSM holds more vUSD than it minted, that
/// extra vUSD too.
/// Accounting identity (with the lending pool's): vUSD.totalSupply() + pool.surplusWad() == pool.totalPrincipalWad()
/// + pool.deficitWad() + psm.mintedWad + flashMinter.outstandingWad (0 between transactions): the PSM's term is vUSD's
/// minter record for it, buffer included (the buffer is in the total supply).
/// Rules (set in `SupervisionPolicy.psmRules`, changed only through its schedule -> execute timelock): PSM_FEE_IN
/// and PSM_FEE_OUT (governance), charged at most PSM_FEE_CAP (regulator); PSM_PRICE_BAND (regulator, default
/// +-1 %); PSM_EXPOSURE_LIMIT (regulator): the vUSD the PSM may have paid out against the stablecoin (wad, net of
/// what it took back), enforced by the buffer, which `fill` never takes above min(cap, limit). The reserves are that
/// plus the fee surplus (and donations) until swept. The PSM keeps a copy
/// (`rules`) that the policy refreshes in the same transaction as every executed PSM rule (`syncRules`, the link being
/// `SupervisionPolicy.setPsm`), so a swap reads no other contract's storage for its rules.
/// Freeze: a swap either way reverts `PegStabilityModuleFrozen` while the stablecoin's Chainlink feed is stale
/// (older than `maxFeedAgeSec`, or an incomplete or non-positive round) or its answer is outside
/// [$1 - band, $1 + band] (both edges inside), and works again as soon as the feed is back. `syncFreeze` records
/// the transitions as compliance events. The guardian (or regulator) of the policy can pause the PSM; only the
/// regulator unpauses it.
interface IPegStabilityModule is IComplianceEvents {
    /// @notice `account` swapped `stableAmount` stablecoin units in for `vusdOutWad` vUSD (fee `feeWad`) sent to `to`.
    event PsmSwappedIn(address indexed account, address indexed to, uint256 stableAmount, uint256 vusdOutWad, uint256 feeWad);
    /// @notice `account` burned `vusdInWad` vUSD for `stableOut` stablecoin units sent to `to` (fee `feeWad`).
    event PsmSwappedOut(address indexed account, address indexed to, uint256 vusdInWad, uint256 stableOut, uint256 feeWad);

    /// @notice The PSM copied the policy's rules (fees already bounded by PSM_FEE_CAP).
    event PsmRulesSynced(uint256 feeInBps, uint256 feeOutBps, uint256 priceBandBps, uint256 exposureLimitWad);
    /// @notice `feeUnits` stablecoin units of fee surplus went to `treasury`.
    event PsmFeesSwept(address indexed treasury, uint256 feeUnits);
    /// @notice `amountWad` vUSD the PSM held beyond what it minted (fees paid in vUSD) went to `treasury`.
    event PsmVusdFeesSwept(address indexed treasury, uint256 amountWad);
    /// @notice The PSM minted `amountWad` vUSD into its buffer; its minter record is now `mintedWad`.
    event PsmBufferFilled(uint256 amountWad, uint256 mintedWad);
    /// @notice The PSM burned `amountWad` vUSD of its buffer; its minter record is now `mintedWad`.
    event PsmBufferTrimmed(uint256 amountWad, uint256 mintedWad);

    /// @notice A zero amount in, or an amount whose output rounds to zero (`amountOut` 0).
    error PegStabilityModuleZeroAmount(uint256 amountIn);
    /// @notice A zero address where an account or contract is required (`what` names it).
    error PegStabilityModuleZeroAddress(bytes32 what);
    /// @notice Constructor config out of range: stablecoin decimals above 18, feed age 0 or above a week.
    error PegStabilityModuleInvalidConfig(bytes32 what, uint256 value);
    /// @notice The feed is stale (`reason` PSM_PRICE_STALE) or out of its band (`reason` PSM_PRICE_BAND).
    /// @param price the feed's answer (0 if it reverted); @param updatedAt its round's time.
    error PegStabilityModuleFrozen(bytes32 reason, int256 price, uint256 updatedAt);
    /// @notice The guardian or the regulator paused the PSM.
    error PegStabilityModulePaused();
    /// @notice `unpause` while not paused.
    error PegStabilityModuleNotPaused();
    /// @notice The caller lacks the policy role the action needs.
    error PegStabilityModuleUnauthorized(address caller, bytes32 role);
    /// @notice A swap in would take the vUSD the PSM paid out (wad, net of what it took back) above
    /// PSM_EXPOSURE_LIMIT.
    error PegStabilityModuleExposureLimitExceeded(uint256 limitWad, uint256 paidOutAfterWad);
    /// @notice The buffer holds `bufferWad`, less than the `requestedWad` a swap in pays (within the exposure limit:
    /// vUSD's cap for the PSM is lower, or the buffer was not filled since the cap or the limit was raised).
    error PegStabilityModuleBufferShort(uint256 bufferWad, uint256 requestedWad);

    /// @notice Swaps `stableAmount` stablecoin units (pulled from the caller, who approved the PSM) for vUSD minted
    /// to `to`. Anyone, while not paused or frozen.
    /// @dev Reverts `PegStabilityModuleZeroAmount` (also when the output rounds to 0), `PegStabilityModulePaused`,
    /// `PegStabilityModuleFrozen`, `PegStabilityModuleExposureLimitExceeded`, `PegStabilityModuleBufferShort`,
    /// `PegStabilityModuleZeroAddress("TO")`, and the stablecoin's transfer errors.
    /// @return vusdOutWad floor(stableAmount * SCALE * (10000 - feeIn) / 10000).
    function swapIn(uint256 stableAmount, address to) external returns (uint256 vusdOutWad);

    /// @notice Burns `vusdAmountWad` of the caller's vUSD (the caller approved the PSM) and sends stablecoin to `to`.
    /// Anyone, while not paused or frozen.
    /// @dev Reverts `PegStabilityModuleZeroAmount` (also when the payout rounds to 0), `PegStabilityModulePaused`,
    /// `PegStabilityModuleFrozen`, `PegStabilityModuleZeroAddress("TO")`, vUSD's `ERC20InsufficientAllowance` /
    /// `ERC20InsufficientBalance`, and the stablecoin's insufficient-balance error (sender the PSM) when its reserves
    /// are short of the payout.
    /// @return stableOut floor(vusdAmountWad * (10000 - feeOut) / (10000 * SCALE)).
    function swapOut(uint256 vusdAmountWad, address to) external returns (uint256 stableOut);

    /// @notice Records whether the feed freezes the PSM now: emits `CircuitBreakerTripped(PSM_PRICE_STALE or
    /// PSM_PRICE_BAND, caller, price)` on entering a freeze, `CircuitBreakerReset(caller, now)` on leaving it, nothing
    /// otherwise. Anyone. Swaps check the feed themselves; this only puts the transitions on record.
    /// @return frozen whether the PSM is frozen now.
    function syncFreeze() external returns (bool frozen);

    /// @notice Pauses swaps (reason MANUAL). The policy's guardian or regulator, else `PegStabilityModuleUnauthorized`.
    function pause() external;
    /// @notice Unpauses. The policy's regulator, else `PegStabilityModuleUnauthorized`; `PegStabilityModuleNotPaused`.
    function unpause() external;

    /// @notice Copies the policy's PSM rules into the PSM (emits `PsmRulesSynced`), then fills or trims the buffer to
    /// its new target. Anyone: the values come from the policy. The policy calls it in the transaction that executes
    /// a PSM rule once linked (`SupervisionPolicy.setPsm`).
    function syncRules() external;

    /// @notice Mints vUSD into the buffer until `mintedWad` reaches min(vUSD's cap for the PSM, PSM_EXPOSURE_LIMIT)
    /// (emits `PsmBufferFilled`; nothing when it is there already). Anyone.
    /// @return mintedNowWad the vUSD minted.
    function fill() external returns (uint256 mintedNowWad);

    /// @notice Burns buffer vUSD until `mintedWad` is back at min(vUSD's cap for the PSM, PSM_EXPOSURE_LIMIT), as far
    /// as the buffer reaches (emits `PsmBufferTrimmed`; nothing when at or under it). Anyone.
    /// @return burnedWad the vUSD burned.
    function trim() external returns (uint256 burnedWad);

    /// @notice Sends the fee surplus to `treasury`: floor(surplusWad / SCALE) stablecoin units (`PsmFeesSwept`), or,
    /// when the PSM holds more vUSD than it minted, all its stablecoin and the extra vUSD (`PsmVusdFeesSwept`).
    /// Anyone. Works while paused or frozen: what stays backs every vUSD the PSM paid out.
    /// @return feeUnits the stablecoin units sent.
    function sweepFees() external returns (uint256 feeUnits);

    /// @notice The rules the PSM applies: fees (already min(fee, PSM_FEE_CAP)), band, exposure limit.
    function rules()
        external
        view
        returns (uint256 feeInBps, uint256 feeOutBps, uint256 priceBandBps, uint256 exposureLimitWad);

    /// @notice The freeze check as a view: `reason` 0 when the feed allows swaps.
    function freezeStatus() external view returns (bytes32 reason, int256 price, uint256 updatedAt);
    /// @notice vUSD's minter record for the PSM (wad: buffer + paid out), and the stablecoin it holds (its units).
    /// Invariant: `reserves * SCALE + bufferWad >= mintedWad`; the difference is the PSM's fee surplus.
    function balances() external view returns (uint256 mintedWad, uint256 reserves);
    /// @notice The buffer: vUSD the PSM holds, the vUSD it paid out and did not take back (mintedWad - bufferWad, 0
    /// when the buffer is larger), and the minter record `fill` aims at.
    function buffer() external view returns (uint256 bufferWad, uint256 paidOutWad, uint256 targetWad);
    /// @notice The PSM's surplus in wad: `reserves * SCALE + bufferWad - mintedWad` (fees collected).
    function surplusWad() external view returns (uint256);
}
