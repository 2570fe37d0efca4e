// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "./IComplianceEvents.sol";
import {IScoreVerifier} from "./IScoreVerifier.sol";
import {ScoreReport, ModelStatus, ProviderStatus} from "../types/ScoreTypes.sol";

/// @title CreditScoreOracle: borrowers' latest credit scores, co-signed by a quorum of operators
/// @notice Accepts an EIP-712 `ScoreReport` only with signatures of at least `threshold` distinct operators of
/// the current operator set, over one digest (the domain binds chain id and this contract), from an approved
/// model, computed from a credit file of a data provider the regulator approved, newer than the stored score, not
/// expired, and not issued in the future beyond `MAX_ISSUED_AT_SKEW`.
/// Push: `requestScore` emits `ScoreRequested`, a node answers with `submitScore`. Pull: the borrower passes a
/// signed report to the call that needs it (the pool forwards it to `submitScore`).
interface ICreditScoreOracle is IComplianceEvents {
    /// @notice A borrower asked the operators to score the application whose hash is `applicationHash`.
    event ScoreRequested(address indexed borrower, uint256 indexed requestId, bytes32 applicationHash);
    /// @notice Governance set the optional extra verifier (zero address: none).
    event ScoreVerifierSet(address oldVerifier, address newVerifier);
    /// @notice Governance set the policy consulted for the approval threshold (adverse actions).
    event PolicySet(address oldPolicy, address newPolicy);
    /// @notice The oracle's copy of the approval threshold changed: pushed by its policy (`syncApprovalThreshold`)
    /// when the last tier's TIER_MAX_PD changed, read from the new policy by `setPolicy`, or cleared (policy zero)
    /// by `setPolicy(address(0))`. Replaying these events gives the copy at any block.
    event ApprovalThresholdSynced(address indexed policy, uint16 oldThresholdBps, uint16 newThresholdBps);

    error OracleSignaturesMalformed(uint256 signaturesLength);
    error OracleBelowThreshold(uint256 validSignatures, uint256 threshold);
    error OracleUnknownSigner(address signer);
    error OracleDuplicateSigner(address signer);
    error OracleInvalidSignature(uint256 index);
    error OracleModelNotApproved(bytes32 modelId, ModelStatus status);
    error OracleOperatorSetRetired(uint64 reportVersion, uint64 currentVersion);
    error OracleReportExpired(uint64 validUntil, uint64 nowTs);
    error OracleReportFromFuture(uint64 issuedAt, uint64 latestAllowed);
    error OracleReportNotNewer(uint64 issuedAt, uint64 storedIssuedAt);
    error OracleReportInvalid(bytes32 field); // e.g. "pdBps" > 10000, "validUntil" <= issuedAt, zero borrower
    error OracleVerifierRejected(address verifier);
    error OracleModelStatusTransition(bytes32 modelId, ModelStatus from, ModelStatus to);
    error OracleOperatorSetInvalid(bytes32 field); // "threshold", "duplicate", "zero", "size"
    /// @notice The report's data provider is not approved (never approved, or retired) at submission.
    error OracleProviderNotApproved(address provider, ProviderStatus status);
    /// @notice A provider registry change not allowed from the provider's current status (retirement is final).
    error OracleProviderStatusTransition(address provider, ProviderStatus from, ProviderStatus to);
    /// @notice An argument the registry or constructor cannot accept: "governance", "regulator" (zero address),
    /// "modelId" (zero or unknown), "period" (start not before end), "eodBps" (above 10000), "provider" (zero),
    /// "name" (empty), "signingKeys" (none, or a zero address), "schemaHash" (zero).
    error OracleInvalidArgument(bytes32 field);
    /// @notice Governance has not set an operator set yet: no report can be accepted.
    error OracleNoOperatorSet();
    /// @notice `syncApprovalThreshold` from `caller`, which is not the oracle's policy (`policy`, possibly zero).
    error OracleCallerNotPolicy(address caller, address policy);
    /// @notice The caller is not an operator of the current set.
    error OracleCallerNotOperator(address caller);
    /// @notice `setPolicy(policy)` for a policy whose `scoreOracle()` is `linkedOracle`, not this oracle: the
    /// regulator must first link the policy to this oracle (`ISupervisionPolicy.setScoreOracle`).
    error OraclePolicyNotLinked(address policy, address linkedOracle);

    /// @notice Largest allowed gap between `issuedAt` and the block time when `issuedAt` is ahead (clock skew).
    function MAX_ISSUED_AT_SKEW() external view returns (uint64);

    /// @notice Push flow: ask for a score; anyone may call for themselves. Returns the request id.
    function requestScore(bytes32 applicationHash) external returns (uint256 requestId);

    /// @notice Verifies and stores `report`. Anyone may call. `signatures` is the concatenation of 65-byte
    /// (r, s, v) operator signatures over `hashReport(report)`, any order, no duplicates.
    /// @dev Reverts with the `Oracle*` errors above (`OracleProviderNotApproved` when `report.provider` is not an
    /// approved data provider). Emits `ScorePosted`, and `AdverseAction` when the PD is above
    /// the policy's approval threshold.
    function submitScore(ScoreReport calldata report, bytes calldata signatures) external;

    /// @notice As `submitScore`, with a proof for the configured `IScoreVerifier`.
    function submitScoreWithProof(
        ScoreReport calldata report,
        bytes calldata signatures,
        bytes calldata proof
    ) external;

    /// @notice The EIP-712 digest the operators sign for `report`.
    function hashReport(ScoreReport calldata report) external view returns (bytes32);

