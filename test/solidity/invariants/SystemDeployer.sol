// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VUSD} from "../../../contracts/core/VUSD.sol";
import {CreditScoreOracle} from "../../../contracts/core/CreditScoreOracle.sol";
import {SupervisionPolicy} from "../../../contracts/core/SupervisionPolicy.sol";
import {LendingPool} from "../../../contracts/core/LendingPool.sol";
import {SavingsVault} from "../../../contracts/core/SavingsVault.sol";
import {WETH9} from "../../../contracts/mocks/WETH9.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {IVUSD} from "../../../contracts/interfaces/IVUSD.sol";
import {ICreditScoreOracle} from "../../../contracts/interfaces/ICreditScoreOracle.sol";
import {ISupervisionPolicy} from "../../../contracts/interfaces/ISupervisionPolicy.sol";
import {ILendingPool} from "../../../contracts/interfaces/ILendingPool.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {TierTerms, TierCaps, GlobalRules, PolicyConfig} from "../../../contracts/types/PolicyTypes.sol";
import {PoolConfig} from "../../../contracts/types/PoolTypes.sol";
import {Cheats, CHEATS_ADDRESS} from "../Cheats.sol";

/// @dev The data provider the handler's reports name: approved by `SystemDeployer`, used by `LendingHandler`.
address constant DATA_PROVIDER = address(0xDA7A);

/// @notice Deploys and wires the real system the way scripts/deploy does (four tiers, WETH at $3,000), with a
/// debt ceiling small enough for the handler's borrows to reach it (`LendingHandler.borrowToCeiling`).
abstract contract SystemDeployer {
    Cheats internal constant vm = Cheats(CHEATS_ADDRESS);

    address internal constant GOVERNANCE = address(0x60F);
    address internal constant REGULATOR = address(0x4E6);
    address internal constant GUARDIAN = address(0x6A4D);
    address internal constant ATTESTER = address(0xA77E);

    uint256 internal constant DEBT_CEILING_WAD = 200_000e18;
    uint256 internal constant INITIAL_PRICE = 3_000e8;
    uint32 internal constant MAX_PRICE_AGE_SEC = 1 hours;
    /// @dev SAVINGS_SHARE at deployment, as scripts/deploy/parameters.ts sets it.
    uint16 internal constant SAVINGS_SHARE_BPS = 5000;

    VUSD internal vusd;
    CreditScoreOracle internal oracle;
    SupervisionPolicy internal policy;
    LendingPool internal pool;
    WETH9 internal weth;
    MockAggregatorV3 internal feed;
    MockAggregatorV3 internal fallbackFeed;
    uint256[] internal operatorKeys;

    function _deploySystem() internal {
        vusd = new VUSD(GOVERNANCE);
        oracle = new CreditScoreOracle(GOVERNANCE, REGULATOR);

        TierTerms[] memory terms = new TierTerms[](4);
        TierCaps[] memory caps = new TierCaps[](4);
        terms[0] = TierTerms(500, 8000, 8500, 400, 1_000_000e18);
        terms[1] = TierTerms(1200, 7000, 7800, 700, 250_000e18);
        terms[2] = TierTerms(2000, 6000, 7000, 1100, 100_000e18);
        terms[3] = TierTerms(2800, 5000, 6200, 1600, 25_000e18);
        caps[0] = TierCaps(8500, 9000, 800, 2_000_000e18);
        caps[1] = TierCaps(7500, 8300, 1200, 500_000e18);
        caps[2] = TierCaps(6500, 7500, 1800, 200_000e18);
        caps[3] = TierCaps(5500, 6800, 2400, 50_000e18);
        GlobalRules memory rules = GlobalRules({
            debtCeilingWad: uint128(DEBT_CEILING_WAD),
            borrowerCapWad: 150_000e18,
            concentrationFloorWad: 100_000e18,
            dailyOriginationLimitWad: 1_000_000e18,
            concentrationCapBps: 6000,
            maxPriceDeviationBps: 3000,
            maxScoreAgeSec: 30 days,
            liquidationGracePeriodSec: 1 hours,
            timelockDelaySec: 2 days,
            attestationRequired: false,
            pullReportMaxAgeSec: 5 minutes,
            scoreNoticePeriodSec: 7 days
        });
        policy = new SupervisionPolicy(
            PolicyConfig(GOVERNANCE, REGULATOR, GUARDIAN, ATTESTER, terms, caps, rules, SAVINGS_SHARE_BPS)
        );
        pool = new LendingPool(
            PoolConfig({
                vusd: IVUSD(address(vusd)),
                oracle: ICreditScoreOracle(address(oracle)),
                policy: ISupervisionPolicy(address(policy)),
                closeFactorBps: 5000,
                liquidationBonusBps: 500,
                minDebtWad: 100e18
            })
        );
        weth = new WETH9();
        feed = new MockAggregatorV3(8, "ETH / USD", int256(INITIAL_PRICE));
        fallbackFeed = new MockAggregatorV3(8, "ETH / USD (fallback)", int256(INITIAL_PRICE));

        vm.prank(GOVERNANCE);
        vusd.setMinterCap(address(pool), 10_000_000e18);
        vm.prank(REGULATOR);
        policy.grantRole(Roles.POOL, address(pool));
        vm.prank(REGULATOR);
        policy.setScoreOracle(address(oracle));
        vm.prank(GOVERNANCE);
        oracle.setPolicy(address(policy));
        vm.prank(GOVERNANCE);
        pool.listCollateral(address(weth), address(feed), MAX_PRICE_AGE_SEC);
        vm.prank(GOVERNANCE);
        pool.setFallbackFeed(address(weth), address(fallbackFeed), MAX_PRICE_AGE_SEC);

        address[] memory operators = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            operatorKeys.push(0xA11CE + i);
            operators[i] = vm.addr(0xA11CE + i);
        }
        vm.prank(GOVERNANCE);
        oracle.setOperators(operators, 2);
        vm.prank(REGULATOR);
        oracle.proposeModel(keccak256("model"), keccak256("validation report"));
        vm.prank(REGULATOR);
        oracle.approveModel(keccak256("model"));
        address[] memory providerKeys = new address[](1);
        providerKeys[0] = DATA_PROVIDER;
        vm.prank(REGULATOR);
        oracle.approveProvider(
            DATA_PROVIDER,
            "invariant bureau",
            providerKeys,
            keccak256("schema"),
            keccak256("data-quality assessment")
        );
    }

    /// @dev The savings vault as scripts/deploy wires it: governance grants it the SAVINGS role.
    function _deploySavingsVault() internal returns (SavingsVault vault) {
        vault = new SavingsVault(vusd, ILendingPool(address(pool)), ISupervisionPolicy(address(policy)));
        vm.prank(GOVERNANCE);
        policy.grantRole(Roles.SAVINGS, address(vault));
    }
}
