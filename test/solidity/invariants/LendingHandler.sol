// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VUSD} from "../../../contracts/core/VUSD.sol";
import {CreditScoreOracle} from "../../../contracts/core/CreditScoreOracle.sol";
import {SupervisionPolicy} from "../../../contracts/core/SupervisionPolicy.sol";
import {LendingPool} from "../../../contracts/core/LendingPool.sol";
import {WETH9} from "../../../contracts/mocks/WETH9.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {ScoreReport} from "../../../contracts/types/ScoreTypes.sol";
import {HealthFactor} from "../../../contracts/libraries/HealthFactor.sol";
import {Rules} from "../../../contracts/libraries/Rules.sol";
import {Cheats, CHEATS_ADDRESS} from "../Cheats.sol";
import {DATA_PROVIDER} from "./SystemDeployer.sol";
import {CampaignCounters} from "./CampaignCounters.sol";
import {LendingGhost} from "./LendingGhost.sol";

/// @notice The deployed system the handler drives.
struct LendingSystem {
    VUSD vusd;
    CreditScoreOracle oracle;
    SupervisionPolicy policy;
    LendingPool pool;
    WETH9 weth;
    MockAggregatorV3 feed;
    MockAggregatorV3 fallbackFeed;
    bytes32 modelId;
    uint256[] operatorKeys;
}

