// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ScoreReport} from "../types/ScoreTypes.sol";

/// @title Optional extra verification of a score (room for verifiable inference, e.g. a zkML proof)
/// @notice When governance sets a verifier on the oracle, every accepted report must also pass it.
interface IScoreVerifier {
    /// @notice Returns true if `report` is acceptable given `proof` (opaque to the oracle).
    function verifyScore(ScoreReport calldata report, bytes calldata proof) external view returns (bool);
}
