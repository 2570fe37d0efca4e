/**
 * secp256k1 signing and signer recovery over 32-byte digests: the node's hot path (every application carries a
 * borrower signature, every report an operator signature, every peer call a signed envelope).
 *
 * Why not ethers alone: ethers v6 computes secp256k1 in pure JavaScript (@noble/curves). On the reference
 * machine that is ~1.5 ms per recovery and ~0.3 ms per signature, which by itself caps a node at a few hundred
 * reports per second. The `secp256k1` package binds Bitcoin Core's libsecp256k1 through N-API (ABI-stable across
 * Node versions, prebuilt for linux-x64, darwin-arm64 and win32-x64): ~55 µs per recovery, ~40 µs per signature.
 * Where the addon cannot load (another platform without a compiler), the node falls back to ethers and says so
 * at start-up (`secp256k1.backend`, `secp256k1LoadError`). Both back ends produce byte-identical results: RFC 6979 deterministic
 * nonces, low-s signatures, v ∈ {27, 28}; `test/oracle/ecdsa.test.ts` checks them against each other.
 *
 * Parsing stays with ethers (`Signature.from`: 64-byte EIP-2098 and 65-byte forms, v normalisation, refusal of a
 * non-canonical s), so what is accepted does not depend on the back end.
 */
import { createRequire } from "node:module";

import {
  dataSlice,
  getAddress,
  getBytes,
  hashMessage,
  keccak256,
  recoverAddress as ethersRecoverAddress,
  Signature,
  SigningKey,
  type BytesLike,
  type SignatureLike,
} from "ethers";

type NativeSecp256k1 = Pick<typeof import("secp256k1"), "ecdsaSign" | "ecdsaRecover">;

export interface Secp256k1 {
  /** Which implementation computes the curve arithmetic. */
  readonly backend: "libsecp256k1" | "ethers";
  /** Signs a 32-byte digest; returns the 65-byte `0x` r‖s‖v signature (v = 27 + recovery id). */
  signDigest(privateKey: Uint8Array, digest: BytesLike): string;
  /** The checksummed address that signed `digest`; throws if `signature` is malformed or recovers nothing. */
  recoverAddress(digest: BytesLike, signature: SignatureLike): string;
}

export const ethersSecp256k1: Secp256k1 = {
  backend: "ethers",
  signDigest: (privateKey, digest) => new SigningKey(privateKey).sign(digest).serialized,
  recoverAddress: (digest, signature) => ethersRecoverAddress(digest, Signature.from(signature)),
};

/** libsecp256k1 behind the `Secp256k1` interface (`native` is the `secp256k1/bindings` module). */
export function libsecp256k1(native: NativeSecp256k1): Secp256k1 {
  return {
    backend: "libsecp256k1",
    signDigest(privateKey, digest) {
      // libsecp256k1 signs with RFC 6979 nonces and normalises s to the lower half, as noble (ethers) does.
      const { signature, recid } = native.ecdsaSign(digest32(digest), privateKey);
      const out = new Uint8Array(65);
      out.set(signature, 0);
      out[64] = 27 + recid;
      return `0x${Buffer.from(out).toString("hex")}`;
    },
    recoverAddress(digest, signature) {
      const parsed = Signature.from(signature);
      const rs = new Uint8Array(64);
      rs.set(getBytes(parsed.r), 0);
      rs.set(getBytes(parsed.s), 32);
      let publicKey: Uint8Array;
      try {
        publicKey = native.ecdsaRecover(rs, parsed.yParity, digest32(digest), false);
      } catch (error) {
        throw new Error(`secp256k1: no public key recovers from this signature (${(error as Error).message})`, {
          cause: error,
        });
      }
      // The address is the last 20 bytes of keccak256(x ‖ y). (ethers' computeAddress would first re-validate the
      // point in pure JS, which costs more than the recovery itself.)
      return getAddress(dataSlice(keccak256(publicKey.subarray(1)), 12));
    },
  };
}

function digest32(digest: BytesLike): Uint8Array {
  const bytes = getBytes(digest, "digest");
  if (bytes.length !== 32) throw new Error(`secp256k1: a digest is 32 bytes, got ${bytes.length}`);
  return bytes;
}

function loadDefault(): { implementation: Secp256k1; loadError?: Error } {
  try {
    // The bindings entry, not the package root: the root silently falls back to a much slower pure-JS elliptic.
    const native = createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
    return { implementation: libsecp256k1(native) };
  } catch (error) {
    return { implementation: ethersSecp256k1, loadError: error as Error };
  }
}

const loaded = loadDefault();

/** The implementation the node uses: libsecp256k1 when its addon loads, ethers otherwise. */
export const secp256k1: Secp256k1 = loaded.implementation;

/** Why the native addon did not load (the node logs it at start-up), or undefined when it did. */
export const secp256k1LoadError: Error | undefined = loaded.loadError;

/** Anything holding a private key the ethers way (`Wallet`, `HDNodeWallet`). */
export interface PrivateKeyHolder {
  readonly address: string;
  readonly privateKey: string;
}

/** An operator key ready for the hot path: the key bytes decoded once. */
export interface DigestSigner {
  readonly address: string;
  /** 65-byte r‖s‖v over a 32-byte digest (e.g. an EIP-712 digest from `hashScoreReport`). */
  signDigest(digest: BytesLike): string;
  /** EIP-191 personal message signature: what `Wallet.signMessage` returns for the same text. */
  signMessage(message: string): string;
}

export function digestSigner(holder: PrivateKeyHolder, implementation: Secp256k1 = secp256k1): DigestSigner {
  const key = getBytes(holder.privateKey);
  const address = getAddress(holder.address);
  return {
    address,
    signDigest: (digest) => implementation.signDigest(key, digest),
    signMessage: (message) => implementation.signDigest(key, hashMessage(message)),
  };
}

/** The signer of an EIP-191 personal message (what ethers' `verifyMessage` returns). */
export function recoverMessageSigner(
  message: string,
  signature: SignatureLike,
  implementation: Secp256k1 = secp256k1,
): string {
  return implementation.recoverAddress(hashMessage(message), signature);
}
