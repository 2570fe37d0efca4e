// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A credit score as signed by the oracle operators (EIP-712 typed data `ScoreReport`).
/// @dev Field order is the EIP-712 type order; see `ScoreReportHashing.SCORE_REPORT_TYPEHASH`.
/// `reasonCodes` are the principal reasons (Reg B allows at most four) ordered by weight; 0 means "no code".
/// `creditFileHash` is the EIP-712 digest of the provider-signed `CreditFile` the score was computed from (domain
/// "Verity Credit File", this oracle as verifying contract) and `provider` that file's provider id in the registry:
/// a supervisor traces any score to its attested data without personal data on chain.
struct ScoreReport {
    address borrower;
    uint16 pdBps;
    uint16[4] reasonCodes;
    bytes32 modelId;
    uint64 operatorSetVersion;
    uint64 issuedAt;
    uint64 validUntil;
    bytes32 creditFileHash;
    address provider;
}

/// @notice The score the oracle keeps for a borrower, packed into one storage slot to keep posting cheap.
/// @dev A user-defined value type rather than a struct: in a struct, the `uint16[4]` array would start its own
/// storage slot (and push the fields after it to a third one). Bit layout, from the least significant bit
/// (see `ScorePacking`): `pdBps` [0, 16), `reasonCodes[i]` [16 + 16i, 32 + 16i), `modelIndex` [80, 112) (position of
/// the model in the registry, 1-based; 0 = no score), `issuedAt` [112, 152), `validUntil` [152, 192), `postedAt`
/// [192, 232) (uint40 seconds; when the oracle stored it, not a signed field).
type PackedScore is uint256;

/// @notice Lifecycle of a model in the registry: the regulator proposes, approves, retires.
enum ModelStatus {
    None,
    Proposed,
    Approved,
    Retired
}

/// @notice Lifecycle of a data provider in the registry: the regulator approves (and may re-approve, e.g. to rotate
/// signing keys or record a new data-quality assessment), then retires; retirement is final.
enum ProviderStatus {
    None,
    Approved,
    Retired
}
