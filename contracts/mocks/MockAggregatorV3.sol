// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title A settable Chainlink price feed for local chains
/// @notice `setAnswer` starts a new complete round at the current time; `setRound` sets every field, so tests can
/// produce stale, zero, negative and incomplete rounds. Anyone may set: this is a local-chain stand-in only.
contract MockAggregatorV3 is AggregatorV3Interface {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
        uint80 answeredInRound;
    }

    uint8 public immutable override decimals;
    string public override description;
    uint80 public latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        setAnswer(initialAnswer);
    }

    /// @notice Publishes `answer` as a new, complete round updated now.
    function setAnswer(int256 answer) public {
        uint80 id = latestRound + 1;
        setRound(id, answer, block.timestamp, id);
    }

    /// @notice Sets the latest round's every field (e.g. an old `updatedAt`, or `answeredInRound < roundId`).
    function setRound(uint80 roundId, int256 answer, uint256 updatedAt, uint80 answeredInRound) public {
        latestRound = roundId;
        _rounds[roundId] = Round(answer, updatedAt, updatedAt, answeredInRound);
    }

    function version() external pure override returns (uint256) {
        return 4;
    }

    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        return (roundId, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[latestRound];
        return (latestRound, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }
}
