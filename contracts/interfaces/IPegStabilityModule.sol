// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "./IComplianceEvents.sol";

/// @title Peg stability module: vUSD <-> one listed USD stablecoin, 1:1 after decimals, with fees
/// @notice A capped vUSD minter (`VUSD.setMinterCap`, governance). A swap in takes `amount` stablecoin units and
/// mints floor(amount * SCALE * (10000 - feeIn) / 10000) vUSD wad, SCALE = 10^(18 - stablecoin decimals); a swap out
/// burns `amountWad` vUSD and pays floor(amountWad * (10000 - feeOut) / (10000 * SCALE)) stablecoin units, i.e. the
/// vUSD a payout needs is rounded up. Both roundings favour the protocol.
/// Fees stay in the PSM as stablecoin: the PSM's surplus is `reserves * SCALE - mintedWad` (never negative), so every
/// vUSD the PSM minted is backed 1:1 by reserves it holds and the fee is the excess. `sweepFees` (anyone) sends the
/// whole stablecoin units of that surplus to the protocol's `treasury`, leaving `reserves * SCALE >= mintedWad`.
/// Accounting identity (with the lending pool's): vUSD.totalSupply() + pool.surplusWad() == pool.totalPrincipalWad()
/// + pool.deficitWad() + psm.mintedWad + flashMinter.outstandingWad (0 between transactions): the PSM's term is the
/// vUSD it minted and has not burned, equal to vUSD's minter record for the PSM.
/// Rules (set in `SupervisionPolicy.psmRules`, changed only through its schedule -> execute timelock): PSM_FEE_IN
/// and PSM_FEE_OUT (governance), charged at most PSM_FEE_CAP (regulator); PSM_PRICE_BAND (regulator, default
/// +-1 %); PSM_EXPOSURE_LIMIT (regulator): reserves after a swap in, in wad, at most this. The PSM keeps a copy
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
    /// @notice A swap in would take reserves (wad) above PSM_EXPOSURE_LIMIT.
    error PegStabilityModuleExposureLimitExceeded(uint256 limitWad, uint256 reservesAfterWad);
    /// @notice A swap out of more vUSD than the PSM minted and has outstanding (it redeems only its own vUSD).
    error PegStabilityModuleExceedsMinted(uint256 mintedWad, uint256 requestedWad);

    /// @notice Swaps `stableAmount` stablecoin units (pulled from the caller, who approved the PSM) for vUSD minted
    /// to `to`. Anyone, while not paused or frozen.
    /// @dev Reverts `PegStabilityModuleZeroAmount` (also when the output rounds to 0), `PegStabilityModulePaused`,
    /// `PegStabilityModuleFrozen`, `PegStabilityModuleExposureLimitExceeded`, `VUSDMinterCapExceeded` (vUSD's cap
    /// for the PSM), `PegStabilityModuleZeroAddress("TO")`, and the stablecoin's transfer errors.
    /// @return vusdOutWad floor(stableAmount * SCALE * (10000 - feeIn) / 10000).
    function swapIn(uint256 stableAmount, address to) external returns (uint256 vusdOutWad);

    /// @notice Burns `vusdAmountWad` of the caller's vUSD (the caller approved the PSM) and sends stablecoin to `to`.
    /// Anyone, while not paused or frozen.
    /// @dev Reverts `PegStabilityModuleZeroAmount` (also when the payout rounds to 0), `PegStabilityModulePaused`,
    /// `PegStabilityModuleFrozen`, `PegStabilityModuleExceedsMinted`, `PegStabilityModuleZeroAddress("TO")`,
    /// `ERC20InsufficientAllowance`, `ERC20InsufficientBalance`.
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

    /// @notice Copies the policy's PSM rules into the PSM (emits `PsmRulesSynced`). Anyone: the values come from the
    /// policy. The policy calls it in the transaction that executes a PSM rule once linked (`SupervisionPolicy.setPsm`).
    function syncRules() external;

    /// @notice Sends the fee surplus, floor((reserves * SCALE - mintedWad) / SCALE) stablecoin units, to `treasury`
    /// (emits `PsmFeesSwept`; nothing when it is 0). Anyone. Works while paused or frozen: it moves only the excess.
    /// @return feeUnits the stablecoin units sent.
    function sweepFees() external returns (uint256 feeUnits);

    /// @notice The rules the PSM applies: fees (already min(fee, PSM_FEE_CAP)), band, exposure limit.
    function rules()
        external
        view
        returns (uint256 feeInBps, uint256 feeOutBps, uint256 priceBandBps, uint256 exposureLimitWad);

    /// @notice The freeze check as a view: `reason` 0 when the feed allows swaps.
    function freezeStatus() external view returns (bytes32 reason, int256 price, uint256 updatedAt);
    /// @notice vUSD the PSM minted and has not burned (wad), and the stablecoin it holds (its units).
    /// Invariant: `reserves * SCALE >= mintedWad`; the difference is the PSM's fee surplus.
    function balances() external view returns (uint256 mintedWad, uint256 reserves);
    /// @notice The PSM's surplus in wad: `reserves * SCALE - mintedWad` (fees collected, in stablecoin).
    function surplusWad() external view returns (uint256);
}
