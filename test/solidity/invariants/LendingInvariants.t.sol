// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SystemDeployer} from "./SystemDeployer.sol";
import {LendingHandler} from "./LendingHandler.t.sol";
import {Rules} from "../../../contracts/libraries/Rules.sol";
import {TierTerms, TierCaps} from "../../../contracts/types/PolicyTypes.sol";

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

    /// The policy's derived values (precomputed for cheap reads) equal what the rulebook says: each tier's
    /// effective terms are its terms bounded by its caps, and the approval threshold, kept in the slot that borrows
    /// and the circuit breaker rewrite, is the last tier's TIER_MAX_PD, as is the oracle's copy of it.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_policyDerivedValuesMatchRulebook() public view {
        uint8 count = policy.tierCount();
        for (uint8 t = 0; t < count; ++t) {
            TierTerms memory e = policy.termsOf(t);
            TierCaps memory c = policy.capsOf(t);
            require(e.maxPdBps == policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, t)), "effective max PD");
            require(e.maxLtvBps == _min(policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_LTV, t)), c.maxLtvBps), "effective LTV");
            require(
                e.liquidationThresholdBps
                    == _min(policy.ruleValue(Rules.tierRule(Rules.TIER_LIQUIDATION_THRESHOLD, t)), c.liquidationThresholdBps),
                "effective liquidation threshold"
            );
            require(e.aprBps == _min(policy.ruleValue(Rules.tierRule(Rules.TIER_APR, t)), c.aprBps), "effective APR");
            require(
                e.creditLimitWad == _min(policy.ruleValue(Rules.tierRule(Rules.TIER_CREDIT_LIMIT, t)), c.creditLimitWad),
                "effective credit limit"
            );
        }
        require(
            policy.approvalThresholdBps() == policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, count - 1)),
            "approval threshold != last tier's TIER_MAX_PD"
        );
        require(oracle.approvalThresholdBps() == policy.approvalThresholdBps(), "oracle's threshold copy drifted");
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
