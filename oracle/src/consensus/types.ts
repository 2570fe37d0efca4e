/**
 * Shapes shared by consensus, store and (later) chain submission. They mirror `contracts/types/ScoreTypes.sol`;
 * uint64 fields are bigint as in the contract, so no value is silently rounded.
 */

/** Number of reason-code slots in a report (Reg B's principal reasons); 0 means "no code". */
export const REASON_CODE_SLOTS = 4;
/** Upper bound of a probability of default in basis points. */
export const MAX_PD_BPS = 10_000;

/** The fields of the on-chain `ScoreReport` struct, in its EIP-712 type order. */
export interface ScoreReportFields {
  borrower: string;
  pdBps: number;
  reasonCodes: readonly [number, number, number, number];
  modelId: string;
  operatorSetVersion: bigint;
  issuedAt: bigint;
  validUntil: bigint;
  /** EIP-712 digest of the attested credit file that was scored. */
  creditFileHash: string;
  /** Registry id of the data provider that signed the file. */
  provider: string;
}

/** What a node's own scoring of an application yields (the model + explain modules implement it). */
export interface OwnScore {
  pdBps: number;
  reasonCodes: readonly number[];
}

/** Scores raw features given in the model's feature order. */
export type Scorer = (features: number[]) => Promise<OwnScore>;

/** Signs a report with the operator key and returns a 65-byte signature (the signing module implements it). */
export type ReportSigner = (report: ScoreReportFields) => Promise<string>;

/** The EIP-712 digest of a report under the oracle's domain (the signing module implements it). */
export type ReportHasher = (report: ScoreReportFields) => string;

/** One operator's signature over a report digest: canonical 65-byte r‖s‖v hex. */
export interface OperatorSignature {
  signer: string;
  signature: string;
}
