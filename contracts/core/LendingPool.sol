// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {IVUSD} from "../interfaces/IVUSD.sol";
import {CollateralLogic} from "../libraries/CollateralLogic.sol";
import {HealthFactor} from "../libraries/HealthFactor.sol";
import {InterestIndex} from "../libraries/InterestIndex.sol";
import {Roles} from "../libraries/Roles.sol";
import {Rules} from "../libraries/Rules.sol";
import {ScoreNoticeLogic} from "../libraries/ScoreNoticeLogic.sol";
import {WadRayMath} from "../libraries/WadRayMath.sol";
import {BorrowRequest, TierTerms} from "../types/PolicyTypes.sol";
import {
    AssetSlot,
    CollateralConfig,
    CollateralRegistry,
    MAX_COLLATERAL_ASSETS,
    PoolConfig,
    Position,
    TierState
} from "../types/PoolTypes.sol";
import {ScoreReport} from "../types/ScoreTypes.sol";

/// @title LendingPool
/// @notice Collateralised vUSD loans on score-based terms. See `ILendingPool`.
/// @dev Accounting identity (with the pool as vUSD's only minter), kept by every state change:
///     vUSD.totalSupply() + surplusWad == totalPrincipalWad + deficitWad
/// borrow: supply += a, principal += a. repay / liquidation of r = interest i + principal p: supply -= r,
/// principal -= p, and i first pays down the deficit, the rest adds to surplus (and to interestToSurplusWad). bad debt of principal b: principal
/// -= b, surplus -= min(surplus, b), deficit += the rest. mintSurplus(m) and paySavings(m): surplus -= m, supply += m.
/// Rounding, always in the protocol's favour: tier index and debt up; scaled debt up on borrow and rebase, down on
/// repay; collateral value down; required collateral up; seized collateral down; a repayment shrunk to the
/// collateral available rounds up; LTV in events up; health factor down.
/// Roles: the policy is the role registry; the pool asks it whether the caller holds GOVERNANCE (lists collateral,
/// mints surplus) or SAVINGS (pays savers from surplus), so one grant or revocation there covers both contracts.
contract LendingPool is ILendingPool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Largest number of collateral assets (one bit each in a position's mask).
    uint256 public constant MAX_COLLATERALS = MAX_COLLATERAL_ASSETS;
    /// @notice Largest liquidation bonus.
    uint256 public constant MAX_LIQUIDATION_BONUS_BPS = 2_000;

    IVUSD public immutable vusd;
    ICreditScoreOracle public immutable oracle;
    ISupervisionPolicy public immutable policy;
    uint8 public immutable tierCount;
    uint16 public immutable closeFactorBps;
    uint16 public immutable liquidationBonusBps;
    uint256 public immutable minDebtWad;

    /// @dev Principal and surplus share a slot: repayments update both.
    struct Totals {
        uint128 totalPrincipalWad;
        uint128 surplusWad;
    }

    mapping(address borrower => Position) private _positions;
    /// @notice A borrower's collateral balance of an asset (token units).
    mapping(address borrower => mapping(address asset => uint256 amount)) public collateralOf;
    mapping(uint8 tier => TierState) private _tiers;
    /// @dev Listed collateral: configs, states and the index of assets (`CollateralLogic`).
    CollateralRegistry private _collateral;
    Totals private _totals;
    /// @dev Deficit and the interest counter share a slot: a repayment with interest reads the deficit anyway.
    uint128 private _deficitWad;
    /// @inheritdoc ILendingPool
    uint128 public interestToSurplusWad;
    /// @dev The expiry each borrower's `ScoreExpiring` was emitted for (once per expiry).
    mapping(address borrower => uint64 expiredAt) private _noticeGivenFor;

    /// @notice Only holders of the policy's `role`.
    modifier onlyRole(bytes32 role) {
        if (!IAccessControl(address(policy)).hasRole(role, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
        }
        _;
    }

    /// @param config the vUSD / oracle / policy addresses and the liquidation parameters.
    constructor(PoolConfig memory config) {
        if (
            address(config.vusd) == address(0) ||
            address(config.oracle) == address(0) ||
            address(config.policy) == address(0)
        ) revert LendingPoolZeroAddress();
        if (config.closeFactorBps == 0 || config.closeFactorBps > WadRayMath.BPS) {
            revert LendingPoolInvalidConfig("closeFactorBps");
        }
        if (config.liquidationBonusBps > MAX_LIQUIDATION_BONUS_BPS)
            revert LendingPoolInvalidConfig("liquidationBonusBps");
        vusd = config.vusd;
        oracle = config.oracle;
        policy = config.policy;
        closeFactorBps = config.closeFactorBps;
        liquidationBonusBps = config.liquidationBonusBps;
        minDebtWad = config.minDebtWad;

        uint8 count = config.policy.tierCount();
        tierCount = count;
        for (uint8 t = 0; t < count; ++t) {
            _tiers[t] = TierState({
                indexRay: uint104(InterestIndex.INITIAL_INDEX_RAY),
                lastAccrualTs: uint40(block.timestamp),
                aprBps: config.policy.termsOf(t).aprBps,
                scaledDebt: 0
            });
        }
    }

    // ---------------------------------------------------------------- collateral

    /// @inheritdoc ILendingPool
    /// @dev Interactions precede effects here by necessity (the credit is what arrived); the reentrancy guard
    /// closes the window.
    function deposit(address asset, uint256 amount, address onBehalfOf) external nonReentrant {
        if (onBehalfOf == address(0)) revert LendingPoolZeroAddress();
        if (amount == 0) revert LendingPoolZeroAmount();
        CollateralConfig memory cfg = _collateral.configs[asset];
        if (!cfg.listed) revert LendingPoolCollateralNotListed(asset);

        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(asset).balanceOf(address(this)) - balanceBefore;
        if (received == 0) revert LendingPoolZeroAmount();

        collateralOf[onBehalfOf][asset] += received;
        _collateral.states[asset].totalDeposited += uint128(_fit(received, type(uint128).max));
        uint16 bit = uint16(1 << cfg.index);
        Position storage p = _positions[onBehalfOf];
        if (p.collateralMask & bit == 0) p.collateralMask |= bit;
        emit CollateralDeposited(onBehalfOf, asset, msg.sender, received);
    }

    /// @inheritdoc ILendingPool
    function withdraw(address asset, uint256 amount, address to) external nonReentrant {
        if (to == address(0)) revert LendingPoolZeroAddress();
        if (amount == 0) revert LendingPoolZeroAmount();
        Position memory p = _positions[msg.sender];
        uint8 heldTier = p.tier;
        // The check below uses the position's current tier: a position with debt is re-based first.
        TierState memory ts;
        if (p.scaledDebt != 0) ts = _toCurrentTier(msg.sender, p);
        TierTerms memory terms = policy.termsForWithdrawal(p.tier);
        CollateralConfig memory cfg = _collateral.configs[asset];
        if (!cfg.listed) revert LendingPoolCollateralNotListed(asset);
        uint256 balance = collateralOf[msg.sender][asset];
        if (balance < amount) revert LendingPoolInsufficientBalance(msg.sender, asset, balance, amount);

        // unchecked: balance >= amount checked above; the total holds every balance.
        unchecked {
            collateralOf[msg.sender][asset] = balance - amount;
            _collateral.states[asset].totalDeposited -= uint128(amount);
        }
        if (balance == amount) p.collateralMask &= ~uint16(1 << cfg.index);
        if (balance == amount || p.tier != heldTier) _positions[msg.sender] = p;
        if (p.scaledDebt != 0) {
            uint256 debt = InterestIndex.debtOf(p.scaledDebt, ts.indexRay);
            uint256 required = HealthFactor.requiredCollateralWad(debt, terms.maxLtvBps);
            // Valued until the requirement is covered: the assets not reached are not priced (not needed).
            (uint256 value, , ) = _collateralValue(msg.sender, p.collateralMask, address(0), required);
            if (value < required) revert LendingPoolInsufficientCollateral(msg.sender, value, required);
        }

        IERC20(asset).safeTransfer(to, amount);
        emit CollateralWithdrawn(msg.sender, asset, to, amount);
    }

    // ---------------------------------------------------------------- borrow / repay

    /// @inheritdoc ILendingPool
    function borrow(uint256 amountWad) external nonReentrant {
        _borrow(msg.sender, amountWad);
    }

    /// @inheritdoc ILendingPool
    function borrowWithReport(
        uint256 amountWad,
        ScoreReport calldata report,
        bytes calldata signatures
    ) external nonReentrant {
        if (report.borrower != msg.sender) revert LendingPoolReportNotForCaller(report.borrower, msg.sender);
        (, , uint64 storedIssuedAt, , ) = oracle.loanScoreOf(msg.sender);
        uint64 issuedAt = report.issuedAt;
        if (issuedAt > storedIssuedAt) {
            policy.requirePullReportFresh(issuedAt);
            oracle.submitScore(report, signatures);
        }
        _borrow(msg.sender, amountWad);
    }

    /// @inheritdoc ILendingPool
    function repay(address borrower, uint256 amountWad) external nonReentrant returns (uint256 repaidWad) {
        return _repay(borrower, amountWad);
    }

    /// @inheritdoc ILendingPool
    /// @dev A failing permit is ignored (it may have been front-run); the allowance then decides.
    function repayWithPermit(
        address borrower,
        uint256 amountWad,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 repaidWad) {
        try vusd.permit(msg.sender, address(this), amountWad, deadline, v, r, s) {} catch {}
        return _repay(borrower, amountWad);
    }

    // ---------------------------------------------------------------- liquidation

    /// @inheritdoc ILendingPool
    function liquidate(address borrower, address collateralAsset, uint256 debtToCoverWad) external nonReentrant {
        if (debtToCoverWad == 0) revert LendingPoolZeroAmount();
        Position memory p = _positions[borrower];
        TierState memory ts = _accrued(p.tier);
        uint256 debt = InterestIndex.debtOf(p.scaledDebt, ts.indexRay);
        if (debt == 0) revert LendingPoolNoDebt(borrower);
        (uint256 repaid, uint256 seized) = _liquidationAmounts(borrower, p, ts, debt, collateralAsset, debtToCoverWad);

        uint256 leftover = debt - repaid;
        uint256 badDebt = leftover != 0 && p.collateralMask == 0 ? leftover : 0;
        if (leftover != 0 && badDebt == 0 && leftover < minDebtWad) {
            revert LendingPoolDebtBelowMinimum(leftover, minDebtWad);
        }

        // Effects.
        uint256 scaledRemoved =
            leftover == 0 || badDebt != 0 ? p.scaledDebt : InterestIndex.scaleDown(repaid, ts.indexRay);
        (uint256 interest, uint256 principalPart) = _split(repaid, debt, p.principalWad);
        // unchecked: scaledRemoved <= scaledDebt (scaleDown of less than the debt) <= the tier's total,
        // principalPart <= principal (_split), seized <= the borrower's balance (_liquidationAmounts), which the
        // asset's total includes.
        unchecked {
            p.scaledDebt -= uint112(scaledRemoved);
            p.principalWad -= uint112(principalPart);
            ts.scaledDebt -= uint96(scaledRemoved);
            collateralOf[borrower][collateralAsset] -= seized;
            _collateral.states[collateralAsset].totalDeposited -= uint128(seized);
        }
        _tiers[p.tier] = ts;
        _settleRepayment(principalPart, interest);
        if (badDebt != 0) {
            _writeOff(borrower, p.principalWad);
            p.principalWad = 0;
        }
        _positions[borrower] = p;

        // Interactions.
        if (repaid != 0) vusd.burnFrom(msg.sender, repaid);
        IERC20(collateralAsset).safeTransfer(msg.sender, seized);
        emit PositionLiquidated(borrower, msg.sender, collateralAsset, repaid, seized, badDebt);
    }

    // ---------------------------------------------------------------- tiers and prices

    /// @inheritdoc ILendingPool
    function rebase(address borrower) external nonReentrant returns (uint8 oldTier, uint8 newTier) {
        Position memory p = _positions[borrower];
        if (p.scaledDebt == 0) revert LendingPoolNoDebt(borrower);
        oldTier = p.tier;
        _toCurrentTier(borrower, p);
        newTier = p.tier;
        if (newTier != oldTier) _positions[borrower] = p;
        ScoreNoticeLogic.announce(_noticeGivenFor, oracle, policy, borrower, newTier);
    }

    /// @inheritdoc ILendingPool
    function syncTierRate(uint8 tier) external {
        TierState memory ts = _accrued(tier);
        _syncRate(tier, ts, policy.termsOf(tier).aprBps);
        _tiers[tier] = ts;
    }

    /// @inheritdoc ILendingPool
    function pokePrice(address asset) external {
        CollateralLogic.poke(_collateral, policy, asset);
    }

    /// @notice `borrower`'s outstanding principal (vUSD lent and not yet repaid), wad.
    function principalOf(address borrower) external view returns (uint256) {
        return _positions[borrower].principalWad;
    }

    /// @inheritdoc ILendingPool
    function publishExposureSnapshot() external {
        uint256[] memory debtByTier = new uint256[](tierCount);
        uint256 totalDebt;
        for (uint8 t = 0; t < tierCount; ++t) {
            TierState memory ts = _accrued(t);
            debtByTier[t] = InterestIndex.debtOf(ts.scaledDebt, ts.indexRay);
            totalDebt += debtByTier[t];
        }
        emit ExposureSnapshot(totalDebt, CollateralLogic.totalValueWad(_collateral), vusd.totalSupply(), debtByTier);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc ILendingPool
    function listCollateral(
        address asset,
        address priceFeed,
        uint32 maxPriceAgeSec
    ) external onlyRole(Roles.GOVERNANCE) {
        CollateralLogic.list(_collateral, asset, priceFeed, maxPriceAgeSec);
    }

    /// @inheritdoc ILendingPool
    function setFallbackFeed(
        address asset,
        address priceFeed,
        uint32 maxPriceAgeSec
    ) external onlyRole(Roles.GOVERNANCE) {
        CollateralLogic.setFallback(_collateral, asset, priceFeed, maxPriceAgeSec);
    }

    function mintSurplus(address to, uint256 amountWad) external onlyRole(Roles.GOVERNANCE) nonReentrant {
        _mintSurplus(to, amountWad);
    }

    /// @inheritdoc ILendingPool
    function paySavings(address to, uint256 amountWad) external onlyRole(Roles.SAVINGS) nonReentrant {
        if (_deficitWad != 0) revert LendingPoolDeficitOutstanding(_deficitWad);
        _mintSurplus(to, amountWad);
    }

    /// @dev Mints `amountWad` of surplus to `to`: surplus -= amount, supply += amount (the identity holds).
    function _mintSurplus(address to, uint256 amountWad) private {
        if (to == address(0)) revert LendingPoolZeroAddress();
        uint256 surplus = _totals.surplusWad;
        if (amountWad > surplus) revert LendingPoolInsufficientSurplus(surplus, amountWad);
        // unchecked: amountWad <= surplus checked above.
        unchecked {
            _totals.surplusWad = uint128(surplus - amountWad);
        }
        vusd.mint(to, amountWad);
        emit SurplusMinted(to, amountWad);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILendingPool
    function positionOf(
        address borrower
    ) external view returns (uint256 debtWad, uint8 tier, uint256 collateralValueWad, uint256 healthFactorWad) {
        Position memory p = _positions[borrower];
        tier = p.tier;
        debtWad = InterestIndex.debtOf(p.scaledDebt, _accrued(tier).indexRay);
        uint16 mask = p.collateralMask;
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                AssetSlot memory a = _collateral.assets[i];
                collateralValueWad += HealthFactor.valueWad(
                    collateralOf[borrower][a.asset],
                    a.lastPriceWad,
                    _collateral.configs[a.asset].tokenDecimals
                );
            }
            mask >>= 1;
        }
        healthFactorWad = HealthFactor.healthFactorWad(
            collateralValueWad,
            policy.termsOf(tier).liquidationThresholdBps,
            debtWad
        );
    }

    /// @inheritdoc ILendingPool
    function priceStatusOf(
        address asset
    ) external view returns (uint256 lastAgreedPriceWad, bool frozen, address fallbackFeed) {
        CollateralConfig memory cfg = _collateral.configs[asset];
        return (
            cfg.listed ? _collateral.assets[cfg.index].lastPriceWad : 0,
            cfg.frozen,
            _collateral.fallbacks[asset].priceFeed
        );
    }

    /// @inheritdoc ILendingPool
    function accounts() external view returns (uint256 totalPrincipalWad, uint256 surplusWad, uint256 deficitWad) {
        Totals memory t = _totals;
        return (t.totalPrincipalWad, t.surplusWad, _deficitWad);
    }

    /// @inheritdoc ILendingPool
    function tierStateOf(
        uint8 tier
    ) external view returns (uint256 indexRay, uint64 lastAccrualTs, uint16 aprBps, uint256 scaledDebtTotal) {
        TierState memory ts = _tiers[tier];
        return (ts.indexRay, ts.lastAccrualTs, ts.aprBps, ts.scaledDebt);
    }

    // ---------------------------------------------------------------- internals

    function _borrow(address borrower, uint256 amountWad) private {
        if (amountWad == 0) revert LendingPoolZeroAmount();
        Position memory p = _positions[borrower];
        TierState memory ts = _accrued(p.tier);
        (BorrowRequest memory req, bytes32 modelId) = _borrowRequest(borrower, p, ts, amountWad);
        (uint8 tier, bool scored, TierTerms memory terms) = policy.authorizeBorrow(req);

        if (tier != p.tier) {
            // Re-base the existing debt onto the new tier (after the old tier's accrual) and add the new debt.
            ts = _rebase(borrower, p, ts, tier, amountWad);
        } else {
            uint256 added = InterestIndex.scaleUp(amountWad, ts.indexRay);
            p.scaledDebt = uint112(_fit((p.scaledDebt + added), type(uint112).max));
            ts.scaledDebt = uint96(_fit((ts.scaledDebt + added), type(uint96).max));
        }
        _syncRate(tier, ts, terms.aprBps);
        _tiers[tier] = ts;
        p.principalWad = uint112(_fit(req.borrowerPrincipalAfterWad, type(uint112).max));
        _positions[borrower] = p;
        _totals.totalPrincipalWad = uint128(_fit(req.totalPrincipalAfterWad, type(uint128).max));

        vusd.mint(borrower, amountWad);
        emit LoanOriginated(
            borrower,
            amountWad,
            tier,
            scored ? req.pdBps : 0,
            scored ? modelId : bytes32(0),
            HealthFactor.loanToValueBps(req.borrowerDebtAfterWad, req.collateralValueWad)
        );
    }

    /// @dev Reads the score, values the collateral and states the borrow for the policy.
    function _borrowRequest(
        address borrower,
        Position memory p,
        TierState memory ts,
        uint256 amountWad
    ) private returns (BorrowRequest memory req, bytes32 modelId) {
        uint16 pdBps;
        uint64 issuedAt;
        uint64 postedAt;
        bool valid;
        (pdBps, modelId, issuedAt, postedAt, valid) = oracle.loanScoreOf(borrower);
        uint256 debtAfter = InterestIndex.debtOf(p.scaledDebt, ts.indexRay) + amountWad;
        if (debtAfter < minDebtWad) revert LendingPoolDebtBelowMinimum(debtAfter, minDebtWad);
        (uint256 collateralValue, , ) = _collateralValue(borrower, p.collateralMask, address(0), type(uint256).max);
        req = BorrowRequest({
            borrower: borrower,
            pdBps: pdBps,
            scoreValid: valid,
            scoreIssuedAt: issuedAt,
            scorePostedAt: postedAt,
            amountWad: amountWad,
            borrowerDebtAfterWad: debtAfter,
            borrowerPrincipalAfterWad: p.principalWad + amountWad,
            totalPrincipalAfterWad: _totals.totalPrincipalWad + amountWad,
            collateralValueWad: collateralValue
        });
    }

    /// @dev Moves `p` (in memory; the caller stores it) onto its current tier, `policy.tierForPosition` of its
    /// stored score, if that differs from its held tier (both tiers' states are stored then). Returns the accrued
    /// state of `p`'s tier after the move.
    function _toCurrentTier(address borrower, Position memory p) private returns (TierState memory ts) {
        ts = _accrued(p.tier);
        (uint16 pdBps, uint64 issuedAt, uint64 validUntil, uint64 postedAt, bool modelApproved) = oracle
            .positionScoreOf(borrower);
        uint8 tier = policy.tierForPosition(p.tier, pdBps, issuedAt, validUntil, postedAt, modelApproved);
        if (tier != p.tier) {
            ts = _rebase(borrower, p, ts, tier, 0);
            _tiers[tier] = ts;
        }
    }

    /// @dev Moves `p`'s debt (plus `addWad` of new debt) from its tier onto `newTier`: stores the old tier's
    /// accrued state `oldTs`, debt = scaled x old index, new scaled = (debt + addWad) / new index, rounded up.
    /// Updates `p` in memory and both tiers' scaled totals; returns the new tier's accrued state for the caller to
    /// store.
    function _rebase(
        address borrower,
        Position memory p,
        TierState memory oldTs,
        uint8 newTier,
        uint256 addWad
    ) private returns (TierState memory ts) {
        uint8 oldTier = p.tier;
        uint256 debt = InterestIndex.debtOf(p.scaledDebt, oldTs.indexRay);
        // unchecked: the tier's total includes the position's scaled debt.
        unchecked {
            oldTs.scaledDebt -= uint96(p.scaledDebt);
        }
        _tiers[oldTier] = oldTs;
        ts = _accrued(newTier);
        uint256 scaled = InterestIndex.scaleUp(debt + addWad, ts.indexRay);
        ts.scaledDebt = uint96(_fit((ts.scaledDebt + scaled), type(uint96).max));
        p.scaledDebt = uint112(_fit(scaled, type(uint112).max));
        p.tier = newTier;
        if (debt != 0) emit DebtRebased(borrower, oldTier, newTier, debt);
    }

    function _repay(address borrower, uint256 amountWad) private returns (uint256 repaid) {
        if (amountWad == 0) revert LendingPoolZeroAmount();
        Position memory p = _positions[borrower];
        TierState memory ts = _accrued(p.tier);
        uint256 debt = InterestIndex.debtOf(p.scaledDebt, ts.indexRay);
        if (debt == 0) revert LendingPoolNoDebt(borrower);
        repaid = amountWad < debt ? amountWad : debt;
        uint256 scaledRemoved = repaid == debt ? p.scaledDebt : InterestIndex.scaleDown(repaid, ts.indexRay);
        (uint256 interest, uint256 principalPart) = _split(repaid, debt, p.principalWad);
        // unchecked: scaledRemoved <= scaledDebt (scaleDown of less than the debt) <= the tier's total, and
        // principalPart <= principal.
        unchecked {
            p.scaledDebt -= uint112(scaledRemoved);
            p.principalWad -= uint112(principalPart);
            ts.scaledDebt -= uint96(scaledRemoved);
        }
        _positions[borrower] = p;
        _tiers[p.tier] = ts;
        _settleRepayment(principalPart, interest);

        vusd.burnFrom(msg.sender, repaid);
        emit LoanRepaid(borrower, msg.sender, repaid, interest, InterestIndex.debtOf(p.scaledDebt, ts.indexRay));
    }

    /// @dev Interest first: the part of `repaid` above the principal outstanding is interest.
    function _split(
        uint256 repaid,
        uint256 debt,
        uint256 principal
    ) private pure returns (uint256 interest, uint256 principalPart) {
        uint256 accrued = debt > principal ? debt - principal : 0;
        interest = repaid < accrued ? repaid : accrued;
        principalPart = repaid - interest;
        if (principalPart > principal) {
            interest += principalPart - principal;
            principalPart = principal;
        }
    }

    /// @dev Books a repayment: principal leaves, interest pays down the deficit, then adds to surplus.
    function _settleRepayment(uint256 principalPart, uint256 interest) private {
        Totals memory t = _totals;
        t.totalPrincipalWad -= uint128(principalPart);
        if (interest != 0) {
            uint256 deficit = _deficitWad;
            if (deficit != 0) {
                uint256 paid = interest < deficit ? interest : deficit;
                // unchecked: paid <= deficit and paid <= interest.
                unchecked {
                    _deficitWad = uint128(deficit - paid);
                    interest -= paid;
                }
            }
            t.surplusWad += uint128(_fit(interest, type(uint128).max));
            // Cast: interest fit 128 bits above; the counter's checked sum reverts past 2^128 wad, beyond any supply.
            interestToSurplusWad += uint128(interest);
        }
        _totals = t;
    }

    /// @dev Writes off `principalWad` of bad debt: against surplus first, the rest recorded as deficit.
    function _writeOff(address borrower, uint256 principalWad) private {
        Totals memory t = _totals;
        uint256 covered = principalWad < t.surplusWad ? principalWad : t.surplusWad;
        // unchecked: covered <= surplus; principalWad is part of the total principal.
        unchecked {
            t.surplusWad -= uint128(covered);
            t.totalPrincipalWad -= uint128(principalWad);
        }
        _totals = t;
        uint256 added = principalWad - covered;
        // Cast: added <= principalWad, part of the uint128 total principal; the checked sum cannot pass 2^128
        // before the supply does.
        if (added != 0) _deficitWad += uint128(added);
        emit BadDebtWrittenOff(borrower, principalWad, covered, added);
    }

    /// @dev The most one liquidation may repay: the close factor's share, or everything if what the close factor
    /// would leave is below the minimum debt (dust positions close in full).
    function _maxLiquidation(uint256 debt) private view returns (uint256 maxRepay) {
        maxRepay = WadRayMath.mulDivDown(debt, closeFactorBps, WadRayMath.BPS);
        if (debt - maxRepay < minDebtWad) maxRepay = debt;
    }

    /// @dev Checks that `borrower` can be liquidated now and sizes the liquidation: repaid debt (close factor,
    /// dust rule, `debtToCover`) and seized collateral (repaid x (1 + bonus) at the asset's price, rounded down;
    /// if that exceeds the balance, all of it, with the repayment shrunk to its value less the bonus, rounded
    /// up, and the asset's bit cleared in `p`). Syncs the tier's APR into `ts`.
    function _liquidationAmounts(
        address borrower,
        Position memory p,
        TierState memory ts,
        uint256 debt,
        address asset,
        uint256 debtToCover
    ) private returns (uint256 repaid, uint256 seized) {
        TierTerms memory terms = policy.termsForLiquidation(p.tier);
        uint256 balance = collateralOf[borrower][asset];
        if (balance == 0) revert LendingPoolInsufficientBalance(borrower, asset, 0, debtToCover);
        uint256 priceWad = _requireLiquidatable(borrower, p.collateralMask, asset, terms.liquidationThresholdBps, debt);
        _syncRate(p.tier, ts, terms.aprBps);

        repaid = _maxLiquidation(debt);
        if (debtToCover < repaid) repaid = debtToCover;
        CollateralConfig memory cfg = _collateral.configs[asset];
        uint256 bonusBps = WadRayMath.BPS + liquidationBonusBps;
        seized = HealthFactor.amountForValue(
            WadRayMath.mulDivDown(repaid, bonusBps, WadRayMath.BPS),
            priceWad,
            cfg.tokenDecimals
        );
        if (seized >= balance) {
            seized = balance;
            uint256 cover = WadRayMath.mulDivUp(
                HealthFactor.valueWad(balance, priceWad, cfg.tokenDecimals),
                WadRayMath.BPS,
                bonusBps
            );
            if (cover < repaid) repaid = cover;
            p.collateralMask &= ~uint16(1 << cfg.index);
        }
    }

    /// @dev Values `borrower`'s collateral for a liquidation seizing `asset` and checks the health factor: below 1,
    /// and below FROZEN_LIQUIDATION_HEALTH when `asset` is frozen (seized at the higher live source capped at the
    /// last agreed price, or at the last agreed price: `CollateralLogic._frozenSeizurePrice`; only a position so
    /// deep under water that the price's doubt cannot make it healthy). Returns `asset`'s price.
    function _requireLiquidatable(
        address borrower,
        uint16 mask,
        address asset,
        uint16 thresholdBps,
        uint256 debt
    ) private returns (uint256 priceWad) {
        uint256 value;
        bool frozen;
        (value, priceWad, frozen) = _collateralValue(borrower, mask, asset, type(uint256).max);
        uint256 hf = HealthFactor.healthFactorWad(value, thresholdBps, debt);
        if (hf >= WadRayMath.WAD) revert LendingPoolPositionHealthy(borrower, hf);
        if (frozen) {
            uint256 limit = policy.ruleValue(Rules.FROZEN_LIQUIDATION_HEALTH) * 1e14; // bps of HF 1 -> wad
            if (hf >= limit) revert LendingPoolFrozenLiquidationHealth(borrower, limit, hf);
        }
    }

    /// @dev `value`, reverting `LendingPoolOverflow` above `max` (one helper for every narrowing cast keeps the
    /// bytecode under the size limit).
    function _fit(uint256 value, uint256 max) private pure returns (uint256) {
        if (value > max) revert LendingPoolOverflow(value, max);
        return value;
    }

    /// @dev `tier`'s state accrued to now in memory (not stored). The index saturates at its storage maximum
    /// (`InterestIndex.accrueSaturating`), so the cast is exact and no accrual can make a call revert.
    function _accrued(uint8 tier) private view returns (TierState memory ts) {
        ts = _tiers[tier];
        if (ts.lastAccrualTs != block.timestamp) {
            ts.indexRay = uint104(
                InterestIndex.accrueSaturating(ts.indexRay, ts.aprBps, block.timestamp - ts.lastAccrualTs)
            );
            ts.lastAccrualTs = uint40(block.timestamp);
        }
    }

    /// @dev Adopts `aprBps` for `tier` from now on (`ts` must be accrued to now; the caller stores it).
    function _syncRate(uint8 tier, TierState memory ts, uint16 aprBps) private {
        if (ts.aprBps == aprBps) return;
        emit TierRateSynced(tier, ts.aprBps, aprBps);
        ts.aprBps = aprBps;
    }

    /// @dev `borrower`'s collateral in `mask` at checked prices (`CollateralLogic.valueOf`), up to
    /// `enoughWad`, `focus`'s price and whether it is frozen; `focus` is the seized asset of a liquidation (a frozen
    /// asset, seized or not, is valued from its live sources as `CollateralLogic` documents), zero otherwise.
    function _collateralValue(
        address borrower,
        uint16 mask,
        address focus,
        uint256 enoughWad
    ) private returns (uint256 valueWad, uint256 focusPriceWad, bool focusFrozen) {
        return CollateralLogic.valueOf(_collateral, collateralOf[borrower], mask, focus, policy, enoughWad);
    }
}
