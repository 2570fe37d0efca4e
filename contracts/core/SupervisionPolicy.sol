// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IPegStabilityModule} from "../interfaces/IPegStabilityModule.sol";
import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {Roles} from "../libraries/Roles.sol";
import {Rules} from "../libraries/Rules.sol";
import {RuleBounds} from "../libraries/RuleBounds.sol";
import {TierMath} from "../libraries/TierMath.sol";
import {WadRayMath} from "../libraries/WadRayMath.sol";
import {TierTerms, TierCaps, GlobalRules, PolicyConfig, BorrowRequest, PsmRules} from "../types/PolicyTypes.sol";

/// @title SupervisionPolicy
/// @notice The supervisor's rulebook. See `ISupervisionPolicy`.
/// @dev Roles: GOVERNANCE schedules tier terms; REGULATOR schedules caps and global rules, unpauses and is the
/// admin of POOL (the supervisor decides which pool its rulebook supervises); GUARDIAN pauses; ATTESTER sets
/// attestations. Each of GOVERNANCE, REGULATOR, GUARDIAN, ATTESTER is its own admin; DEFAULT_ADMIN_ROLE is held by
/// nobody. Score age is handled here (not in the pool): a score older than MAX_SCORE_AGE maps to the most
/// conservative tier, as if there were none.
/// The credit score oracle keeps a copy of `approvalThresholdBps` in the slot it reads on every score, so that a
/// submission makes no call here. The copy cannot drift: this policy is the only account the oracle accepts it
/// from (the oracle's `policy`, which must be linked back to the oracle: `setScoreOracle`, set once), and the
/// policy pushes the new value in the same transaction that writes the last tier's TIER_MAX_PD
/// (`executeRuleChange`; the constructor runs before any link, and `oracle.setPolicy` reads the value itself).
contract SupervisionPolicy is ISupervisionPolicy, AccessControl {
    // The bounds on rule values are constants of `RuleBounds` (contracts/libraries/RuleBounds.sol): readable in the
    // source and the docs, and not ten getters in this contract's bytecode, which EIP-170 caps.

    /// @notice Largest number of tiers.
    uint8 public constant MAX_TIERS = 16;

    /// @dev Circuit breaker and the day's origination baseline share a slot: a borrow reads it once and writes it
    /// only on the first borrow of a UTC day. The slot also holds the approval threshold, a copy of the last tier's
    /// TIER_MAX_PD, so `approvalThresholdBps` (read by a declined borrow and by `oracle.setPolicy`) is one SLOAD. The
    /// copy is written in the same `_refreshTier` call that writes the rule itself (constructor and
    /// `executeRuleChange`), so it can never differ from the rulebook. (The oracle's own copy, in its configuration
    /// slot, is pushed by `executeRuleChange`: `_pushApprovalThreshold`.)
    struct HotState {
        bool paused;
        uint40 liquidationsResumeAt;
        uint40 day;
        uint128 dayStartPrincipalWad;
        uint16 approvalThresholdBps;
    }

    /// @dev The global rules as stored: every rule a borrow checks in two slots (wad limits in 96 bits, enforced
    /// by `_checkGlobal`; PULL_REPORT_MAX_AGE, at most an hour, in 16 bits), the rules no borrow reads apart
    /// (`_timelockDelaySec`, `_scoreNoticePeriodSec`, one slot).
    struct StoredRules {
        // slot 1
        uint96 debtCeilingWad;
        uint96 borrowerCapWad;
        uint16 concentrationCapBps;
        uint32 maxScoreAgeSec;
        bool attestationRequired;
        // slot 2
        uint96 concentrationFloorWad;
        uint96 dailyOriginationLimitWad;
        uint16 maxPriceDeviationBps;
        uint32 liquidationGracePeriodSec;
        uint16 pullReportMaxAgeSec;
    }

    struct PendingChange {
        bytes32 rule;
        uint256 newValue;
        uint64 executableAt;
    }

    enum Kind {
        Unknown,
        Global,
        Cap,
        Term,
        Psm
    }

    uint8 private immutable _TIER_COUNT;

    /// @dev Governance's terms and the regulator's caps as set (what `ruleValue` returns and changes validate).
    TierTerms[] private _terms;
    TierCaps[] private _caps;
    /// @dev `TierMath.bound(_terms[t], _caps[t])` for each tier t < tier count, rewritten (`_refreshTier`) whenever
    /// either changes, so a borrow reads one slot per tier (and no array length) for its tier and terms.
    TierTerms[MAX_TIERS] private _effective;
    StoredRules private _rules;
    uint32 private _timelockDelaySec;
    uint32 private _scoreNoticePeriodSec;
    /// @dev SAVINGS_SHARE (bps), in the slot of the two rules above (no borrow reads it).
    uint16 private _savingsShareBps;
    /// @dev PRICE_SOURCE_TOLERANCE and FROZEN_LIQUIDATION_HEALTH (bps), in the same slot: read only when a price
    /// needs its second source (the pool's rare path), never by a borrow at a confirmed price.
    uint16 private _priceSourceToleranceBps;
    uint16 private _frozenLiquidationHealthBps;
    HotState private _state;
    mapping(address borrower => uint64 expiresAt) private _attestations;
    mapping(bytes32 changeId => PendingChange) private _pending;
    uint256 private _changeNonce;
    /// @dev The credit score oracle that copies the approval threshold; set once by the regulator.
    address private _scoreOracle;
    /// @dev The peg stability module's rules, one slot (read by every swap through `psmRules`).
    PsmRules private _psm;
    /// @dev The peg stability module that copies `_psm` (pushed on every executed PSM rule); set once by the regulator.
    address private _psmLink;

    /// @param config roles, tier terms and caps (one entry per tier, best first) and global rules; every value
    /// is validated with the same rules as a scheduled change.
    constructor(PolicyConfig memory config) {
        _grantInitialRole(Roles.GOVERNANCE, config.governance, Roles.GOVERNANCE);
        _grantInitialRole(Roles.REGULATOR, config.regulator, Roles.REGULATOR);
        _grantInitialRole(Roles.GUARDIAN, config.guardian, Roles.GUARDIAN);
        _grantInitialRole(Roles.ATTESTER, config.attester, Roles.ATTESTER);
        _setRoleAdmin(Roles.POOL, Roles.REGULATOR);
        _setRoleAdmin(Roles.SAVINGS, Roles.GOVERNANCE);

        uint256 count = config.terms.length;
        if (count == 0 || count > MAX_TIERS || config.caps.length != count) {
            revert SupervisionInvalidValue("TIER_COUNT", count);
        }
        _TIER_COUNT = uint8(count);
        uint16 prevMaxPd;
        for (uint8 t = 0; t < count; ++t) {
            TierTerms memory terms = config.terms[t];
            TierCaps memory caps = config.caps[t];
            _checkCaps(t, caps);
            _checkTermsWithin(t, terms, caps);
            if (terms.maxPdBps > WadRayMath.BPS)
                revert SupervisionInvalidValue(Rules.tierRule(Rules.TIER_MAX_PD, t), terms.maxPdBps);
            if (t > 0 && terms.maxPdBps <= prevMaxPd) {
                revert SupervisionRuleViolated(
                    Rules.tierRule(Rules.TIER_MAX_PD, t),
                    uint256(prevMaxPd) + 1,
                    terms.maxPdBps
                );
            }
            prevMaxPd = terms.maxPdBps;
            _terms.push(terms);
            _caps.push(caps);
            _refreshTier(t);
        }

        GlobalRules memory r = config.rules;
        _setGlobal(Rules.DEBT_CEILING, r.debtCeilingWad);
        _setGlobal(Rules.BORROWER_CAP, r.borrowerCapWad);
        _setGlobal(Rules.CONCENTRATION_FLOOR, r.concentrationFloorWad);
        _setGlobal(Rules.DAILY_ORIGINATION_LIMIT, r.dailyOriginationLimitWad);
        _setGlobal(Rules.CONCENTRATION_CAP, r.concentrationCapBps);
        _setGlobal(Rules.MAX_PRICE_DEVIATION, r.maxPriceDeviationBps);
        _setGlobal(Rules.MAX_SCORE_AGE, r.maxScoreAgeSec);
        _setGlobal(Rules.LIQUIDATION_GRACE_PERIOD, r.liquidationGracePeriodSec);
        _setGlobal(Rules.TIMELOCK_DELAY, r.timelockDelaySec);
        _setGlobal(Rules.PULL_REPORT_MAX_AGE, r.pullReportMaxAgeSec);
        _setGlobal(Rules.SCORE_NOTICE_PERIOD, r.scoreNoticePeriodSec);
        _setGlobal(Rules.ATTESTATION_REQUIRED, r.attestationRequired ? 1 : 0);
        _setGlobal(Rules.SAVINGS_SHARE, config.savingsShareBps);
        _psm = PsmRules({
            feeInBps: 0,
            feeOutBps: 0,
            feeCapBps: 100,
            priceBandBps: 100,
            exposureLimitWad: 0,
            flashFeeBps: 0
        });
        // The price rules start at their defaults (2 % between sources; seize a frozen asset below HF 0.95) and
        // change like every rule, through the timelock.
        _priceSourceToleranceBps = 200;
        _frozenLiquidationHealthBps = 9500;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISupervisionPolicy
    function tierCount() external view returns (uint8) {
        return _TIER_COUNT;
    }

    /// @inheritdoc ISupervisionPolicy
    function tierOf(uint16 pdBps) public view returns (uint8 tier, bool declined) {
        uint8 count = _TIER_COUNT;
        for (uint8 t = 0; t < count; ++t) {
            if (pdBps <= _effective[t].maxPdBps) return (t, false);
        }
        return (count - 1, true);
    }

    /// @inheritdoc ISupervisionPolicy
    /// @dev One SLOAD: the copy in `_state`, equal to `_terms[_TIER_COUNT - 1].maxPdBps` (see `HotState`).
    function approvalThresholdBps() external view returns (uint16) {
        return _state.approvalThresholdBps;
    }

    /// @inheritdoc ISupervisionPolicy
    /// @dev Reads the precomputed `_effective[tier]`. A tier at or above the tier count reverts with
    /// Panic(0x32), as the `_terms[tier]` array access this read replaces did.
    function termsOf(uint8 tier) public view returns (TierTerms memory) {
        if (tier >= _TIER_COUNT) _panicOutOfBounds();
        return _effective[tier];
    }

    /// @inheritdoc ISupervisionPolicy
    function capsOf(uint8 tier) external view returns (TierCaps memory) {
        return _caps[tier];
    }

    /// @inheritdoc ISupervisionPolicy
    function ruleValue(bytes32 rule) external view returns (uint256) {
        (Kind kind, bytes32 base, uint8 tier) = _classify(rule);
        if (kind == Kind.Unknown) revert SupervisionUnknownRule(rule);
        return _read(kind, base, tier);
    }

    /// @inheritdoc ISupervisionPolicy
    function tierForScore(
        uint16 pdBps,
        uint64 issuedAt,
        uint64 postedAt,
        bool valid
    ) public view returns (uint8 tier, bool scored, bool declined) {
        StoredRules memory r = _rules;
        scored =
            TierMath.isFresh(valid, issuedAt, block.timestamp, r.maxScoreAgeSec) &&
            TierMath.isPostedPromptly(issuedAt, postedAt, r.pullReportMaxAgeSec);
        if (!scored) return (_TIER_COUNT - 1, false, false);
        (tier, declined) = tierOf(pdBps);
    }

    /// @inheritdoc ISupervisionPolicy
    function tierForPosition(
        uint8 heldTier,
        uint16 pdBps,
        uint64 issuedAt,
        uint64 validUntil,
        uint64 postedAt,
        bool modelApproved
    ) external view returns (uint8 tier) {
        uint8 conservative = _TIER_COUNT - 1;
        // No score, or its model is no longer approved: no notice.
        if (!modelApproved) return conservative;
        // A declined PD maps to the conservative tier.
        (tier, ) = tierOf(pdBps);
        StoredRules memory r = _rules;
        uint256 expiresAt = _expiryOf(issuedAt, validUntil, r.maxScoreAgeSec);
        // A fresh score posted at once sets the tier; a held-back one (posted late) may only make it worse.
        bool prompt = TierMath.isPostedPromptly(issuedAt, postedAt, r.pullReportMaxAgeSec);
        if (block.timestamp <= expiresAt && prompt) return tier;
        // Notice (or a late post): the held tier, unless the score's own tier is worse.
        if (block.timestamp <= expiresAt + _scoreNoticePeriodSec) return heldTier > tier ? heldTier : tier;
        return conservative;
    }

    /// @inheritdoc ISupervisionPolicy
    function scoreNoticeOf(
        uint64 issuedAt,
        uint64 validUntil
    ) external view returns (uint64 expiredAt, uint64 noticeEndsAt) {
        // Both fit 64 bits: issuedAt and validUntil are, and the added periods are 32-bit.
        expiredAt = uint64(_expiryOf(issuedAt, validUntil, _rules.maxScoreAgeSec));
        noticeEndsAt = expiredAt + _scoreNoticePeriodSec;
    }

    /// @inheritdoc ISupervisionPolicy
    function termsForWithdrawal(uint8 tier) external view returns (TierTerms memory) {
        if (_state.paused) revert SupervisionPaused();
        return termsOf(tier);
    }

    /// @inheritdoc ISupervisionPolicy
    function termsForLiquidation(uint8 tier) external view returns (TierTerms memory) {
        requireLiquidationsAllowed();
        return termsOf(tier);
    }

    /// @inheritdoc ISupervisionPolicy
    function requirePullReportFresh(uint64 issuedAt) external view {
        uint256 maxAge = _rules.pullReportMaxAgeSec;
        // A report issued ahead of the block (the oracle allows a few minutes of clock skew) has age 0.
        uint256 age = issuedAt >= block.timestamp ? 0 : block.timestamp - issuedAt;
        if (age > maxAge) revert SupervisionRuleViolated(Rules.PULL_REPORT_MAX_AGE, maxAge, age);
    }

    /// @inheritdoc ISupervisionPolicy
    function requireLiquidationsAllowed() public view {
        HotState memory s = _state;
        if (s.paused) revert SupervisionPaused();
        if (block.timestamp < s.liquidationsResumeAt) {
            revert SupervisionLiquidationGracePeriod(s.liquidationsResumeAt, uint64(block.timestamp));
        }
    }

    /// @inheritdoc ISupervisionPolicy
    function paused() external view returns (bool) {
        return _state.paused;
    }

    /// @inheritdoc ISupervisionPolicy
    function breakerState() external view returns (bool isPaused, uint64 liquidationsResumeAt) {
        HotState memory s = _state;
        return (s.paused, s.liquidationsResumeAt);
    }

    /// @inheritdoc ISupervisionPolicy
    function originationOf() external view returns (uint64 day, uint256 dayStartPrincipalWad) {
        HotState memory s = _state;
        return (s.day, s.dayStartPrincipalWad);
    }

    /// @inheritdoc ISupervisionPolicy
    function isEligible(address borrower) public view returns (bool) {
        return _attestations[borrower] > block.timestamp;
    }

    /// @inheritdoc ISupervisionPolicy
    function psmRules() external view returns (PsmRules memory) {
        return _psm;
    }

    /// @inheritdoc ISupervisionPolicy
    function scoreOracle() external view returns (address) {
        return _scoreOracle;
    }

    /// @inheritdoc ISupervisionPolicy
    function pendingChange(
        bytes32 changeId
    ) external view returns (bytes32 rule, uint256 newValue, uint64 executableAt) {
        PendingChange memory c = _pending[changeId];
        return (c.rule, c.newValue, c.executableAt);
    }

    // ---------------------------------------------------------------- the pool's hook

    /// @inheritdoc ISupervisionPolicy
    function authorizeBorrow(
        BorrowRequest calldata request
    ) external onlyRole(Roles.POOL) returns (uint8 tier, bool scored, TierTerms memory terms) {
        HotState memory s = _state;
        if (s.paused) revert SupervisionPaused();
        StoredRules memory r = _rules;

        // A score prices new credit only if fresh and posted at once: a report held back and posted later (straight
        // to the oracle, which anyone may call) counts as none, so a better bundle cannot be kept for later.
        scored =
            TierMath.isFresh(request.scoreValid, request.scoreIssuedAt, block.timestamp, r.maxScoreAgeSec) &&
            TierMath.isPostedPromptly(request.scoreIssuedAt, request.scorePostedAt, r.pullReportMaxAgeSec);
        if (scored) {
            bool declined;
            (tier, declined) = tierOf(request.pdBps);
            if (declined) revert SupervisionRuleViolated(Rules.CREDIT_DECLINED, s.approvalThresholdBps, request.pdBps);
        } else {
            tier = _TIER_COUNT - 1;
        }

        if (r.attestationRequired) {
            uint64 expiresAt = _attestations[request.borrower];
            if (expiresAt <= block.timestamp)
                revert SupervisionRuleViolated(Rules.ELIGIBILITY, expiresAt, block.timestamp);
        }

        terms = termsOf(tier);
        uint256 debtAfter = request.borrowerDebtAfterWad;
        if (debtAfter > terms.creditLimitWad) {
            revert SupervisionRuleViolated(
                Rules.tierRule(Rules.TIER_CREDIT_LIMIT, tier),
                terms.creditLimitWad,
                debtAfter
            );
        }
        // Max debt rounds down: the protocol's favour.
        uint256 maxDebt = (request.collateralValueWad * terms.maxLtvBps) / WadRayMath.BPS;
        if (debtAfter > maxDebt) revert SupervisionRuleViolated(Rules.TIER_LTV, maxDebt, debtAfter);
        if (debtAfter > r.borrowerCapWad)
            revert SupervisionRuleViolated(Rules.BORROWER_CAP, r.borrowerCapWad, debtAfter);

        uint256 totalAfter = request.totalPrincipalAfterWad;
        if (totalAfter > r.debtCeilingWad)
            revert SupervisionRuleViolated(Rules.DEBT_CEILING, r.debtCeilingWad, totalAfter);
        if (totalAfter >= r.concentrationFloorWad) {
            uint256 principalAfter = request.borrowerPrincipalAfterWad;
            if (principalAfter * WadRayMath.BPS > totalAfter * r.concentrationCapBps) {
                revert SupervisionRuleViolated(
                    Rules.CONCENTRATION_CAP,
                    r.concentrationCapBps,
                    WadRayMath.mulDivUp(principalAfter, WadRayMath.BPS, totalAfter)
                );
            }
        }

        // Net new credit today: total principal now against the total at the day's first borrow (before it), so a
        // repayment gives its principal back and a borrow-and-repay loop originates nothing. Interest is not
        // principal: it neither uses nor frees the limit.
        uint256 today = block.timestamp / 1 days;
        if (s.day != today) {
            // Casts are safe: the day fits 40 bits for 3e9 years, and the total before this borrow is below the
            // total after it, which passed DEBT_CEILING (a 96-bit value) above.
            s.day = uint40(today);
            s.dayStartPrincipalWad = uint128(totalAfter - request.amountWad);
            _state = s;
        }
        uint256 dayStart = s.dayStartPrincipalWad;
        uint256 originated = totalAfter > dayStart ? totalAfter - dayStart : 0;
        if (originated > r.dailyOriginationLimitWad) {
            revert SupervisionRuleViolated(Rules.DAILY_ORIGINATION_LIMIT, r.dailyOriginationLimitWad, originated);
        }
    }

    // ---------------------------------------------------------------- timelock

    /// @inheritdoc ISupervisionPolicy
    function scheduleRuleChange(bytes32 rule, uint256 newValue) external returns (bytes32 changeId) {
        (Kind kind, bytes32 base, uint8 tier) = _requireScheduler(rule);
        _validate(kind, base, tier, rule, newValue);
        uint64 executableAt = uint64(block.timestamp) + _timelockDelaySec;
        changeId = keccak256(abi.encode(rule, newValue, executableAt, ++_changeNonce));
        _pending[changeId] = PendingChange(rule, newValue, executableAt);
        emit RuleChangeScheduled(changeId, rule, _read(kind, base, tier), newValue, executableAt);
    }

    /// @inheritdoc ISupervisionPolicy
    function executeRuleChange(bytes32 changeId) external {
        PendingChange memory c = _pending[changeId];
        if (c.executableAt == 0) revert SupervisionChangeUnknown(changeId);
        if (block.timestamp < c.executableAt) {
            revert SupervisionChangeNotReady(changeId, c.executableAt, uint64(block.timestamp));
        }
        delete _pending[changeId];
        (Kind kind, bytes32 base, uint8 tier) = _classify(c.rule);
        _validate(kind, base, tier, c.rule, c.newValue);
        uint256 oldValue = _read(kind, base, tier);
        _write(kind, base, tier, c.newValue);
        if (kind == Kind.Cap || kind == Kind.Term) _refreshTier(tier);
        emit RuleChanged(changeId, c.rule, oldValue, c.newValue);
        // The interaction after every effect. `_validate` bounded the value to 10000, so the cast is exact.
        if (kind == Kind.Term && base == Rules.TIER_MAX_PD && tier == _TIER_COUNT - 1) {
            _pushApprovalThreshold(uint16(c.newValue));
        }
        // The PSM is trusted code (chosen by the regulator, `setPsm`): `syncRules` only reads `psmRules` back.
        address linkedPsm = _psmLink;
        if (kind == Kind.Psm && linkedPsm != address(0)) IPegStabilityModule(linkedPsm).syncRules();
    }

    /// @inheritdoc ISupervisionPolicy
    function cancelRuleChange(bytes32 changeId) external {
        PendingChange memory c = _pending[changeId];
        if (c.executableAt == 0) revert SupervisionChangeUnknown(changeId);
        _requireScheduler(c.rule);
        delete _pending[changeId];
        emit RuleChangeCancelled(changeId, c.rule);
    }

    // ---------------------------------------------------------------- circuit breaker

    /// @inheritdoc ISupervisionPolicy
    function pause() external {
        if (!hasRole(Roles.REGULATOR, msg.sender) && !hasRole(Roles.GUARDIAN, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, Roles.GUARDIAN);
        }
        _state.paused = true;
        emit CircuitBreakerTripped(Rules.MANUAL, msg.sender, 0);
    }

    /// @inheritdoc ISupervisionPolicy
    function unpause() external onlyRole(Roles.REGULATOR) {
        HotState memory s = _state;
        if (!s.paused) revert SupervisionNotPaused();
        uint64 resumesAt = uint64(block.timestamp) + _rules.liquidationGracePeriodSec;
        s.paused = false;
        s.liquidationsResumeAt = uint40(resumesAt);
        _state = s;
        emit CircuitBreakerReset(msg.sender, resumesAt);
    }

    // ---------------------------------------------------------------- score oracle link

    /// @inheritdoc ISupervisionPolicy
    function setScoreOracle(address oracle) external onlyRole(Roles.REGULATOR) {
        address linked = _scoreOracle;
        if (linked != address(0)) revert SupervisionScoreOracleAlreadyLinked(linked);
        // An account without code could never take the pushes; the link cannot be redone, so refuse it here.
        if (oracle.code.length == 0) revert SupervisionZeroAddress("SCORE_ORACLE");
        _scoreOracle = oracle;
        emit ScoreOracleLinked(oracle);
    }

    /// @inheritdoc ISupervisionPolicy
    function setPsm(address module) external onlyRole(Roles.REGULATOR) {
        address linked = _psmLink;
        if (linked != address(0)) revert SupervisionPsmAlreadyLinked(linked);
        if (module.code.length == 0) revert SupervisionZeroAddress("PSM");
        _psmLink = module;
        emit PsmLinked(module);
        IPegStabilityModule(module).syncRules();
    }

    /// @inheritdoc ISupervisionPolicy
    function psm() external view returns (address) {
        return _psmLink;
    }

    // ---------------------------------------------------------------- eligibility

    /// @inheritdoc ISupervisionPolicy
    function setAttestation(
        address borrower,
        uint64 expiresAt,
        bytes32 attestationHash
    ) external onlyRole(Roles.ATTESTER) {
        _attestations[borrower] = expiresAt;
        emit AttestationSet(borrower, expiresAt, attestationHash);
    }

    // ---------------------------------------------------------------- internals

    function _grantInitialRole(bytes32 role, address holder, bytes32 admin) private {
        if (holder == address(0)) revert SupervisionZeroAddress(role);
        _setRoleAdmin(role, admin);
        _grantRole(role, holder);
    }

    /// @dev Recomputes what is derived from `tier`'s terms and caps: its effective terms, and for the last tier
    /// the approval threshold in `_state`. Called after every write of a term or cap (and at construction).
    function _refreshTier(uint8 tier) private {
        TierTerms memory terms = _terms[tier];
        _effective[tier] = TierMath.bound(terms, _caps[tier]);
        if (tier == _TIER_COUNT - 1) _state.approvalThresholdBps = terms.maxPdBps;
    }

    /// @dev Pushes the new approval threshold to the linked oracle while the oracle uses this policy. The oracle
    /// is trusted code (chosen by the regulator, `setScoreOracle`): it does not call back. An oracle that is not
    /// linked yet, or points at another policy, does not use this threshold: it reads it when `setPolicy` points
    /// it here, so skipping the push leaves nothing to drift (and keeps this rule changeable meanwhile).
    function _pushApprovalThreshold(uint16 thresholdBps) private {
        ICreditScoreOracle oracle = ICreditScoreOracle(_scoreOracle);
        if (address(oracle) != address(0) && oracle.policy() == address(this)) {
            oracle.syncApprovalThreshold(thresholdBps);
        }
    }

    /// @dev Reverts Panic(0x32) (array index out of bounds).
    function _panicOutOfBounds() private pure {
        // Writes the 36-byte Panic(uint256) revert data into scratch space (0x00-0x3f) and reverts; nothing
        // returns, so the free memory pointer at 0x40 is never read again.
        assembly ("memory-safe") {
            mstore(0x00, shl(224, 0x4e487b71))
            mstore(0x04, 0x32)
            revert(0x00, 0x24)
        }
    }

    /// @dev When a score stops being fresh (`TierMath.isFresh`): the earlier of its validUntil and MAX_SCORE_AGE.
    function _expiryOf(
        uint64 issuedAt,
        uint64 validUntil,
        uint32 maxScoreAgeSec
    ) private pure returns (uint256 expiresAt) {
        expiresAt = uint256(issuedAt) + maxScoreAgeSec;
        if (validUntil < expiresAt) expiresAt = validUntil;
    }

    /// @dev Splits a rule id into its kind, base id and tier; tier-scoped ids must name an existing tier.
    function _classify(bytes32 rule) private view returns (Kind kind, bytes32 base, uint8 tier) {
        if (
            rule == Rules.DEBT_CEILING ||
            rule == Rules.BORROWER_CAP ||
            rule == Rules.CONCENTRATION_CAP ||
            rule == Rules.CONCENTRATION_FLOOR ||
            rule == Rules.DAILY_ORIGINATION_LIMIT ||
            rule == Rules.MAX_SCORE_AGE ||
            rule == Rules.ATTESTATION_REQUIRED ||
            rule == Rules.MAX_PRICE_DEVIATION ||
            rule == Rules.LIQUIDATION_GRACE_PERIOD ||
            rule == Rules.TIMELOCK_DELAY ||
            rule == Rules.PULL_REPORT_MAX_AGE ||
            rule == Rules.SCORE_NOTICE_PERIOD ||
            rule == Rules.SAVINGS_SHARE ||
            rule == Rules.PRICE_SOURCE_TOLERANCE ||
            rule == Rules.FROZEN_LIQUIDATION_HEALTH
        ) return (Kind.Global, rule, 0);
        if (
            rule == Rules.PSM_FEE_IN ||
            rule == Rules.PSM_FEE_OUT ||
            rule == Rules.PSM_FEE_CAP ||
            rule == Rules.PSM_PRICE_BAND ||
            rule == Rules.PSM_EXPOSURE_LIMIT ||
            rule == Rules.FLASH_FEE
        ) return (Kind.Psm, rule, 0);
        base = rule & ~bytes32(uint256(0xff));
        tier = uint8(uint256(rule));
        if (tier >= _TIER_COUNT) return (Kind.Unknown, base, tier);
        if (
            base == Rules.TIER_CAP_MAX_LTV ||
            base == Rules.TIER_CAP_LIQUIDATION_THRESHOLD ||
            base == Rules.TIER_CAP_APR ||
            base == Rules.TIER_CAP_CREDIT_LIMIT
        ) return (Kind.Cap, base, tier);
        if (
            base == Rules.TIER_MAX_PD ||
            base == Rules.TIER_MAX_LTV ||
            base == Rules.TIER_LIQUIDATION_THRESHOLD ||
            base == Rules.TIER_APR ||
            base == Rules.TIER_CREDIT_LIMIT
        ) return (Kind.Term, base, tier);
        return (Kind.Unknown, base, tier);
    }

    /// @dev Tier terms, the PSM's and flash minter's fees and the savings share belong to governance, everything else
    /// to the regulator.
    function _requireScheduler(bytes32 rule) private view returns (Kind kind, bytes32 base, uint8 tier) {
        (kind, base, tier) = _classify(rule);
        bool governed =
            kind == Kind.Term ||
                rule == Rules.PSM_FEE_IN ||
                rule == Rules.PSM_FEE_OUT ||
                rule == Rules.FLASH_FEE ||
                rule == Rules.SAVINGS_SHARE;
        bytes32 role = governed ? Roles.GOVERNANCE : Roles.REGULATOR;
        if (kind == Kind.Unknown || !hasRole(role, msg.sender)) revert SupervisionRuleNotSchedulable(rule, msg.sender);
    }

    function _read(Kind kind, bytes32 base, uint8 tier) private view returns (uint256) {
        if (kind == Kind.Psm) {
            PsmRules storage p = _psm;
            if (base == Rules.PSM_FEE_IN) return p.feeInBps;
            if (base == Rules.PSM_FEE_OUT) return p.feeOutBps;
            if (base == Rules.PSM_FEE_CAP) return p.feeCapBps;
            if (base == Rules.PSM_PRICE_BAND) return p.priceBandBps;
            if (base == Rules.FLASH_FEE) return p.flashFeeBps;
            return p.exposureLimitWad;
        }
        if (kind == Kind.Global) {
            StoredRules storage r = _rules;
            if (base == Rules.DEBT_CEILING) return r.debtCeilingWad;
            if (base == Rules.BORROWER_CAP) return r.borrowerCapWad;
            if (base == Rules.CONCENTRATION_CAP) return r.concentrationCapBps;
            if (base == Rules.CONCENTRATION_FLOOR) return r.concentrationFloorWad;
            if (base == Rules.DAILY_ORIGINATION_LIMIT) return r.dailyOriginationLimitWad;
            if (base == Rules.MAX_SCORE_AGE) return r.maxScoreAgeSec;
            if (base == Rules.ATTESTATION_REQUIRED) return r.attestationRequired ? 1 : 0;
            if (base == Rules.MAX_PRICE_DEVIATION) return r.maxPriceDeviationBps;
            if (base == Rules.LIQUIDATION_GRACE_PERIOD) return r.liquidationGracePeriodSec;
            if (base == Rules.PULL_REPORT_MAX_AGE) return r.pullReportMaxAgeSec;
            if (base == Rules.SCORE_NOTICE_PERIOD) return _scoreNoticePeriodSec;
            if (base == Rules.SAVINGS_SHARE) return _savingsShareBps;
            if (base == Rules.PRICE_SOURCE_TOLERANCE) return _priceSourceToleranceBps;
            if (base == Rules.FROZEN_LIQUIDATION_HEALTH) return _frozenLiquidationHealthBps;
            return _timelockDelaySec;
        }
        if (kind == Kind.Cap) {
            TierCaps storage c = _caps[tier];
            if (base == Rules.TIER_CAP_MAX_LTV) return c.maxLtvBps;
            if (base == Rules.TIER_CAP_LIQUIDATION_THRESHOLD) return c.liquidationThresholdBps;
            if (base == Rules.TIER_CAP_APR) return c.aprBps;
            return c.creditLimitWad;
        }
        TierTerms storage t = _terms[tier];
        if (base == Rules.TIER_MAX_PD) return t.maxPdBps;
        if (base == Rules.TIER_MAX_LTV) return t.maxLtvBps;
        if (base == Rules.TIER_LIQUIDATION_THRESHOLD) return t.liquidationThresholdBps;
        if (base == Rules.TIER_APR) return t.aprBps;
        return t.creditLimitWad;
    }

    /// @dev Only called after `_validate`, which bounds `v` to the field's type, so the casts are exact.
    function _write(Kind kind, bytes32 base, uint8 tier, uint256 v) private {
        if (kind == Kind.Psm) {
            PsmRules storage p = _psm;
            if (base == Rules.PSM_FEE_IN) p.feeInBps = uint16(v);
            else if (base == Rules.PSM_FEE_OUT) p.feeOutBps = uint16(v);
            else if (base == Rules.PSM_FEE_CAP) p.feeCapBps = uint16(v);
            else if (base == Rules.PSM_PRICE_BAND) p.priceBandBps = uint16(v);
            else if (base == Rules.FLASH_FEE) p.flashFeeBps = uint16(v);
            else p.exposureLimitWad = uint128(v);
        } else if (kind == Kind.Global) {
            StoredRules storage r = _rules;
            if (base == Rules.DEBT_CEILING) r.debtCeilingWad = uint96(v);
            else if (base == Rules.BORROWER_CAP) r.borrowerCapWad = uint96(v);
            else if (base == Rules.CONCENTRATION_CAP) r.concentrationCapBps = uint16(v);
            else if (base == Rules.CONCENTRATION_FLOOR) r.concentrationFloorWad = uint96(v);
            else if (base == Rules.DAILY_ORIGINATION_LIMIT) r.dailyOriginationLimitWad = uint96(v);
            else if (base == Rules.MAX_SCORE_AGE) r.maxScoreAgeSec = uint32(v);
            else if (base == Rules.ATTESTATION_REQUIRED) r.attestationRequired = v == 1;
            else if (base == Rules.MAX_PRICE_DEVIATION) r.maxPriceDeviationBps = uint16(v);
            else if (base == Rules.LIQUIDATION_GRACE_PERIOD) r.liquidationGracePeriodSec = uint32(v);
            else if (base == Rules.PULL_REPORT_MAX_AGE) r.pullReportMaxAgeSec = uint16(v);
            else if (base == Rules.SCORE_NOTICE_PERIOD) _scoreNoticePeriodSec = uint32(v);
            else if (base == Rules.SAVINGS_SHARE) _savingsShareBps = uint16(v);
            else if (base == Rules.PRICE_SOURCE_TOLERANCE) _priceSourceToleranceBps = uint16(v);
            else if (base == Rules.FROZEN_LIQUIDATION_HEALTH) _frozenLiquidationHealthBps = uint16(v);
            else _timelockDelaySec = uint32(v);
        } else if (kind == Kind.Cap) {
            TierCaps storage c = _caps[tier];
            if (base == Rules.TIER_CAP_MAX_LTV) c.maxLtvBps = uint16(v);
            else if (base == Rules.TIER_CAP_LIQUIDATION_THRESHOLD) c.liquidationThresholdBps = uint16(v);
            else if (base == Rules.TIER_CAP_APR) c.aprBps = uint16(v);
            else c.creditLimitWad = uint128(v);
        } else {
            TierTerms storage t = _terms[tier];
            if (base == Rules.TIER_MAX_PD) t.maxPdBps = uint16(v);
            else if (base == Rules.TIER_MAX_LTV) t.maxLtvBps = uint16(v);
            else if (base == Rules.TIER_LIQUIDATION_THRESHOLD) t.liquidationThresholdBps = uint16(v);
            else if (base == Rules.TIER_APR) t.aprBps = uint16(v);
            else t.creditLimitWad = uint128(v);
        }
    }

    /// @dev Validates one changed value against the rules in force. Only the relations that involve the changed
    /// field are checked: a cap lowered below a term is allowed (the effective term is the lower of the two).
    function _validate(Kind kind, bytes32 base, uint8 tier, bytes32 rule, uint256 v) private view {
        if (kind == Kind.Global) return _checkGlobal(base, v);
        if (kind == Kind.Psm) return _checkPsm(rule, v);
        if (kind == Kind.Cap) {
            TierCaps memory c = _caps[tier];
            if (base == Rules.TIER_CAP_MAX_LTV) {
                if (v >= c.liquidationThresholdBps)
                    revert SupervisionRuleViolated(rule, _below(c.liquidationThresholdBps), v);
            } else if (base == Rules.TIER_CAP_LIQUIDATION_THRESHOLD) {
                if (v > WadRayMath.BPS) revert SupervisionRuleViolated(rule, WadRayMath.BPS, v);
                if (v <= c.maxLtvBps) revert SupervisionRuleViolated(rule, uint256(c.maxLtvBps) + 1, v);
            } else if (base == Rules.TIER_CAP_APR) {
                if (v > type(uint16).max) revert SupervisionInvalidValue(rule, v);
            } else if (v > type(uint128).max) {
                revert SupervisionInvalidValue(rule, v);
            }
            return;
        }
        TierTerms memory t = _terms[tier];
        TierCaps memory caps = _caps[tier];
        if (base == Rules.TIER_MAX_PD) {
            if (v > WadRayMath.BPS) revert SupervisionInvalidValue(rule, v);
            if (tier > 0 && v <= _terms[tier - 1].maxPdBps) {
                revert SupervisionRuleViolated(rule, uint256(_terms[tier - 1].maxPdBps) + 1, v);
            }
            if (tier + 1 < _TIER_COUNT && v >= _terms[tier + 1].maxPdBps) {
                revert SupervisionRuleViolated(rule, uint256(_terms[tier + 1].maxPdBps) - 1, v);
            }
        } else if (base == Rules.TIER_MAX_LTV) {
            _checkWithinCap(Rules.TIER_CAP_MAX_LTV, tier, caps.maxLtvBps, v);
            if (v >= t.liquidationThresholdBps)
                revert SupervisionRuleViolated(rule, _below(t.liquidationThresholdBps), v);
        } else if (base == Rules.TIER_LIQUIDATION_THRESHOLD) {
            if (v > WadRayMath.BPS) revert SupervisionRuleViolated(rule, WadRayMath.BPS, v);
            _checkWithinCap(Rules.TIER_CAP_LIQUIDATION_THRESHOLD, tier, caps.liquidationThresholdBps, v);
            if (v <= t.maxLtvBps) revert SupervisionRuleViolated(rule, uint256(t.maxLtvBps) + 1, v);
        } else if (base == Rules.TIER_APR) {
            _checkWithinCap(Rules.TIER_CAP_APR, tier, caps.aprBps, v);
        } else {
            _checkWithinCap(Rules.TIER_CAP_CREDIT_LIMIT, tier, caps.creditLimitWad, v);
        }
    }

    /// @dev The largest value strictly below `bound` (0 when there is none).
    function _below(uint16 bound) private pure returns (uint256) {
        return bound == 0 ? 0 : uint256(bound) - 1;
    }

    function _checkWithinCap(bytes32 capRule, uint8 tier, uint256 cap, uint256 v) private pure {
        if (v > cap) revert SupervisionRuleViolated(Rules.tierRule(capRule, tier), cap, v);
    }

    function _checkGlobal(bytes32 rule, uint256 v) private pure {
        if (rule == Rules.SAVINGS_SHARE) {
            if (v > RuleBounds.MAX_SAVINGS_SHARE_BPS) {
                revert SupervisionRuleViolated(rule, RuleBounds.MAX_SAVINGS_SHARE_BPS, v);
            }
            return;
        }
        // One revert site for every bound below: each `revert` with arguments costs its own encoding in the
        // bytecode, which EIP-170 caps.
        bool invalid;
        if (rule == Rules.CONCENTRATION_CAP) {
            invalid = v > WadRayMath.BPS;
        } else if (rule == Rules.MAX_PRICE_DEVIATION) {
            invalid = v == 0 || v > WadRayMath.BPS;
        } else if (rule == Rules.TIMELOCK_DELAY) {
            invalid = v < RuleBounds.MIN_TIMELOCK_DELAY || v > RuleBounds.MAX_TIMELOCK_DELAY;
        } else if (rule == Rules.PULL_REPORT_MAX_AGE) {
            invalid = v < RuleBounds.MIN_PULL_REPORT_AGE || v > RuleBounds.MAX_PULL_REPORT_AGE;
        } else if (rule == Rules.SCORE_NOTICE_PERIOD) {
            invalid = v > RuleBounds.MAX_SCORE_NOTICE_PERIOD;
        } else if (rule == Rules.PRICE_SOURCE_TOLERANCE) {
            invalid = v == 0 || v > RuleBounds.MAX_PRICE_SOURCE_TOLERANCE;
        } else if (rule == Rules.FROZEN_LIQUIDATION_HEALTH) {
            invalid = v < RuleBounds.MIN_FROZEN_LIQUIDATION_HEALTH || v > WadRayMath.BPS;
        } else if (rule == Rules.ATTESTATION_REQUIRED) {
            invalid = v > 1;
        } else if (rule == Rules.MAX_SCORE_AGE || rule == Rules.LIQUIDATION_GRACE_PERIOD) {
            invalid = v > type(uint32).max;
        } else {
            // The wad limits (DEBT_CEILING, BORROWER_CAP, CONCENTRATION_FLOOR, DAILY_ORIGINATION_LIMIT) are stored
            // in 96 bits (`StoredRules`): up to 79.2 billion vUSD.
            invalid = v > type(uint96).max;
        }
        if (invalid) revert SupervisionInvalidValue(rule, v);
    }

    /// @dev PSM rules: fees within the regulator's fee cap (a cap lowered below a fee is allowed: the PSM charges the
    /// lower of the two), the cap itself at most 10000, the band in [1, MAX_PSM_PRICE_BAND], the exposure limit in 128 bits,
    /// the flash fee at most MAX_FLASH_FEE_BPS.
    function _checkPsm(bytes32 rule, uint256 v) private view {
        if (rule == Rules.PSM_FEE_IN || rule == Rules.PSM_FEE_OUT) {
            uint256 cap = _psm.feeCapBps;
            if (v > cap) revert SupervisionRuleViolated(Rules.PSM_FEE_CAP, cap, v);
        } else if (rule == Rules.PSM_FEE_CAP) {
            if (v > WadRayMath.BPS) revert SupervisionInvalidValue(rule, v);
        } else if (rule == Rules.PSM_PRICE_BAND) {
            if (v == 0 || v > RuleBounds.MAX_PSM_PRICE_BAND) revert SupervisionInvalidValue(rule, v);
        } else if (rule == Rules.FLASH_FEE) {
            if (v > RuleBounds.MAX_FLASH_FEE_BPS)
                revert SupervisionRuleViolated(Rules.FLASH_FEE, RuleBounds.MAX_FLASH_FEE_BPS, v);
        } else if (v > type(uint128).max) {
            revert SupervisionInvalidValue(rule, v);
        }
    }

    /// @dev Constructor: validates a global rule as a scheduled change would be, then stores it.
    function _setGlobal(bytes32 rule, uint256 v) private {
        _checkGlobal(rule, v);
        _write(Kind.Global, rule, 0, v);
    }

    /// @dev Constructor check of a tier's caps: LTV < liquidation threshold <= 10000.
    function _checkCaps(uint8 tier, TierCaps memory caps) private pure {
        bytes32 ltRule = Rules.tierRule(Rules.TIER_CAP_LIQUIDATION_THRESHOLD, tier);
        if (caps.liquidationThresholdBps > WadRayMath.BPS) {
            revert SupervisionRuleViolated(ltRule, WadRayMath.BPS, caps.liquidationThresholdBps);
        }
        if (caps.maxLtvBps >= caps.liquidationThresholdBps) {
            revert SupervisionRuleViolated(
                Rules.tierRule(Rules.TIER_CAP_MAX_LTV, tier),
                _below(caps.liquidationThresholdBps),
                caps.maxLtvBps
            );
        }
    }

    /// @dev Constructor check of a tier's terms: within the caps, LTV < liquidation threshold.
    function _checkTermsWithin(uint8 tier, TierTerms memory terms, TierCaps memory caps) private pure {
        _checkWithinCap(Rules.TIER_CAP_MAX_LTV, tier, caps.maxLtvBps, terms.maxLtvBps);
        _checkWithinCap(
            Rules.TIER_CAP_LIQUIDATION_THRESHOLD,
            tier,
            caps.liquidationThresholdBps,
            terms.liquidationThresholdBps
        );
        _checkWithinCap(Rules.TIER_CAP_APR, tier, caps.aprBps, terms.aprBps);
        _checkWithinCap(Rules.TIER_CAP_CREDIT_LIMIT, tier, caps.creditLimitWad, terms.creditLimitWad);
        if (terms.maxLtvBps >= terms.liquidationThresholdBps) {
            revert SupervisionRuleViolated(
                Rules.tierRule(Rules.TIER_MAX_LTV, tier),
                _below(terms.liquidationThresholdBps),
                terms.maxLtvBps
            );
        }
    }
}
