// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VUSD} from "../../../contracts/core/VUSD.sol";
import {CreditScoreOracle} from "../../../contracts/core/CreditScoreOracle.sol";
import {SupervisionPolicy} from "../../../contracts/core/SupervisionPolicy.sol";
import {LendingPool} from "../../../contracts/core/LendingPool.sol";
import {WETH9} from "../../../contracts/mocks/WETH9.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {ScoreReport} from "../../../contracts/types/ScoreTypes.sol";
import {TierTerms} from "../../../contracts/types/PolicyTypes.sol";
import {Rules} from "../../../contracts/libraries/Rules.sol";
import {Cheats, CHEATS_ADDRESS} from "../Cheats.sol";

/// @notice Drives random sequences of deposit / withdraw / borrow / repay / accrue / price move / liquidate /
/// score change / rule change (a tier's TIER_MAX_PD) against the real contracts, and records what the invariants need (ghost variables).
/// Every action bounds its inputs to plausible values and ignores reverts the protocol is entitled to (a rule
/// that says no); what the invariants check is that no accepted action breaks the books.
contract LendingHandler {
    Cheats internal constant vm = Cheats(CHEATS_ADDRESS);

    VUSD public immutable vusd;
    CreditScoreOracle public immutable oracle;
    SupervisionPolicy public immutable policy;
    LendingPool public immutable pool;
    WETH9 public immutable weth;
    MockAggregatorV3 public immutable feed;
    bytes32 public immutable modelId;
    uint256[] internal operatorKeys;

    address[] public actors;
    address public immutable liquidator = address(0x11D);

    // ---- ghost state ----
    /// @notice Set if a liquidation succeeded on a position whose health factor was >= 1 just before.
    bool public healthyPositionLiquidated;
    /// @notice Set if a borrow succeeded and left the position above its tier's max LTV.
    bool public borrowAboveTierLtv;
    uint256 public borrowsAccepted;
    uint256 public liquidationsAccepted;
    uint256 public repaysAccepted;
    uint256 public maxPdChanges;
    uint64 internal lastIssuedAt;
    uint256 internal currentPrice;

    constructor(
        VUSD vusd_,
        CreditScoreOracle oracle_,
        SupervisionPolicy policy_,
        LendingPool pool_,
        WETH9 weth_,
        MockAggregatorV3 feed_,
        bytes32 modelId_,
        uint256[] memory operatorKeys_,
        uint256 initialPrice
    ) {
        vusd = vusd_;
        oracle = oracle_;
        policy = policy_;
        pool = pool_;
        weth = weth_;
        feed = feed_;
        modelId = modelId_;
        operatorKeys = operatorKeys_;
        currentPrice = initialPrice;
        for (uint256 i = 0; i < 4; ++i) {
            actors.push(address(uint160(0xB0B0 + i)));
        }
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    // ------------------------------------------------------------------ actions

    function deposit(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = _bound(amount, 0.01 ether, 50 ether);
        vm.deal(actor, amount);
        vm.startPrank(actor);
        weth.deposit{value: amount}();
        weth.approve(address(pool), amount);
        pool.deposit(address(weth), amount, actor);
        vm.stopPrank();
    }

    function withdraw(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 balance = pool.collateralOf(actor, address(weth));
        if (balance == 0) return;
        amount = _bound(amount, 1, balance);
        vm.prank(actor);
        try pool.withdraw(address(weth), amount, actor) {} catch {}
    }

    function borrow(uint256 actorSeed, uint256 amountWad) external {
        address actor = _actor(actorSeed);
        amountWad = _bound(amountWad, 1e18, 100_000e18);
        vm.prank(actor);
        try pool.borrow(amountWad) {
            ++borrowsAccepted;
            _checkWithinTierLtv(actor);
        } catch {}
    }

    function repay(uint256 actorSeed, uint256 payerSeed, uint256 amountWad) external {
        address borrower = _actor(actorSeed);
        address payer = _actor(payerSeed);
        (uint256 debt,,,) = pool.positionOf(borrower);
        uint256 wallet = vusd.balanceOf(payer);
        if (debt == 0 || wallet == 0) return;
        amountWad = _bound(amountWad, 1, wallet < debt ? wallet : debt);
        vm.startPrank(payer);
        vusd.approve(address(pool), amountWad);
        try pool.repay(borrower, amountWad) {
            ++repaysAccepted;
        } catch {}
        vm.stopPrank();
    }

    /// @notice Time passes (interest accrues); the feed keeps reporting so prices do not go stale.
    function accrue(uint256 secondsSeed) external {
        uint256 dt = _bound(secondsSeed, 1 minutes, 45 days);
        vm.warp(block.timestamp + dt);
        feed.setAnswer(int256(currentPrice));
        pool.pokePrice(address(weth));
    }

    /// @notice The price moves within ±25 % (inside the deviation bound) and a keeper pokes it.
    function movePrice(uint256 moveSeed) external {
        int256 moveBps = int256(_bound(moveSeed, 0, 5000)) - 2500;
        uint256 next = uint256(int256(currentPrice) * (10_000 + moveBps) / 10_000);
        if (next < 100e8) next = 100e8;
        currentPrice = next;
        feed.setAnswer(int256(next));
        pool.pokePrice(address(weth));
        if (policy.paused()) {
            vm.prank(address(0x4E6)); // the regulator resets a trip so the run can go on
            policy.unpause();
            vm.warp(block.timestamp + 1 hours);
            feed.setAnswer(int256(currentPrice));
            pool.pokePrice(address(weth));
        }
    }

    function liquidate(uint256 actorSeed, uint256 amountWad) external {
        address borrower = _actor(actorSeed);
        (uint256 debt,,, uint256 healthFactorWad) = pool.positionOf(borrower);
        if (debt == 0) return;
        amountWad = _bound(amountWad, 1e18, debt);
        // The liquidator brings vUSD: minted to them by the pool as any borrower would get it is not possible
        // without collateral, so they take it from the deepest wallet among the actors.
        _fundLiquidator(amountWad);
        vm.startPrank(liquidator);
        vusd.approve(address(pool), amountWad);
        try pool.liquidate(borrower, address(weth), amountWad) {
            ++liquidationsAccepted;
            if (healthFactorWad >= 1e18) healthyPositionLiquidated = true;
        } catch {}
        vm.stopPrank();
    }

    /// @notice The operators post a new score for an actor (any PD, including declined ones).
    function changeScore(uint256 actorSeed, uint256 pdSeed) external {
        address actor = _actor(actorSeed);
        uint16 pdBps = uint16(_bound(pdSeed, 0, 4000));
        if (block.timestamp <= lastIssuedAt) vm.warp(lastIssuedAt + 1);
        lastIssuedAt = uint64(block.timestamp);
        (uint64 version,,) = oracle.operatorSet();
        ScoreReport memory report = ScoreReport({
            borrower: actor,
            pdBps: pdBps,
            reasonCodes: [uint16(1), 2, 0, 0],
            modelId: modelId,
            operatorSetVersion: version,
            issuedAt: uint64(block.timestamp),
            validUntil: uint64(block.timestamp + 60 days)
        });
        bytes32 digest = oracle.hashReport(report);
        bytes memory signatures;
        for (uint256 i = 0; i < 2; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(operatorKeys[i], digest);
            signatures = abi.encodePacked(signatures, r, s, v);
        }
        oracle.submitScore(report, signatures);
        (uint256 debt,,,) = pool.positionOf(actor);
        if (debt != 0) pool.rebase(actor);
    }

    /// @notice Governance moves one tier's TIER_MAX_PD between its neighbours (the last tier's up to 50 %) through
    /// the timelock; the feed keeps reporting over the wait. The last tier's value is the approval threshold, which
    /// the policy pushes to the oracle in the executing call.
    function changeMaxPd(uint256 tierSeed, uint256 valueSeed) external {
        uint8 count = policy.tierCount();
        uint8 tier = uint8(tierSeed % count);
        uint256 low = tier == 0 ? 0 : policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, tier - 1)) + 1;
        uint256 high = tier + 1 == count ? 5_000 : policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, tier + 1)) - 1;
        if (low > high) return;
        bytes32 rule = Rules.tierRule(Rules.TIER_MAX_PD, tier);
        vm.prank(address(0x60F)); // governance schedules tier terms
        bytes32 changeId = policy.scheduleRuleChange(rule, _bound(valueSeed, low, high));
        (,, uint64 executableAt) = policy.pendingChange(changeId);
        vm.warp(executableAt);
        feed.setAnswer(int256(currentPrice));
        pool.pokePrice(address(weth));
        policy.executeRuleChange(changeId);
        ++maxPdChanges;
    }

    // ------------------------------------------------------------------ helpers

    function _checkWithinTierLtv(address actor) internal {
        (uint256 debt, uint8 tier, uint256 collateralValue,) = pool.positionOf(actor);
        TierTerms memory terms = policy.termsOf(tier);
        if (debt * 10_000 > collateralValue * terms.maxLtvBps) borrowAboveTierLtv = true;
    }

    function _fundLiquidator(uint256 amountWad) internal {
        uint256 have = vusd.balanceOf(liquidator);
        if (have >= amountWad) return;
        for (uint256 i = 0; i < actors.length && have < amountWad; ++i) {
            uint256 balance = vusd.balanceOf(actors[i]);
            uint256 take = balance < amountWad - have ? balance : amountWad - have;
            if (take == 0) continue;
            vm.prank(actors[i]);
            vusd.transfer(liquidator, take);
            have += take;
        }
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        return min + (x % (max - min + 1));
    }
}
