// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IComplianceReportRegistry} from "../interfaces/IComplianceReportRegistry.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title ComplianceReportRegistry: the regulator's attestations of compliance reports
/// @notice Stores, per report sha256, who attested it, when and which blocks it covers. The REGULATOR role is read
/// from the SupervisionPolicy at each call, so granting or revoking it there is all the administration there is.
/// A contract of its own: the policy and the pool are at their size limits.
contract ComplianceReportRegistry is IComplianceReportRegistry {
    /// @inheritdoc IComplianceReportRegistry
    uint256 public constant MAX_URI_BYTES = 256;

    /// @inheritdoc IComplianceReportRegistry
    address public immutable policy;

    mapping(bytes32 reportSha256 => Attestation) private _attestations;

    /// @param policy_ the SupervisionPolicy whose REGULATOR role may attest.
    constructor(address policy_) {
        if (policy_ == address(0)) revert ComplianceReportRegistryZeroPolicy();
        policy = policy_;
    }

    /// @inheritdoc IComplianceReportRegistry
    function attestReport(bytes32 reportSha256, uint64 fromBlock, uint64 toBlock, string calldata uri) external {
        if (!IAccessControl(policy).hasRole(Roles.REGULATOR, msg.sender)) {
            revert ComplianceReportRegistryNotRegulator(msg.sender);
        }
        if (reportSha256 == bytes32(0)) revert ComplianceReportRegistryZeroHash();
        if (fromBlock > toBlock) revert ComplianceReportRegistryInvalidRange(fromBlock, toBlock);
        if (toBlock >= block.number) revert ComplianceReportRegistryFutureBlock(toBlock, block.number);
        address previous = _attestations[reportSha256].attester;
        if (previous != address(0)) revert ComplianceReportRegistryAlreadyAttested(reportSha256, previous);
        if (bytes(uri).length > MAX_URI_BYTES) {
            revert ComplianceReportRegistryUriTooLong(bytes(uri).length, MAX_URI_BYTES);
        }
        _attestations[reportSha256] = Attestation({
            attester: msg.sender,
            attestedAt: uint64(block.timestamp),
            fromBlock: fromBlock,
            toBlock: toBlock
        });
        emit ComplianceReportAttested(reportSha256, msg.sender, fromBlock, toBlock, uri);
    }

    /// @inheritdoc IComplianceReportRegistry
    function attestationOf(bytes32 reportSha256) external view returns (Attestation memory) {
        return _attestations[reportSha256];
    }
}
