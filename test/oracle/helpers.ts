/** Shared fixtures for the oracle node's unit tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { BaseWallet } from "ethers";

import type { ProviderLookup, ProviderView } from "../../oracle/src/intake/index.js";
import { featureSchemaHash, type CreditFileMessage } from "../../oracle/src/protocol/credit-file.js";
import {
  attestedApplicationBody,
  DEMO_PROVIDER,
  type ApplicationBodyJson,
  type TypedSigner,
} from "../../scripts/lib/attested-application.js";

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

/** The demo provider as the registry would answer for it: approved for the test feature schema. */
export const TEST_PROVIDER_ENTRY: ProviderView = {
  status: "approved",
  signingKeys: [DEMO_PROVIDER.signer.address],
  schemaHash: featureSchemaHash(TEST_FEATURE_NAMES),
};

/** A registry that knows only the demo provider (`entry` overrides its answer); other ids read as never approved. */
export function testProviders(entry: Partial<ProviderView> = {}): ProviderLookup {
  return async (id) =>
    id.toLowerCase() === DEMO_PROVIDER.id.toLowerCase()
      ? { ...TEST_PROVIDER_ENTRY, ...entry }
      : { status: "none", signingKeys: [], schemaHash: `0x${"00".repeat(32)}` };
}

/**
 * A body as the dApp would send it: the demo provider's file of `fields` (default: the features; or the test
 * features) and the application signed by `signer` (default: the borrower's own wallet).
 */
export async function signedApplicationBody(
  borrower: BaseWallet,
  options: {
    nonce?: bigint;
    expiry: number;
    features?: Record<string, number>;
    fields?: Record<string, number>;
    signer?: BaseWallet;
    nowSec?: number;
    file?: Partial<CreditFileMessage>;
    fileSigner?: TypedSigner;
  },
): Promise<ApplicationBodyJson> {
  const fields = options.fields ?? options.features ?? TEST_FEATURES;
  return attestedApplicationBody(TEST_CHAIN, borrower, TEST_FEATURE_NAMES, fields, {
    nonce: options.nonce ?? 1n,
    expiry: options.expiry,
    ...(options.features === undefined ? {} : { features: options.features }),
    ...(options.signer === undefined ? {} : { signer: options.signer }),
    ...(options.nowSec === undefined ? {} : { nowSec: options.nowSec }),
    ...(options.file === undefined ? {} : { file: options.file }),
    ...(options.fileSigner === undefined ? {} : { fileSigner: options.fileSigner }),
  });
}
