// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The handler's own books (Liquity v2's ghost state): each tier's rate index, each borrower's scaled debt,
/// principal, tier and collateral, and the protocol's principal, surplus, deficit and vUSD supply, all updated from
/// the handler's actions by the rules ILendingPool documents, in plain arithmetic written out here rather than
/// taken from the pool's libraries. `LendingHandler.checkBooks` compares the contracts with them after every call.
/// Rules modelled (rounding always in the protocol's favour):
/// - index: `index + ceil(index * apr * dt / (10_000 * 365 days))`, compounded at every stored accrual;
/// - debt = ceil(scaled * index / 1e27); a borrow adds ceil(amount * 1e27 / index) scaled, a repayment removes
///   floor(repaid * 1e27 / index) (all of it when the debt is repaid in full); a tier change moves the debt, re-scaled
///   up at the new tier's index;
/// - a repayment pays interest first; interest pays down the deficit, then adds to surplus;
/// - a liquidation repays at most the close factor's share (all of it below twice the minimum debt), seizes
///   repaid x (1 + bonus) of collateral (floor), or all of it with the repayment cut to its value less the bonus
///   (ceil); debt left with no collateral is bad debt: its principal is written off against surplus, the rest is
///   deficit.
abstract contract LendingGhost {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant RAY = 1e27;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;

    struct GhostTier {
        uint256 indexRay;
        uint256 lastAccrualTs;
        uint256 aprBps;
        uint256 scaledDebt;
    }

    struct GhostPosition {
        uint256 scaledDebt;
        uint256 principalWad;
        uint8 tier;
        uint256 collateral;
    }

    struct GhostBooks {
        uint256 principalWad;
        uint256 surplusWad;
        uint256 deficitWad;
        uint256 supplyWad;
        /// @dev vUSD put into circulation by the market stand-in (a capped minter other than the pool).
        uint256 marketMintedWad;
    }

    /// @notice What a liquidation of a position should do, quoted from the ghost books.
    struct LiquidationQuote {
        uint256 debtWad;
        uint256 repaidWad;
        uint256 seized;
        bool collateralExhausted;
        bool badDebt;
        /// @dev The pool must refuse it: it would leave a non-zero debt below the minimum with collateral left.
        bool leftoverBelowMinimum;
    }

    /// @notice What a repayment or liquidation did to the protocol's accounts (ghost side).
    struct Settlement {
        uint256 repaidWad;
        uint256 interestWad;
        uint256 deficitPaidWad;
        uint256 writtenOffWad;
        uint256 coveredBySurplusWad;
        uint256 deficitAddedWad;
        bool inFull;
    }

    uint256 internal immutable _closeFactorBps;
    uint256 internal immutable _liquidationBonusBps;
    uint256 internal immutable _minDebtWad;

    mapping(uint8 tier => GhostTier) internal _ghostTiers;
    mapping(address borrower => GhostPosition) internal _ghostPositions;
    GhostBooks internal _books;

    /// @notice The first expectation the contracts broke ("" while none): an invariant reads it.
    string public violation;

    constructor(uint256 closeFactorBps, uint256 liquidationBonusBps, uint256 minDebtWad) {
        _closeFactorBps = closeFactorBps;
        _liquidationBonusBps = liquidationBonusBps;
        _minDebtWad = minDebtWad;
    }

    function ghostBooks() external view returns (GhostBooks memory) {
        return _books;
    }

    function _violate(string memory what) internal {
        if (bytes(violation).length == 0) violation = what;
    }

    // ------------------------------------------------------------------ reference arithmetic

    function _mulDivUp(uint256 a, uint256 b, uint256 d) internal pure returns (uint256) {
        uint256 product = a * b;
        return product / d + (product % d == 0 ? 0 : 1);
    }

    function _accrue(uint256 indexRay, uint256 aprBps, uint256 elapsed) internal pure returns (uint256) {
        return indexRay + _mulDivUp(indexRay * aprBps, elapsed, BPS * YEAR);
    }

    function _ghostIndexNow(uint8 tier) internal view returns (uint256) {
        GhostTier storage g = _ghostTiers[tier];
        return _accrue(g.indexRay, g.aprBps, block.timestamp - g.lastAccrualTs);
    }

    function _ghostDebt(address borrower) internal view returns (uint256) {
        GhostPosition storage p = _ghostPositions[borrower];
        return _mulDivUp(p.scaledDebt, _ghostIndexNow(p.tier), RAY);
    }

    /// @dev Interest first: what is repaid above the principal outstanding is interest.
    function _split(
        uint256 repaid,
        uint256 debt,
        uint256 principal
    ) internal pure returns (uint256 interest, uint256 principalPart) {
        uint256 accrued = debt > principal ? debt - principal : 0;
        interest = repaid < accrued ? repaid : accrued;
        principalPart = repaid - interest;
        if (principalPart > principal) {
            interest += principalPart - principal;
            principalPart = principal;
        }
    }

    // ------------------------------------------------------------------ ghost updates

    /// @dev Stores `tier`'s index accrued to now (what the pool does whenever it writes the tier).
    function _ghostAccrue(uint8 tier) internal {
        GhostTier storage g = _ghostTiers[tier];
        if (g.lastAccrualTs == block.timestamp) return;
        g.indexRay = _accrue(g.indexRay, g.aprBps, block.timestamp - g.lastAccrualTs);
        g.lastAccrualTs = block.timestamp;
    }

    function _ghostDeposit(address borrower, uint256 amount) internal {
        _ghostPositions[borrower].collateral += amount;
    }

    function _ghostWithdraw(address borrower, uint256 amount) internal {
        _ghostPositions[borrower].collateral -= amount;
    }

    function _ghostMarketMint(uint256 amountWad) internal {
        _books.supplyWad += amountWad;
        _books.marketMintedWad += amountWad;
    }

    /// @dev A borrow of `amountWad` that the pool booked in `tier`, whose rate is then `aprBps`.
    function _ghostBorrow(address borrower, uint256 amountWad, uint8 tier, uint256 aprBps) internal {
        GhostPosition storage p = _ghostPositions[borrower];
        _ghostAccrue(p.tier);
        if (tier != p.tier) {
            _ghostMoveTier(borrower, tier, amountWad);
        } else {
            uint256 added = _mulDivUp(amountWad, RAY, _ghostTiers[tier].indexRay);
            p.scaledDebt += added;
            _ghostTiers[tier].scaledDebt += added;
        }
        _ghostAccrue(tier);
        _ghostTiers[tier].aprBps = aprBps;
        p.principalWad += amountWad;
        _books.principalWad += amountWad;
        _books.supplyWad += amountWad;
    }

    /// @dev Moves the position's debt (plus `addWad` of new debt) onto `newTier`: old tier accrued and stored,
    /// debt re-scaled up at the new tier's index. Returns the debt moved.
    function _ghostMoveTier(address borrower, uint8 newTier, uint256 addWad) internal returns (uint256 debtWad) {
        GhostPosition storage p = _ghostPositions[borrower];
        _ghostAccrue(p.tier);
        GhostTier storage old = _ghostTiers[p.tier];
        debtWad = _mulDivUp(p.scaledDebt, old.indexRay, RAY);
        old.scaledDebt -= p.scaledDebt;
        _ghostAccrue(newTier);
        uint256 scaled = _mulDivUp(debtWad + addWad, RAY, _ghostTiers[newTier].indexRay);
        _ghostTiers[newTier].scaledDebt += scaled;
        p.scaledDebt = scaled;
        p.tier = newTier;
    }

    function _ghostRepay(address borrower, uint256 amountWad) internal returns (Settlement memory s) {
        GhostPosition storage p = _ghostPositions[borrower];
        _ghostAccrue(p.tier);
        GhostTier storage g = _ghostTiers[p.tier];
        uint256 debt = _mulDivUp(p.scaledDebt, g.indexRay, RAY);
        s.repaidWad = amountWad < debt ? amountWad : debt;
        s.inFull = s.repaidWad == debt;
        uint256 scaledRemoved = s.inFull ? p.scaledDebt : (s.repaidWad * RAY) / g.indexRay;
        uint256 principalPart;
        (s.interestWad, principalPart) = _split(s.repaidWad, debt, p.principalWad);
        p.scaledDebt -= scaledRemoved;
        g.scaledDebt -= scaledRemoved;
        p.principalWad -= principalPart;
        s.deficitPaidWad = _ghostSettle(principalPart, s.interestWad);
        _books.supplyWad -= s.repaidWad;
    }

    /// @dev The liquidation the pool should perform for `coverWad` at `priceWad` (an 18-decimal collateral).
    function _quoteLiquidation(
        address borrower,
        uint256 coverWad,
        uint256 priceWad
    ) internal view returns (LiquidationQuote memory q) {
        GhostPosition storage p = _ghostPositions[borrower];
        q.debtWad = _ghostDebt(borrower);
        uint256 maxRepay = (q.debtWad * _closeFactorBps) / BPS;
        if (q.debtWad - maxRepay < _minDebtWad) maxRepay = q.debtWad;
        q.repaidWad = coverWad < maxRepay ? coverWad : maxRepay;
        uint256 bonusBps = BPS + _liquidationBonusBps;
        q.seized = (((q.repaidWad * bonusBps) / BPS) * WAD) / priceWad;
        if (q.seized >= p.collateral) {
            q.seized = p.collateral;
            q.collateralExhausted = true;
            uint256 coverable = _mulDivUp((p.collateral * priceWad) / WAD, BPS, bonusBps);
            if (coverable < q.repaidWad) q.repaidWad = coverable;
        }
        uint256 leftover = q.debtWad - q.repaidWad;
        q.badDebt = leftover != 0 && q.collateralExhausted;
        q.leftoverBelowMinimum = leftover != 0 && !q.collateralExhausted && leftover < _minDebtWad;
    }

    function _ghostLiquidate(address borrower, LiquidationQuote memory q) internal returns (Settlement memory s) {
        GhostPosition storage p = _ghostPositions[borrower];
        _ghostAccrue(p.tier);
        GhostTier storage g = _ghostTiers[p.tier];
        s.repaidWad = q.repaidWad;
        s.inFull = q.repaidWad == q.debtWad;
        uint256 scaledRemoved = s.inFull || q.badDebt ? p.scaledDebt : (q.repaidWad * RAY) / g.indexRay;
        uint256 principalPart;
        (s.interestWad, principalPart) = _split(q.repaidWad, q.debtWad, p.principalWad);
        p.scaledDebt -= scaledRemoved;
        g.scaledDebt -= scaledRemoved;
        p.principalWad -= principalPart;
        p.collateral -= q.seized;
        s.deficitPaidWad = _ghostSettle(principalPart, s.interestWad);
        if (q.badDebt) {
            s.writtenOffWad = p.principalWad;
            s.coveredBySurplusWad = s.writtenOffWad < _books.surplusWad ? s.writtenOffWad : _books.surplusWad;
            s.deficitAddedWad = s.writtenOffWad - s.coveredBySurplusWad;
            _books.surplusWad -= s.coveredBySurplusWad;
            _books.principalWad -= s.writtenOffWad;
            _books.deficitWad += s.deficitAddedWad;
            p.principalWad = 0;
        }
        _books.supplyWad -= q.repaidWad;
    }

    function _ghostMintSurplus(uint256 amountWad) internal {
        _books.surplusWad -= amountWad;
        _books.supplyWad += amountWad;
    }

    /// @dev Books a repayment: principal leaves, interest pays down the deficit first, the rest is surplus.
    function _ghostSettle(uint256 principalPart, uint256 interest) private returns (uint256 deficitPaid) {
        _books.principalWad -= principalPart;
        if (interest == 0) return 0;
        deficitPaid = interest < _books.deficitWad ? interest : _books.deficitWad;
        _books.deficitWad -= deficitPaid;
        _books.surplusWad += interest - deficitPaid;
    }
}
