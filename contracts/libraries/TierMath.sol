// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TierTerms, TierCaps} from "../types/PolicyTypes.sol";

/// @title Score to tier, and terms bounded by caps
library TierMath {
    /// @notice Effective terms: governance's terms, each bounded by the regulator's cap.
    function bound(TierTerms memory terms, TierCaps memory caps) internal pure returns (TierTerms memory) {
        return TierTerms({
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

    function _min16(uint16 a, uint16 b) private pure returns (uint16) {
        return a < b ? a : b;
    }
}
