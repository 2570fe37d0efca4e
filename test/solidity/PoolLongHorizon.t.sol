// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InterestIndex} from "../../contracts/libraries/InterestIndex.sol";
import {Rules} from "../../contracts/libraries/Rules.sol";
import {SystemDeployer} from "./invariants/SystemDeployer.sol";

/// @notice A century of interest at the highest APR any role can set: the regulator's cap and governance's term
/// both at `type(uint16).max` bps (655.35 %), on the conservative tier that unscored borrowers use. Whatever the
/// accrual pattern (yearly, daily, one 100-year jump), borrow, repay and liquidation in that tier keep working.
/// The index saturates at `InterestIndex.MAX_INDEX_RAY` (its storage width) instead of overflowing.
contract PoolLongHorizonTest is SystemDeployer {
    uint8 internal constant TIER = 3; // the most conservative tier: every unscored borrower's
    uint16 internal constant MAX_APR_BPS = type(uint16).max;
    uint256 internal constant CENTURY = 100 * 365 days;
    address internal constant LATE_BORROWER = address(0xB0B);
    address internal constant LIQUIDATOR = address(0x11D);

    function setUp() public {
        _deploySystem();
        _enact(REGULATOR, Rules.tierRule(Rules.TIER_CAP_APR, TIER), MAX_APR_BPS);
        _enact(GOVERNANCE, Rules.tierRule(Rules.TIER_APR, TIER), MAX_APR_BPS);
        feed.setAnswer(int256(INITIAL_PRICE));
        pool.syncTierRate(TIER);
        (, , uint16 aprBps, ) = pool.tierStateOf(TIER);
        require(aprBps == MAX_APR_BPS, "tier not at the highest APR");

        // This contract borrows 1,000 vUSD against 10 WETH ($30,000) in the tier.
        _depositWeth(address(this), 10 ether);
        pool.borrow(1_000e18);
    }

    function test_yearlyAccruals_for100Years_keepEveryCallWorking() public {
        for (uint256 year = 1; year <= 100; ++year) {
            vm.warp(block.timestamp + 365 days);
            pool.syncTierRate(TIER); // stores the accrued index
        }
        _everyCallWorks(true);
    }

    /// @dev Daily compounding at 655.35 % reaches the index's maximum on day ~557; daily accruals through the pool
    /// for two years cross it, yearly ones complete the century (a pure daily century: `test_accrueSaturating_*`).
    function test_dailyAccrualsThroughSaturation_thenYearly_for100Years() public {
        for (uint256 day = 1; day <= 2 * 365; ++day) {
            vm.warp(block.timestamp + 1 days);
            pool.syncTierRate(TIER);
        }
        (uint256 indexRay, , , ) = pool.tierStateOf(TIER);
        require(indexRay == InterestIndex.MAX_INDEX_RAY, "daily compounding did not saturate within two years");
        for (uint256 year = 3; year <= 100; ++year) {
            vm.warp(block.timestamp + 365 days);
            pool.syncTierRate(TIER);
        }
        _everyCallWorks(true);
    }

    /// @dev One accrual grows the index linearly (1 + 655.35 % x 100 = 656x): no compounding, no saturation.
    function test_oneJumpOf100Years_keepsEveryCallWorking() public {
        vm.warp(block.timestamp + CENTURY);
        _everyCallWorks(false);
    }

    /// hardhat-config: fuzz.runs = 64
    function testFuzz_anyAccrualSchedule_keepsEveryCallWorking(uint256 seed) public {
        uint256 end = block.timestamp + CENTURY;
        while (block.timestamp < end) {
            seed = uint256(keccak256(abi.encode(seed)));
            uint256 step = 1 + (seed % (5 * 365 days));
            vm.warp(block.timestamp + step < end ? block.timestamp + step : end);
            if (seed & 1 == 0) pool.syncTierRate(TIER);
        }
        _everyCallWorks(false);
    }

    /// @dev After the century (`compounded`: by many accruals, so the index must have saturated and stopped):
    /// a repayment, a new borrower's borrow, a repayment of theirs and a liquidation of this (deep underwater)
    /// position all succeed.
    function _everyCallWorks(bool compounded) internal {
        feed.setAnswer(int256(INITIAL_PRICE)); // the feed kept publishing
        pool.syncTierRate(TIER);
        (uint256 indexRay, uint64 lastAccrualTs, , ) = pool.tierStateOf(TIER);
        require(
            indexRay <= InterestIndex.MAX_INDEX_RAY && indexRay >= 656e27,
            "index below a century's simple interest"
        );
        if (compounded)
            require(indexRay == InterestIndex.MAX_INDEX_RAY, "index not saturated after a century at 655 %");
        require(lastAccrualTs == block.timestamp, "accrual time not advanced");

        (uint256 debt, , , uint256 healthFactor) = pool.positionOf(address(this));
        // 1,000 borrowed at an index a few days old (the timelock's wait): scaled debt above 990.
        require(debt >= 990e18 * (indexRay / 1e27), "debt did not grow with the index");
        require(healthFactor < 1e18, "a position hundreds of times its principal is healthy");

        // A late borrower borrows in the saturated tier and repays part of it (and of this position's debt).
        _depositWeth(LATE_BORROWER, 10 ether);
        vm.startPrank(LATE_BORROWER);
        pool.borrow(5_000e18);
        vusd.approve(address(pool), type(uint256).max);
        pool.repay(LATE_BORROWER, 1_000e18);
        pool.repay(address(this), 500e18);
        vusd.transfer(LIQUIDATOR, 2_000e18);
        vm.stopPrank();
        (uint256 lateDebt, , , ) = pool.positionOf(LATE_BORROWER);
        // Borrowed and repaid in the same block: no interest. Rounding favours the protocol by at most one scaled
        // unit (worth the index: 20,282 wei at saturation) on the borrow and one on the repayment.
        require(lateDebt >= 4_000e18 && lateDebt <= 4_000e18 + 2 * (indexRay / 1e27) + 1, "late borrower's debt");

        // A liquidator repays 1,000 of this position's debt for WETH.
        uint256 wethBefore = weth.balanceOf(LIQUIDATOR);
        vm.startPrank(LIQUIDATOR);
        vusd.approve(address(pool), type(uint256).max);
        pool.liquidate(address(this), address(weth), 1_000e18);
        vm.stopPrank();
        require(weth.balanceOf(LIQUIDATOR) > wethBefore, "nothing seized");

        // The snapshot and a later accrual still work.
        pool.publishExposureSnapshot();
        vm.warp(block.timestamp + 365 days);
        pool.syncTierRate(TIER);
    }

    // ---------------------------------------------------------------- the index alone

    function test_accrueSaturating_dailyFor100Years_atTheHighestApr() public pure {
        uint256 indexRay = InterestIndex.INITIAL_INDEX_RAY;
        uint256 saturatedOnDay;
        for (uint256 day = 1; day <= 36_500; ++day) {
            uint256 next = InterestIndex.accrueSaturating(indexRay, MAX_APR_BPS, 1 days);
            require(next >= indexRay && next <= InterestIndex.MAX_INDEX_RAY, "index fell or passed its maximum");
            if (next == InterestIndex.MAX_INDEX_RAY && saturatedOnDay == 0) saturatedOnDay = day;
            indexRay = next;
        }
        require(saturatedOnDay > 500 && saturatedOnDay < 600, "saturation day");
    }

    function testFuzz_accrueSaturating_isAccrueCappedAtTheMax(
        uint256 indexRay,
        uint256 aprBps,
        uint256 elapsed
    ) public pure {
        indexRay =
            InterestIndex.INITIAL_INDEX_RAY +
            (indexRay % (InterestIndex.MAX_INDEX_RAY - InterestIndex.INITIAL_INDEX_RAY + 1));
        aprBps = aprBps % (uint256(type(uint16).max) + 1);
        elapsed = elapsed % (uint256(type(uint40).max) + 1); // any stored timestamp difference
        uint256 uncapped = InterestIndex.accrue(indexRay, aprBps, elapsed);
        uint256 capped = InterestIndex.accrueSaturating(indexRay, aprBps, elapsed);
        require(capped == (uncapped < InterestIndex.MAX_INDEX_RAY ? uncapped : InterestIndex.MAX_INDEX_RAY), "cap");
    }

    function _depositWeth(address who, uint256 amount) internal {
        vm.deal(who, amount);
        vm.startPrank(who);
        weth.deposit{value: amount}();
        weth.approve(address(pool), amount);
        pool.deposit(address(weth), amount, who);
        vm.stopPrank();
    }

    function _enact(address role, bytes32 rule, uint256 value) internal {
        vm.prank(role);
        bytes32 changeId = policy.scheduleRuleChange(rule, value);
        (, , uint64 executableAt) = policy.pendingChange(changeId);
        vm.warp(executableAt);
        policy.executeRuleChange(changeId);
    }
}
