// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The few Hardhat/Foundry cheatcodes these tests use (Hardhat 3 implements them natively; the npm
/// forge-std is an outdated unofficial copy, so they are declared here).
interface Cheats {
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function deal(address account, uint256 newBalance) external;
    function addr(uint256 privateKey) external returns (address);
    function sign(uint256 privateKey, bytes32 digest) external returns (uint8 v, bytes32 r, bytes32 s);
    // Files (each path must be allowed by `test.solidity.fsPermissions` in hardhat.config.ts).
    function readFile(string calldata path) external view returns (string memory data);
    function writeFile(string calldata path, string calldata data) external;
    function exists(string calldata path) external view returns (bool);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function toString(uint256 value) external pure returns (string memory);
}

address constant CHEATS_ADDRESS = 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D;
