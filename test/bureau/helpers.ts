/** Shared fixtures for the credit bureau's tests: a keystore, a config, real data-set rows, signed consents. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";

import { Wallet, type BaseWallet } from "ethers";

import { consentRequestBody } from "../../bureau/src/client.js";
import type { BureauConfig, BureauConfigInput } from "../../bureau/src/config/index.js";
import { parseBureauConfig } from "../../bureau/src/config/index.js";
import { createKeystoreFile } from "../../oracle/src/keystore/index.js";
import { createLogger, type Logger } from "../../oracle/src/log/index.js";
import { consentPurposeHash, consentTypedData, type ConsentMessage } from "../../oracle/src/protocol/credit-file.js";

export { tempDir } from "../oracle/helpers.js";

export const CHAIN_ID = 31337;
export const ORACLE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
/** Hardhat's account #6 stands for the provider's registry id; the signing key is the keystore's. */
export const PROVIDER_ID = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
export const PASSWORD_ENV = "VERITY_TEST_BUREAU_PASSWORD";
export const TEST_ENV = { [PASSWORD_ENV]: "bureau-test-password" };
/** Hardhat's test mnemonic: with `mnemonic:` assignment, data row i belongs to Hardhat account i. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
export const HARDHAT_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
] as const;
export const PROVIDER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"; // Hardhat #5

export const DATA_CSV = new URL("../../oracle/training/data/taiwan-default/train.csv", import.meta.url);

/** The header and the first `rows` data lines of the real data set's file, as they are written there. */
export function dataSetLines(rows: number): { header: string; lines: string[] } {
  const [header, ...lines] = readFileSync(DATA_CSV, "utf8").split("\n", rows + 1);
  return { header: header as string, lines };
}

/** Writes a CSV (header + lines) into `dir` and returns its path. */
export function writeCsv(dir: string, name: string, header: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${[header, ...lines].join("\n")}\n`);
  return path;
}

/** A keystore holding PROVIDER_KEY (cheap scrypt) in `dir`. */
export async function providerKeystore(dir: string): Promise<string> {
  const path = join(dir, "keys", "bureau.keystore.json");
  await createKeystoreFile({ outPath: path, password: TEST_ENV[PASSWORD_ENV], privateKey: PROVIDER_KEY, scryptN: 16 });
  return path;
}

export function configInput(dir: string, overrides: Partial<BureauConfigInput> = {}): BureauConfigInput {
  return {
    listen: { host: "127.0.0.1", port: 0 },
    keystore: { path: join(dir, "keys", "bureau.keystore.json"), passwordEnv: PASSWORD_ENV },
    store: { path: join(dir, "store", "bureau.sqlite") },
    chain: { chainId: CHAIN_ID, oracle: ORACLE },
    provider: { id: PROVIDER_ID },
    files: { validitySec: 86_400 },
    consent: { maxLifetimeSec: 3_600 },
    rateLimit: { requests: 5, windowSec: 60 },
    logLevel: "info",
    ...overrides,
  };
}

export function testConfig(dir: string, overrides: Partial<BureauConfigInput> = {}): BureauConfig {
  return parseBureauConfig(configInput(dir, overrides));
}

/** A logger whose lines land in `lines`. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new PassThrough();
  sink.on("data", (chunk: Buffer) => lines.push(chunk.toString()));
  return { logger: createLogger({ nodeId: "bureau-test", level: "info", destination: sink }), lines };
}

export function consent(borrower: string, nowSec: number, overrides: Partial<ConsentMessage> = {}): ConsentMessage {
  return {
    borrower,
    provider: PROVIDER_ID,
    purpose: consentPurposeHash(),
    oracle: ORACLE,
    expiresAt: nowSec + 600,
    nonce: 1n,
    ...overrides,
  };
}

/** The request body for `message`, signed by `signer` (default: a wallet for the borrower's own key). */
export async function signedRequest(
  signer: BaseWallet,
  message: ConsentMessage,
  domain: { chainId: number; verifyingContract: string } = { chainId: CHAIN_ID, verifyingContract: ORACLE },
): Promise<Record<string, unknown>> {
  const typed = consentTypedData(domain, message);
  return consentRequestBody(message, await signer.signTypedData(typed.domain, typed.types, typed.message));
}

export const borrowerWallet = (i: number): Wallet => new Wallet(HARDHAT_KEYS[i] as string);
