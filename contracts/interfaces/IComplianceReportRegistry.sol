// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The compliance report registry
/// @notice The regulator attests a compliance report (`npm run report`) by its sha256: who attested it, when, and
/// which mined blocks it covers. The report itself stays off chain; anyone holding the file can check it against
/// the chain (`npm run verity -- report verify --file report.md`). A hash is attested once and never changes.
interface IComplianceReportRegistry {
    /// @notice One attestation: who, when (block time), and the blocks the report covers (both inclusive).
    struct Attestation {
        address attester;
        uint64 attestedAt;
        uint64 fromBlock;
        uint64 toBlock;
    }

    /// @notice The regulator `attester` attested the report whose sha256 is `reportSha256`, covering blocks
    /// `fromBlock`..`toBlock`; `uri` says where the report can be read (may be empty).
    event ComplianceReportAttested(
        bytes32 indexed reportSha256,
        address indexed attester,
        uint64 fromBlock,
        uint64 toBlock,
        string uri
    );

    /// @notice The caller does not hold the policy's REGULATOR role.
    error ComplianceReportRegistryNotRegulator(address caller);
    /// @notice A zero report hash.
    error ComplianceReportRegistryZeroHash();
    /// @notice `fromBlock` is after `toBlock`.
    error ComplianceReportRegistryInvalidRange(uint64 fromBlock, uint64 toBlock);
    /// @notice `toBlock` is not yet mined (a report can only cover blocks before the current one).
    error ComplianceReportRegistryFutureBlock(uint64 toBlock, uint256 currentBlock);
    /// @notice The hash was attested already (by `attester`).
    error ComplianceReportRegistryAlreadyAttested(bytes32 reportSha256, address attester);
    /// @notice The uri is longer than `maxBytes`.
    error ComplianceReportRegistryUriTooLong(uint256 lengthBytes, uint256 maxBytes);
    /// @notice A zero policy address in the constructor.
    error ComplianceReportRegistryZeroPolicy();

    /// @notice Attests the report whose sha256 is `reportSha256`, covering the mined blocks `fromBlock`..`toBlock`
    /// (inclusive), readable at `uri` (at most `MAX_URI_BYTES` bytes, may be empty). Regulator only (the policy's
    /// REGULATOR role). Emits `ComplianceReportAttested`.
    /// @dev Reverts `ComplianceReportRegistryNotRegulator`, `ComplianceReportRegistryZeroHash`,
    /// `ComplianceReportRegistryInvalidRange`, `ComplianceReportRegistryFutureBlock`,
    /// `ComplianceReportRegistryAlreadyAttested`, `ComplianceReportRegistryUriTooLong`.
    function attestReport(bytes32 reportSha256, uint64 fromBlock, uint64 toBlock, string calldata uri) external;

    /// @notice The attestation of `reportSha256`; `attester` is zero when it was never attested.
    function attestationOf(bytes32 reportSha256) external view returns (Attestation memory);

    /// @notice The longest uri `attestReport` accepts, in bytes.
    function MAX_URI_BYTES() external view returns (uint256);

    /// @notice The SupervisionPolicy whose REGULATOR role may attest.
    function policy() external view returns (address);
}
