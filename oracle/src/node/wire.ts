/**
 * The wire protocol: the node's routes and the JSON shapes on them: score reports (uint64 fields as decimal
 * strings), peer payloads and score bundles.
 */
import { getAddress } from "ethers";
import { z } from "zod";

import type { ScoreReportFields } from "../consensus/index.js";
import { decimalUint } from "../validation/index.js";

export const ROUTES = {
  applications: "/v1/applications",
  scores: "/v1/scores/:borrower",
  cosign: "/v1/cosign",
  coordinate: "/v1/peer/coordinate",
  peerApplications: "/v1/peer/applications",
} as const;

const uint64 = decimalUint(64);
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of hex");
const uint16 = z.int().min(0).max(0xffff);

export const reportSchema = z.strictObject({
  borrower: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .transform((v) => getAddress(v)),
  pdBps: z.int().min(0).max(10_000),
  reasonCodes: z.tuple([uint16, uint16, uint16, uint16]),
  modelId: bytes32,
  operatorSetVersion: uint64,
  issuedAt: uint64,
  validUntil: uint64,
  creditFileHash: bytes32,
  provider: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .transform((v) => getAddress(v)),
});

/** A report as JSON: what `toJson` writes and `reportSchema` reads back. */
export interface ReportJson {
  borrower: string;
  pdBps: number;
  reasonCodes: readonly [number, number, number, number];
  modelId: string;
  operatorSetVersion: string;
  issuedAt: string;
  validUntil: string;
  creditFileHash: string;
  provider: string;
}

export function reportToJson(report: ScoreReportFields): ReportJson {
  return {
    ...report,
    operatorSetVersion: report.operatorSetVersion.toString(),
    issuedAt: report.issuedAt.toString(),
    validUntil: report.validUntil.toString(),
  };
}

/** What a leader sends to `/v1/cosign`. */
export const cosignPayloadSchema = z.strictObject({
  flow: z.enum(["pull", "push"]),
  /** bytes32 the leader was selected for: the application hash (pull) or the request id (push). */
  requestKey: bytes32,
  round: z.int().min(0).max(255),
  applicationHash: bytes32,
  /** Push flow: the on-chain request id, decimal. */
  requestId: decimalUint(256).optional(),
  /** Pull flow: the borrower-signed application body, so the peer verifies the signature itself. */
  application: z.record(z.string(), z.unknown()).optional(),
  report: reportSchema,
});
export type CosignPayload = z.infer<typeof cosignPayloadSchema>;

/** What a leader proposes to its peers, as it is sent (the receiving peer parses it with `cosignPayloadSchema`). */
export interface CosignProposal {
  flow: "pull" | "push";
  requestKey: string;
  round: number;
  applicationHash: string;
  requestId?: string;
  application?: Record<string, unknown>;
  report: ReportJson;
}

/** What a receiving node sends to the leader at `/v1/peer/coordinate` (pull flow forwarding). */
export const coordinatePayloadSchema = z.strictObject({
  round: z.int().min(0).max(255),
  application: z.record(z.string(), z.unknown()),
});
export type CoordinatePayload = z.infer<typeof coordinatePayloadSchema>;

/** What a receiving node broadcasts to `/v1/peer/applications` (push flow distribution). */
export const peerApplicationPayloadSchema = z.strictObject({ application: z.record(z.string(), z.unknown()) });

/** A borrower's signed score: what `borrowWithReport(amount, report, signatures)` takes. */
export interface ScoreBundle {
  reportDigest: string;
  requestKey: string;
  leader: string;
  report: ReportJson;
  /** The k signatures, concatenated 65-byte r‖s‖v: the `signatures` argument. */
  signatures: string;
  signers: string[];
  /** The reason codes' adverse-action texts. */
  reasons: { code: number; text: string }[];
}

export const bundleSchema = z.object({
  reportDigest: bytes32,
  requestKey: bytes32,
  leader: z.string(),
  report: reportSchema,
  signatures: z.string().regex(/^0x([0-9a-fA-F]{130})+$/),
  signers: z.array(z.string()),
  reasons: z.array(z.object({ code: z.int(), text: z.string() })),
});

/** A co-signer's answer at `/v1/cosign`: its signature over the report's EIP-712 digest. */
export const cosignatureSchema = z
  .strictObject({
    signer: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
    reportDigest: bytes32,
  })
  .meta({ id: "Cosignature" });

/** A peer's answer at `/v1/peer/applications`: `stored` is false when it already held the application. */
export const peerApplicationReceiptSchema = z
  .strictObject({ applicationHash: bytes32, stored: z.boolean() })
  .meta({ id: "PeerApplicationReceipt" });
