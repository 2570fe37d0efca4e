// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;
import {Probe} from "../../contracts/core/Probe.sol";
contract ProbeTest { Probe p; function setUp() public { p = new Probe(); } function testFuzz_set(uint256 v) public { p.set(v); require(p.x() == v, "x"); } }
