// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice A feed that can be listed (it answers `decimals`) but whose `latestRoundData` burns every unit of gas it
/// is given once switched on: a broken or hostile source must cost a caller at most the pool's per-call gas bound.
contract GasGuzzlingPriceFeed is AggregatorV3Interface {
    uint8 public constant override decimals = 8;
    string public override description = "gas guzzling";
    int256 public immutable answer;
    bool public guzzling;

    constructor(int256 answer_) {
        answer = answer_;
    }

    function switchOn() external {
        guzzling = true;
    }

    function version() external pure override returns (uint256) {
        return 1;
    }

    function getRoundData(uint80) external view override returns (uint80, int256, uint256, uint256, uint80) {
        return latestRoundData();
    }

    function latestRoundData() public view override returns (uint80, int256, uint256, uint256, uint80) {
        if (guzzling) {
            while (true) {}
        }
        return (1, answer, block.timestamp, block.timestamp, 1);
    }
}
