// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The compliance vocabulary shared by every Verity contract
/// @notice Each event is emitted by the action that causes it, indexed so a supervisor can filter by borrower,
/// model and rule. No personal data: only addresses, PD in basis points, reason codes and hashes.
interface IComplianceEvents {
    /// @notice A loan (or a top-up of one) was originated.
    /// @param ltvBps the position's loan-to-value after the borrow, rounded up.
    event LoanOriginated(
        address indexed borrower,
        uint256 amountWad,
        uint8 indexed tier,
        uint16 pdBps,
        bytes32 indexed modelId,
        uint256 ltvBps
    );

    /// @notice Debt was repaid by `payer` on behalf of `borrower`; `interestWad` of `amountWad` went to surplus.
    event LoanRepaid(
        address indexed borrower,
        address indexed payer,
        uint256 amountWad,
        uint256 interestWad,
        uint256 debtLeftWad
    );

    /// @notice A position was liquidated; `badDebtWad` is debt left with no collateral (written off).
    event PositionLiquidated(
        address indexed borrower,
        address indexed liquidator,
        address indexed collateralAsset,
        uint256 debtRepaidWad,
        uint256 collateralSeized,
        uint256 badDebtWad
    );

    /// @notice A score was accepted and stored.
    /// @param provider the registry id of the data provider whose signed credit file was scored,
    /// @param creditFileHash the EIP-712 digest of that file (the node holds the file; the chain only its hash).
    event ScorePosted(
        address indexed borrower,
        bytes32 indexed modelId,
        address indexed provider,
        uint16 pdBps,
        uint16[4] reasonCodes,
        uint64 issuedAt,
        uint64 validUntil,
        uint64 operatorSetVersion,
        bytes32 creditFileHash
    );

    /// @notice Credit was denied on the basis of a score (PD above the approval threshold), with the reasons.
    event AdverseAction(address indexed borrower, bytes32 indexed modelId, uint16 pdBps, uint16[4] reasonCodes);

    /// @notice A rule change was scheduled; it can execute from `executableAt`.
    event RuleChangeScheduled(
        bytes32 indexed changeId,
        bytes32 indexed rule,
        uint256 oldValue,
        uint256 newValue,
        uint64 executableAt
    );

    /// @notice A scheduled rule change was cancelled before it executed.
    event RuleChangeCancelled(bytes32 indexed changeId, bytes32 indexed rule);

    /// @notice A rule changed (a scheduled change executed).
    event RuleChanged(bytes32 indexed changeId, bytes32 indexed rule, uint256 oldValue, uint256 newValue);

    /// @notice The regulator proposed a model; `validationReportHash` is the sha256 of its validation report.
    event ModelProposed(bytes32 indexed modelId, bytes32 validationReportHash, uint32 modelIndex);

    /// @notice The regulator approved a model: its scores are accepted from now on.
    event ModelApproved(bytes32 indexed modelId);

    /// @notice The regulator retired a model: its scores are no longer accepted, stored ones no longer count.
    event ModelRetired(bytes32 indexed modelId);

    /// @notice The regulator approved a data provider (or re-approved it with new terms): credit files signed by one
    /// of `signingKeys` for `schemaHash` may feed scores from now on.
    /// @param schemaHash keccak256(abi.encode(string[] featureNames)): the one feature schema the provider attests,
    /// @param dataQualityHash the sha256 of the regulator's data-quality assessment of the provider.
    event DataProviderApproved(
        address indexed provider,
        string name,
        address[] signingKeys,
        bytes32 indexed schemaHash,
        bytes32 dataQualityHash
    );

    /// @notice The regulator retired a data provider: reports computed from its files are no longer accepted.
    event DataProviderRetired(address indexed provider);

    /// @notice The circuit breaker tripped. `reason` is a rule id (e.g. PRICE_STALE, PRICE_DEVIATION, MANUAL).
    event CircuitBreakerTripped(bytes32 indexed reason, address indexed by, uint256 detail);