/// @notice Drives random sequences of actions against the real contracts: collateral in and out, borrows (random,
/// at the LTV edge, small, with a pulled score, up to the debt ceiling), repayments (partial, in full, leaving dust),
/// liquidations, time (interest), prices on both sources (random moves inside the deviation bound, moves aimed at a
/// position's liquidation threshold, jumps both sources confirm, jumps one source shows, a silent source, recovery),
/// the guardian's manual pause and the regulator's reset, scores (tier changes) and timelocked tier terms (PD
/// bounds, rates). Inputs are bounded towards the states worth reaching, not uniform.
///
/// Each accepted action is applied to the ghost books (`LendingGhost`); `checkBooks` compares the contracts with
/// them. Every action is counted (`CampaignCounters`): attempted, accepted, skipped (nothing to act on), rejected by
/// reason, and the paths it took. A rejection the protocol is entitled to (a rule that says no) is only counted;
/// a rejection of something the rules allow (a repayment by a funded payer, the liquidation of an unhealthy
/// position while liquidations are allowed, a keeper's poke, a valid score) is a violation.
///
/// vUSD for repayments and liquidations comes from a market stand-in: this handler is a second capped vUSD minter
/// (as the PSM will be), and the accounting identity counts what it minted.
/// @dev Abstract: the concrete handler is declared in the test file (`LendingInvariants.t.sol`), because the invariant
/// runner fuzzes only contracts whose artifacts it loads, and a test run emits artifacts for its test files only.
abstract contract LendingHandler is LendingGhost, CampaignCounters {
    Cheats internal constant vm = Cheats(CHEATS_ADDRESS);

    address internal constant GOVERNANCE = address(0x60F);
    address internal constant REGULATOR = address(0x4E6);
    address internal constant GUARDIAN = address(0x6A4D);
    address public constant LIQUIDATOR = address(0x11D);
    address public constant TREASURY = address(0x7EA5);
    /// @dev Actors 0-3 take large loans; 4-5 only small ones (below twice the minimum debt, which a liquidation
    /// closes in full) kept near their LTV edge, so that full liquidations and small bad debts keep happening.
    uint256 internal constant LARGE_BORROWERS = 4;
    uint256 internal constant SMALL_BORROWERS = 2;
    /// @dev The largest price step that stays inside MAX_PRICE_DEVIATION (30 %): up x, or down to 1 / (1 + x).
    uint256 internal constant SAFE_MOVE_BPS = 2_800;
    /// @dev The largest step of one source alone (`driftSource`): five times PRICE_SOURCE_TOLERANCE.
    uint256 internal constant DRIFT_BPS = 1_000;
    uint256 internal constant MIN_PRICE_8 = 100e8;
    uint256 internal constant MAX_PRICE_8 = 100_000e8;
    uint256 internal constant FEED_TO_WAD = 1e10;

    VUSD public immutable vusd;
    CreditScoreOracle public immutable oracle;
    SupervisionPolicy public immutable policy;
    LendingPool public immutable pool;
    WETH9 public immutable weth;
    MockAggregatorV3 public immutable feed;
    MockAggregatorV3 public immutable fallbackFeed;
    bytes32 public immutable modelId;
    uint32 public immutable maxPriceAgeSec;
    uint8 internal immutable _tierCount;
    uint256[] internal _operatorKeys;

    address[] public actors;

    /// @notice Set if a liquidation succeeded on a position healthy (HF >= 1) both in its booked tier and in the tier
    /// its current score maps to.
    bool public healthyPositionLiquidated;
    /// @notice Set if a borrow succeeded and left the position above its tier's max LTV.
    bool public borrowAboveTierLtv;

    /// @dev The market's price (8 decimals): what both sources publish, unless one glitches or goes silent.
    uint256 internal _price8;
    /// @dev FROZEN_LIQUIDATION_HEALTH's default (0.95), in wad.
    uint256 internal constant FROZEN_LIQUIDATION_HEALTH_WAD = 0.95e18;
    uint64 internal _lastIssuedAt;

    constructor(
        LendingSystem memory s,
        uint32 maxPriceAgeSec_
    ) LendingGhost(s.pool.closeFactorBps(), s.pool.liquidationBonusBps(), s.pool.minDebtWad()) {
        vusd = s.vusd;
        oracle = s.oracle;
        policy = s.policy;
        pool = s.pool;
        weth = s.weth;
        feed = s.feed;
        fallbackFeed = s.fallbackFeed;
        modelId = s.modelId;
        maxPriceAgeSec = maxPriceAgeSec_;
        _operatorKeys = s.operatorKeys;
        (, int256 answer, , , ) = s.feed.latestRoundData();
        _price8 = uint256(answer);
        _tierCount = s.policy.tierCount();
        for (uint8 t = 0; t < _tierCount; ++t) {
            (uint256 indexRay, uint64 lastAccrualTs, uint16 aprBps, ) = s.pool.tierStateOf(t);
            _ghostTiers[t] = GhostTier(indexRay, lastAccrualTs, aprBps, 0);
        }
        for (uint256 i = 0; i < LARGE_BORROWERS + SMALL_BORROWERS; ++i) {
            address actor = address(uint160(0xB0B0 + i));
            actors.push(actor);
            (, uint8 tier, , ) = s.pool.positionOf(actor);
            _ghostPositions[actor].tier = tier;
        }
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    // ------------------------------------------------------------------ collateral

    function deposit(uint256 actorSeed, uint256 amountSeed) external {
        _attempt(Action.Deposit);
        _deposit(_actor(actorSeed), _bound(amountSeed, 0.01 ether, 50 ether));
        _succeed(Action.Deposit);
        _afterAction();
    }

    /// @notice Mode 0: a random amount; 1: down to the position's LTV edge; 2: everything.
    function withdraw(uint256 actorSeed, uint256 modeSeed, uint256 amountSeed) external {
        _attempt(Action.Withdraw);
        address actor = _actor(actorSeed);
        uint256 balance = pool.collateralOf(actor, address(weth));
        if (balance == 0) return _skip(Action.Withdraw);
        uint256 mode = modeSeed % 3;
        uint256 amount = balance;
        if (mode == 0) amount = _bound(_random(amountSeed), 1, balance);
        else if (mode == 1) amount = _withdrawableToEdge(actor, 0);
        vm.prank(actor);
        try pool.withdraw(address(weth), amount, actor) {
            _succeed(Action.Withdraw);
            _ghostWithdraw(actor, amount);
        } catch (bytes memory err) {
            _reject(Action.Withdraw, err);
        }
        _afterAction();
    }

    // ------------------------------------------------------------------ borrowing

    /// @notice Mode 0: a random amount (half the time with the collateral for it deposited first); 1: up to (just
    /// under) the LTV edge of the tier the score maps to; both by a large borrower. Mode 2: a small borrower's loan
    /// (debt between the minimum and twice it), after which it withdraws the collateral it does not need, down to
    /// 0-5 % above its LTV edge.
    function borrow(uint256 actorSeed, uint256 modeSeed, uint256 amountSeed) external {
        _attempt(Action.Borrow);
        uint256 mode = modeSeed % 3;
        address actor = mode == 2 ? _smallBorrower(actorSeed) : _largeBorrower(actorSeed);
        (uint256 debt, , uint256 value, ) = pool.positionOf(actor);
        uint256 random = _random(amountSeed);
        uint256 amount;
        if (mode == 0) {
            amount = _bound(random, _minDebtWad, 60_000e18);
            if (random & 1 == 0) _topUpCollateral(actor, amount);
        } else if (mode == 1) {
            (uint8 tier, ) = _currentTier(actor);
            uint256 maxDebt = (value * policy.termsOf(tier).maxLtvBps) / BPS;
            amount = maxDebt > debt + 1e18 ? maxDebt - debt - (random % ((maxDebt - debt) / 200 + 1)) : 1e18;
        } else {
            uint256 low = debt + 1e18 > _minDebtWad ? debt + 1e18 : _minDebtWad;
            amount = low < 2 * _minDebtWad ? _bound(random, low, 2 * _minDebtWad - 1) - debt : 1e18;
            _topUpCollateral(actor, amount);
        }
        if (_borrow(Action.Borrow, actor, amount) && mode == 2) _withdrawToEdge(actor, random % 500);
        _afterAction();
    }

    /// @notice Borrows on a report the operators just signed, passed into the call (the pull flow).
    function borrowWithReport(uint256 actorSeed, uint256 pdSeed, uint256 amountSeed) external {
        _attempt(Action.BorrowWithReport);
        address actor = _largeBorrower(actorSeed);
        (ScoreReport memory report, bytes memory signatures) = _signedReport(actor, uint16(_bound(pdSeed, 0, 3_200)));
        (uint8 tier, , ) = policy.tierForScore(report.pdBps, report.issuedAt, uint64(block.timestamp), true);
        uint256 amount = _bound(_random(amountSeed), _minDebtWad, 30_000e18);
        bool moves = _movesTier(actor, tier);
        vm.prank(actor);
        try pool.borrowWithReport(amount, report, signatures) {
            _succeed(Action.BorrowWithReport);
            _hit(Path.PullScoreBorrow);
            _bookBorrow(actor, amount, tier, moves);
        } catch (bytes memory err) {
            _reject(Action.BorrowWithReport, err);
        }
        _afterAction();
    }

    /// @notice Borrows exactly what is left under the debt ceiling (collateral topped up first), or as much of it as
    /// the concentration cap, borrower cap and tier credit limit allow, by the actor with the most room; one call
    /// in four overshoots the ceiling.
    function borrowToCeiling(uint256 actorSeed, uint256 overshootSeed) external {
        _attempt(Action.BorrowToCeiling);
        uint256 ceiling = policy.ruleValue(Rules.DEBT_CEILING);
        (uint256 total, , ) = pool.accounts();
        uint256 remaining = ceiling > total ? ceiling - total : 0;
        (address actor, uint256 room) = _roomiestActor(actorSeed, total, remaining);
        uint256 amount = room;
        if (overshootSeed % 4 == 0 || room == 0) amount = remaining + _bound(_random(overshootSeed), 1e18, 5_000e18);
        (uint256 debt, , , ) = pool.positionOf(actor);
        if (debt + amount < _minDebtWad) amount = _minDebtWad - debt;
        _topUpCollateral(actor, amount);
        _borrow(Action.BorrowToCeiling, actor, amount);
        _afterAction();
    }

    // ------------------------------------------------------------------ repaying and liquidating

    /// @notice Mode 0-1: a random part; 2: everything (amount = max); 3-4: all but a dust amount (below twice the
    /// minimum debt). The payer buys whatever vUSD it lacks.
    function repay(uint256 actorSeed, uint256 modeSeed, uint256 amountSeed) external {
        _attempt(Action.Repay);
        address actor = _actor(actorSeed);
        (uint256 debt, , , ) = pool.positionOf(actor);
        if (debt == 0) return _skip(Action.Repay);
        uint256 mode = modeSeed % 5;
        uint256 random = _random(amountSeed);
        uint256 amount = type(uint256).max;
        if (mode < 2) {
            amount = _bound(random, 1, debt);
        } else if (mode > 2) {
            uint256 left = _bound(random, _minDebtWad / 2, 2 * _minDebtWad - 1);
            amount = debt > left ? debt - left : _bound(random, 1, debt);
        }
        _topUpVusd(actor, amount < debt ? amount : debt);
        bool wasPaused = policy.paused();
        vm.startPrank(actor);
        vusd.approve(address(pool), amount);
        try pool.repay(actor, amount) returns (uint256 repaid) {
            vm.stopPrank();
            _succeed(Action.Repay);
            Settlement memory s = _ghostRepay(actor, amount);
            if (repaid != s.repaidWad) _violate("repay: repaid amount differs from the ghost's");
            _hit(s.inFull ? Path.RepayFull : Path.RepayPartial);
            if (wasPaused) _hit(Path.RepayWhilePaused);
            _recordSettlement(s);
        } catch (bytes memory err) {
            vm.stopPrank();
            _reject(Action.Repay, err);
            _violate("repay: a funded repayment reverted");
        }
        _afterAction();
    }

    /// @notice Mode 0: the most one liquidation may repay; 1: a random amount; 2: amount = max. Liquidators go for
    /// the lowest health factor: five calls in eight among all positions, two among the small borrowers'; the
    /// eighth picks any position with debt. The liquidator buys the vUSD the liquidation will burn.
    function liquidate(uint256 actorSeed, uint256 modeSeed, uint256 amountSeed) external {
        _liquidate(Action.Liquidate, actorSeed, modeSeed, amountSeed);
    }

    /// @notice WETH freezes, one time in two by a glitch of one source (seized at its last agreed price), else by a
    /// crash both sources show out of step (seized at the lagging source's price, below the agreed one); then a
    /// liquidator goes for a position as `liquidate` does: deep positions (HF < 0.95 at the seizure price) must be
    /// liquidated, shallower ones refused by the deep-health rule.
    function liquidateFrozen(uint256 actorSeed, uint256 modeSeed, uint256 amountSeed) external {
        (, bool frozen, ) = pool.priceStatusOf(address(weth));
        if (!frozen) {
            uint256 random = _random(actorSeed ^ amountSeed);
            if (random & 1 == 0 || _price8 < 2 * MIN_PRICE_8) {
                // Double or half, whichever stays within the price range (a clamped glitch could be a small move).
                uint256 glitch = _price8 * 2 <= MAX_PRICE_8 ? _price8 * 2 : _price8 / 2;
                (actorSeed & 1 == 0 ? feed : fallbackFeed).setAnswer(int256(glitch));
            } else {
                // The market falls 5-25 %: one source (either) shows it, the other half of it, more than
                // PRICE_SOURCE_TOLERANCE apart (at least 2.6 %), both live and below the agreed price.
                uint256 fallBps = _bound(random >> 2, 500, 2_500);
                uint256 ahead8 = (_price8 * (BPS - fallBps)) / BPS;
                MockAggregatorV3 first = random & 2 == 0 ? feed : fallbackFeed;
                first.setAnswer(int256(ahead8));
                (first == feed ? fallbackFeed : feed).setAnswer(int256((_price8 * (BPS - fallBps / 2)) / BPS));
                _price8 = ahead8;
            }
            (, frozen) = _poke();
            if (!frozen) _violate("a one-source glitch left the asset unfrozen");
        }
        _liquidate(Action.LiquidateFrozen, actorSeed, modeSeed, amountSeed);
    }

    /// @dev What a liquidation attempt is about to do and what the rules say of it.
    struct LiquidationPlan {
        address borrower;
        uint256 cover;
        LiquidationQuote q;
        bool unhealthyInBothTiers;
        bool healthyInBothTiers;
        bool frozen;
        bool belowAgreed; // frozen, seized at a live price below the last agreed one
        bool deep; // health factor below FROZEN_LIQUIDATION_HEALTH
        bool mustSucceed;
    }

    function _liquidate(Action action, uint256 actorSeed, uint256 modeSeed, uint256 amountSeed) internal {
        _attempt(action);
        uint256 target = actorSeed % 8;
        address borrower =
            target == 7
                ? _borrowerWithDebt(actorSeed >> 3)
                : target < 5
                    ? _leastHealthy(0, actors.length)
                    : _leastHealthy(LARGE_BORROWERS, actors.length);
        if (borrower == address(0)) return _skip(action);
        LiquidationPlan memory plan = _planLiquidation(borrower, modeSeed, amountSeed);
        _topUpVusd(LIQUIDATOR, plan.q.repaidWad);

        vm.startPrank(LIQUIDATOR);
        vusd.approve(address(pool), type(uint256).max);
        try pool.liquidate(borrower, address(weth), plan.cover) {
            vm.stopPrank();
            _succeed(action);
            if (plan.healthyInBothTiers) healthyPositionLiquidated = true;
            if (plan.frozen) {
                if (!plan.deep) _violate("liquidate: a frozen asset seized above the deep-health threshold");
                _hit(Path.FrozenLiquidation);
                if (plan.belowAgreed) _hit(Path.FrozenLiquidationBelowAgreed);
            }
            if (plan.q.leftoverBelowMinimum) _violate("liquidate: left a debt below the minimum with collateral");
            Settlement memory s = _ghostLiquidate(borrower, plan.q);
            if (plan.q.badDebt) _hit(Path.BadDebtWrittenOff);
            else _hit(s.inFull ? Path.LiquidationFull : Path.LiquidationPartial);
            if (s.coveredBySurplusWad != 0) _hit(Path.BadDebtCoveredBySurplus);
            if (s.deficitAddedWad != 0) _hit(Path.BadDebtIntoDeficit);
            _recordSettlement(s);
        } catch (bytes memory err) {
            vm.stopPrank();
            _checkLiquidationRefusal(_reject(action, err), plan);
            if (plan.mustSucceed) _violate("liquidate: a liquidatable position could not be liquidated");
        }
        _afterAction();
    }

    /// @dev Mode 0: the most one liquidation may repay; 1: a random amount; 2: amount = max. Prices at what the pool
    /// will use (`_liquidationPriceWad`): while WETH is frozen that may be below the agreed price `positionOf` values
    /// it at, so the health factors are taken at it.
    function _planLiquidation(
        address borrower,
        uint256 modeSeed,
        uint256 amountSeed
    ) internal view returns (LiquidationPlan memory plan) {
        plan.borrower = borrower;
        (uint256 debt, uint8 tier, uint256 value, uint256 healthFactor) = pool.positionOf(borrower);
        uint256 priceWad;
        uint256 agreedWad;
        (priceWad, plan.frozen, agreedWad) = _liquidationPriceWad();
        if (plan.frozen && priceWad != agreedWad) {
            plan.belowAgreed = true;
            value = HealthFactor.valueWad(pool.collateralOf(borrower, address(weth)), priceWad, 18);
            healthFactor = HealthFactor.healthFactorWad(value, policy.termsOf(tier).liquidationThresholdBps, debt);
        }
        plan.cover = type(uint256).max;
        if (modeSeed % 3 == 0) plan.cover = _quoteLiquidation(borrower, type(uint256).max, priceWad).repaidWad;
        else if (modeSeed % 3 == 1) plan.cover = _bound(_random(amountSeed), 1, debt);
        plan.q = _quoteLiquidation(borrower, plan.cover, priceWad);
        uint256 currentTierHealth = _healthFactorInCurrentTier(borrower, value, debt);
        plan.unhealthyInBothTiers = healthFactor < WAD && currentTierHealth < WAD;
        plan.healthyInBothTiers = healthFactor >= WAD && currentTierHealth >= WAD;
        // A frozen asset is seized only from a position below FROZEN_LIQUIDATION_HEALTH at its seizure price.
        plan.deep = healthFactor < FROZEN_LIQUIDATION_HEALTH_WAD;
        plan.mustSucceed =
            plan.unhealthyInBothTiers &&
            _liquidationsAllowed() &&
            (plan.frozen ? plan.deep : _priceFresh()) &&
            !plan.q.leftoverBelowMinimum;
    }

    /// @dev A refused liquidation's reason must fit the position: "healthy" only for a healthy one, the deep-health
    /// rule only for a frozen asset and a position not below it.
    function _checkLiquidationRefusal(Reason reason, LiquidationPlan memory plan) internal {
        if (reason == Reason.PositionHealthy) {
            _hit(Path.LiquidationRejectedHealthy);
            if (plan.unhealthyInBothTiers) _violate("liquidate: an unhealthy position was refused as healthy");
        } else if (reason == Reason.FrozenLiquidationHealth) {
            _hit(Path.FrozenLiquidationRefused);
            if (!plan.frozen || plan.deep) _violate("liquidate: refused by the deep-health rule outside it");
        }
    }

    // ------------------------------------------------------------------ time and prices

    /// @notice Time passes (minutes to hours, or days to a month: interest accrues); the feed keeps reporting. After
    /// a day or more, a tripped breaker has been reviewed and is reset.
    function warp(uint256 secondsSeed) external {
        _attempt(Action.Warp);
        uint256 random = _random(secondsSeed);
        bool long = random & 1 == 1;
        vm.warp(
            block.timestamp + (long ? _bound(random >> 1, 1 days, 30 days) : _bound(random >> 1, 1 minutes, 6 hours))
        );
        _publishAndPoke(_price8);
        if (long && policy.paused()) _unpause();
        _succeed(Action.Warp);
        _afterAction();
    }

    /// @notice A move inside the breaker's bound, drifting back towards $1,500-6,000.
    function movePrice(uint256 moveSeed) external {
        _attempt(Action.MovePrice);
        uint256 moveBps = _bound(_random(moveSeed) >> 1, 1, SAFE_MOVE_BPS);
        bool up =
            _price8 < 1_500e8
                ? true
                : _price8 > 6_000e8
                    ? false
                    : moveSeed % 2 == 0;
        _publishAndPoke(up ? (_price8 * (BPS + moveBps)) / BPS : (_price8 * BPS) / (BPS + moveBps));
        _succeed(Action.MovePrice);
        _afterAction();
    }

    /// @notice Moves the price towards the one at which a borrower's health factor is a target in [0.3, 1.1],
    /// within the breaker's bound: crosses liquidation thresholds and reaches deep-underwater states.
    function aimPrice(uint256 actorSeed, uint256 healthSeed) external {
        _attempt(Action.AimPrice);
        address borrower = _borrowerWithDebt(actorSeed);
        if (borrower == address(0)) return _skip(Action.AimPrice);
        (, , , uint256 healthFactor) = pool.positionOf(borrower);
        uint256 target = _bound(_random(healthSeed), 0.3e18, 1.1e18);
        uint256 low = (_price8 * BPS) / (BPS + SAFE_MOVE_BPS);
        uint256 high = (_price8 * (BPS + SAFE_MOVE_BPS)) / BPS;
        // A position left with dust collateral and debt has a health factor of 0: only a rise moves it.
        uint256 next = healthFactor == 0 ? high : (_price8 * target) / healthFactor;
        _publishAndPoke(
            next < low
                ? low
                : next > high
                    ? high
                    : next
        );
        _succeed(Action.AimPrice);
        _afterAction();
    }

    /// @notice Kind 0: a jump beyond MAX_PRICE_DEVIATION (31-60 %) both sources show: a real move, accepted; kind 1:
    /// the same jump on one source only (either), a glitch: the asset freezes at the last agreed price; kind 2: one
    /// source goes silent past its max age while the other keeps reporting: the asset freezes; kind 3: the guardian
    /// pauses by hand. A keeper pokes after each; no price may ever pause the protocol.
    function shockPrice(uint256 kindSeed, uint256 sizeSeed) external {
        _attempt(Action.ShockPrice);
        uint256 kind = kindSeed % 4;
        uint256 random = _random(sizeSeed);
        if (kind == 3) {
            if (policy.paused()) return _skip(Action.ShockPrice);
            vm.prank(GUARDIAN);
            policy.pause();
            _hit(Path.ManualPause);
            _succeed(Action.ShockPrice);
            return _afterAction();
        }
        (uint256 agreedBefore, , ) = pool.priceStatusOf(address(weth));
        if (kind == 0 || kind == 1) {
            uint256 jumpBps = _bound(random >> 2, 3_100, 6_000);
            uint256 up = (_price8 * (BPS + jumpBps)) / BPS;
            uint256 down = (_price8 * (BPS - jumpBps)) / BPS;
            // Near a price bound the jump goes the other way (a clamped jump could be a small move or none).
            uint256 jumped = (random & 1 == 0 && up <= MAX_PRICE_8) || down < MIN_PRICE_8 ? up : down;
            if (kind == 0) {
                _publish(jumped);
            } else {
                // The glitch: one source shows it, the market (`_price8`) does not move. The other source is set to
                // the market first: an earlier glitch may have left it anywhere, even next to this one.
                MockAggregatorV3 glitched = random & 2 == 0 ? feed : fallbackFeed;
                (glitched == feed ? fallbackFeed : feed).setAnswer(int256(_price8));
                glitched.setAnswer(int256(_clampPrice(jumped)));
            }
        } else {
            vm.warp(block.timestamp + maxPriceAgeSec + _bound(random >> 1, 1, 1 days));
            (random & 1 == 0 ? feed : fallbackFeed).setAnswer(int256(_price8));
        }
        (bool wasFrozen, bool isFrozen) = _poke();
        (uint256 agreed, , ) = pool.priceStatusOf(address(weth));
        if (kind == 0) {
            if (isFrozen || agreed != _priceWad()) _violate("a jump both sources confirm was not accepted");
            _hit(Path.ConfirmedJump);
        } else {
            if (!isFrozen) _violate("an unconfirmed price left the asset unfrozen");
            if (agreed != agreedBefore) _violate("an unconfirmed price became the agreed price");
            if (!wasFrozen) _hit(kind == 1 ? Path.FreezeOneSourceJump : Path.FreezeStaleSource);
        }
        _succeed(Action.ShockPrice);
        _afterAction();
    }

    /// @notice One source alone moves by up to DRIFT_BPS (either, either way, drifting back towards $1,500-6,000)
    /// while the other keeps its answer: a provider ahead of or behind the market. A keeper pokes: sources more
    /// than PRICE_SOURCE_TOLERANCE apart freeze the asset (its agreed price kept), sources back within it unfreeze
    /// it at the primary's price, which the market then is. Several drifts can leave both sources below the agreed
    /// price yet apart: the frozen asset is then seized at the higher of them (`_liquidationPriceWad`).
    function driftSource(uint256 sourceSeed, uint256 moveSeed) external {
        _attempt(Action.DriftSource);
        MockAggregatorV3 moved = sourceSeed & 1 == 0 ? feed : fallbackFeed;
        (, int256 answer, , , ) = moved.latestRoundData();
        uint256 from8 = uint256(answer);
        uint256 moveBps = _bound(_random(moveSeed) >> 1, 1, DRIFT_BPS);
        bool up =
            from8 < 1_500e8
                ? true
                : from8 > 6_000e8
                    ? false
                    : moveSeed % 2 == 0;
        (uint256 agreedBefore, , ) = pool.priceStatusOf(address(weth));
        moved.setAnswer(int256(_clampPrice(up ? (from8 * (BPS + moveBps)) / BPS : (from8 * BPS) / (BPS + moveBps))));
        (bool wasFrozen, bool isFrozen) = _poke();
        (uint256 agreed, , ) = pool.priceStatusOf(address(weth));
        if (isFrozen) {
            if (agreed != agreedBefore) _violate("driftSource: a frozen asset's agreed price moved");
            if (!wasFrozen) _hit(Path.FreezeSourcesOutOfStep);
        } else {
            (, int256 primary8, , , ) = feed.latestRoundData();
            if (agreed != uint256(primary8) * FEED_TO_WAD)
                _violate("driftSource: confirmed sources, primary not agreed");
            _price8 = uint256(primary8);
        }
        _succeed(Action.DriftSource);
        _afterAction();
    }

    /// @notice Both sources report the market again; a keeper pokes (a frozen asset unfreezes at the price they
    /// agree on) and, if paused, the regulator resets the breaker.
    function recover() external {
        _attempt(Action.Recover);
        (, bool frozen, ) = pool.priceStatusOf(address(weth));
        bool paused = policy.paused();
        if (!frozen && !paused) return _skip(Action.Recover);
        _publishAndPoke(_price8);
        if (!paused || _unpause()) _succeed(Action.Recover);
        _afterAction();
    }

    // ------------------------------------------------------------------ scores and rules

    /// @notice The operators post a new score (PD 0-32 %, some above the approval threshold); the position is
    /// re-based onto the tier it maps to.
    function changeScore(uint256 actorSeed, uint256 pdSeed) external {
        _attempt(Action.ChangeScore);
        address actor = _actor(actorSeed);
        (ScoreReport memory report, bytes memory signatures) = _signedReport(actor, uint16(_bound(pdSeed, 0, 3_200)));
        try oracle.submitScore(report, signatures) {} catch (bytes memory err) {
            _reject(Action.ChangeScore, err);
            _violate("submitScore: a valid report was refused");
            return _afterAction();
        }
        if (_ghostPositions[actor].scaledDebt != 0) {
            (uint8 tier, ) = _currentTier(actor);
            bool moves = _movesTier(actor, tier);
            try pool.rebase(actor) {
                if (moves) {
                    _ghostMoveTier(actor, tier, 0);
                    _hit(Path.TierChange);
                }
            } catch (bytes memory err) {
                _reject(Action.ChangeScore, err);
                _violate("rebase: refused for a position with debt");
            }
        }
        _succeed(Action.ChangeScore);
        _afterAction();
    }

    /// @notice Governance changes a tier's PD bound (kind 0, between its neighbours; the last tier's up to 50 %) or
    /// its rate (kind 1, up to the regulator's cap, then synced into the pool) through the timelock; the feed keeps
    /// reporting over the wait.
    function changeTierTerm(uint256 tierSeed, uint256 kindSeed, uint256 valueSeed) external {
        _attempt(Action.ChangeTierTerm);
        uint8 tier = uint8(tierSeed % _tierCount);
        bool isRate = kindSeed % 2 == 1;
        bytes32 rule;
        uint256 value;
        if (isRate) {
            rule = Rules.tierRule(Rules.TIER_APR, tier);
            value = _bound(valueSeed, 0, policy.capsOf(tier).aprBps);
        } else {
            rule = Rules.tierRule(Rules.TIER_MAX_PD, tier);
            uint256 low = tier == 0 ? 0 : policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, tier - 1)) + 1;
            uint256 high =
                tier + 1 == _tierCount ? 5_000 : policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, tier + 1)) - 1;
            if (low > high) return _skip(Action.ChangeTierTerm);
            value = _bound(valueSeed, low, high);
        }
        vm.prank(GOVERNANCE);
        bytes32 changeId = policy.scheduleRuleChange(rule, value);
        (, , uint64 executableAt) = policy.pendingChange(changeId);
        vm.warp(executableAt);
        _publishAndPoke(_price8);
        policy.executeRuleChange(changeId);
        if (isRate) {
            pool.syncTierRate(tier);
            _ghostAccrue(tier); // the pool stored the tier's index accrued to now; `_afterAction` checks the rate
        }
        _succeed(Action.ChangeTierTerm);
        _afterAction();
    }

    /// @notice Governance mints part of the surplus (interest received) to the treasury.
    function mintSurplus(uint256 amountSeed) external {
        _attempt(Action.MintSurplus);
        (, uint256 surplus, ) = pool.accounts();
        if (surplus == 0) return _skip(Action.MintSurplus);
        uint256 amount = _bound(amountSeed, 1, surplus);
        vm.prank(GOVERNANCE);
        try pool.mintSurplus(TREASURY, amount) {
            _succeed(Action.MintSurplus);
            _ghostMintSurplus(amount);
            _hit(Path.SurplusMinted);
        } catch (bytes memory err) {
            _reject(Action.MintSurplus, err);
            _violate("mintSurplus: refused within the surplus");
        }
        _afterAction();
    }

    // ------------------------------------------------------------------ the books against the ghost

    /// @notice Reverts, naming the first difference, unless the contracts agree with the ghost books and every
    /// expectation held so far.
    function checkBooks() external view {
        require(bytes(violation).length == 0, violation);
        require(!healthyPositionLiquidated, "a healthy position was liquidated");
        require(!borrowAboveTierLtv, "a borrow left a position above its tier's LTV");

        (uint256 principal, uint256 surplus, uint256 deficit) = pool.accounts();
        uint256 supply = vusd.totalSupply();
        require(
            supply + surplus == principal + deficit + _books.marketMintedWad,
            "identity: supply + surplus != principal + deficit + market-minted"
        );
        require(principal <= policy.ruleValue(Rules.DEBT_CEILING), "total principal above the debt ceiling");
        require(principal == _books.principalWad, "ghost: total principal");
        require(surplus == _books.surplusWad, "ghost: surplus");
        require(deficit == _books.deficitWad, "ghost: deficit");
        require(supply == _books.supplyWad, "ghost: vUSD supply");

        for (uint8 t = 0; t < _tierCount; ++t) {
            (uint256 indexRay, uint64 lastAccrualTs, uint16 aprBps, uint256 scaledTotal) = pool.tierStateOf(t);
            GhostTier storage g = _ghostTiers[t];
            require(indexRay == g.indexRay && lastAccrualTs == g.lastAccrualTs, "ghost: a tier's rate index");
            require(aprBps == g.aprBps, "ghost: a tier's rate");
            require(scaledTotal == g.scaledDebt, "ghost: a tier's scaled debt");
        }

        uint256 principalSum;
        uint256 collateralSum;
        for (uint256 i = 0; i < actors.length; ++i) {
            address actor = actors[i];
            GhostPosition storage p = _ghostPositions[actor];
            (uint256 debt, uint8 tier, , ) = pool.positionOf(actor);
            require(debt == _ghostDebt(actor), "ghost: a position's debt");
            require(tier == p.tier, "ghost: a position's tier");
            require(pool.principalOf(actor) == p.principalWad, "ghost: a position's principal");
            require(pool.collateralOf(actor, address(weth)) == p.collateral, "ghost: a position's collateral");
            principalSum += p.principalWad;
            collateralSum += p.collateral;
        }
        require(principalSum == principal, "total principal != sum of positions' principal");
        require(weth.balanceOf(address(pool)) == collateralSum, "pool's WETH != sum of positions' collateral");
    }

    // ------------------------------------------------------------------ internals

    function _borrow(Action action, address actor, uint256 amountWad) internal returns (bool ok) {
        (uint8 tier, ) = _currentTier(actor);
        bool moves = _movesTier(actor, tier);
        vm.prank(actor);
        try pool.borrow(amountWad) {
            _succeed(action);
            _bookBorrow(actor, amountWad, tier, moves);
            ok = true;
        } catch (bytes memory err) {
            if (_reject(action, err) == Reason.DebtCeiling) _hit(Path.BorrowRejectedByDebtCeiling);
        }
    }

    /// @dev An accepted borrow: into the ghost books (in the tier the score maps to), then the LTV and ceiling checks.
    function _bookBorrow(address actor, uint256 amountWad, uint8 tier, bool movesTier) internal {
        _ghostBorrow(actor, amountWad, tier, policy.termsOf(tier).aprBps);
        if (movesTier) _hit(Path.TierChange);
        (uint256 debt, uint8 bookedTier, uint256 value, ) = pool.positionOf(actor);
        if (debt * BPS > value * policy.termsOf(bookedTier).maxLtvBps) borrowAboveTierLtv = true;
        (uint256 total, , ) = pool.accounts();
        if (total == policy.ruleValue(Rules.DEBT_CEILING)) _hit(Path.BorrowAtDebtCeiling);
    }

    function _recordSettlement(Settlement memory s) internal {
        if (s.interestWad != 0) _hit(Path.InterestRepaid);
        if (s.deficitPaidWad != 0) _hit(Path.DeficitRepaid);
    }

    /// @dev After every action: tiers the pool wrote (accrued to now) are accrued in the ghost too, and a rate or
    /// tier the pool adopted on its own (a liquidation syncing a tier's rate; a position re-based by an action that
    /// does not model it) is accepted only if it is the policy's current one.
    function _afterAction() internal {
        for (uint8 t = 0; t < _tierCount; ++t) {
            (, uint64 lastAccrualTs, uint16 aprBps, ) = pool.tierStateOf(t);
            GhostTier storage g = _ghostTiers[t];
            if (lastAccrualTs == block.timestamp) _ghostAccrue(t);
            if (aprBps == g.aprBps) continue;
            if (lastAccrualTs != block.timestamp) _violate("a tier's rate changed without accruing its index first");
            if (aprBps != policy.termsOf(t).aprBps) _violate("a tier adopted a rate other than its terms'");
            g.aprBps = aprBps;
            _hit(Path.RateChange);
        }
        for (uint256 i = 0; i < actors.length; ++i) {
            address actor = actors[i];
            (, uint8 tier, , ) = pool.positionOf(actor);
            GhostPosition storage p = _ghostPositions[actor];
            if (tier == p.tier) continue;
            // A borrow moves a position to its score's tier; a withdrawal or rebase to the tier the position belongs
            // on now (`tierForPosition`: an expired score's notice period, a held-back score only making it worse).
            (uint8 current, ) = _currentTier(actor);
            if (tier != current && tier != _positionTier(actor, p.tier)) {
                _violate("a position moved to a tier its score does not map to");
            }
            if (p.scaledDebt == 0) {
                p.tier = tier;
            } else {
                _ghostMoveTier(actor, tier, 0);
                _hit(Path.TierChange);
            }
        }
    }

    /// @dev The regulator resets the breaker (the feed reports again and a keeper poked first).
    function _unpause() internal returns (bool ok) {
        vm.prank(REGULATOR);
        try policy.unpause() {
            _hit(Path.BreakerReset);
            return true;
        } catch (bytes memory err) {
            _reject(Action.Recover, err);
            _violate("unpause: the regulator could not reset a tripped breaker");
        }
    }

    /// @dev The amount of collateral `actor` can withdraw leaving its position `marginBps` above its tier's LTV edge
    /// (1 when there is none, which the pool refuses).
    function _withdrawableToEdge(address actor, uint256 marginBps) internal view returns (uint256) {
        (uint256 debt, uint8 tier, , ) = pool.positionOf(actor);
        uint256 requiredValue = _mulDivUp(debt, BPS + marginBps, policy.termsOf(tier).maxLtvBps);
        uint256 required = _mulDivUp(requiredValue, WAD, _priceWad());
        uint256 balance = pool.collateralOf(actor, address(weth));
        return balance > required ? balance - required : 1;
    }

    /// @dev Withdraws `actor`'s collateral down to `marginBps` above its LTV edge, if the pool allows it.
    function _withdrawToEdge(address actor, uint256 marginBps) internal {
        uint256 amount = _withdrawableToEdge(actor, marginBps);
        vm.prank(actor);
        try pool.withdraw(address(weth), amount, actor) {
            _ghostWithdraw(actor, amount);
        } catch {}
    }

    function _movesTier(address actor, uint8 tier) internal view returns (bool) {
        GhostPosition storage p = _ghostPositions[actor];
        return tier != p.tier && p.scaledDebt != 0;
    }

    /// @dev The tier `actor`'s stored score maps to now (the most conservative one when unscored or stale).
    function _currentTier(address actor) internal view returns (uint8 tier, bool declined) {
        (uint16 pdBps, , uint64 issuedAt, uint64 postedAt, bool valid) = oracle.loanScoreOf(actor);
        (tier, , declined) = policy.tierForScore(pdBps, issuedAt, postedAt, valid);
    }

    /// @dev The tier a position holding `heldTier` belongs on now (withdrawals and `rebase` move it there).
    function _positionTier(address actor, uint8 heldTier) internal view returns (uint8) {
        (uint16 pdBps, uint64 issuedAt, uint64 validUntil, uint64 postedAt, bool modelApproved) = oracle
            .positionScoreOf(actor);
        return policy.tierForPosition(heldTier, pdBps, issuedAt, validUntil, postedAt, modelApproved);
    }

    function _healthFactorInCurrentTier(
        address borrower,
        uint256 valueWad,
        uint256 debtWad
    ) internal view returns (uint256) {
        (uint8 tier, ) = _currentTier(borrower);
        return (valueWad * policy.termsOf(tier).liquidationThresholdBps * WAD) / (BPS * debtWad);
    }

    function _liquidationsAllowed() internal view returns (bool) {
        (bool paused, uint64 resumesAt) = policy.breakerState();
        return !paused && block.timestamp >= resumesAt;
    }

    function _priceFresh() internal view returns (bool) {
        (, , , uint256 updatedAt, ) = feed.latestRoundData();
        return block.timestamp <= updatedAt + maxPriceAgeSec;
    }

    /// @dev The price the pool values WETH at in a liquidation (`CollateralLogic._frozenSeizurePrice`), and the
    /// last agreed one: not frozen, the market's (every publication is poked: the agreed price is the market's);
    /// frozen, the higher of the two sources when both are live, never above the agreed price, else the agreed
    /// price. Below the agreed price only after `driftSource` moved both sources down out of step.
    function _liquidationPriceWad() internal view returns (uint256 priceWad, bool frozen, uint256 agreedWad) {
        (agreedWad, frozen, ) = pool.priceStatusOf(address(weth));
        if (!frozen) return (_priceWad(), false, agreedWad);
        uint256 primaryWad = _liveWad(feed);
        uint256 fallbackWad = _liveWad(fallbackFeed);
        if (primaryWad == 0 || fallbackWad == 0) return (agreedWad, true, agreedWad);
        uint256 higher = primaryWad > fallbackWad ? primaryWad : fallbackWad;
        priceWad = higher < agreedWad ? higher : agreedWad;
    }

    /// @dev `source`'s answer in wad if the pool counts it live (positive and within its max age), else 0; the
    /// handler publishes only complete rounds within [MIN_PRICE_8, MAX_PRICE_8].
    function _liveWad(MockAggregatorV3 source) internal view returns (uint256) {
        (, int256 answer, , uint256 updatedAt, ) = source.latestRoundData();
        if (answer <= 0 || block.timestamp > updatedAt + maxPriceAgeSec) return 0;
        return uint256(answer) * FEED_TO_WAD;
    }

    function _priceWad() internal view returns (uint256) {
        return _price8 * FEED_TO_WAD;
    }

    /// @dev The large borrower (score not declined) that may borrow the most towards the ceiling, from `seed` on,
    /// and that amount: `remaining` cut to the concentration cap (total principal after the borrow as the base),
    /// the borrower cap and the tier's credit limit.
    function _roomiestActor(
        uint256 seed,
        uint256 total,
        uint256 remaining
    ) internal view returns (address best, uint256 bestRoom) {
        best = _largeBorrower(seed);
        for (uint256 i = 0; i < LARGE_BORROWERS; ++i) {
            address actor = _largeBorrower((seed % LARGE_BORROWERS) + i);
            (uint8 tier, bool declined) = _currentTier(actor);
            if (declined) continue;
            uint256 room = _roomUnderLimits(actor, tier, total, remaining);
            if (room > bestRoom) (best, bestRoom) = (actor, room);
        }
    }

    function _roomUnderLimits(
        address actor,
        uint8 tier,
        uint256 total,
        uint256 remaining
    ) internal view returns (uint256 room) {
        room = remaining;
        uint256 own = pool.principalOf(actor);
        uint256 capBps = policy.ruleValue(Rules.CONCENTRATION_CAP);
        if (total + room >= policy.ruleValue(Rules.CONCENTRATION_FLOOR)) {
            // own + x <= (total + x) * cap  <=>  x <= (total * cap - own) / (1 - cap)
            uint256 allowed = (total * capBps) / BPS;
            uint256 concentrationRoom = allowed > own ? ((allowed - own) * BPS) / (BPS - capBps) : 0;
            if (concentrationRoom < room) room = concentrationRoom;
        }
        (uint256 debt, , , ) = pool.positionOf(actor);
        uint256 limit = policy.termsOf(tier).creditLimitWad;
        uint256 cap = policy.ruleValue(Rules.BORROWER_CAP);
        if (cap < limit) limit = cap;
        uint256 creditRoom = limit > debt ? limit - debt : 0;
        if (creditRoom < room) room = creditRoom;
    }

    /// @dev Deposits enough collateral for `actor` to borrow `amountWad` more within its tier's LTV (plus 1 %).
    function _topUpCollateral(address actor, uint256 amountWad) internal {
        (uint256 debt, , uint256 value, ) = pool.positionOf(actor);
        (uint8 tier, ) = _currentTier(actor);
        uint256 needed = _mulDivUp(debt + amountWad, BPS + 100, policy.termsOf(tier).maxLtvBps);
        if (needed > value) _deposit(actor, _mulDivUp(needed - value, WAD, _priceWad()));
    }

    function _deposit(address actor, uint256 amount) internal {
        vm.deal(actor, actor.balance + amount);
        vm.startPrank(actor);
        weth.deposit{value: amount}();
        weth.approve(address(pool), amount);
        try pool.deposit(address(weth), amount, actor) {
            _ghostDeposit(actor, amount);
        } catch (bytes memory err) {
            _reject(Action.Deposit, err);
            _violate("deposit: refused for a listed asset");
        }
        vm.stopPrank();
    }

    /// @dev The market stand-in sells `who` the vUSD it lacks for `neededWad`.
    function _topUpVusd(address who, uint256 neededWad) internal {
        uint256 balance = vusd.balanceOf(who);
        if (balance >= neededWad) return;
        vusd.mint(who, neededWad - balance);
        _ghostMarketMint(neededWad - balance);
    }

    /// @dev The market moves to `price8` and both sources publish it.
    function _publish(uint256 price8) internal {
        price8 = _clampPrice(price8);
        _price8 = price8;
        feed.setAnswer(int256(price8));
        fallbackFeed.setAnswer(int256(price8));
    }

    function _clampPrice(uint256 price8) internal pure returns (uint256) {
        return
            price8 < MIN_PRICE_8
                ? MIN_PRICE_8
                : price8 > MAX_PRICE_8
                    ? MAX_PRICE_8
                    : price8;
    }

    function _publishAndPoke(uint256 price8) internal {
        _publish(price8);
        _poke();
    }

    /// @dev A keeper's poke: never reverts, never pauses or unpauses; an unfreeze it causes is counted.
    function _poke() internal returns (bool wasFrozen, bool isFrozen) {
        bool wasPaused = policy.paused();
        (, wasFrozen, ) = pool.priceStatusOf(address(weth));
        try pool.pokePrice(address(weth)) {} catch {
            _violate("pokePrice reverted");
        }
        if (policy.paused() != wasPaused) _violate("a price changed the circuit breaker");
        (, isFrozen, ) = pool.priceStatusOf(address(weth));
        if (wasFrozen && !isFrozen) _hit(Path.Unfreeze);
    }

    function _signedReport(
        address actor,
        uint16 pdBps
    ) internal returns (ScoreReport memory report, bytes memory signatures) {
        if (block.timestamp <= _lastIssuedAt) vm.warp(_lastIssuedAt + 1);
        _lastIssuedAt = uint64(block.timestamp);
        (uint64 version, , ) = oracle.operatorSet();
        report = ScoreReport({
            borrower: actor,
            pdBps: pdBps,
            reasonCodes: [uint16(1), 2, 0, 0],
            modelId: modelId,
            operatorSetVersion: version,
            issuedAt: uint64(block.timestamp),
            validUntil: uint64(block.timestamp + 60 days),
            creditFileHash: keccak256(abi.encode(actor, block.timestamp)),
            provider: DATA_PROVIDER
        });
        bytes32 digest = oracle.hashReport(report);
        for (uint256 i = 0; i < 2; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(_operatorKeys[i], digest);
            signatures = abi.encodePacked(signatures, r, s, v);
        }
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function _largeBorrower(uint256 seed) internal view returns (address) {
        return actors[seed % LARGE_BORROWERS];
    }

    function _smallBorrower(uint256 seed) internal view returns (address) {
        return actors[LARGE_BORROWERS + (seed % SMALL_BORROWERS)];
    }

    /// @dev Among actors[from..to), the one with debt whose health factor is lowest, or address(0).
    function _leastHealthy(uint256 from, uint256 to) internal view returns (address lowest) {
        uint256 lowestHealth = type(uint256).max;
        for (uint256 i = from; i < to; ++i) {
            if (_ghostPositions[actors[i]].scaledDebt == 0) continue;
            (, , , uint256 healthFactor) = pool.positionOf(actors[i]);
            if (healthFactor < lowestHealth || lowest == address(0)) (lowest, lowestHealth) = (actors[i], healthFactor);
        }
    }

    /// @dev The first actor from `seed` on with debt, or address(0).
    function _borrowerWithDebt(uint256 seed) internal view returns (address) {
        for (uint256 i = 0; i < actors.length; ++i) {
            address actor = actors[((seed % actors.length) + i) % actors.length];
            if (_ghostPositions[actor].scaledDebt != 0) return actor;
        }
        return address(0);
    }

    /// @dev Spreads a fuzzed seed uniformly (the runner favours small and boundary values, which for amounts the modes
    /// already cover).
    function _random(uint256 seed) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed)));
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        return min + (x % (max - min + 1));
    }
}
