// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";
import {IScoreVerifier} from "../interfaces/IScoreVerifier.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";
import {Roles} from "../libraries/Roles.sol";
import {ScorePacking} from "../libraries/ScorePacking.sol";
import {ScoreReportHashing} from "../libraries/ScoreReportHashing.sol";
import {ScoreReport, ModelStatus, PackedScore, ProviderStatus} from "../types/ScoreTypes.sol";

/// @title CreditScoreOracle: borrowers' latest credit scores, co-signed by a quorum of operators
/// @notice See `ICreditScoreOracle`. Roles: `Roles.GOVERNANCE` sets the operator set, verifier and policy;
/// `Roles.REGULATOR` keeps the model registry and the data-provider registry and publishes fairness reports. Each
/// role is its own admin and `DEFAULT_ADMIN_ROLE` is never granted.
/// The data-provider registry lives here, beside the model registry, rather than in a contract of its own: every
/// submission checks the report's provider, and here that is one SLOAD, where a separate registry would add a
/// cold external call (2,600 gas) to every score; the credit files' EIP-712 domain already names this contract.
/// @dev Gas layout of `submitScore`: one slot of configuration (`_config`), one slot per signer (`_operators`),
/// one slot for the model (`_models`), one for the provider's status (`_providers`), one slot for the score
/// (`_scores`, a `PackedScore`); each read with a single SLOAD. The report is hashed, packed and logged from its
/// calldata words. Signatures are read from calldata, recovered with the ecrecover precompile under OpenZeppelin
/// `ECDSA.tryRecover`'s rules (rejects high-s), and distinctness is checked with a bitmask over operator indices
/// (as Chainlink OCR does). Its gas for k = 1, 3 and 5 is in `snapshots/gas.json`. A policy
/// adds no call: the approval threshold that decides `AdverseAction` is a copy in `_config`.
/// Approval threshold copy: the policy's `approvalThresholdBps` would cost a cold account and a cold SLOAD per
/// score. The copy cannot drift: `setPolicy` accepts only a policy linked to this oracle and reads its value in
/// the same call; the policy pushes every change of it (the last tier's TIER_MAX_PD) in the transaction that makes
/// the change; and only the current policy may write it (`OracleCallerNotPolicy`).
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
    /// @dev secp256k1's order n divided by 2: a signature with s above it is the malleable twin (EIP-2).
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @dev The configuration read on every submission, in one slot (64 + 8 + 8 + 160 + 16 = 256 bits).
    /// `approvalThresholdBps` is the copy of `policy`'s (0 when `policy` is zero), written only by `setPolicy` and
    /// by the policy itself (`syncApprovalThreshold`).
    struct Config {
        uint64 operatorSetVersion;
        uint8 threshold;
        bool hasVerifier;
        address policy;
        uint16 approvalThresholdBps;
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

    /// @dev A provider's registry entry; `status` alone fills the first slot, the one `submitScore` reads.
    struct ProviderRecord {
        ProviderStatus status;
        bytes32 schemaHash;
        bytes32 dataQualityHash;
        string name;
        address[] signingKeys;
    }

    mapping(address provider => ProviderRecord) private _providers;

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
    function submitScoreWithProof(
        ScoreReport calldata report,
        bytes calldata signatures,
        bytes calldata proof
    ) external {
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
    function scoreOf(
        address borrower
    )
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

    /// @inheritdoc ICreditScoreOracle
    function loanScoreOf(
        address borrower
    ) external view returns (uint16 pdBps, bytes32 modelId, uint64 issuedAt, uint64 postedAt, bool valid) {
        PackedScore score = _scores[borrower];
        uint32 modelIndex = score.modelIndex();
        if (modelIndex == 0) return (pdBps, modelId, issuedAt, postedAt, false);
        modelId = _modelIds[modelIndex];
        valid = _models[modelId].status == ModelStatus.Approved && score.validUntil() >= block.timestamp;
        return (score.pdBps(), modelId, score.issuedAt(), score.postedAt(), valid);
    }

    /// @inheritdoc ICreditScoreOracle
    function positionScoreOf(
        address borrower
    ) external view returns (uint16 pdBps, uint64 issuedAt, uint64 validUntil, uint64 postedAt, bool modelApproved) {
        PackedScore score = _scores[borrower];
        uint32 modelIndex = score.modelIndex();
        if (modelIndex == 0) return (pdBps, issuedAt, validUntil, postedAt, false);
        modelApproved = _models[_modelIds[modelIndex]].status == ModelStatus.Approved;
        return (score.pdBps(), score.issuedAt(), score.validUntil(), score.postedAt(), modelApproved);
    }

    /// @dev Checks `report`, then its signatures; stores it and emits the compliance events.
    function _submit(ScoreReport calldata report, bytes calldata signatures, Config memory config) private {
        uint32 modelIndex = _checkReport(report, config);
        _verifySignatures(_hashTypedDataV4(ScoreReportHashing.hashCalldata(report)), signatures, config);
        _store(report, modelIndex, config);
    }

    /// @dev Reverts unless `report` is well formed, under the current operator set, fresh, newer than the stored
    /// score, from an approved model and from an approved data provider; returns the model's index. The fields read here are validated by Solidity
    /// (dirty calldata reverts). The reason codes are used as raw calldata words (hashed, packed with masks,
    /// logged): a dirty word changes the EIP-712 digest, which then carries no quorum of signatures, since
    /// operators only sign canonical encodings.
    function _checkReport(ScoreReport calldata report, Config memory config) private view returns (uint32) {
        address borrower = report.borrower;
        uint64 issuedAt = report.issuedAt;
        uint64 validUntil = report.validUntil;
        if (borrower == address(0)) revert OracleReportInvalid("borrower");
        if (report.pdBps > MAX_PD_BPS) revert OracleReportInvalid("pdBps");
        // validUntil is stored in 40 bits (year 36812): a larger value is a malformed report, not a long validity.
        if (validUntil <= issuedAt || validUntil > type(uint40).max) revert OracleReportInvalid("validUntil");
        if (config.operatorSetVersion == 0) revert OracleNoOperatorSet();
        if (report.operatorSetVersion != config.operatorSetVersion) {
            revert OracleOperatorSetRetired(report.operatorSetVersion, config.operatorSetVersion);
        }
        if (validUntil < block.timestamp) revert OracleReportExpired(validUntil, uint64(block.timestamp));
        uint64 latestAllowed = uint64(block.timestamp) + MAX_ISSUED_AT_SKEW;
        if (issuedAt > latestAllowed) revert OracleReportFromFuture(issuedAt, latestAllowed);

        bytes32 modelId = report.modelId;
        // `_models[modelId]` read as one word (`status` in the low 8 bits, `index` in the next 32): Solidity would
        // load the slot once per field.
        ModelRecord storage model = _models[modelId];
        uint256 modelWord;
        assembly ("memory-safe") {
            modelWord := sload(model.slot)
        }
        ModelStatus status = ModelStatus(uint8(modelWord));
        if (status != ModelStatus.Approved) revert OracleModelNotApproved(modelId, status);

        // A report names the file it was computed from: a zero hash is a report that traces to no data.
        if (report.creditFileHash == bytes32(0)) revert OracleReportInvalid("creditFileHash");
        address provider = report.provider;
        ProviderStatus providerStatus = _providers[provider].status;
        if (providerStatus != ProviderStatus.Approved) revert OracleProviderNotApproved(provider, providerStatus);

        uint40 storedIssuedAt = _scores[borrower].issuedAt();
        if (issuedAt <= storedIssuedAt) revert OracleReportNotNewer(issuedAt, storedIssuedAt);
        return uint32(modelWord >> 8);
    }

    /// @dev Stores a verified report and emits `ScorePosted`, then `AdverseAction` if a policy is set and the PD is
    /// above its approval threshold (the copy in `config`: no call).
    function _store(ScoreReport calldata report, uint32 modelIndex, Config memory config) private {
        address borrower = report.borrower;
        // block.timestamp fits 40 bits until the year 36812.
        _scores[borrower] = ScorePacking.packCalldata(report, modelIndex).withPostedAt(uint40(block.timestamp));

        // emit ScorePosted(borrower, modelId, provider, pdBps, reasonCodes, issuedAt, validUntil,
        // operatorSetVersion, creditFileHash), copying the data words straight from calldata instead of ABI-encoding
        // them field by field. The words are clean values of their types: the quorum signed the EIP-712 hash of
        // exactly these raw words, signers only sign canonical encodings, and `_checkReport` read `provider` through
        // Solidity (which reverts on dirty high-order bits). Tested against the decoded event in the TypeScript tests.
        bytes32 topic = ScorePosted.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, add(report, 0x20), 0xa0) // pdBps, reasonCodes[0..3]
            calldatacopy(add(m, 0xa0), add(report, 0x100), 0x40) // issuedAt, validUntil
            mstore(add(m, 0xe0), calldataload(add(report, 0xe0))) // operatorSetVersion
            mstore(add(m, 0x100), calldataload(add(report, 0x140))) // creditFileHash
            // topics: borrower, modelId, provider
            log4(m, 0x120, topic, borrower, calldataload(add(report, 0xc0)), calldataload(add(report, 0x160)))
        }

        uint16 pdBps = report.pdBps;
        if (config.policy != address(0) && pdBps > config.approvalThresholdBps) {
            emit AdverseAction(borrower, report.modelId, pdBps, report.reasonCodes);
        }
    }

    /// @dev Reverts unless `signatures` holds at least `threshold` signatures over `digest`, each valid (low-s and
    /// recoverable, as `ECDSA.tryRecover` requires) and from a distinct operator of the current set.
    function _verifySignatures(bytes32 digest, bytes calldata signatures, Config memory config) private view {
        uint256 length = signatures.length;
        if (length == 0 || length % SIGNATURE_LENGTH != 0) revert OracleSignaturesMalformed(length);
        uint256 count = length / SIGNATURE_LENGTH;
        if (count < config.threshold) revert OracleBelowThreshold(count, config.threshold);

        uint256 version = config.operatorSetVersion;
        uint256 signedMask;
        uint256 start;
        assembly ("memory-safe") {
            start := signatures.offset
        }
        // `offset` walks the calldata of `signatures` in 65-byte steps up to `start + length`, which the ABI decoder
        // checked lies within calldata, so no addition can overflow; `(offset - start) / 65` is the signature index.
        unchecked {
            for (uint256 offset = start; offset < start + length; offset += SIGNATURE_LENGTH) {
                // ecrecover called directly rather than through `ECDSA.tryRecover`: the same two rules (s in the
                // lower half order, EIP-2; a zero result is invalid) without its return tuple and memory copies:
                // the saving per signature is in snapshots/gas.json.
                address signer;
                bool lowS;
                assembly ("memory-safe") {
                    // Scratch past the free memory pointer: ecrecover's input (digest, v, r, s).
                    let m := mload(0x40)
                    let s := calldataload(add(offset, 0x20))
                    lowS := iszero(gt(s, HALF_CURVE_ORDER))
                    mstore(m, digest)
                    mstore(add(m, 0x20), byte(0, calldataload(add(offset, 0x40))))
                    mstore(add(m, 0x40), calldataload(offset))
                    mstore(add(m, 0x60), s)
                    // The precompile returns no data for a signature it cannot recover: clear the output word.
                    mstore(0x00, 0)
                    pop(staticcall(gas(), 0x01, m, 0x80, 0x00, 0x20))
                    signer := mload(0x00)
                }
                if (!lowS || signer == address(0)) revert OracleInvalidSignature((offset - start) / SIGNATURE_LENGTH);

                // `_operators[signer]` read as one word: Solidity would load the slot once per field.
                uint256 operatorWord;
                assembly ("memory-safe") {
                    mstore(0x00, signer)
                    mstore(0x20, _operators.slot)
                    operatorWord := sload(keccak256(0x00, 0x40))
                }
                // `OperatorSlot` packs `version` in the low 64 bits and `index` in the next 8. Members of older sets
                // keep their old version; an address never in a set has version 0, and the current version is at
                // least 1 here (`_checkReport` rejects reports while there is no set).
                if (uint64(operatorWord) != version) revert OracleUnknownSigner(signer);
                uint256 bit = 1 << uint8(operatorWord >> 64);
                if (signedMask & bit != 0) revert OracleDuplicateSigner(signer);
                signedMask |= bit;
            }
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

    // ---------------------------------------------------------------- data-provider registry

    /// @inheritdoc ICreditScoreOracle
    function approveProvider(
        address provider,
        string calldata name,
        address[] calldata signingKeys,
        bytes32 schemaHash,
        bytes32 dataQualityHash
    ) external onlyRole(Roles.REGULATOR) {
        if (provider == address(0)) revert OracleInvalidArgument("provider");
        if (bytes(name).length == 0) revert OracleInvalidArgument("name");
        uint256 keyCount = signingKeys.length;
        if (keyCount == 0) revert OracleInvalidArgument("signingKeys");
        for (uint256 i; i < keyCount; ++i) {
            if (signingKeys[i] == address(0)) revert OracleInvalidArgument("signingKeys");
        }
        if (schemaHash == bytes32(0)) revert OracleInvalidArgument("schemaHash");
        ProviderRecord storage record = _providers[provider];
        ProviderStatus status = record.status;
        if (status == ProviderStatus.Retired) {
            revert OracleProviderStatusTransition(provider, status, ProviderStatus.Approved);
        }
        record.status = ProviderStatus.Approved;
        record.schemaHash = schemaHash;
        record.dataQualityHash = dataQualityHash;
        record.name = name;
        record.signingKeys = signingKeys;
        emit DataProviderApproved(provider, name, signingKeys, schemaHash, dataQualityHash);
    }

    /// @inheritdoc ICreditScoreOracle
    function retireProvider(address provider) external onlyRole(Roles.REGULATOR) {
        ProviderRecord storage record = _providers[provider];
        ProviderStatus status = record.status;
        if (status != ProviderStatus.Approved) {
            revert OracleProviderStatusTransition(provider, status, ProviderStatus.Retired);
        }
        record.status = ProviderStatus.Retired;
        emit DataProviderRetired(provider);
    }

    /// @inheritdoc ICreditScoreOracle
    function providerInfo(
        address provider
    )
        external
        view
        returns (
            ProviderStatus status,
            string memory name,
            address[] memory signingKeys,
            bytes32 schemaHash,
            bytes32 dataQualityHash
        )
    {
        ProviderRecord storage record = _providers[provider];
        return (record.status, record.name, record.signingKeys, record.schemaHash, record.dataQualityHash);
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

    /// @inheritdoc ICreditScoreOracle
    function publishMonitoringReport(
        bytes32 modelId,
        uint64 windowStart,
        uint64 windowEnd,
        uint32 applications,
        uint16 maxPsiBps,
        bytes32 summaryHash
    ) external {
        uint64 version = _config.operatorSetVersion;
        if (version == 0 || _operators[msg.sender].version != version) revert OracleCallerNotOperator(msg.sender);
        if (_models[modelId].status == ModelStatus.None) revert OracleInvalidArgument("modelId");
        if (windowStart > windowEnd) revert OracleInvalidArgument("window");
        if (applications == 0) revert OracleInvalidArgument("applications");
        emit MonitoringReportPublished(
            modelId,
            msg.sender,
            windowStart,
            windowEnd,
            applications,
            maxPsiBps,
            summaryHash
        );
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
    /// @dev Both directions of the link are checked: the policy names this oracle (so its pushes come here), and
    /// the oracle takes pushes only from the policy it points at, so no mismatched pair can hold a stale copy. The
    /// two calls to the new policy are views (STATICCALL): it cannot re-enter.
    function setPolicy(address newPolicy) external onlyRole(Roles.GOVERNANCE) {
        uint16 newThreshold;
        if (newPolicy != address(0)) {
            address linkedOracle = ISupervisionPolicy(newPolicy).scoreOracle();
            if (linkedOracle != address(this)) revert OraclePolicyNotLinked(newPolicy, linkedOracle);
            newThreshold = ISupervisionPolicy(newPolicy).approvalThresholdBps();
        }
        Config memory config = _config;
        _config.policy = newPolicy;
        _config.approvalThresholdBps = newThreshold;
        emit PolicySet(config.policy, newPolicy);
        emit ApprovalThresholdSynced(newPolicy, config.approvalThresholdBps, newThreshold);
    }

    /// @inheritdoc ICreditScoreOracle
    function syncApprovalThreshold(uint16 thresholdBps) external {
        Config memory config = _config;
        if (msg.sender != config.policy) revert OracleCallerNotPolicy(msg.sender, config.policy);
        _config.approvalThresholdBps = thresholdBps;
        emit ApprovalThresholdSynced(msg.sender, config.approvalThresholdBps, thresholdBps);
    }

    /// @inheritdoc ICreditScoreOracle
    function approvalThresholdBps() external view returns (uint16) {
        return _config.approvalThresholdBps;
    }

    /// @notice The score verifier (zero address: none).
    function scoreVerifier() external view returns (IScoreVerifier) {
        return _verifier;
    }

    /// @inheritdoc ICreditScoreOracle
    function policy() external view returns (address) {
        return _config.policy;
    }
}
