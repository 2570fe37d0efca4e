// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IComplianceEvents} from "../interfaces/IComplianceEvents.sol";
import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";

/// @title The notice an expired score gives its debt, announced on chain
/// @notice A cold path of the lending pool (`rebase`), reached by DELEGATECALL into a deployed, linked copy, so its
/// bytecode stays out of the pool's (EIP-170). Acts on the pool's storage: the expiry each borrower was last
/// given notice for.
library ScoreNoticeLogic {
    /// @notice Emits `ScoreExpiring(borrower, tier, expiredAt, noticeEndsAt)` once per expiry: when `borrower`'s
    /// score, of a model still approved, has expired (`ISupervisionPolicy.scoreNoticeOf`) and its notice has not
    /// yet run out, and no notice was given for this expiry before. `tier` is the tier the debt keeps meanwhile.
    function announce(
        mapping(address borrower => uint64 expiredAt) storage noticeGivenFor,
        ICreditScoreOracle oracle,
        ISupervisionPolicy policy,
        address borrower,
        uint8 tier
    ) external {
        (, uint64 issuedAt, uint64 validUntil, , bool modelApproved) = oracle.positionScoreOf(borrower);
        if (!modelApproved) return; // no score (or a retired model's): the conservative tier at once, no notice
        (uint64 expiredAt, uint64 noticeEndsAt) = policy.scoreNoticeOf(issuedAt, validUntil);
        if (block.timestamp <= expiredAt || block.timestamp > noticeEndsAt || noticeGivenFor[borrower] == expiredAt) {
            return;
        }
        noticeGivenFor[borrower] = expiredAt;
        emit IComplianceEvents.ScoreExpiring(borrower, tier, expiredAt, noticeEndsAt);
    }
}
