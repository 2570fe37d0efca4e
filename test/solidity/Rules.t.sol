// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Rules} from "../../contracts/libraries/Rules.sol";

contract RulesTest {
    function test_tierRule_keepsNameAndAddsTier() public pure {
        bytes32 rule = Rules.tierRule(Rules.TIER_MAX_LTV, 3);
        require(rule != Rules.TIER_MAX_LTV, "tier not encoded");
        require(uint8(uint256(rule)) == 3, "tier byte");
        require(rule & ~bytes32(uint256(0xff)) == Rules.TIER_MAX_LTV, "name kept");
    }

    function testFuzz_tierRule_distinctPerTier(uint8 a, uint8 b) public pure {
        if (a == b) return;
        require(Rules.tierRule(Rules.TIER_APR, a) != Rules.tierRule(Rules.TIER_APR, b), "collision");
    }
}
