// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PackedScore} from "../types/ScoreTypes.sol";

/// @title Packing of a stored score into one word (layout documented on `PackedScore`)
library ScorePacking {
    uint256 private constant REASON_CODES_SHIFT = 16;
    uint256 private constant MODEL_INDEX_SHIFT = 80;
    uint256 private constant ISSUED_AT_SHIFT = 112;
    uint256 private constant VALID_UNTIL_SHIFT = 152;

    /// @notice Packs a score. The types bound every field to its bit range, so fields cannot overlap.
    function pack(
        uint16 pdBps_,
        uint16[4] memory reasonCodes_,
        uint32 modelIndex_,
        uint40 issuedAt_,
        uint40 validUntil_
    ) internal pure returns (PackedScore) {
        return PackedScore.wrap(
            uint256(pdBps_) | (uint256(reasonCodes_[0]) << REASON_CODES_SHIFT)
                | (uint256(reasonCodes_[1]) << (REASON_CODES_SHIFT + 16))
                | (uint256(reasonCodes_[2]) << (REASON_CODES_SHIFT + 32))
                | (uint256(reasonCodes_[3]) << (REASON_CODES_SHIFT + 48)) | (uint256(modelIndex_) << MODEL_INDEX_SHIFT)
                | (uint256(issuedAt_) << ISSUED_AT_SHIFT) | (uint256(validUntil_) << VALID_UNTIL_SHIFT)
        );
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
}
