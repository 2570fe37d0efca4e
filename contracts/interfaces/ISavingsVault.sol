// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {IComplianceEvents} from "./IComplianceEvents.sol";
import {ILendingPool} from "./ILendingPool.sol";
import {ISupervisionPolicy} from "./ISupervisionPolicy.sol";

/// @title SavingsVault (sVUSD): vUSD savings paid from interest actually received
/// @notice An ERC-4626 vault over vUSD. Savers earn SAVINGS_SHARE (bps, governance through the policy's timelock, at
/// most RuleBounds.MAX_SAVINGS_SHARE_BPS) of the interest borrowers actually pay that becomes surplus
/// (`ILendingPool.interestToSurplusWad`): no promised rate, so payouts can never outrun income.
/// Accrual: at each check (`drip`, and before every deposit, mint, withdraw and redeem), savers are credited
/// `share x (interest counter - counter at the previous check)`, kept in wad x bps so that no rounding is lost
/// between checks: over any span with one share, the total paid is exactly floor(share x interest / 10000) once
/// paid out, never more. The credit is paid by minting surplus into the vault (`ILendingPool.paySavings`), which
/// raises the share price; the accounting identity does not move (surplus -m, supply +m).
/// Payouts stop while the pool has a deficit (bad debt not covered): the pool's surplus is then zero and
/// `paySavings` reverts; interest first repays the deficit and does not count; what savers were owed before waits,
/// and is paid once the deficit is gone. A payout is also
/// bounded by the surplus on hand (bad debt written off against surplus, or governance minting it, can leave less);
/// the rest stays owed. While the vault has no shares, interest is not credited (and anything still owed when the
/// last saver left is dropped): it stays surplus rather than going to the next first depositor.
/// `totalAssets` counts the vUSD held plus what a check would pay now, so previews and deposits price it in and a
/// depositor never buys the payout owed to earlier savers.
/// Inflation attack: OpenZeppelin's virtual shares with a decimals offset of 6 (sVUSD has 24 decimals; one vUSD
/// buys 10^6 share units at the first price), so donating to an empty vault costs the attacker about a million
/// times what it can take from the next depositor.
interface ISavingsVault is IERC4626, IComplianceEvents {
    /// @notice A constructor address is zero (`what` names it).
    error SavingsVaultZeroAddress(bytes32 what);
    /// @notice The pool does not mint the vault's asset.
    error SavingsVaultAssetMismatch(address poolVusd, address asset);

    /// @notice Credits savers their share of the interest received since the last check and pays what they are
    /// owed from surplus (nothing while the pool has a deficit). Anyone may call; deposits and withdrawals call it
    /// first. Returns the vUSD paid into the vault.
    /// @dev Never reverts on a deficit or a short surplus (it pays what it can). Emits `SavingsYieldPaid` when there
    /// was new interest or a payout.
    function drip() external returns (uint256 paidWad);
    /// @notice What a `drip` would pay now (included in `totalAssets`).
    function pendingPayoutWad() external view returns (uint256);
    /// @notice The pool's interest counter at the last check, the vUSD paid to savers so far, and what they are owed
    /// (unpaid, in wad, rounded down) as of the last check.
    function accrual() external view returns (uint256 interestCheckpointWad, uint256 totalPaidWad, uint256 owedWad);
    /// @notice vUSD per whole sVUSD (10^24 share units), wad, rounded down.
    function sharePriceWad() external view returns (uint256);

    /// @notice The lending pool whose interest pays the savers.
    function pool() external view returns (ILendingPool);
    /// @notice The policy holding SAVINGS_SHARE.
    function policy() external view returns (ISupervisionPolicy);
}
