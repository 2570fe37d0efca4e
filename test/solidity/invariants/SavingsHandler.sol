// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Rules} from "../../../contracts/libraries/Rules.sol";
import {SavingsVault} from "../../../contracts/core/SavingsVault.sol";
import {LendingHandler, LendingSystem} from "./LendingHandler.sol";

/// @notice The lending handler's actions plus savers: deposits, mints, withdrawals, redemptions and permissionless
/// drips of the savings vault, so that interest arrives (repayments, liquidations), bad debt happens and is repaid,
/// governance mints surplus, and savers come and go in one random sequence.
/// Every savings action may pay savers from surplus (each entry point drips first): the payout is booked in the
/// ghost as a surplus mint (surplus -m, supply +m), so the lending handler's `checkBooks` keeps proving the identity
/// and the books. `checkSavings` proves the savings invariants.
/// @dev Abstract, as `LendingHandler`: the concrete handler is declared in `SavingsInvariants.t.sol`.
abstract contract SavingsHandler is LendingHandler {
    uint256 internal constant SAVERS = 2;
    uint256 internal constant MAX_SAVING_WAD = 50_000e18;

    SavingsVault public immutable vault;
    /// @notice The pool's interest counter when the vault was deployed (savers earn from there on).
    uint256 public immutable interestAtDeployWad;
    address[] public savers;

    /// @notice Savings calls made and payouts seen (the campaign's reach, printed by the test).
    uint256 public savingsCalls;
    uint256 public payouts;

    constructor(
        LendingSystem memory s,
        uint32 maxPriceAgeSec_,
        SavingsVault vault_
    ) LendingHandler(s, maxPriceAgeSec_) {
        vault = vault_;
        interestAtDeployWad = s.pool.interestToSurplusWad();
        for (uint256 i = 0; i < SAVERS; ++i) {
            address saver = address(uint160(0x5A7E + i));
            savers.push(saver);
            vm.prank(saver);
            s.vusd.approve(address(vault_), type(uint256).max);
        }
    }

    // ------------------------------------------------------------------ actions

    /// @notice A saver deposits vUSD (bought from the market stand-in); a deposit of at least one wei never fails.
    function saverDeposit(uint256 saverSeed, uint256 amountSeed) external {
        address saver = savers[saverSeed % SAVERS];
        uint256 amount = _bound(amountSeed, 1, MAX_SAVING_WAD);
        _topUpVusd(saver, amount);
        _savingsCall(saver, abi.encodeCall(vault.deposit, (amount, saver)), "saverDeposit refused");
    }

    /// @notice A saver mints shares (priced with the pending payout included).
    function saverMint(uint256 saverSeed, uint256 sharesSeed) external {
        address saver = savers[saverSeed % SAVERS];
        // At most what MAX_SAVING_WAD buys: one saver of a wei can own the whole payout, and the price with it.
        uint256 maxShares = vault.previewDeposit(MAX_SAVING_WAD);
        if (maxShares == 0) return;
        uint256 shares = _bound(sharesSeed, 1, maxShares);
        // The previewed price can only rise before the mint (the drip adds what the preview counted already).
        _topUpVusd(saver, vault.previewMint(shares));
        _savingsCall(saver, abi.encodeCall(vault.mint, (shares, saver)), "saverMint refused");
    }

    /// @notice A saver withdraws part of what it may, or redeems every share.
    function saverWithdraw(uint256 saverSeed, uint256 modeSeed, uint256 amountSeed) external {
        address saver = savers[saverSeed % SAVERS];
        uint256 shares = vault.balanceOf(saver);
        if (shares == 0) return;
        if (modeSeed % 2 == 0) {
            _savingsCall(saver, abi.encodeCall(vault.redeem, (shares, saver, saver)), "saverRedeem refused");
        } else {
            uint256 max = vault.maxWithdraw(saver);
            if (max == 0) return;
            uint256 assets = _bound(amountSeed, 1, max);
            _savingsCall(saver, abi.encodeCall(vault.withdraw, (assets, saver, saver)), "saverWithdraw refused");
        }
    }

    /// @notice Anyone drips.
    function drip() external {
        _savingsCall(address(this), abi.encodeCall(vault.drip, ()), "drip refused");
    }

    // ------------------------------------------------------------------ the savings invariants

    /// @notice Reverts unless: savers were paid no more than SAVINGS_SHARE (fixed in this campaign) of the interest
    /// received since the vault's deployment, counting what is still owed; and the vault holds (with what a drip
    /// would pay now) at least what all its shares redeem for.
    function checkSavings() external view {
        (, uint256 totalPaidWad, uint256 owedWad) = vault.accrual();
        uint256 receivedWad = pool.interestToSurplusWad() - interestAtDeployWad;
        uint256 shareCapWad = (receivedWad * policy.ruleValue(Rules.SAVINGS_SHARE)) / BPS;
        require(totalPaidWad <= shareCapWad, "savings: paid above share x interest received");
        require(totalPaidWad + owedWad <= shareCapWad, "savings: paid + owed above share x interest received");
        require(
            vault.previewRedeem(vault.totalSupply()) <= vusd.balanceOf(address(vault)) + vault.pendingPayoutWad(),
            "savings: shares redeem for more than the vault holds"
        );
    }

    // ------------------------------------------------------------------ internals

    /// @dev Makes a savings call as `caller`, books any payout it made as a surplus mint, and counts it.
    function _savingsCall(address caller, bytes memory call, string memory refusal) internal {
        (, uint256 paidBefore, ) = vault.accrual();
        if (caller != address(this)) vm.prank(caller);
        (bool ok, ) = address(vault).call(call);
        if (!ok) _violate(refusal);
        (, uint256 paidAfter, ) = vault.accrual();
        if (paidAfter > paidBefore) {
            _ghostMintSurplus(paidAfter - paidBefore);
            ++payouts;
        }
        ++savingsCalls;
        _afterAction();
    }
}
