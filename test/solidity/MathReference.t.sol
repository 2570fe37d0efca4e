// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {HealthFactor} from "../../contracts/libraries/HealthFactor.sol";
import {InterestIndex} from "../../contracts/libraries/InterestIndex.sol";
import {TierMath} from "../../contracts/libraries/TierMath.sol";
import {WadRayMath} from "../../contracts/libraries/WadRayMath.sol";
import {TierTerms, TierCaps} from "../../contracts/types/PolicyTypes.sol";

/// @notice Naive reference implementations (Uniswap `LiquidityMathRef` style): the definitions written out the
/// obvious way, floor and ceiling spelled separately, so the libraries' rounding can be checked against them.
library MathRef {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant RAY = 1e27;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;

    function floorDiv(uint256 n, uint256 d) internal pure returns (uint256) {
        return n / d;
    }

    /// @dev Ceiling by definition: the smallest q with q * d >= n.
    function ceilDiv(uint256 n, uint256 d) internal pure returns (uint256 q) {
        q = n / d;
        if (q * d < n) q += 1;
    }

    function accrue(uint256 indexRay, uint256 aprBps, uint256 elapsedSec) internal pure returns (uint256) {
        return indexRay + ceilDiv(indexRay * aprBps * elapsedSec, BPS * YEAR);
    }

    function min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a <= b ? a : b;
    }
}

/// @notice Exposes the libraries' internal functions externally, so a test can observe a revert.
contract MathWrapper {
    function mulDivUp(uint256 a, uint256 b, uint256 d) external pure returns (uint256) {
        return WadRayMath.mulDivUp(a, b, d);
    }
}