    /// @notice The borrower's current score. `valid` is false when there is none, it expired, or its model is no
    /// longer approved; the other fields are still returned for inspection.
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
        );

    /// @notice The fields of `scoreOf` a lender prices a loan with, each equal to `scoreOf`'s (same `valid` rule),
    /// and when the score was posted (stored here; 0 without a score): a cheaper read for the pool, which has no
    /// use for the reason codes or `validUntil`. `postedAt` lets the policy tell a report used at once from one
    /// held back (`ISupervisionPolicy.authorizeBorrow`).
    function loanScoreOf(
        address borrower
    ) external view returns (uint16 pdBps, bytes32 modelId, uint64 issuedAt, uint64 postedAt, bool valid);

    /// @notice The fields that place an existing position on its current tier
    /// (`ISupervisionPolicy.tierForPosition`): PD, issue time, end of validity, when it was posted, and whether
    /// the score's model is still approved (all zero / false without a score). Unlike `valid`, expiry and model
    /// status are apart: an expired score gives notice, a retired model does not.
    function positionScoreOf(
        address borrower
    ) external view returns (uint16 pdBps, uint64 issuedAt, uint64 validUntil, uint64 postedAt, bool modelApproved);

    // ---- model registry (regulator) ----

    /// @notice Proposes a model: `modelId` is the sha256 of the ONNX file. Only the regulator.
    function proposeModel(bytes32 modelId, bytes32 validationReportHash) external;
    /// @notice Approves a proposed model. Only the regulator.
    function approveModel(bytes32 modelId) external;
    /// @notice Retires an approved or proposed model. Only the regulator.
    function retireModel(bytes32 modelId) external;
    /// @notice A model's status and validation report hash.
    function modelInfo(bytes32 modelId) external view returns (ModelStatus status, bytes32 validationReportHash);

    // ---- data-provider registry (regulator) ----

    /// @notice Approves data provider `provider` (its registry id), or re-approves it with new terms (key rotation,
    /// a new assessment): its credit files, signed by one of `signingKeys` and attesting `schemaHash`, may feed
    /// scores. Only the regulator. Emits `DataProviderApproved`.
    /// @dev Reverts `OracleInvalidArgument` ("provider", "name", "signingKeys", "schemaHash") and
    /// `OracleProviderStatusTransition` for a retired provider.
    function approveProvider(
        address provider,
        string calldata name,
        address[] calldata signingKeys,
        bytes32 schemaHash,
        bytes32 dataQualityHash
    ) external;
    /// @notice Retires an approved provider: reports from its files are refused from now on. Only the regulator.
    /// Emits `DataProviderRetired`; reverts `OracleProviderStatusTransition` unless the provider is approved.
    function retireProvider(address provider) external;
    /// @notice A provider's registry entry (status `None` and empty fields for an unknown id).
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
        );

    /// @notice Publishes a fairness report for a model and period. Only the regulator.
    function publishFairnessReport(
        bytes32 modelId,
        uint64 periodStart,
        uint64 periodEnd,
        uint16 eodBps,
        uint16 dirBps,
        bytes32 reportHash
    ) external;

    /// @notice Publishes the summary of a drift-monitoring window for a model (see `MonitoringReportPublished`).
    /// Only an operator of the current set.
    /// @dev Reverts `OracleCallerNotOperator`; `OracleInvalidArgument` with "modelId" (never proposed), "window"
    /// (start after end) or "applications" (zero).
    function publishMonitoringReport(
        bytes32 modelId,
        uint64 windowStart,
        uint64 windowEnd,
        uint32 applications,
        uint16 maxPsiBps,
        bytes32 summaryHash
    ) external;

    // ---- operator set (governance) ----

    /// @notice Replaces the operator set and threshold; bumps the version. Only governance.
    function setOperators(address[] calldata operators, uint8 threshold) external;
    /// @notice The current operator set version, threshold and members.
    function operatorSet() external view returns (uint64 version, uint8 threshold, address[] memory operators);

    /// @notice Sets the optional extra verifier. Only governance.
    function setScoreVerifier(IScoreVerifier verifier) external;
    /// @notice Sets the policy whose approval threshold decides adverse actions, and copies that threshold
    /// (`approvalThresholdBps`). Only governance. Zero address: no policy, no adverse actions, copy cleared to 0.
    /// @dev Reverts `OraclePolicyNotLinked` unless `policy.scoreOracle()` is this oracle (a policy pushes its
    /// threshold to the one oracle it is linked to, so the oracle must use no other policy's). Emits `PolicySet`,
    /// then `ApprovalThresholdSynced`.
    function setPolicy(address policy) external;
    /// @notice The policy consulted for adverse actions (zero address: none).
    function policy() external view returns (address);

    /// @notice The oracle's copy of its policy's `approvalThresholdBps` (0 without a policy): a score with a PD
    /// above it emits `AdverseAction`. Kept in the configuration slot every submission already reads.
    /// @dev Cannot drift from the policy's value: the policy pushes it (`syncApprovalThreshold`) in the same
    /// transaction that changes the last tier's TIER_MAX_PD, the oracle accepts the push only from its policy,
    /// and `setPolicy` reads the value in the call that points the oracle at a policy.
    function approvalThresholdBps() external view returns (uint16);
    /// @notice Sets the copy of the approval threshold. Only the oracle's policy (else `OracleCallerNotPolicy`).
    /// Emits `ApprovalThresholdSynced(policy, old, new)`.
    function syncApprovalThreshold(uint16 thresholdBps) external;
}
