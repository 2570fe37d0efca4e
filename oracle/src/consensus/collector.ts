/**
 * Collects operator signatures over one report digest until the threshold is met. Each signature is checked by
 * recovering its signer: it must be a member of the operator set and not seen before. The first `threshold`
 * distinct valid signatures are kept, in arrival order; later ones are not needed and are ignored, which keeps
 * the posted calldata (and gas) minimal.
 */
import { Signature } from "ethers";

import { secp256k1 } from "../signing/index.js";
import { checksumAddress, sameAddress } from "./address.js";
import type { OperatorSignature } from "./types.js";

export type CollectOutcome =
  | { outcome: "added"; signer: string; collected: number }
  | { outcome: "duplicate"; signer: string }
  | { outcome: "unknown_signer"; signer: string }
  | { outcome: "signer_mismatch"; signer: string; claimed: string }
  | { outcome: "invalid_signature"; reason: string }
  | { outcome: "already_complete" };

export class SignatureCollector {
  private readonly operators: ReadonlySet<string>;
  private readonly collected: OperatorSignature[] = [];

  constructor(
    readonly digest: string,
    operators: readonly string[],
    readonly threshold: number,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > operators.length) {
      throw new Error(`signature threshold must be in 1..${operators.length} (operator count), got ${threshold}`);
    }
    this.operators = new Set(operators.map((operator) => checksumAddress(operator)));
  }

  get complete(): boolean {
    return this.collected.length >= this.threshold;
  }

  /** The kept signatures, in arrival order; each is a canonical 65-byte r‖s‖v. */
  signatures(): OperatorSignature[] {
    return this.collected.map((s) => ({ ...s }));
  }

  /**
   * Offers a signature; `claimedSigner` (the peer's stated address) must match the recovered one if given.
   * Never throws for a bad signature: a misbehaving peer must not stop collection from the honest ones.
   */
  add(signature: string, claimedSigner?: string): CollectOutcome {
    if (this.complete) return { outcome: "already_complete" };
    let canonical: string;
    let signer: string;
    try {
      // Signature.from refuses a high-s (malleable) signature, which the contract's ECDSA check would also refuse.
      const parsed = Signature.from(signature);
      canonical = parsed.serialized;
      signer = secp256k1.recoverAddress(this.digest, parsed);
    } catch (error) {
      return { outcome: "invalid_signature", reason: error instanceof Error ? error.message : String(error) };
    }
    if (claimedSigner !== undefined && !sameAddress(claimedSigner, signer)) {
      return { outcome: "signer_mismatch", signer, claimed: claimedSigner };
    }
    return this.accept(signer, canonical);
  }

  /**
   * The node's own signature, made a moment ago with the key its address was derived from: recovering it would
   * only derive the same address again (~0.15 ms on the request path), so it is taken as given. Membership and
   * duplicates are still checked; `signature` must be the canonical 65-byte form `signDigest` returns.
   */
  addOwn(signature: string, signer: string): CollectOutcome {
    if (this.complete) return { outcome: "already_complete" };
    return this.accept(checksumAddress(signer), signature);
  }

  private accept(signer: string, canonical: string): CollectOutcome {
    if (!this.operators.has(signer)) return { outcome: "unknown_signer", signer };
    if (this.collected.some((s) => s.signer === signer)) return { outcome: "duplicate", signer };
    this.collected.push({ signer, signature: canonical });
    return { outcome: "added", signer, collected: this.collected.length };
  }
}
