// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";

/// @notice Test double for the `ISupervisionPolicy` side of the oracle link: the two views `setPolicy` reads, a
/// link anyone may set (and reset, to build mis-linked pairs), and a push as `SupervisionPolicy` makes it.
contract ApprovalThresholdStub {
    uint16 public approvalThresholdBps;
    address public scoreOracle;

    constructor(uint16 thresholdBps) {
        approvalThresholdBps = thresholdBps;
    }

    function setScoreOracle(address oracle) external {
        scoreOracle = oracle;
    }

    /// @notice Changes the threshold and pushes it to `oracle` (the policy's `executeRuleChange`).
    function pushApprovalThreshold(address oracle, uint16 thresholdBps) external {
        approvalThresholdBps = thresholdBps;
        ICreditScoreOracle(oracle).syncApprovalThreshold(thresholdBps);
    }
}
