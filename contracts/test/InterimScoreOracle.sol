// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Interim stand-in for CreditScoreOracle's read side until the real one is merged (tests only; to be
/// deleted): `scoreOf` returns what a test set.
contract InterimScoreOracle {
    struct Score {
        uint16 pdBps;
        bytes32 modelId;
        uint64 issuedAt;
        uint64 validUntil;
        bool valid;
    }

    mapping(address => Score) private _scores;

    function setScore(address borrower, uint16 pdBps, bytes32 modelId, uint64 issuedAt, uint64 validUntil, bool valid)
        external
    {
        _scores[borrower] = Score(pdBps, modelId, issuedAt, validUntil, valid);
    }

    function scoreOf(address borrower)
        external
        view
        returns (uint16, uint16[4] memory reasonCodes, bytes32, uint64, uint64, bool)
    {
        Score memory s = _scores[borrower];
        return (s.pdBps, reasonCodes, s.modelId, s.issuedAt, s.validUntil, s.valid);
    }
}
