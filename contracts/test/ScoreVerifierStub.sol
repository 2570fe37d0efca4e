// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScoreVerifier} from "../interfaces/IScoreVerifier.sol";
import {ScoreReport} from "../types/ScoreTypes.sol";

/// @notice Test double: accepts a report iff the proof is exactly `abi.encode(report.borrower)`.
contract ScoreVerifierStub is IScoreVerifier {
    function verifyScore(ScoreReport calldata report, bytes calldata proof) external pure returns (bool) {
        return keccak256(proof) == keccak256(abi.encode(report.borrower));
    }
}
