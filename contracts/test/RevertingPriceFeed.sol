// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice A feed that can be listed (it answers `decimals`) but whose `latestRoundData` reverts once switched
/// off, as a Chainlink proxy does while its aggregator is being replaced or its access is restricted.
contract RevertingPriceFeed is AggregatorV3Interface {
    error FeedOff();

    uint8 public constant override decimals = 8;
    string public override description = "reverting";
    int256 public answer;
    bool public switchedOff;

    constructor(int256 answer_) {
        answer = answer_;
    }

    function switchOff() external {
        switchedOff = true;
    }

    function version() external pure override returns (uint256) {
        return 1;
    }

    function getRoundData(uint80) external view override returns (uint80, int256, uint256, uint256, uint80) {
        return latestRoundData();
    }

    function latestRoundData() public view override returns (uint80, int256, uint256, uint256, uint80) {
        if (switchedOff) revert FeedOff();
        return (1, answer, block.timestamp, block.timestamp, 1);
    }
}
