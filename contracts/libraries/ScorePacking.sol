// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PackedScore, ScoreReport} from "../types/ScoreTypes.sol";

/// @title Packing of a stored score into one word (layout documented on `PackedScore`)
library ScorePacking {
    uint256 private constant REASON_CODES_SHIFT = 16;
    uint256 private constant MODEL_INDEX_SHIFT = 80;
    uint256 private constant ISSUED_AT_SHIFT = 112;
    uint256 private constant VALID_UNTIL_SHIFT = 152;
    uint256 private constant POSTED_AT_SHIFT = 192;

    /// @notice Packs a score. The types bound every field to its bit range, so fields cannot overlap.
    function pack(
        uint16 pdBps_,
        uint16[4] memory reasonCodes_,
        uint32 modelIndex_,
        uint40 issuedAt_,
        uint40 validUntil_
    ) internal pure returns (PackedScore) {
        return
            PackedScore.wrap(
                uint256(pdBps_) |
                    (uint256(reasonCodes_[0]) << REASON_CODES_SHIFT) |
                    (uint256(reasonCodes_[1]) << (REASON_CODES_SHIFT + 16)) |
                    (uint256(reasonCodes_[2]) << (REASON_CODES_SHIFT + 32)) |
                    (uint256(reasonCodes_[3]) << (REASON_CODES_SHIFT + 48)) |
                    (uint256(modelIndex_) << MODEL_INDEX_SHIFT) |
                    (uint256(issuedAt_) << ISSUED_AT_SHIFT) |
                    (uint256(validUntil_) << VALID_UNTIL_SHIFT)
            );
    }

    /// @notice Packs `report` (read straight from calldata) with `modelIndex`; equals `pack` of its fields.
    /// @dev Fuzzed against `pack` in `test/solidity/ScoreReportHashing.t.sol`. Each calldata word is masked to its
    /// type's width, so no word can spill into a neighbouring field. Casting `issuedAt`/`validUntil` to 40 bits is
    /// the caller's check (the oracle rejects `validUntil > type(uint40).max`, and `issuedAt < validUntil`).
    function packCalldata(ScoreReport calldata report, uint32 modelIndex_) internal pure returns (PackedScore packed) {
        assembly ("memory-safe") {
            // Calldata words of the report: 1 pdBps, 2..5 reasonCodes, 8 issuedAt, 9 validUntil.
            let m16 := 0xffff
            let m40 := 0xffffffffff
            packed := or(
                or(
                    or(and(calldataload(add(report, 0x20)), m16), shl(16, and(calldataload(add(report, 0x40)), m16))),
                    or(
                        shl(32, and(calldataload(add(report, 0x60)), m16)),
                        shl(48, and(calldataload(add(report, 0x80)), m16))
                    )
                ),
                or(
                    or(shl(64, and(calldataload(add(report, 0xa0)), m16)), shl(80, and(modelIndex_, 0xffffffff))),
                    or(
                        shl(112, and(calldataload(add(report, 0x100)), m40)),
                        shl(152, and(calldataload(add(report, 0x120)), m40))
                    )
                )
            )
        }
    }

    /// @notice `score` stamped with the time it is stored (`packCalldata` leaves those bits zero).
    function withPostedAt(PackedScore score, uint40 postedAt_) internal pure returns (PackedScore) {
        return PackedScore.wrap(PackedScore.unwrap(score) | (uint256(postedAt_) << POSTED_AT_SHIFT));
    }

    /// @notice Probability of default in basis points.
    function pdBps(PackedScore score) internal pure returns (uint16) {
        return uint16(PackedScore.unwrap(score));
    }

    /// @notice The four reason codes, by weight.
    function reasonCodes(PackedScore score) internal pure returns (uint16[4] memory codes) {
        uint256 word = PackedScore.unwrap(score);
        codes[0] = uint16(word >> REASON_CODES_SHIFT);
        codes[1] = uint16(word >> (REASON_CODES_SHIFT + 16));
        codes[2] = uint16(word >> (REASON_CODES_SHIFT + 32));
        codes[3] = uint16(word >> (REASON_CODES_SHIFT + 48));
    }

    /// @notice The registry position of the score's model (1-based; 0 = no score).
    function modelIndex(PackedScore score) internal pure returns (uint32) {
        return uint32(PackedScore.unwrap(score) >> MODEL_INDEX_SHIFT);
    }

    /// @notice When the score was issued (seconds).
    function issuedAt(PackedScore score) internal pure returns (uint40) {
        return uint40(PackedScore.unwrap(score) >> ISSUED_AT_SHIFT);
    }

    /// @notice Until when the score is valid, inclusive (seconds).
    function validUntil(PackedScore score) internal pure returns (uint40) {
        return uint40(PackedScore.unwrap(score) >> VALID_UNTIL_SHIFT);
    }

    /// @notice When the oracle stored the score (seconds).
    function postedAt(PackedScore score) internal pure returns (uint40) {
        return uint40(PackedScore.unwrap(score) >> POSTED_AT_SHIFT);
    }
}
