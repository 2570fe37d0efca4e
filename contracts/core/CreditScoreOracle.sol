// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";
import {IScoreVerifier} from "../interfaces/IScoreVerifier.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {Roles} from "../libraries/Roles.sol";
import {ScorePacking} from "../libraries/ScorePacking.sol";
import {ScoreReportHashing} from "../libraries/ScoreReportHashing.sol";
import {ScoreReport, ModelStatus, PackedScore} from "../types/ScoreTypes.sol";

/// @title CreditScoreOracle: borrowers' latest credit scores, co-signed by a quorum of operators
/// @notice See `ICreditScoreOracle`. Roles: `Roles.GOVERNANCE` sets the operator set, verifier and policy;
/// `Roles.REGULATOR` keeps the model registry and publishes fairness reports. Each role is its own admin and
/// `DEFAULT_ADMIN_ROLE` is never granted.
/// @dev Gas layout of `submitScore`: one slot of configuration (`_config`), one slot per signer (`_operators`),
/// one slot for the model (`_models`), one slot for the score (`_scores`, a `PackedScore`). Signatures are read
/// from calldata and distinctness is checked with a bitmask over operator indices (as Chainlink OCR does).
/// Every signature passed must be a valid signature of a distinct current operator: there is no reason to pay for
/// a bad one, and a strict rule gives the submitter an exact error.
contract CreditScoreOracle is ICreditScoreOracle, AccessControl, EIP712 {
    using ScorePacking for PackedScore;

    /// @inheritdoc ICreditScoreOracle
    uint64 public constant MAX_ISSUED_AT_SKEW = 5 minutes;
    /// @notice Most operators in a set: indices are bits of a `uint256` mask and fit a `uint8`.
    uint256 public constant MAX_OPERATORS = 255;
    /// @notice Largest PD, 100% in basis points.
    uint16 public constant MAX_PD_BPS = 10_000;

    uint256 private constant SIGNATURE_LENGTH = 65;

    /// @dev The configuration read on every submission, in one slot.
    struct Config {
        uint64 operatorSetVersion;
        uint8 threshold;
        bool hasVerifier;
        address policy;
    }

    /// @dev An operator's membership: it belongs to the current set iff `version` is the current version.
    struct OperatorSlot {
        uint64 version;
        uint8 index;
    }

    /// @dev A model's registry entry; `index` is its 1-based position, stored in scores instead of the id.
    struct ModelRecord {
        ModelStatus status;
        uint32 index;
    }

    Config private _config;
    IScoreVerifier private _verifier;
    address[] private _operatorList;
    mapping(address operator => OperatorSlot) private _operators;

    uint32 private _modelCount;
    mapping(bytes32 modelId => ModelRecord) private _models;
    mapping(bytes32 modelId => bytes32) private _validationReportHashes;
    mapping(uint32 index => bytes32 modelId) private _modelIds;

    mapping(address borrower => PackedScore) private _scores;
    uint256 private _lastRequestId;

    /// @param governance holder of `Roles.GOVERNANCE` (operators, verifier, policy).
    /// @param regulator holder of `Roles.REGULATOR` (model registry, fairness reports).
    /// @dev The operator set starts empty (version 0, threshold 0): nothing is accepted until governance sets one.
    constructor(address governance, address regulator) EIP712("Verity CreditScoreOracle", "1") {
        if (governance == address(0)) revert OracleInvalidArgument("governance");
        if (regulator == address(0)) revert OracleInvalidArgument("regulator");
        _setRoleAdmin(Roles.GOVERNANCE, Roles.GOVERNANCE);
        _setRoleAdmin(Roles.REGULATOR, Roles.REGULATOR);
        _grantRole(Roles.GOVERNANCE, governance);
        _grantRole(Roles.REGULATOR, regulator);
    }

    // ---------------------------------------------------------------- scores

    /// @inheritdoc ICreditScoreOracle
    function requestScore(bytes32 applicationHash) external returns (uint256 requestId) {
        requestId = ++_lastRequestId;
        emit ScoreRequested(msg.sender, requestId, applicationHash);
    }

    /// @inheritdoc ICreditScoreOracle
    /// @dev When a verifier is configured, a report without a proof is rejected (`OracleVerifierRejected`).
    function submitScore(ScoreReport calldata report, bytes calldata signatures) external {
        Config memory config = _config;
        if (config.hasVerifier) revert OracleVerifierRejected(address(_verifier));
        _submit(report, signatures, config);
    }

    /// @inheritdoc ICreditScoreOracle
    function submitScoreWithProof(ScoreReport calldata report, bytes calldata signatures, bytes calldata proof)
        external
    {
        Config memory config = _config;
        if (config.hasVerifier) {
            // A view call (STATICCALL): the verifier cannot re-enter and change state.
            IScoreVerifier verifier = _verifier;
            if (!verifier.verifyScore(report, proof)) revert OracleVerifierRejected(address(verifier));
        }
        _submit(report, signatures, config);
    }

    /// @inheritdoc ICreditScoreOracle
    function hashReport(ScoreReport calldata report) external view returns (bytes32) {
        return _hashTypedDataV4(ScoreReportHashing.hashCalldata(report));
    }

    /// @inheritdoc ICreditScoreOracle
    function scoreOf(address borrower)
        external
        view
        returns (
            uint16 pdBps,
            uint16[4] memory reasonCodes,
            bytes32 modelId,
            uint64 issuedAt,
            uint64 validUntil,
            bool valid
        )
    {
        PackedScore score = _scores[borrower];
        uint32 modelIndex = score.modelIndex();
        if (modelIndex == 0) return (pdBps, reasonCodes, modelId, issuedAt, validUntil, false);
        modelId = _modelIds[modelIndex];
        validUntil = score.validUntil();
        valid = _models[modelId].status == ModelStatus.Approved && validUntil >= block.timestamp;
        return (score.pdBps(), score.reasonCodes(), modelId, score.issuedAt(), validUntil, valid);
    }

    /// @dev Checks `report`, then its signatures; stores it and emits the compliance events.
    function _submit(ScoreReport calldata report, bytes calldata signatures, Config memory config) private {
        uint32 modelIndex = _checkReport(report, config);
        _verifySignatures(_hashTypedDataV4(ScoreReportHashing.hashCalldata(report)), signatures, config);
        _store(report, modelIndex, config.policy);
    }

    /// @dev Reverts unless `report` is well formed, under the current operator set, fresh, newer than the stored
    /// score and from an approved model; returns the model's index. Together with `_store` it reads every field of
    /// `report` from Solidity, which reverts on dirty calldata, so the raw words that
    /// `ScoreReportHashing.hashCalldata` hashes are those of a valid encoding whenever the transaction succeeds.
    function _checkReport(ScoreReport calldata report, Config memory config) private view returns (uint32) {
        address borrower = report.borrower;
        uint64 issuedAt = report.issuedAt;
        uint64 validUntil = report.validUntil;
        if (borrower == address(0)) revert OracleReportInvalid("borrower");
        if (report.pdBps > MAX_PD_BPS) revert OracleReportInvalid("pdBps");
        // validUntil is stored in 40 bits (year 36812): a larger value is a malformed report, not a long validity.
        if (validUntil <= issuedAt || validUntil > type(uint40).max) revert OracleReportInvalid("validUntil");
        if (report.operatorSetVersion != config.operatorSetVersion) {
            revert OracleOperatorSetRetired(report.operatorSetVersion, config.operatorSetVersion);
        }
        if (validUntil < block.timestamp) revert OracleReportExpired(validUntil, uint64(block.timestamp));
        uint64 latestAllowed = uint64(block.timestamp) + MAX_ISSUED_AT_SKEW;
        if (issuedAt > latestAllowed) revert OracleReportFromFuture(issuedAt, latestAllowed);

        bytes32 modelId = report.modelId;
        ModelRecord memory model = _models[modelId];
        if (model.status != ModelStatus.Approved) revert OracleModelNotApproved(modelId, model.status);

        uint40 storedIssuedAt = _scores[borrower].issuedAt();
        if (issuedAt <= storedIssuedAt) revert OracleReportNotNewer(issuedAt, storedIssuedAt);
        return model.index;
    }

    /// @dev Stores a verified report and emits `ScorePosted`, then `AdverseAction` if the policy says so.
    function _store(ScoreReport calldata report, uint32 modelIndex, address policy_) private {
        address borrower = report.borrower;
        uint16 pdBps = report.pdBps;
        uint16[4] memory reasonCodes = report.reasonCodes;
        // Casts are safe: issuedAt < validUntil <= type(uint40).max (checked in `_checkReport`).
        _scores[borrower] =
            ScorePacking.pack(pdBps, reasonCodes, modelIndex, uint40(report.issuedAt), uint40(report.validUntil));
        emit ScorePosted(
            borrower, report.modelId, pdBps, reasonCodes, report.issuedAt, report.validUntil, report.operatorSetVersion
        );

        // Interaction after the effects; a view call (STATICCALL), so the policy cannot re-enter.
        if (policy_ != address(0) && pdBps > ISupervisionPolicy(policy_).approvalThresholdBps()) {
            emit AdverseAction(borrower, report.modelId, pdBps, reasonCodes);
        }
    }

    /// @dev Reverts unless `signatures` holds at least `threshold` signatures over `digest`, each valid (low-s,
    /// per `ECDSA.tryRecover`) and from a distinct operator of the current set.
    function _verifySignatures(bytes32 digest, bytes calldata signatures, Config memory config) private view {
        uint256 length = signatures.length;
        if (length == 0 || length % SIGNATURE_LENGTH != 0) revert OracleSignaturesMalformed(length);
        uint256 count = length / SIGNATURE_LENGTH;
        if (count < config.threshold) revert OracleBelowThreshold(count, config.threshold);

        uint256 signedMask;
        for (uint256 i; i < count; ++i) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                // i < count = length / 65, so the 65 bytes at `offset` lie within `signatures`.
                let offset := add(signatures.offset, mul(i, SIGNATURE_LENGTH))
                r := calldataload(offset)
                s := calldataload(add(offset, 0x20))
                v := byte(0, calldataload(add(offset, 0x40)))
            }
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
            if (err != ECDSA.RecoverError.NoError) revert OracleInvalidSignature(i);

            OperatorSlot memory operator = _operators[signer];
            // Members of older sets keep their old version; an unknown address has version 0, which is never
            // current once a set exists (the first set is version 1), and with no set the signer list is empty.
            if (operator.version != config.operatorSetVersion || config.operatorSetVersion == 0) {
                revert OracleUnknownSigner(signer);
            }
            uint256 bit = 1 << operator.index;
            if (signedMask & bit != 0) revert OracleDuplicateSigner(signer);
            signedMask |= bit;
        }
    }

    // ---------------------------------------------------------------- model registry

    /// @inheritdoc ICreditScoreOracle
    function proposeModel(bytes32 modelId, bytes32 validationReportHash) external onlyRole(Roles.REGULATOR) {
        if (modelId == bytes32(0)) revert OracleInvalidArgument("modelId");
        ModelStatus status = _models[modelId].status;
        if (status != ModelStatus.None) revert OracleModelStatusTransition(modelId, status, ModelStatus.Proposed);
        // A new model per call; 2^32 - 1 proposals are out of reach of any regulator.
        uint32 index = ++_modelCount;
        _models[modelId] = ModelRecord({status: ModelStatus.Proposed, index: index});
        _validationReportHashes[modelId] = validationReportHash;
        _modelIds[index] = modelId;
        emit ModelProposed(modelId, validationReportHash, index);
    }

    /// @inheritdoc ICreditScoreOracle
    function approveModel(bytes32 modelId) external onlyRole(Roles.REGULATOR) {
        ModelRecord storage model = _models[modelId];
        ModelStatus status = model.status;
        if (status != ModelStatus.Proposed) revert OracleModelStatusTransition(modelId, status, ModelStatus.Approved);
        model.status = ModelStatus.Approved;
        emit ModelApproved(modelId);
    }

    /// @inheritdoc ICreditScoreOracle
    function retireModel(bytes32 modelId) external onlyRole(Roles.REGULATOR) {
        ModelRecord storage model = _models[modelId];
        ModelStatus status = model.status;
        if (status != ModelStatus.Proposed && status != ModelStatus.Approved) {
            revert OracleModelStatusTransition(modelId, status, ModelStatus.Retired);
        }
        model.status = ModelStatus.Retired;
        emit ModelRetired(modelId);
    }

    /// @inheritdoc ICreditScoreOracle
    function modelInfo(bytes32 modelId) external view returns (ModelStatus status, bytes32 validationReportHash) {
        return (_models[modelId].status, _validationReportHashes[modelId]);
    }

    /// @inheritdoc ICreditScoreOracle
    /// @dev Reverts `OracleInvalidArgument` for an unknown model ("modelId"), `periodStart >= periodEnd` ("period")
    /// or `eodBps > 10000` ("eodBps"). `dirBps` is a ratio and may exceed 10000.
    function publishFairnessReport(
        bytes32 modelId,
        uint64 periodStart,
        uint64 periodEnd,
        uint16 eodBps,
        uint16 dirBps,
        bytes32 reportHash
    ) external onlyRole(Roles.REGULATOR) {
        if (_models[modelId].status == ModelStatus.None) revert OracleInvalidArgument("modelId");
        if (periodStart >= periodEnd) revert OracleInvalidArgument("period");
        if (eodBps > MAX_PD_BPS) revert OracleInvalidArgument("eodBps");
        emit FairnessReportPublished(modelId, periodStart, periodEnd, eodBps, dirBps, reportHash);
    }

    // ---------------------------------------------------------------- operator set and hooks

    /// @inheritdoc ICreditScoreOracle
    /// @dev Reverts `OracleOperatorSetInvalid` with "size" (empty or above `MAX_OPERATORS`), "threshold" (0 or
    /// above the set size), "zero" (zero address) or "duplicate".
    function setOperators(address[] calldata operators, uint8 threshold) external onlyRole(Roles.GOVERNANCE) {
        uint256 size = operators.length;
        if (size == 0 || size > MAX_OPERATORS) revert OracleOperatorSetInvalid("size");
        if (threshold == 0 || threshold > size) revert OracleOperatorSetInvalid("threshold");

        // Version 0 is "no set"; a uint64 counter bumped by governance cannot overflow.
        uint64 version = _config.operatorSetVersion + 1;
        delete _operatorList;
        for (uint256 i; i < size; ++i) {
            address operator = operators[i];
            if (operator == address(0)) revert OracleOperatorSetInvalid("zero");
            // Already written in this loop: the address appears twice.
            if (_operators[operator].version == version) revert OracleOperatorSetInvalid("duplicate");
            // i < size <= 255 fits a uint8.
            _operators[operator] = OperatorSlot({version: version, index: uint8(i)});
            _operatorList.push(operator);
        }
        _config.operatorSetVersion = version;
        _config.threshold = threshold;
        emit OperatorSetChanged(version, operators, threshold);
    }

    /// @inheritdoc ICreditScoreOracle
    function operatorSet() external view returns (uint64 version, uint8 threshold, address[] memory operators) {
        Config memory config = _config;
        return (config.operatorSetVersion, config.threshold, _operatorList);
    }

    /// @inheritdoc ICreditScoreOracle
    function setScoreVerifier(IScoreVerifier verifier) external onlyRole(Roles.GOVERNANCE) {
        address oldVerifier = address(_verifier);
        _verifier = verifier;
        _config.hasVerifier = address(verifier) != address(0);
        emit ScoreVerifierSet(oldVerifier, address(verifier));
    }

    /// @inheritdoc ICreditScoreOracle
    function setPolicy(address newPolicy) external onlyRole(Roles.GOVERNANCE) {
        address oldPolicy = _config.policy;
        _config.policy = newPolicy;
        emit PolicySet(oldPolicy, newPolicy);
    }

    /// @notice The score verifier (zero address: none).
    function scoreVerifier() external view returns (IScoreVerifier) {
        return _verifier;
    }

    /// @notice The policy consulted for adverse actions (zero address: none).
    function policy() external view returns (address) {
        return _config.policy;
    }
}
