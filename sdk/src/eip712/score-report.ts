/**
 * EIP-712 `ScoreReport`: the one definition of what oracle operators sign and what `CreditScoreOracle` verifies.
 * Used by the oracle node, the dApp and the tests; mirrors `contracts/types/ScoreTypes.sol` and
 * `contracts/libraries/ScoreReportHashing.sol`.
 */
import { concat, getAddress, isHexString, recoverAddress, type TypedDataDomain, type TypedDataField } from "ethers";

import { StructWords, typedDataDigest, typeHash, type TypedDataSigner } from "./typed-data.js";

export type { TypedDataSigner } from "./typed-data.js";

/** EIP-712 domain name of `CreditScoreOracle` (its `EIP712` constructor argument). */
export const SCORE_REPORT_DOMAIN_NAME = "Verity CreditScoreOracle";
/** EIP-712 domain version of `CreditScoreOracle`. */
export const SCORE_REPORT_DOMAIN_VERSION = "1";
/** `CreditScoreOracle.MAX_ISSUED_AT_SKEW`: how far `issuedAt` may be ahead of the block time, in seconds. */
export const MAX_ISSUED_AT_SKEW_SEC = 300n;
/** `CreditScoreOracle.MAX_PD_BPS`: a PD of 100%. */
export const MAX_PD_BPS = 10_000;
/** Reason codes per report (Reg B's principal reasons); 0 means "no code". */
export const REASON_CODE_COUNT = 4;
/** Length of one (r, s, v) signature in bytes. */
export const SIGNATURE_BYTES = 65;

/** The EIP-712 type string; its keccak256 is `ScoreReportHashing.SCORE_REPORT_TYPEHASH`. */
export const SCORE_REPORT_TYPE =
  "ScoreReport(address borrower,uint16 pdBps,uint16[4] reasonCodes,bytes32 modelId,uint64 operatorSetVersion,uint64 issuedAt,uint64 validUntil,bytes32 creditFileHash,address provider)";

/** The `types` argument of ethers v6 `TypedDataEncoder` / `signer.signTypedData` (field order is the type order). */
export const SCORE_REPORT_TYPES: Record<string, TypedDataField[]> = {
  ScoreReport: [
    { name: "borrower", type: "address" },
    { name: "pdBps", type: "uint16" },
    { name: "reasonCodes", type: "uint16[4]" },
    { name: "modelId", type: "bytes32" },
    { name: "operatorSetVersion", type: "uint64" },
    { name: "issuedAt", type: "uint64" },
    { name: "validUntil", type: "uint64" },
    { name: "creditFileHash", type: "bytes32" },
    { name: "provider", type: "address" },
  ],
};

const SCORE_REPORT_TYPEHASH = typeHash(SCORE_REPORT_TYPE);

/** A score report as ethers encodes it (and as TypeChain accepts it for `submitScore`). */
export interface ScoreReport {
  borrower: string;
  pdBps: number;
  reasonCodes: [number, number, number, number];
  /** sha256 of the model's ONNX file, `0x`-prefixed 32 bytes. */
  modelId: string;
  operatorSetVersion: bigint;
  /** Seconds since the epoch. */
  issuedAt: bigint;
  /** Seconds since the epoch, inclusive; must be after `issuedAt`. */
  validUntil: bigint;
  /** EIP-712 digest of the provider-signed credit file the score was computed from (`hashCreditFile`). */
  creditFileHash: string;
  /** The data provider's registry id (the credit file's `provider`). */
  provider: string;
}

/** The EIP-712 domain of one deployed `CreditScoreOracle`. */
export interface ScoreReportDomain extends TypedDataDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** The domain of the oracle deployed at `verifyingContract` on `chainId`. */
export function scoreReportDomain(chainId: bigint | number, verifyingContract: string): ScoreReportDomain {
  return {
    name: SCORE_REPORT_DOMAIN_NAME,
    version: SCORE_REPORT_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(verifyingContract),
  };
}

