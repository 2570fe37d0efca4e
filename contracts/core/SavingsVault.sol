// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {ISavingsVault} from "../interfaces/ISavingsVault.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {Rules} from "../libraries/Rules.sol";
import {WadRayMath} from "../libraries/WadRayMath.sol";

/// @title SavingsVault (sVUSD)
/// @notice vUSD savings paid from the interest the lending pool actually receives. See `ISavingsVault`.
/// @dev Rounding, always against the saver and for the protocol: the credit is kept in wad x bps and only whole wad
/// are paid (the remainder waits for the next check, so nothing is lost and nothing is paid early); share
/// conversions are OpenZeppelin's (shares for a deposit and assets for a redemption rounded down, shares for a
/// withdrawal and assets for a mint rounded up); the share price in events and views is rounded down.
/// Trust: the pool and the policy are the protocol's own contracts; vUSD is a plain ERC20 with no hooks. The
/// vault must hold the policy's SAVINGS role to be paid.
contract SavingsVault is ISavingsVault, ERC4626, ReentrancyGuardTransient {
    /// @notice OpenZeppelin's virtual-share offset: 10^6 share units per vUSD wad at the first price.
    uint8 public constant DECIMALS_OFFSET = 6;
    /// @dev One whole sVUSD in share units (18 + DECIMALS_OFFSET decimals).
    uint256 private constant ONE_SHARE = 1e24;

    /// @inheritdoc ISavingsVault
    ILendingPool public immutable pool;
    /// @inheritdoc ISavingsVault
    ISupervisionPolicy public immutable policy;

    /// @dev The pool's interest counter at the last check and the vUSD paid so far, one slot (both below 2^128:
    /// the counter is the pool's uint128, and the payouts are part of it).
    struct Accrual {
        uint128 interestCheckpointWad;
        uint128 totalPaidWad;
    }

    Accrual private _accrual;
    /// @dev What savers are owed and not yet paid, in wad x bps (share x interest, not divided, so no rounding).
    uint256 private _owedBpsWad;

    /// @param vusd_ the asset, which `pool_` must mint; savers earn on the interest received from deployment on.
    constructor(
        IERC20Metadata vusd_,
        ILendingPool pool_,
        ISupervisionPolicy policy_
    ) ERC20("Verity Savings USD", "sVUSD") ERC4626(vusd_) {
        if (address(vusd_) == address(0)) revert SavingsVaultZeroAddress("VUSD");
        if (address(pool_) == address(0)) revert SavingsVaultZeroAddress("POOL");
        if (address(policy_) == address(0)) revert SavingsVaultZeroAddress("POLICY");
        address poolVusd = address(pool_.vusd());
        if (poolVusd != address(vusd_)) revert SavingsVaultAssetMismatch(poolVusd, address(vusd_));
        pool = pool_;
        policy = policy_;
        _accrual.interestCheckpointWad = pool_.interestToSurplusWad();
    }

    // ---------------------------------------------------------------- payouts

    /// @inheritdoc ISavingsVault
    function drip() external nonReentrant returns (uint256 paidWad) {
        return _drip();
    }

    // ---------------------------------------------------------------- ERC-4626 entry points (check first)

    /// @inheritdoc IERC4626
    /// @dev Pays what savers are owed first, so the deposit is priced after it.
    function deposit(
        uint256 assets,
        address receiver
    ) public override(ERC4626, IERC4626) nonReentrant returns (uint256) {
        _drip();
        return super.deposit(assets, receiver);
    }

    /// @inheritdoc IERC4626
    function mint(uint256 shares, address receiver) public override(ERC4626, IERC4626) nonReentrant returns (uint256) {
        _drip();
        return super.mint(shares, receiver);
    }

    /// @inheritdoc IERC4626
    /// @dev Pays what savers are owed first, so the vault holds the vUSD it prices in.
    function withdraw(
        uint256 assets,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) nonReentrant returns (uint256) {
        _drip();
        return super.withdraw(assets, receiver, owner);
    }

    /// @inheritdoc IERC4626
    function redeem(
        uint256 shares,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) nonReentrant returns (uint256) {
        _drip();
        return super.redeem(shares, receiver, owner);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IERC4626
    /// @dev The vUSD held plus what a check would pay now (`pendingPayoutWad`).
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        (, , , , uint256 payWad) = _check();
        return IERC20(asset()).balanceOf(address(this)) + payWad;
    }

    /// @inheritdoc ISavingsVault
    function pendingPayoutWad() external view returns (uint256 payWad) {
        (, , , , payWad) = _check();
    }

    /// @inheritdoc ISavingsVault
    function accrual() external view returns (uint256 interestCheckpointWad, uint256 totalPaidWad, uint256 owedWad) {
        Accrual memory a = _accrual;
        return (a.interestCheckpointWad, a.totalPaidWad, _owedBpsWad / WadRayMath.BPS);
    }

    /// @inheritdoc ISavingsVault
    function sharePriceWad() external view returns (uint256) {
        return convertToAssets(ONE_SHARE);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Credits the new interest, pays what surplus allows. Effects before the one interaction (the pool's mint).
    function _drip() private returns (uint256 paidWad) {
        (uint256 basisWad, uint16 shareBps, uint256 owedBpsWad, uint256 counterWad, uint256 payWad) = _check();
        if (basisWad == 0 && payWad == 0 && owedBpsWad == _owedBpsWad) return 0;
        paidWad = payWad;
        // unchecked: payWad <= owedBpsWad / BPS (`_check`).
        unchecked {
            owedBpsWad -= payWad * WadRayMath.BPS;
        }
        // Casts: the counter is the pool's uint128; total paid <= the counter (paid <= 0.9 x interest).
        _accrual = Accrual(uint128(counterWad), uint128(_accrual.totalPaidWad + payWad));
        _owedBpsWad = owedBpsWad;
        if (payWad != 0) pool.paySavings(address(this), payWad);
        // After the payout the vault holds everything a check would pay (nothing is pending: either all whole wad
        // owed were paid, or the surplus is used up, or there is a deficit), so the price reads the balance alone.
        uint256 priceWad = Math.mulDiv(
            ONE_SHARE,
            IERC20(asset()).balanceOf(address(this)) + 1,
            totalSupply() + 10 ** DECIMALS_OFFSET
        );
        emit SavingsYieldPaid(payWad, basisWad, shareBps, owedBpsWad / WadRayMath.BPS, priceWad);
    }

    /// @dev What a check would do now: the interest since the last check (`basisWad`), the share applied to it (0
    /// when there is none), the credit after it (wad x bps), the pool's counter, and the payout: the whole wad owed,
    /// at most the surplus. The surplus is zero whenever the pool has a deficit (bad debt takes surplus first, and
    /// interest repays the deficit before it adds to surplus), so nothing is paid then; the pool's `paySavings`
    /// also refuses it outright. An empty vault (no shares) has no savers: the new interest is not credited and
    /// anything owed is dropped, so it stays surplus instead of going to whoever deposits first.
    function _check()
        private
        view
        returns (uint256 basisWad, uint16 shareBps, uint256 owedBpsWad, uint256 counterWad, uint256 payWad)
    {
        counterWad = pool.interestToSurplusWad();
        basisWad = counterWad - _accrual.interestCheckpointWad;
        if (totalSupply() == 0) return (basisWad, 0, 0, counterWad, 0);
        owedBpsWad = _owedBpsWad;
        if (basisWad != 0) {
            // SAVINGS_SHARE (bps): scheduled by governance through the timelock, at most
            // RuleBounds.MAX_SAVINGS_SHARE_BPS (`SupervisionRuleViolated(SAVINGS_SHARE, max, value)` above it).
            // The policy stores it in 16 bits, so the cast is exact.
            shareBps = uint16(policy.ruleValue(Rules.SAVINGS_SHARE));
            owedBpsWad += basisWad * shareBps;
        }
        if (owedBpsWad >= WadRayMath.BPS) {
            (, uint256 surplusWad, ) = pool.accounts();
            payWad = Math.min(owedBpsWad / WadRayMath.BPS, surplusWad);
        }
    }

    /// @dev OpenZeppelin's inflation-attack protection (virtual shares), `DECIMALS_OFFSET` decimals.
    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }
}
