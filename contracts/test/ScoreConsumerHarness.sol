// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";
import {ScoreReport} from "../types/ScoreTypes.sol";

/// @notice Test double for the pull flow: a contract (as the lending pool will) forwards a signed report to the
/// oracle and reads the score back in the same call.
contract ScoreConsumerHarness {
    ICreditScoreOracle public immutable oracle;

    event ScoreConsumed(address indexed borrower, uint16 pdBps, bool valid);

    constructor(ICreditScoreOracle oracle_) {
        oracle = oracle_;
    }

    function consume(ScoreReport calldata report, bytes calldata signatures) external {
        oracle.submitScore(report, signatures);
        (uint16 pdBps, , , , , bool valid) = oracle.scoreOf(report.borrower);
        emit ScoreConsumed(report.borrower, pdBps, valid);
    }
}
