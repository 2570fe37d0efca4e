// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SystemDeployer} from "./SystemDeployer.sol";
import {LendingHandler} from "./LendingHandler.t.sol";

/// @notice Invariants of the lending system under random action sequences (handler: LendingHandler).
///
/// Accounting identity (exact, in wad): vUSD.totalSupply() + surplus == totalPrincipal + deficit.
///   borrow x: supply +x, principal +x. Repay p + i (principal, interest): supply −(p + i), principal −p,
///   surplus +i. Bad debt of principal b: principal −b, covered by surplus first (surplus −c), the rest is
///   deficit (+b − c). Minting surplus m to a treasury: supply +m, surplus −m.
/// The debt ceiling bounds total principal: accrued interest can carry total debt past it, never a borrow.
contract LendingInvariantsTest is SystemDeployer {
    LendingHandler internal handler;

    function setUp() public {
        _deploySystem();
        handler = new LendingHandler(
            vusd, oracle, policy, pool, weth, feed, keccak256("model"), operatorKeys, INITIAL_PRICE
        );
    }

    /// @dev Foundry-style target selection, read by Hardhat's invariant runner.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_vusdSupplyMatchesDebtAccounting() public view {
        (uint256 principal, uint256 surplus, uint256 deficit) = pool.accounts();
        require(vusd.totalSupply() + surplus == principal + deficit, "supply + surplus != principal + deficit");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_principalNeverExceedsDebtCeiling() public view {
        (uint256 principal,,) = pool.accounts();
        require(principal <= DEBT_CEILING_WAD, "total principal above the debt ceiling");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_noHealthyPositionLiquidated() public view {
        require(!handler.healthyPositionLiquidated(), "a healthy position was liquidated");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_noBorrowAboveTierLtv() public view {
        require(!handler.borrowAboveTierLtv(), "a borrow left a position above its tier's LTV");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_principalIsSumOfPositions() public view {
        (uint256 principal,,) = pool.accounts();
        uint256 sum;
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            sum += pool.principalOf(handler.actors(i));
        }
        require(sum == principal, "total principal != sum of positions' principal");
    }
}
