/** Shared fixtures for the oracle node's unit tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { BaseWallet } from "ethers";

import { applicationTypedData, hashApplicationFeatures } from "../../oracle/src/intake/index.js";

/** A fresh temporary directory, removed by the returned `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `verity-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Fixed, well-known test addresses (Hardhat's default accounts 0..3); never hold value outside tests. */
export const TEST_ADDRESSES = [
  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
] as const;

/** A small model feature list for intake tests (the real one comes from the model's metadata). */
export const TEST_FEATURE_NAMES = ["LIMIT_BAL", "AGE", "PAY_0", "BILL_AMT1"] as const;
export const TEST_FEATURES: Record<string, number> = { LIMIT_BAL: 50_000, AGE: 35, PAY_0: -1, BILL_AMT1: -1200 };
export const TEST_CHAIN = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" } as const;

/** A body as the dApp would send it, signed by `signer` (default: the borrower's own wallet). */
export async function signedApplicationBody(
  borrower: BaseWallet,
  options: { nonce?: bigint; expiry: number; features?: Record<string, number>; signer?: BaseWallet },
): Promise<Record<string, unknown>> {
  const features = options.features ?? TEST_FEATURES;
  const message = {
    borrower: borrower.address,
    featuresHash: hashApplicationFeatures(TEST_FEATURE_NAMES, features),
    nonce: options.nonce ?? 1n,
    expiry: options.expiry,
  };
  const { domain, types } = applicationTypedData(TEST_CHAIN, message);
  const signature = await (options.signer ?? borrower).signTypedData(domain, types, message);
  return { borrower: borrower.address, features, nonce: message.nonce.toString(), expiry: message.expiry, signature };
}
