/**
 * Creates encrypted operator keystores (used by `scripts/oracle-keystore.ts`). Kept apart from the CLI so the
 * rules (key format, no overwrite, owner-only file mode) are testable without spawning a process.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

import { encryptKeystoreJson, isHexString, Wallet } from "ethers";

import { KeystoreError } from "./keystore.js";

/** ethers' default scrypt cost (N = 2^17); tests pass a lower one, the node accepts any. */
export const DEFAULT_SCRYPT_N = 1 << 17;

/** Parses a private key given as 64 hex digits with or without 0x; the message never echoes the input. */
export function parsePrivateKey(text: string): string {
  const trimmed = text.trim();
  const hex = trimmed.startsWith("0x") ? trimmed : `0x${trimmed}`;
  if (!isHexString(hex, 32))
    throw new KeystoreError("imported private key must be 32 bytes of hex (64 hex digits, optional 0x)");
  if (BigInt(hex) === 0n) throw new KeystoreError("imported private key must not be zero");
  try {
    return new Wallet(hex).privateKey;
  } catch (error) {
    // Only a key at or above the secp256k1 group order gets here; the cause carries no key material.
    throw new KeystoreError("imported private key is not a valid secp256k1 key", { cause: error });
  }
}

/**
 * Encrypts `privateKey` (or a fresh random key) with `password` and writes the keystore to `outPath`, readable by
 * the owner only and never overwriting an existing file; missing parent folders are created, owner-only too.
 * Returns the account address.
 */
export async function createKeystoreFile(options: {
  outPath: string;
  password: string;
  privateKey?: string;
  scryptN?: number;
}): Promise<string> {
  const scryptN = options.scryptN ?? DEFAULT_SCRYPT_N;
  if (!Number.isSafeInteger(scryptN) || scryptN < 2 || (scryptN & (scryptN - 1)) !== 0) {
    throw new KeystoreError(`scrypt N must be a power of two ≥ 2, got ${scryptN}`);
  }
  if (options.password === "") throw new KeystoreError("keystore password must not be empty");
  const wallet =
    options.privateKey === undefined ? Wallet.createRandom() : new Wallet(parsePrivateKey(options.privateKey));
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, options.password, {
    scrypt: { N: scryptN },
  });
  try {
    await mkdir(dirname(options.outPath), { recursive: true, mode: 0o700 });
    await writeFile(options.outPath, json, { flag: "wx", mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const why = code === "EEXIST" ? "the file exists (refusing to overwrite a key)" : code;
    throw new KeystoreError(`cannot write keystore file ${options.outPath}: ${why}`, { cause: error });
  }
  return wallet.address;
}