/** The EIP-712 struct hash of `report` (what `ScoreReportHashing.hashCalldata` returns). */
export function structHashScoreReport(report: ScoreReport): string {
  if (report.reasonCodes.length !== REASON_CODE_COUNT)
    throw new Error(`EIP-712 reasonCodes: ${REASON_CODE_COUNT} codes expected, got ${report.reasonCodes.length}`);
  // A fixed array is encoded as the keccak256 of its members' words.
  const reasonCodes = new StructWords(REASON_CODE_COUNT);
  report.reasonCodes.forEach((code, i) => reasonCodes.uint(`reasonCodes[${i}]`, code, 16));
  return new StructWords(9, SCORE_REPORT_TYPEHASH)
    .address("borrower", report.borrower)
    .uint("pdBps", report.pdBps, 16)
    .bytes32("reasonCodes", reasonCodes.hash())
    .bytes32("modelId", report.modelId)
    .uint("operatorSetVersion", report.operatorSetVersion, 64)
    .uint("issuedAt", report.issuedAt, 64)
    .uint("validUntil", report.validUntil, 64)
    .bytes32("creditFileHash", report.creditFileHash)
    .address("provider", report.provider)
    .hash();
}

/** The EIP-712 digest the operators sign (what `CreditScoreOracle.hashReport` returns). */
export function hashScoreReport(domain: ScoreReportDomain, report: ScoreReport): string {
  return typedDataDigest(domain, structHashScoreReport(report));
}

/** Signs `report` for `domain`; returns the 65-byte `0x` signature (r, s, v). */
export async function signScoreReport(
  signer: TypedDataSigner,
  domain: ScoreReportDomain,
  report: ScoreReport,
): Promise<string> {
  return signer.signTypedData(domain, SCORE_REPORT_TYPES, toTypedValue(report));
}

/** Concatenates 65-byte signatures into the `signatures` argument of `submitScore`. */
export function packSignatures(signatures: readonly string[]): string {
  signatures.forEach((signature, index) => {
    if (!isHexString(signature, SIGNATURE_BYTES)) {
      throw new Error(`signature ${index} is not ${SIGNATURE_BYTES} bytes of 0x-prefixed hex`);
    }
  });
  return concat(signatures);
}

function toTypedValue(report: ScoreReport): Record<string, unknown> {
  return { ...report, reasonCodes: [...report.reasonCodes] };
}

/**
 * The operators that signed `report`: recovers each 65-byte signature of a packed `signatures` argument, in order.
 * Throws an Error naming the signature that does not recover. (The contract also requires k distinct signers of
 * the current operator set, in ascending order; compare the result with `CreditScoreOracle.operatorSet()`.)
 */
export function recoverScoreReportSigners(
  domain: ScoreReportDomain,
  report: ScoreReport,
  signatures: string,
): string[] {
  if (!isHexString(signatures) || (signatures.length - 2) % (SIGNATURE_BYTES * 2) !== 0 || signatures.length === 2)
    throw new Error(`signatures: not a concatenation of ${SIGNATURE_BYTES}-byte signatures`);
  const digest = hashScoreReport(domain, report);
  const count = (signatures.length - 2) / (SIGNATURE_BYTES * 2);
  return Array.from({ length: count }, (_, i) => {
    const signature = `0x${signatures.slice(2 + i * SIGNATURE_BYTES * 2, 2 + (i + 1) * SIGNATURE_BYTES * 2)}`;
    try {
      return recoverAddress(digest, signature);
    } catch (error) {
      throw new Error(`signatures[${i}]: does not recover (${(error as Error).message.split(" (")[0]})`, {
        cause: error,
      });
    }
  });
}

/**
 * Checks that every signature of `signatures` recovers to one of `operators` and that there are at least
 * `threshold` distinct ones; returns the signers. Throws an Error naming the problem.
 */
export function verifyScoreReport(
  domain: ScoreReportDomain,
  report: ScoreReport,
  signatures: string,
  operators: readonly string[],
  threshold: number,
): string[] {
  const signers = recoverScoreReportSigners(domain, report, signatures);
  const known = new Set(operators.map((o) => getAddress(o)));
  signers.forEach((signer, i) => {
    if (!known.has(signer)) throw new Error(`signatures[${i}]: signed by ${signer}, not an operator of the set`);
  });
  const distinct = new Set(signers).size;
  if (distinct < threshold)
    throw new Error(`signatures: ${distinct} distinct operators signed, the quorum is ${threshold}`);
  return signers;
}
