// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test double for the one `ISupervisionPolicy` view the oracle reads.
contract ApprovalThresholdStub {
    uint16 public approvalThresholdBps;

    constructor(uint16 thresholdBps) {
        approvalThresholdBps = thresholdBps;
    }
}
