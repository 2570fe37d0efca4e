// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SystemDeployer} from "./SystemDeployer.sol";
import {LendingHandler, LendingSystem} from "./LendingHandler.sol";
import {CampaignCounters} from "./CampaignCounters.sol";
import {Rules} from "../../../contracts/libraries/Rules.sol";
import {TierTerms, TierCaps} from "../../../contracts/types/PolicyTypes.sol";

/// @notice Invariants of the lending system under random action sequences (handler: LendingHandler), checked
/// after every call, and a campaign that must reach every path they are meant to prove.
///
/// After every call (`invariant_booksMatchGhostModel`):
/// - the accounting identity, exact in wad: vUSD.totalSupply() + surplus == totalPrincipal + deficit + what the
///   market stand-in minted. Borrow x: supply +x, principal +x. Repay p + i (principal, interest): supply −(p + i),
///   principal −p, interest pays down the deficit, the rest is surplus. Bad debt of principal b: principal −b,
///   covered by surplus first (surplus −c), the rest is deficit (+b − c). Minting surplus m: supply +m, surplus −m;
/// - the contracts agree with the handler's ghost books: each tier's index, rate and scaled debt, each borrower's
///   debt, tier, principal and collateral, total principal, surplus, deficit and vUSD supply;
/// - total principal is the sum of the positions' and never above the debt ceiling (accrued interest can carry
///   total debt past it, never a borrow); the pool holds exactly the positions' collateral;
/// - no healthy position was liquidated, no borrow left a position above its tier's LTV, and nothing the rules
///   allow was refused (`LendingHandler.violation`);
/// - the policy's derived values equal its rulebook.
///
/// Over the campaign (`afterInvariant`): the handler's counters are summed over the runs in a tally file
/// (`TALLY_PATH`); after the last run the campaign writes its report (`REPORT_PATH`: per action attempted /
/// accepted / skipped / rejected by reason, per path taken and its minimum) and fails unless every path was taken
/// at least `minimumOf(path)` times.
/// @notice The handler the runner fuzzes (declared here so that its artifact exists whenever this file runs).
contract LendingInvariantsHandler is LendingHandler {
    constructor(LendingSystem memory s, uint32 maxPriceAgeSec) LendingHandler(s, maxPriceAgeSec) {}
}

