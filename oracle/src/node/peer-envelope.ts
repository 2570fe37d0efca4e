/**
 * Node-to-node authentication: every peer request is an envelope signed by the sender's operator key, and the
 * receiver accepts it only from a member of the on-chain operator set. The signature covers the route, a timestamp and
 * the exact payload text, so an envelope cannot be moved to another route or replayed after `maxSkewSec`.
 * (Replaying within the window is harmless: co-signing is a pure function of the proposal.)
 */
import { getAddress, keccak256, toUtf8Bytes } from "ethers";
import { z } from "zod";

import { recoverMessageSigner, type DigestSigner } from "../signing/index.js";
import { NodeError } from "./errors.js";

/**
 * The body of every operator-only route: `payload` is the route's message as JSON text, signed byte for byte (with
 * the route and `sentAt`) by `sender`, a current operator; parsed only after the signature checks out.
 */
export const peerEnvelopeSchema = z
  .strictObject({
    sender: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    /** Unix seconds when the sender signed. */
    sentAt: z.int().nonnegative(),
    payload: z.string(),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
  })
  .meta({ id: "PeerEnvelope" });
export type PeerEnvelope = z.infer<typeof peerEnvelopeSchema>;

function peerMessage(route: string, sentAt: number, payload: string): string {
  return `verity-peer/1\n${route}\n${sentAt}\n${keccak256(toUtf8Bytes(payload))}`;
}

/** JSON with bigints as decimal strings (uint64 report fields). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

export function signPeerEnvelope(signer: DigestSigner, route: string, payload: unknown, nowSec: number): PeerEnvelope {
  const text = toJson(payload);
  return {
    sender: signer.address,
    sentAt: nowSec,
    payload: text,
    signature: signer.signMessage(peerMessage(route, nowSec, text)),
  };
}

/**
 * Checks an envelope received on `route`; returns the sender and the parsed payload. Throws NodeError
 * `peer_unauthorized` naming what failed.
 */
export function verifyPeerEnvelope(
  raw: unknown,
  route: string,
  operators: readonly string[],
  nowSec: number,
  maxSkewSec = 60,
): { sender: string; payload: unknown } {
  const parsed = peerEnvelopeSchema.safeParse(raw);
  const deny = (why: string) => new NodeError("peer_unauthorized", `peer request refused: ${why}`);
  if (!parsed.success) throw deny("body must be a signed peer envelope { sender, sentAt, payload, signature }");
  const envelope = parsed.data;
  if (Math.abs(nowSec - envelope.sentAt) > maxSkewSec)
    throw deny(`sentAt ${envelope.sentAt} is more than ${maxSkewSec} s from now (${nowSec})`);
  let signer: string;
  try {
    signer = recoverMessageSigner(peerMessage(route, envelope.sentAt, envelope.payload), envelope.signature);
  } catch {
    throw deny("signature is not valid");
  }
  if (signer !== getAddress(envelope.sender))
    throw deny(`signed by ${signer}, not by the stated sender ${envelope.sender}`);
  if (!operators.includes(signer)) throw deny(`${signer} is not in the on-chain operator set`);
  try {
    return { sender: signer, payload: JSON.parse(envelope.payload) };
  } catch {
    throw deny("payload is not JSON");
  }
}
