// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVUSD} from "../interfaces/IVUSD.sol";
import {ICreditScoreOracle} from "../interfaces/ICreditScoreOracle.sol";
import {ISupervisionPolicy} from "../interfaces/ISupervisionPolicy.sol";

/// @notice A borrower's position, packed into one slot (248 bits).
/// @dev `collateralMask` has bit i set when the borrower holds collateral asset i; a deposit writes it, so the
/// first borrow after a deposit updates a non-zero slot instead of creating one.
struct Position {
    uint112 scaledDebt; // debt / tier index (ray), rounded in the protocol's favour
    uint112 principalWad; // vUSD lent and not yet repaid (interest is repaid first)
    uint8 tier; // tier whose index the scaled debt follows
    uint16 collateralMask;
}

/// @notice A tier's cumulative rate index, the APR in force since its last accrual and the tier's total scaled
/// debt, in one slot (every borrow and repayment writes it once).
/// @dev uint104 holds an index up to 20,282 x its start (e.g. 100% APR compounded for ~14 years); the index
/// saturates there (`InterestIndex.MAX_INDEX_RAY`): the tier then accrues no more interest, and every call keeps
/// working. uint40 timestamps last until year 36812. uint96 holds 79 billion vUSD of scaled debt (`_fit` reverts
/// rather than wrap).
struct TierState {
    uint104 indexRay;
    uint40 lastAccrualTs;
    uint16 aprBps;
    uint96 scaledDebt;
}

/// @notice A listed collateral asset (one slot, 232 bits).
/// @dev `frozen` lives here, in the slot every valuation reads anyway, so a price check of an asset that is not
/// frozen costs nothing extra.
struct CollateralConfig {
    address priceFeed; // primary Chainlink AggregatorV3Interface
    uint32 maxPriceAgeSec;
    uint8 index; // position in the registry: bit in `Position.collateralMask`
    uint8 tokenDecimals;
    uint8 feedDecimals;
    bool listed;
    bool frozen; // the price sources disagree (or one cannot be read): see `CollateralLogic`
}

/// @notice An asset's second, independent price source (one slot; read only on the rare path: a jump beyond
/// MAX_PRICE_DEVIATION, an unreadable primary, a frozen asset, or `pokePrice`).
struct FallbackFeed {
    address priceFeed; // AggregatorV3Interface; zero: none listed
    uint32 maxPriceAgeSec;
    uint8 feedDecimals;
}

/// @notice A collateral asset's total deposits.
struct CollateralState {
    uint128 totalDeposited;
}

/// @notice A listed asset at its registry index, with its last accepted (agreed) price: one slot, which the
/// valuation reads for each asset a position holds (the asset names its balance and config).
/// @dev uint96 holds a price up to 79,228,162,514 vUSD per whole token (`CollateralLogic.feedPrice` treats a feed
/// answer above it as invalid).
struct AssetSlot {
    address asset;
    uint96 lastPriceWad;
}

/// @dev Largest number of collateral assets (one bit each in a position's `collateralMask`).
uint256 constant MAX_COLLATERAL_ASSETS = 16;

/// @notice The pool's collateral registry (`CollateralLogic` acts on it).
/// @dev `assets` lists the listed assets by index (`CollateralConfig.index`, the bit in `Position.collateralMask`)
/// with their last accepted prices; the first `count` entries are set. A fixed-size array: reading asset i and its
/// price costs one SLOAD (no length to load), and a uint16 mask can only name indices below MAX_COLLATERAL_ASSETS.
struct CollateralRegistry {
    mapping(address asset => CollateralConfig) configs;
    mapping(address asset => CollateralState) states;
    AssetSlot[MAX_COLLATERAL_ASSETS] assets;
    uint256 count;
    mapping(address asset => FallbackFeed) fallbacks;
}

/// @notice Everything `LendingPool` is deployed with; validated once in the constructor. Governance is whoever
/// holds Roles.GOVERNANCE on the policy.
struct PoolConfig {
    IVUSD vusd;
    ICreditScoreOracle oracle;
    ISupervisionPolicy policy;
    uint16 closeFactorBps; // share of the debt one liquidation may repay, (0, 10000]
    uint16 liquidationBonusBps; // extra collateral value for the liquidator, <= 2000
    uint128 minDebtWad; // smallest open debt; smaller positions may be closed in full
}
