// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ScoreReport} from "../types/ScoreTypes.sol";

/// @title EIP-712 struct hash of a `ScoreReport`
/// @notice `hashStruct(ScoreReport) = keccak256(abi.encode(TYPEHASH, borrower, pdBps,
/// keccak256(abi.encodePacked(reasonCodes)), modelId, operatorSetVersion, issuedAt, validUntil, creditFileHash,
/// provider))`, where EIP-712
/// encodes the fixed array `uint16[4]` as the keccak256 of its elements, each padded to 32 bytes.
library ScoreReportHashing {
    /// @notice keccak256 of the EIP-712 type string of `ScoreReport`.
    bytes32 internal constant SCORE_REPORT_TYPEHASH = keccak256(
        "ScoreReport(address borrower,uint16 pdBps,uint16[4] reasonCodes,bytes32 modelId,uint64 operatorSetVersion,uint64 issuedAt,uint64 validUntil,bytes32 creditFileHash,address provider)"
    );

    /// @notice The EIP-712 struct hash of `report`, read straight from calldata.
    /// @dev A static struct in calldata is laid out exactly like its `abi.encode`: twelve 32-byte words
    /// (borrower, pdBps, reasonCodes[0..3], modelId, operatorSetVersion, issuedAt, validUntil, creditFileHash,
    /// provider), so the hash input is
    /// assembled with two `calldatacopy`s instead of field-by-field ABI encoding. The words are hashed as they are
    /// in calldata: the caller must access every field from Solidity (which reverts on dirty high-order bits) before
    /// trusting the result, as `CreditScoreOracle` does; otherwise a dirty encoding merely yields a digest no
    /// operator signed. Fuzzed against the `abi.encode` reference in `test/solidity/ScoreReportHashing.t.sol`.
    function hashCalldata(ScoreReport calldata report) internal pure returns (bytes32 structHash) {
        bytes32 typehash = SCORE_REPORT_TYPEHASH;
        assembly ("memory-safe") {
            // Scratch space past the free memory pointer; not allocated, as nothing outlives this block.
            let m := mload(0x40)
            // reasonCodes: words 2..5 of the struct.
            calldatacopy(m, add(report, 0x40), 0x80)
            let reasonCodesHash := keccak256(m, 0x80)
            // [typehash, borrower, pdBps, reasonCodesHash, modelId, operatorSetVersion, issuedAt, validUntil,
            //  creditFileHash, provider]
            mstore(m, typehash)
            calldatacopy(add(m, 0x20), report, 0x40)
            mstore(add(m, 0x60), reasonCodesHash)
            calldatacopy(add(m, 0x80), add(report, 0xc0), 0xc0)
            structHash := keccak256(m, 0x140)
        }
    }
}