contract LendingInvariantsTest is SystemDeployer {
    /// @dev Keep equal to the `invariant.runs` / `invariant.depth` lines on `invariant_booksMatchGhostModel`
    /// (test/solidity/invariants/campaign-config.test.ts checks that they are).
    uint256 internal constant CAMPAIGN_RUNS = 64;
    uint256 internal constant CAMPAIGN_DEPTH = 250;
    /// @dev Written by the campaign (allowed in hardhat.config.ts `test.solidity.fsPermissions`).
    string internal constant TALLY_PATH = "cache/invariant-campaign.json";
    string internal constant REPORT_PATH = "cache/invariant-campaign.md";

    LendingHandler internal handler;

    function setUp() public {
        _deploySystem();
        handler = new LendingInvariantsHandler(
            LendingSystem(vusd, oracle, policy, pool, weth, feed, fallbackFeed, keccak256("model"), operatorKeys),
            MAX_PRICE_AGE_SEC
        );
        // The handler is also the market: a capped vUSD minter besides the pool (as the PSM will be).
        vm.prank(GOVERNANCE);
        vusd.setMinterCap(address(handler), type(uint256).max);
        // setUp runs once per campaign; each run starts from the state it leaves.
        vm.writeFile(TALLY_PATH, '{"runs":0}');
    }

    /// @dev Foundry-style target selection, read by Hardhat's invariant runner.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 250
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_booksMatchGhostModel() public view {
        handler.checkBooks();
        _checkPolicyDerivedValues();
    }

    /// @notice After each run: adds the run's counters to the campaign's tally; after the last, writes the report and
    /// checks that every path was reached often enough.
    function afterInvariant() public {
        string memory tally = vm.readFile(TALLY_PATH);
        uint256 runs = vm.parseJsonUint(tally, ".runs") + 1;
        // Past the last run: the runner replaying a failure (the campaign's check already ran).
        if (runs > CAMPAIGN_RUNS) return;
        uint256[] memory calls = handler.callCounts();
        uint256[] memory paths = handler.pathCounts();
        if (runs > 1) {
            _add(calls, vm.parseJsonUintArray(tally, ".calls"));
            _add(paths, vm.parseJsonUintArray(tally, ".paths"));
        }
        vm.writeFile(
            TALLY_PATH,
            string.concat(
                '{"runs":',
                vm.toString(runs),
                ',"calls":',
                _jsonArray(calls),
                ',"paths":',
                _jsonArray(paths),
                "}"
            )
        );
        if (runs < CAMPAIGN_RUNS) return;
        vm.writeFile(REPORT_PATH, _report(calls, paths));
        string memory shortfalls;
        for (uint256 p = 0; p < paths.length; ++p) {
            uint256 minimum = minimumOf(CampaignCounters.Path(p));
            if (paths[p] >= minimum) continue;
            shortfalls = string.concat(
                shortfalls,
                bytes(shortfalls).length == 0 ? "" : "; ",
                handler.pathName(p),
                " ",
                vm.toString(paths[p]),
                " < ",
                vm.toString(minimum)
            );
        }
        if (bytes(shortfalls).length != 0) {
            revert(string.concat("campaign: paths below their minimum: ", shortfalls, " (see ", REPORT_PATH, ")"));
        }
    }

    /// @notice How often the campaign must take each path: about a third of the fewest seen in campaigns of this size
    /// (the runner's sequences differ from one execution to the next, so the margin absorbs their spread).
    function minimumOf(CampaignCounters.Path path) public pure returns (uint256) {
        uint16[27] memory minimums = [
            uint16(150), // repay, partial
            40, // repay, in full
            40, // repay while paused
            200, // interest repaid
            15, // interest paid down the deficit
            30, // liquidation, partial
            8, // liquidation, in full
            50, // liquidation refused: healthy
            6, // bad debt written off
            5, // bad debt covered by surplus
            4, // bad debt into deficit
            50, // jump both sources confirm
            50, // freeze: one-source jump
            50, // freeze: a source silent
            300, // unfreeze
            50, // liquidation of a frozen asset
            12, // frozen-asset liquidation refused
            50, // manual pause
            50, // breaker reset
            150, // tier change
            150, // tier rate change
            30, // borrow up to the debt ceiling
            40, // borrow refused: DEBT_CEILING
            150, // surplus minted
            60, // borrow with a pulled score
            170, // freeze: sources out of step (one source moved alone)
            20 // liquidation of a frozen asset below its agreed price
        ];
        return minimums[uint256(path)];
    }

    // ------------------------------------------------------------------ internals

    /// The policy's derived values (precomputed for cheap reads) equal what the rulebook says: each tier's
    /// effective terms are its terms bounded by its caps, and the approval threshold, kept in the slot that borrows
    /// and the circuit breaker rewrite, is the last tier's TIER_MAX_PD, as is the oracle's copy of it.
    function _checkPolicyDerivedValues() internal view {
        uint8 count = policy.tierCount();
        for (uint8 t = 0; t < count; ++t) {
            TierTerms memory e = policy.termsOf(t);
            TierCaps memory c = policy.capsOf(t);
            require(e.maxPdBps == policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, t)), "effective max PD");
            require(
                e.maxLtvBps == _min(policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_LTV, t)), c.maxLtvBps),
                "effective LTV"
            );
            require(
                e.liquidationThresholdBps ==
                    _min(
                        policy.ruleValue(Rules.tierRule(Rules.TIER_LIQUIDATION_THRESHOLD, t)),
                        c.liquidationThresholdBps
                    ),
                "effective liquidation threshold"
            );
            require(e.aprBps == _min(policy.ruleValue(Rules.tierRule(Rules.TIER_APR, t)), c.aprBps), "effective APR");
            require(
                e.creditLimitWad ==
                    _min(policy.ruleValue(Rules.tierRule(Rules.TIER_CREDIT_LIMIT, t)), c.creditLimitWad),
                "effective credit limit"
            );
        }
        require(
            policy.approvalThresholdBps() == policy.ruleValue(Rules.tierRule(Rules.TIER_MAX_PD, count - 1)),
            "approval threshold != last tier's TIER_MAX_PD"
        );
        require(oracle.approvalThresholdBps() == policy.approvalThresholdBps(), "oracle's threshold copy drifted");
    }

    /// @dev The campaign report (Markdown): calls per action, then paths against their minimums.
    function _report(uint256[] memory calls, uint256[] memory paths) internal view returns (string memory out) {
        uint256 slots = calls.length / handler.ACTION_COUNT();
        out = string.concat(
            "# Lending invariant campaign\n\n",
            vm.toString(CAMPAIGN_RUNS),
            " runs x ",
            vm.toString(CAMPAIGN_DEPTH),
            " calls, invariants checked after every call.\n\n",
            "| action | attempted | accepted | skipped | rejected, by reason |\n|---|---:|---:|---:|---|\n"
        );
        for (uint256 a = 0; a < handler.ACTION_COUNT(); ++a) {
            uint256 base = a * slots;
            string memory reasons;
            for (uint256 r = 3; r < slots; ++r) {
                if (calls[base + r] == 0) continue;
                reasons = string.concat(
                    reasons,
                    bytes(reasons).length == 0 ? "" : ", ",
                    handler.reasonName(r - 3),
                    " ",
                    vm.toString(calls[base + r])
                );
            }
            out = string.concat(
                out,
                "| ",
                handler.actionName(a),
                " | ",
                vm.toString(calls[base]),
                " | ",
                vm.toString(calls[base + 1]),
                " | ",
                vm.toString(calls[base + 2]),
                " | ",
                reasons,
                " |\n"
            );
        }
        out = string.concat(out, "\n| path | taken | minimum |\n|---|---:|---:|\n");
        for (uint256 p = 0; p < paths.length; ++p) {
            out = string.concat(
                out,
                "| ",
                handler.pathName(p),
                " | ",
                vm.toString(paths[p]),
                " | ",
                vm.toString(minimumOf(CampaignCounters.Path(p))),
                " |\n"
            );
        }
    }

    function _add(uint256[] memory into, uint256[] memory more) internal pure {
        require(into.length == more.length, "campaign: tally layout changed mid-campaign");
        for (uint256 i = 0; i < into.length; ++i) {
            into[i] += more[i];
        }
    }

    function _jsonArray(uint256[] memory values) internal pure returns (string memory out) {
        out = "[";
        for (uint256 i = 0; i < values.length; ++i) {
            out = string.concat(out, i == 0 ? "" : ",", vm.toString(values[i]));
        }
        out = string.concat(out, "]");
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
