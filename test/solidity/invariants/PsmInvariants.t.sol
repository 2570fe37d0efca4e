// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SystemDeployer} from "./SystemDeployer.sol";
import {PsmHandler, PsmSystem} from "./PsmHandler.sol";
import {PegStabilityModule} from "../../../contracts/core/PegStabilityModule.sol";
import {VusdFlashMinter} from "../../../contracts/core/VusdFlashMinter.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {MockUSDC} from "../../../contracts/mocks/MockUSDC.sol";
import {AggregatorV3Interface} from "../../../contracts/interfaces/AggregatorV3Interface.sol";
import {ISupervisionPolicy} from "../../../contracts/interfaces/ISupervisionPolicy.sol";
import {IVUSD} from "../../../contracts/interfaces/IVUSD.sol";
import {Rules} from "../../../contracts/libraries/Rules.sol";

/// @notice The stablecoin modules under random action sequences (handler: PsmHandler), checked after every call:
/// - the accounting identity with every minter's term, exact in wad: vUSD.totalSupply() + pool surplus ==
///   pool principal + pool deficit + market-minted + PSM minted + flash outstanding (the pool's terms stay 0 here;
///   the lending campaign covers them);
/// - the PSM's `mintedWad` is vUSD's minter record for it (buffer + paid out) and within its cap; its reserves and
///   buffer back it (reserves * 1e12 + buffer >= minted, so reserves back every vUSD paid out); its surplus is the
///   difference (donations included); the vUSD paid out stays within PSM_EXPOSURE_LIMIT;
/// - the flash minter has nothing outstanding between transactions; the treasury holds exactly the swept fees.
contract PsmInvariantsHandler is PsmHandler {
    constructor(PsmSystem memory s) PsmHandler(s) {}
}

contract PsmInvariantsTest is SystemDeployer {
    uint256 internal constant EXPOSURE_WAD = 1_000_000e18;
    PsmHandler internal handler;

    function setUp() public {
        _deploySystem();
        MockUSDC usdc = new MockUSDC();
        MockAggregatorV3 usdcFeed = new MockAggregatorV3(8, "USDC / USD", 1e8);
        address treasury = address(0x7EA5);
        PegStabilityModule psm = new PegStabilityModule(
            IVUSD(address(vusd)),
            usdc,
            AggregatorV3Interface(address(usdcFeed)),
            ISupervisionPolicy(address(policy)),
            1 days,
            treasury
        );
        VusdFlashMinter flashMinter = new VusdFlashMinter(
            IVUSD(address(vusd)),
            ISupervisionPolicy(address(policy)),
            treasury
        );
        vm.startPrank(GOVERNANCE);
        vusd.setMinterCap(address(psm), 800_000e18);
        vusd.setMinterCap(address(flashMinter), 5_000_000e18);
        vm.stopPrank();
        vm.prank(REGULATOR);
        policy.setPsm(address(psm));
        vm.prank(REGULATOR);
        bytes32 id = policy.scheduleRuleChange(Rules.PSM_EXPOSURE_LIMIT, EXPOSURE_WAD);
        vm.warp(block.timestamp + 2 days);
        policy.executeRuleChange(id);
        usdcFeed.setAnswer(1e8);
        handler = new PsmInvariantsHandler(PsmSystem(vusd, pool, policy, psm, flashMinter, usdc, usdcFeed));
        vm.prank(GOVERNANCE);
        vusd.setMinterCap(address(handler), type(uint256).max);
    }

    /// @dev Foundry-style target selection, read by Hardhat's invariant runner.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hardhat-config: invariant.runs = 8
    /// hardhat-config: invariant.depth = 60
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_stablecoinModulesBacked() public view {
        handler.checkBooks();
    }
}
