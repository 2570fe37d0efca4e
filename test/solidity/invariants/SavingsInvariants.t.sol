// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SystemDeployer} from "./SystemDeployer.sol";
import {LendingSystem} from "./LendingHandler.sol";
import {SavingsHandler} from "./SavingsHandler.sol";
import {SavingsVault} from "../../../contracts/core/SavingsVault.sol";

/// @notice The handler the runner fuzzes (declared here so that its artifact exists whenever this file runs).
contract SavingsInvariantsHandler is SavingsHandler {
    constructor(
        LendingSystem memory s,
        uint32 maxPriceAgeSec,
        SavingsVault vault
    ) SavingsHandler(s, maxPriceAgeSec, vault) {}
}

/// @notice Invariants of the savings vault inside the whole lending system (handler: SavingsHandler, the lending
/// actions plus savers and drips), checked after every call:
/// - total paid to savers <= SAVINGS_SHARE x interest received since the vault's deployment (paid + still owed too);
/// - the accounting identity and the ghost books (`LendingHandler.checkBooks`, with payouts booked as surplus mints):
///   vUSD.totalSupply() + surplus == totalPrincipal + deficit + what the market stand-in minted;
/// - the vault holds at least what its shares redeem for.
contract SavingsInvariantsTest is SystemDeployer {
    SavingsHandler internal handler;

    function setUp() public {
        _deploySystem();
        SavingsVault vault = _deploySavingsVault();
        handler = new SavingsInvariantsHandler(
            LendingSystem(vusd, oracle, policy, pool, weth, feed, fallbackFeed, keccak256("model"), operatorKeys),
            MAX_PRICE_AGE_SEC,
            vault
        );
        vm.prank(GOVERNANCE);
        vusd.setMinterCap(address(handler), type(uint256).max);
    }

    /// @dev Foundry-style target selection, read by Hardhat's invariant runner.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hardhat-config: invariant.runs = 12
    /// hardhat-config: invariant.depth = 150
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_savingsWithinShareAndBooksHold() public view {
        handler.checkSavings();
        handler.checkBooks();
    }
}
