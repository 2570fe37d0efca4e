// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A token that calls back into a target on every transfer once armed (tests only)
/// @notice `arm(target, data)`: the next transfers call `target` with `data` and bubble its revert, so a test can
/// show the target's reentrancy guard stops the callback.
contract ReentrantToken is ERC20 {
    address public callbackTarget;
    bytes public callData;

    constructor() ERC20("Reentrant Token", "REENTER") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata data) external {
        callbackTarget = target_;
        callData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = callbackTarget;
        if (t != address(0) && from != address(0) && to != address(0)) {
            (bool ok, bytes memory ret) = t.call(callData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
    }
}
