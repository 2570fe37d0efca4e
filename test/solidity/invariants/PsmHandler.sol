// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

import {VUSD} from "../../../contracts/core/VUSD.sol";
import {LendingPool} from "../../../contracts/core/LendingPool.sol";
import {PegStabilityModule} from "../../../contracts/core/PegStabilityModule.sol";
import {SupervisionPolicy} from "../../../contracts/core/SupervisionPolicy.sol";
import {VusdFlashMinter} from "../../../contracts/core/VusdFlashMinter.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {MockUSDC} from "../../../contracts/mocks/MockUSDC.sol";
import {Rules} from "../../../contracts/libraries/Rules.sol";
import {Cheats, CHEATS_ADDRESS} from "../Cheats.sol";

/// @notice What the PSM handler drives.
struct PsmSystem {
    VUSD vusd;
    LendingPool pool;
    SupervisionPolicy policy;
    PegStabilityModule psm;
    VusdFlashMinter flashMinter;
    MockUSDC usdc;
    MockAggregatorV3 usdcFeed;
}

/// @notice Drives the stablecoin modules with random sequences: swaps both ways (of the PSM's own vUSD and of vUSD
/// from another minter), fees changed through the policy's timelock, the stablecoin's price inside and outside the
/// band, fee sweeps, donations, and flash loans (this handler is the borrower). Every call succeeds or is refused
/// by a rule; the books it keeps (`ghost*`) are compared with the contracts by `checkBooks`.
/// vUSD from elsewhere comes from a market stand-in: this handler is also a capped vUSD minter ("market").
contract PsmHandler is IERC3156FlashBorrower {
    Cheats internal constant vm = Cheats(CHEATS_ADDRESS);

    address internal constant GOVERNANCE = address(0x60F);
    address public constant TREASURY = address(0x7EA5);
    uint256 internal constant SCALE = 1e12;
    uint256 internal constant ACTORS = 3;

    VUSD public immutable vusd;
    LendingPool public immutable pool;
    SupervisionPolicy public immutable policy;
    PegStabilityModule public immutable psm;
    VusdFlashMinter public immutable flashMinter;
    MockUSDC public immutable usdc;
    MockAggregatorV3 public immutable usdcFeed;

    uint256 public ghostMarketMintedWad;
    uint256 public ghostDonated;
    uint256 public ghostSweptUnits;
    uint256 public ghostFlashFeesWad;
    /// @dev vUSD the PSM swept to the treasury (fees paid in vUSD beyond what it minted).
    uint256 public ghostSweptVusdWad;
    uint256 public swapsIn;
    uint256 public swapsOut;
    uint256 public flashLoans;
    int256 internal _price8 = 1e8;

    constructor(PsmSystem memory s) {
        (vusd, pool, policy, psm, flashMinter, usdc, usdcFeed) = (
            s.vusd,
            s.pool,
            s.policy,
            s.psm,
            s.flashMinter,
            s.usdc,
            s.usdcFeed
        );
        for (uint256 i = 0; i < ACTORS; ++i) {
            address actor = _actor(i);
            vm.prank(actor);
            usdc.approve(address(psm), type(uint256).max);
            vm.prank(actor);
            vusd.approve(address(psm), type(uint256).max);
        }
    }

    // ------------------------------------------------------------------ actions

    function swapIn(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = _bound(amount, 1, 200_000e6);
        usdc.mint(actor, amount);
        vm.prank(actor);
        try psm.swapIn(amount, actor) {
            ++swapsIn;
        } catch {}
    }

    function swapOut(uint256 actorSeed, uint256 amountWad) external {
        address actor = _actor(actorSeed);
        uint256 balance = vusd.balanceOf(actor);
        if (balance == 0) return;
        // A quarter of the time the whole balance: with fees kept and vUSD from elsewhere in hand, that reaches past
        // what the PSM minted (which it must refuse).
        amountWad = amountWad % 4 == 0 ? balance : _bound(amountWad, 1, balance);
        vm.prank(actor);
        try psm.swapOut(amountWad, actor) {
            ++swapsOut;
        } catch {}
    }

    /// @notice An actor holding vUSD from elsewhere tries to redeem more than the PSM minted: it pays from its reserves
    /// only (the stablecoin refuses a payout past them), and the books must stay whole either way.
    function swapOutPastMinted(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        (uint256 mintedWad, ) = psm.balances();
        uint256 amountWad = mintedWad + 1;
        uint256 balance = vusd.balanceOf(actor);
        if (balance < amountWad) {
            vusd.mint(actor, amountWad - balance);
            ghostMarketMintedWad += amountWad - balance;
        }
        vm.prank(actor);
        try psm.swapOut(amountWad, actor) {
            ++swapsOut;
        } catch {}
    }

    /// @notice vUSD from another minter reaches an actor (as a pool loan would).
    function marketMint(uint256 actorSeed, uint256 amountWad) external {
        amountWad = _bound(amountWad, 1, 10_000e18);
        vusd.mint(_actor(actorSeed), amountWad);
        ghostMarketMintedWad += amountWad;
    }

    /// @notice Governance changes the PSM's fees and the flash fee through the timelock (the feed is refreshed after).
    function setFees(uint256 feeInBps, uint256 feeOutBps, uint256 flashFeeBps) external {
        _schedule(Rules.PSM_FEE_IN, _bound(feeInBps, 0, 100));
        _schedule(Rules.PSM_FEE_OUT, _bound(feeOutBps, 0, 100));
        _schedule(Rules.FLASH_FEE, _bound(flashFeeBps, 0, 100));
        vm.warp(block.timestamp + 2 days);
        usdcFeed.setAnswer(_price8);
    }

    function movePrice(uint256 price8) external {
        _price8 = int256(_bound(price8, 0.985e8, 1.015e8)); // two thirds inside the +-1 % band
        usdcFeed.setAnswer(_price8);
    }

    function sweep() external {
        uint256 treasuryVusdBefore = vusd.balanceOf(TREASURY);
        ghostSweptUnits += psm.sweepFees();
        ghostSweptVusdWad += vusd.balanceOf(TREASURY) - treasuryVusdBefore;
    }

    function donate(uint256 amount) external {
        amount = _bound(amount, 1, 1_000e6);
        usdc.mint(address(psm), amount);
        ghostDonated += amount;
    }

    function flashLoan(uint256 amountWad) external {
        uint256 maxWad = flashMinter.maxFlashLoan(address(vusd));
        if (maxWad == 0) return;
        amountWad = _bound(amountWad, 1, maxWad);
        uint256 feeWad = flashMinter.flashFee(address(vusd), amountWad);
        if (feeWad > 0) {
            vusd.mint(address(this), feeWad); // the market pays the fee
            ghostMarketMintedWad += feeWad;
        }
        flashMinter.flashLoan(this, address(vusd), amountWad, "");
        ghostFlashFeesWad += feeWad;
        ++flashLoans;
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(
        address,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata
    ) external returns (bytes32) {
        // The fuzzer calls this too: anyone but the minter gets no acceptance (and nothing moves).
        if (msg.sender != address(flashMinter)) return bytes32(0);
        require(flashMinter.outstandingWad() == amount, "outstanding during the loan");
        vusd.approve(address(flashMinter), amount + fee);
        token; // the token is vUSD (the minter lends nothing else)
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }

    // ------------------------------------------------------------------ the books

    /// @notice Reverts, naming the first difference, unless the identity and the PSM's backing hold.
    function checkBooks() external view {
        (uint256 principal, uint256 surplus, uint256 deficit) = pool.accounts();
        (uint256 psmMintedWad, uint256 reserves) = psm.balances();
        uint256 flashOutstandingWad = flashMinter.outstandingWad();
        require(
            vusd.totalSupply() + surplus ==
                principal + deficit + ghostMarketMintedWad + psmMintedWad + flashOutstandingWad,
            "identity: supply + surplus != principal + deficit + market + PSM minted + flash outstanding"
        );
        (, uint256 recordWad) = vusd.minterOf(address(psm));
        require(recordWad == psmMintedWad, "vUSD's minter record for the PSM != the PSM's minted");
        (uint256 bufferWad, uint256 paidOutWad, ) = psm.buffer();
        require(vusd.balanceOf(address(psm)) == bufferWad, "PSM buffer != its vUSD balance");
        require(usdc.balanceOf(address(psm)) == reserves, "PSM reserves != its stablecoin balance");
        require(reserves * SCALE + bufferWad >= psmMintedWad, "PSM reserves + buffer do not back its minted vUSD");
        require(reserves * SCALE >= paidOutWad, "PSM reserves do not back the vUSD it paid out");
        require(psm.surplusWad() == reserves * SCALE + bufferWad - psmMintedWad, "PSM surplus");
        (, , , uint256 limitWad) = psm.rules();
        require(paidOutWad <= limitWad, "PSM paid out above the exposure limit");
        (uint256 capWad, ) = vusd.minterOf(address(psm));
        require(psmMintedWad <= capWad, "PSM minted above its cap");
        require(flashOutstandingWad == 0, "flash loan outstanding between transactions");
        require(usdc.balanceOf(TREASURY) == ghostSweptUnits, "treasury: swept stablecoin");
        require(
            vusd.balanceOf(TREASURY) == ghostFlashFeesWad + ghostSweptVusdWad,
            "treasury: flash fees + PSM vUSD fees"
        );
    }

    // ------------------------------------------------------------------ helpers

    function _schedule(bytes32 rule, uint256 value) private {
        vm.prank(GOVERNANCE);
        bytes32 id = policy.scheduleRuleChange(rule, value);
        vm.warp(block.timestamp + 2 days);
        policy.executeRuleChange(id);
    }

    function _actor(uint256 seed) private pure returns (address) {
        return address(uint160(0xA0A0 + (seed % ACTORS)));
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) private pure returns (uint256) {
        return lo + (x % (hi - lo + 1));
    }
}
