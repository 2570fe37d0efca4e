// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ScorePacking} from "../../contracts/libraries/ScorePacking.sol";
import {ScoreReportHashing} from "../../contracts/libraries/ScoreReportHashing.sol";
import {PackedScore, ScoreReport} from "../../contracts/types/ScoreTypes.sol";

/// @notice The naive EIP-712 struct hash, field by field with `abi.encode` (the reference).
library ScoreReportHashingRef {
    function hash(ScoreReport memory report) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256(
                        "ScoreReport(address borrower,uint16 pdBps,uint16[4] reasonCodes,bytes32 modelId,uint64 operatorSetVersion,uint64 issuedAt,uint64 validUntil,bytes32 creditFileHash,address provider)"
                    ),
                    report.borrower,
                    report.pdBps,
                    keccak256(
                        abi.encode(
                            report.reasonCodes[0],
                            report.reasonCodes[1],
                            report.reasonCodes[2],
                            report.reasonCodes[3]
                        )
                    ),
                    report.modelId,
                    report.operatorSetVersion,
                    report.issuedAt,
                    report.validUntil,
                    report.creditFileHash,
                    report.provider
                )
            );
    }
}

contract ScoreReportHashingTest {
    /// @dev External so that `report` arrives in calldata, as in `CreditScoreOracle`.
    function hashCalldata(ScoreReport calldata report) external pure returns (bytes32) {
        return ScoreReportHashing.hashCalldata(report);
    }

    function testFuzz_hashCalldata_matchesAbiEncodeReference(
        address borrower,
        uint16 pdBps,
        uint16[4] memory reasonCodes,
        bytes32 modelId,
        uint64 operatorSetVersion,
        uint64 issuedAt,
        uint64 validUntil,
        bytes32 creditFileHash,
        address provider
    ) public view {
        ScoreReport memory report = ScoreReport(
            borrower,
            pdBps,
            reasonCodes,
            modelId,
            operatorSetVersion,
            issuedAt,
            validUntil,
            creditFileHash,
            provider
        );
        require(this.hashCalldata(report) == ScoreReportHashingRef.hash(report), "struct hash differs");
    }

    function testFuzz_hashCalldata_leavesFreeMemoryIntact(ScoreReport calldata report) public pure {
        bytes memory before = abi.encode(uint256(1));
        uint256 freePointer;
        assembly {
            freePointer := mload(0x40)
        }
        bytes32 structHash = ScoreReportHashing.hashCalldata(report);
        uint256 freePointerAfter;
        assembly {
            freePointerAfter := mload(0x40)
        }
        require(freePointer == freePointerAfter, "free memory pointer moved");
        require(abi.decode(before, (uint256)) == 1, "allocated memory clobbered");
        require(structHash == ScoreReportHashingRef.hash(report), "struct hash differs");
    }

    /// @dev External so that `report` arrives in calldata, as in `CreditScoreOracle`.
    function packCalldata(ScoreReport calldata report, uint32 modelIndex) external pure returns (PackedScore) {
        return ScorePacking.packCalldata(report, modelIndex);
    }

    function testFuzz_packCalldata_matchesPack(
        address borrower,
        uint16 pdBps,
        uint16[4] memory reasonCodes,
        bytes32 modelId,
        uint64 operatorSetVersion,
        uint40 issuedAt,
        uint40 validUntil,
        uint32 modelIndex
    ) public view {
        ScoreReport memory report = ScoreReport(
            borrower,
            pdBps,
            reasonCodes,
            modelId,
            operatorSetVersion,
            issuedAt,
            validUntil,
            keccak256("file"),
            borrower
        );
        require(
            PackedScore.unwrap(this.packCalldata(report, modelIndex)) ==
                PackedScore.unwrap(ScorePacking.pack(pdBps, reasonCodes, modelIndex, issuedAt, validUntil)),
            "packCalldata differs from pack"
        );
    }

    function test_typehash_isTheEip712TypeString() public pure {
        require(
            ScoreReportHashing.SCORE_REPORT_TYPEHASH ==
                keccak256(
                    "ScoreReport(address borrower,uint16 pdBps,uint16[4] reasonCodes,bytes32 modelId,uint64 operatorSetVersion,uint64 issuedAt,uint64 validUntil,bytes32 creditFileHash,address provider)"
                ),
            "typehash"
        );
    }

    function testFuzz_pack_roundTrips(
        uint16 pdBps,
        uint16[4] memory reasonCodes,
        uint32 modelIndex,
        uint40 issuedAt,
        uint40 validUntil
    ) public pure {
        PackedScore score = ScorePacking.pack(pdBps, reasonCodes, modelIndex, issuedAt, validUntil);
        require(ScorePacking.pdBps(score) == pdBps, "pdBps");
        uint16[4] memory codes = ScorePacking.reasonCodes(score);
        for (uint256 i; i < 4; ++i) {
            require(codes[i] == reasonCodes[i], "reasonCodes");
        }
        require(ScorePacking.modelIndex(score) == modelIndex, "modelIndex");
        require(ScorePacking.issuedAt(score) == issuedAt, "issuedAt");
        require(ScorePacking.validUntil(score) == validUntil, "validUntil");
        require(PackedScore.unwrap(score) >> 192 == 0, "bits above validUntil");
    }
}