    /// @notice The pool froze a collateral asset: its price sources do not confirm each other. `reason`:
    /// PRICE_STALE (a source is stale, non-positive, incomplete or reverting; its price reads 0 here),
    /// PRICE_SOURCE_TOLERANCE (both read, further apart than the rule allows), PRICE_DEVIATION (a jump beyond
    /// MAX_PRICE_DEVIATION and no second source listed to confirm it). While frozen: no credit against the asset,
    /// no withdrawal that needs its price; positions below FROZEN_LIQUIDATION_HEALTH may still be liquidated
    /// at `lastAgreedPriceWad`.
    event AssetFrozen(
        address indexed asset,
        bytes32 indexed reason,
        uint256 primaryPriceWad,
        uint256 fallbackPriceWad,
        uint256 lastAgreedPriceWad
    );

    /// @notice The asset's sources agree again; `priceWad` is the new agreed price and the freeze is lifted.
    event AssetUnfrozen(address indexed asset, uint256 priceWad);

    /// @notice A borrower's score has expired and their debt is on notice: it keeps `tier` until `noticeEndsAt`,
    /// then moves to the most conservative tier unless a fresh score is posted. Emitted once per expiry, at the
    /// first touch of the position after it (a `rebase` by anyone, e.g. the keeper, or the borrower's withdrawal).
    event ScoreExpiring(address indexed borrower, uint8 indexed tier, uint64 expiredAt, uint64 noticeEndsAt);

    /// @notice The circuit breaker was reset; liquidations resume at `liquidationsResumeAt`.
    event CircuitBreakerReset(address indexed by, uint64 liquidationsResumeAt);

    /// @notice Governance replaced the operator set; reports signed under an older version are void.
    event OperatorSetChanged(uint64 indexed version, address[] operators, uint8 threshold);

    /// @notice A snapshot of the protocol's exposure; `debtByTierWad[i]` is tier i's debt.
    event ExposureSnapshot(
        uint256 totalDebtWad,
        uint256 totalCollateralValueWad,
        uint256 vusdSupplyWad,
        uint256[] debtByTierWad
    );

    /// @notice A fairness report for a model over a period was published (metrics in bps, report by hash).
    /// @param eodBps equal-opportunity difference (absolute), @param dirBps disparate-impact ratio.
    event FairnessReportPublished(
        bytes32 indexed modelId,
        uint64 periodStart,
        uint64 periodEnd,
        uint16 eodBps,
        uint16 dirBps,
        bytes32 reportHash
    );

    /// @notice An operator published the summary of a drift-monitoring window: the population stability index of
    /// the applications it scored with `modelId` against the model's training reference. Nodes publish a window
    /// that went critical (PSI >= 0.25 or a units error), at most once per window.
    /// @param maxPsiBps the window's largest PSI in basis points (capped at 65535),
    /// @param summaryHash keccak256 of the window's summary JSON, as the node serves it at `/v1/monitoring/drift`.
    event MonitoringReportPublished(
        bytes32 indexed modelId,
        address indexed operator,
        uint64 windowStart,
        uint64 windowEnd,
        uint32 applications,
        uint16 maxPsiBps,
        bytes32 summaryHash
    );

    /// @notice The savings vault checked the pool's interest and paid savers from surplus.
    /// @param paidWad vUSD minted from surplus to the vault now (0 while there is a deficit);
    /// @param interestBasisWad interest that became surplus since the previous check, on which savers accrued
    /// `shareBps` (SAVINGS_SHARE in force at the check; 0 when there was no new interest, or no saver to credit);
    /// @param owedWad what savers are still owed after this payout (a deficit or short surplus defers it);
    /// @param sharePriceWad vUSD per whole sVUSD after the payout, rounded down.
    event SavingsYieldPaid(
        uint256 paidWad,
        uint256 interestBasisWad,
        uint16 shareBps,
        uint256 owedWad,
        uint256 sharePriceWad
    );
}
