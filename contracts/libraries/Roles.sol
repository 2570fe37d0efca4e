// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Role ids, defined once for every contract
/// @notice Governance, regulator, guardian and attester are separate: each role is its own admin, so no role can
/// grant itself another's powers. Oracle operators are not an AccessControl role: they are the versioned
/// operator set of `CreditScoreOracle`.
library Roles {
    /// @notice Protocol governance: tier terms, operator set, collateral registry, minters.
    bytes32 internal constant GOVERNANCE = keccak256("verity.role.GOVERNANCE");
    /// @notice The supervisor: caps, global rules, model registry, circuit breaker reset.
    bytes32 internal constant REGULATOR = keccak256("verity.role.REGULATOR");
    /// @notice Emergency pause only.
    bytes32 internal constant GUARDIAN = keccak256("verity.role.GUARDIAN");
    /// @notice Issues borrower eligibility attestations (KYC / jurisdiction), when the regulator requires them.
    bytes32 internal constant ATTESTER = keccak256("verity.role.ATTESTER");
    /// @notice The lending pool, the only caller of the policy's state-changing hooks.
    bytes32 internal constant POOL = keccak256("verity.role.POOL");
    /// @notice The savings vault: the only caller of the pool's `paySavings` (surplus to savers). Its admin is
    /// GOVERNANCE, which may already mint surplus, so granting it gives no role a power it lacks.
    bytes32 internal constant SAVINGS = keccak256("verity.role.SAVINGS");
}
