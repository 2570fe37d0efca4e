// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TierTerms, TierCaps} from "../types/PolicyTypes.sol";

/// @title Score to tier, and terms bounded by caps
library TierMath {
    /// @notice Effective terms: governance's terms, each bounded by the regulator's cap.
    function bound(TierTerms memory terms, TierCaps memory caps) internal pure returns (TierTerms memory) {
        return
            TierTerms({
                maxPdBps: terms.maxPdBps,
                maxLtvBps: _min16(terms.maxLtvBps, caps.maxLtvBps),
                liquidationThresholdBps: _min16(terms.liquidationThresholdBps, caps.liquidationThresholdBps),
                aprBps: _min16(terms.aprBps, caps.aprBps),
                creditLimitWad: terms.creditLimitWad < caps.creditLimitWad ? terms.creditLimitWad : caps.creditLimitWad
            });
    }

    /// @notice Whether a score is used: valid at the oracle and at most `maxAgeSec` old (a score issued slightly
    /// in the future, within the oracle's skew, has age 0).
    function isFresh(bool valid, uint64 issuedAt, uint256 nowTs, uint256 maxAgeSec) internal pure returns (bool) {
        return valid && (issuedAt >= nowTs || nowTs - issuedAt <= maxAgeSec);
    }

    /// @notice Whether a score was posted at most `maxDelaySec` after its issue (a report issued ahead of the block,
    /// within the oracle's skew, was posted at once): a report used at once, not one held back and posted later.
    function isPostedPromptly(uint64 issuedAt, uint64 postedAt, uint256 maxDelaySec) internal pure returns (bool) {
        return postedAt <= uint256(issuedAt) + maxDelaySec;
    }

    function _min16(uint16 a, uint16 b) private pure returns (uint16) {
        return a < b ? a : b;
    }
}