contract MathReferenceTest {
    uint256 internal constant MAX_AMOUNT = type(uint128).max; // every stored amount fits 128 bits
    uint256 internal constant MAX_INDEX = type(uint104).max; // TierState.indexRay
    MathWrapper internal wrapper = new MathWrapper();

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + (x % (hi - lo + 1));
    }

    // ---------------------------------------------------------------- WadRayMath

    function testFuzz_mulDiv_matchesFloorAndCeilingReference(uint256 a, uint256 b, uint256 d) public pure {
        a = _bound(a, 0, MAX_AMOUNT);
        b = _bound(b, 0, MAX_AMOUNT);
        d = _bound(d, 1, MAX_AMOUNT);
        uint256 down = WadRayMath.mulDivDown(a, b, d);
        uint256 up = WadRayMath.mulDivUp(a, b, d);
        require(down == MathRef.floorDiv(a * b, d), "down != floor");
        require(up == MathRef.ceilDiv(a * b, d), "up != ceil");
        require(up - down == ((a * b) % d == 0 ? 0 : 1), "up and down differ by the remainder");
        require(down * d <= a * b && (up == 0 || (up - 1) * d < a * b || a * b == 0), "bounds");
    }

    function test_mulDivUp_roundsUpOnlyWithARemainder() public pure {
        require(WadRayMath.mulDivUp(10, 10, 4) == 25, "exact");
        require(WadRayMath.mulDivUp(10, 10, 3) == 34, "rounded up");
        require(WadRayMath.mulDivDown(10, 10, 3) == 33, "rounded down");
        require(WadRayMath.mulDivUp(0, 7, 3) == 0, "zero");
    }

    function test_mulDivUp_revertsOnOverflowAndZeroDivisor() public view {
        try wrapper.mulDivUp(type(uint256).max, 2, 1) returns (uint256) {
            revert("overflow not caught");
        } catch {}
        try wrapper.mulDivUp(1, 1, 0) returns (uint256) {
            revert("division by zero not caught");
        } catch {}
    }

    // ---------------------------------------------------------------- InterestIndex

    function testFuzz_accrue_matchesReferenceAndRoundsUp(
        uint256 indexRay,
        uint256 aprBps,
        uint256 elapsed
    ) public pure {
        indexRay = _bound(indexRay, WadRayMath.RAY, MAX_INDEX);
        aprBps = _bound(aprBps, 0, type(uint16).max);
        elapsed = _bound(elapsed, 0, 50 * 365 days);
        uint256 next = InterestIndex.accrue(indexRay, aprBps, elapsed);
        require(next == MathRef.accrue(indexRay, aprBps, elapsed), "accrue != reference");
        require(next >= indexRay, "index fell");
        // At least the exact linear growth (ceiling), never more than one unit above it.
        uint256 exactNum = indexRay * aprBps * elapsed;
        uint256 denom = WadRayMath.BPS * InterestIndex.SECONDS_PER_YEAR;
        require((next - indexRay) * denom >= exactNum, "interest rounded down");
        require(next - indexRay <= exactNum / denom + 1, "interest overshoots");
        if (aprBps != 0 && elapsed != 0) require(next > indexRay, "positive rate and time must grow the index");
    }

    function testFuzz_accrue_isMonotoneInTimeAndRate(
        uint256 indexRay,
        uint256 aprBps,
        uint256 t1,
        uint256 t2
    ) public pure {
        indexRay = _bound(indexRay, WadRayMath.RAY, MAX_INDEX);
        aprBps = _bound(aprBps, 0, type(uint16).max - 1);
        t1 = _bound(t1, 0, 10 * 365 days);
        t2 = _bound(t2, t1, 10 * 365 days);
        require(InterestIndex.accrue(indexRay, aprBps, t1) <= InterestIndex.accrue(indexRay, aprBps, t2), "time");
        require(InterestIndex.accrue(indexRay, aprBps, t2) <= InterestIndex.accrue(indexRay, aprBps + 1, t2), "rate");
    }

    function test_accrue_noTimeOrNoRateKeepsTheIndex() public pure {
        require(InterestIndex.accrue(2e27, 500, 0) == 2e27, "no time");
        require(InterestIndex.accrue(2e27, 0, 365 days) == 2e27, "no rate");
        // 5% for a year on 1.0 is exactly 1.05.
        require(InterestIndex.accrue(1e27, 500, 365 days) == 1.05e27, "one year");
    }

    function testFuzz_scaling_neverFavoursTheBorrower(uint256 amount, uint256 indexRay) public pure {
        amount = _bound(amount, 0, type(uint96).max);
        indexRay = _bound(indexRay, WadRayMath.RAY, MAX_INDEX);
        uint256 up = InterestIndex.scaleUp(amount, indexRay);
        uint256 down = InterestIndex.scaleDown(amount, indexRay);
        require(up == MathRef.ceilDiv(amount * WadRayMath.RAY, indexRay), "scaleUp != ceil");
        require(down == MathRef.floorDiv(amount * WadRayMath.RAY, indexRay), "scaleDown != floor");
        // Borrowing `amount` owes at least `amount`; repaying `amount` removes at most `amount` of debt.
        require(InterestIndex.debtOf(up, indexRay) >= amount, "borrower owes less than borrowed");
        require((down * indexRay) / WadRayMath.RAY <= amount, "repayment removes more than paid");
        require(InterestIndex.debtOf(up, indexRay) == MathRef.ceilDiv(up * indexRay, WadRayMath.RAY), "debtOf != ceil");
    }

    // ---------------------------------------------------------------- HealthFactor

    function testFuzz_value_roundTripNeverCreatesCollateral(
        uint256 amount,
        uint256 priceWad,
        uint8 decimals
    ) public pure {
        decimals = uint8(_bound(decimals, 0, 18));
        amount = _bound(amount, 0, MAX_AMOUNT);
        priceWad = _bound(priceWad, 1, 1e30);
        uint256 value = HealthFactor.valueWad(amount, priceWad, decimals);
        require(value == MathRef.floorDiv(amount * priceWad, 10 ** decimals), "value != floor");
        uint256 back = HealthFactor.amountForValue(value, priceWad, decimals);
        require(back == MathRef.floorDiv(value * 10 ** decimals, priceWad), "amountForValue != floor");
        require(back <= amount, "seizing the value returns more collateral than it came from");
    }

    function testFuzz_ltv_requirementAndMaxDebtAreConsistent(uint256 debt, uint256 ltvBps) public pure {
        debt = _bound(debt, 0, MAX_AMOUNT);
        ltvBps = _bound(ltvBps, 1, WadRayMath.BPS);
        uint256 required = HealthFactor.requiredCollateralWad(debt, ltvBps);
        require(required == MathRef.ceilDiv(debt * WadRayMath.BPS, ltvBps), "required != ceil");
        // The required collateral supports the debt; one wei less does not.
        require(HealthFactor.maxDebtWad(required, ltvBps) >= debt, "required does not support the debt");
        if (required != 0) require(HealthFactor.maxDebtWad(required - 1, ltvBps) < debt, "required is not minimal");
        require(
            HealthFactor.maxDebtWad(debt, ltvBps) == MathRef.floorDiv(debt * ltvBps, WadRayMath.BPS),
            "max != floor"
        );
    }

    function testFuzz_loanToValue_roundsUpAndHealthFactorDown(
        uint256 debt,
        uint256 value,
        uint256 thresholdBps
    ) public pure {
        debt = _bound(debt, 1, MAX_AMOUNT);
        value = _bound(value, 1, MAX_AMOUNT);
        thresholdBps = _bound(thresholdBps, 0, WadRayMath.BPS);
        uint256 ltv = HealthFactor.loanToValueBps(debt, value);
        require(ltv == MathRef.ceilDiv(debt * WadRayMath.BPS, value), "ltv != ceil");
        uint256 hf = HealthFactor.healthFactorWad(value, thresholdBps, debt);
        require(hf == MathRef.floorDiv(value * thresholdBps * MathRef.WAD, WadRayMath.BPS * debt), "hf != floor");
        // hf >= 1 exactly when value x threshold covers the debt.
        require((hf >= MathRef.WAD) == (value * thresholdBps >= debt * WadRayMath.BPS), "hf threshold");
    }

    function test_healthFactor_edgeCases() public pure {
        require(HealthFactor.requiredCollateralWad(1e18, 0) == type(uint256).max, "no LTV: nothing suffices");
        require(HealthFactor.loanToValueBps(0, 0) == 0, "no debt");
        require(HealthFactor.loanToValueBps(1, 0) == type(uint256).max, "debt without collateral");
        require(HealthFactor.healthFactorWad(0, 8000, 0) == type(uint256).max, "no debt: max");
        require(HealthFactor.healthFactorWad(100e18, 8000, 80e18) == 1e18, "exactly at the threshold");
        require(HealthFactor.maxDebtWad(100e18, 8000) == 80e18, "max debt");
    }

    // ---------------------------------------------------------------- TierMath

    function testFuzz_bound_takesTheLowerOfTermAndCap(TierTerms memory terms, TierCaps memory caps) public pure {
        TierTerms memory e = TierMath.bound(terms, caps);
        require(e.maxPdBps == terms.maxPdBps, "PD bound is the term's");
        require(e.maxLtvBps == MathRef.min(terms.maxLtvBps, caps.maxLtvBps), "ltv");
        require(
            e.liquidationThresholdBps == MathRef.min(terms.liquidationThresholdBps, caps.liquidationThresholdBps),
            "lt"
        );
        require(e.aprBps == MathRef.min(terms.aprBps, caps.aprBps), "apr");
        require(e.creditLimitWad == MathRef.min(terms.creditLimitWad, caps.creditLimitWad), "credit");
    }

    function testFuzz_isFresh_matchesAgeDefinition(
        bool valid,
        uint64 issuedAt,
        uint64 nowTs,
        uint32 maxAge
    ) public pure {
        bool fresh = TierMath.isFresh(valid, issuedAt, nowTs, maxAge);
        uint256 age = issuedAt >= nowTs ? 0 : uint256(nowTs) - issuedAt;
        require(fresh == (valid && age <= maxAge), "fresh != valid and age <= max");
    }

    function test_isFresh_atTheMaxAgeAndOneSecondPast() public pure {
        require(TierMath.isFresh(true, 1000, 1100, 100), "age == max is fresh");
        require(!TierMath.isFresh(true, 1000, 1101, 100), "age == max + 1 is not");
        require(TierMath.isFresh(true, 1200, 1100, 0), "a score from the future has age 0");
        require(!TierMath.isFresh(false, 1100, 1100, 100), "an invalid score is never fresh");
    }
}
