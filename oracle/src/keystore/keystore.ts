/**
 * The operator's signing key, read from an encrypted JSON keystore (Web3 Secret Storage, as ethers writes it).
 * The password comes from an environment variable or a file, never from the config; no error message ever
 * contains it.
 */
import { readFile } from "node:fs/promises";

import { getAddress, Wallet, type HDNodeWallet } from "ethers";

import type { KeystoreConfig } from "../config/index.js";

/** The key could not be loaded; the message names the file or variable, never the password. */
export class KeystoreError extends Error {
  override readonly name = "KeystoreError";
}

export type OperatorWallet = Wallet | HDNodeWallet;

export interface PasswordSource {
  passwordEnv?: string | undefined;
  passwordFile?: string | undefined;
}

/**
 * Reads the keystore password from the configured source. A password file may end in one newline (editors and
 * `echo` add it); anything else is part of the password.
 */
export async function readKeystorePassword(
  source: PasswordSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (source.passwordEnv !== undefined) {
    const password = env[source.passwordEnv];
    if (password === undefined || password === "") {
      throw new KeystoreError(`keystore password: environment variable ${source.passwordEnv} is not set or empty`);
    }
    return password;
  }
  if (source.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(source.passwordFile, "utf8");
    } catch (error) {
      throw new KeystoreError(
        `keystore password: cannot read password file ${source.passwordFile}: ${errnoCode(error)}`,
        { cause: error },
      );
    }
    const password = text.replace(/\r?\n$/, "");
    if (password === "") throw new KeystoreError(`keystore password: password file ${source.passwordFile} is empty`);
    return password;
  }
  throw new KeystoreError("keystore password: no source configured (set passwordEnv or passwordFile)");
}

/**
 * Decrypts the operator key. Any valid keystore is accepted whatever its scrypt cost. When `expectedAddress` is
 * given (the config's operatorAddress), a keystore for another account is rejected before the node signs
 * anything with it.
 */
export async function loadOperatorWallet(
  keystore: KeystoreConfig,
  options: {
    env?: NodeJS.ProcessEnv;
    expectedAddress?: string;
    /** The config field that states `expectedAddress`, for the message (the bureau's is provider.signerAddress). */
    expectedAddressField?: string;
  } = {},
): Promise<OperatorWallet> {
  let json: string;
  try {
    json = await readFile(keystore.path, "utf8");
  } catch (error) {
    const code = errnoCode(error);
    const message =
      code === "ENOENT"
        ? `keystore file not found: ${keystore.path}`
        : `cannot read keystore file ${keystore.path}: ${code}`;
    throw new KeystoreError(message, { cause: error });
  }
  const password = await readKeystorePassword(keystore, options.env);
  const wallet = await decryptKeystore(keystore.path, json, password);
  if (options.expectedAddress !== undefined && wallet.address !== getAddress(options.expectedAddress)) {
    throw new KeystoreError(
      `keystore file ${keystore.path} holds the key of ${wallet.address}, but the config's ${options.expectedAddressField ?? "operatorAddress"} is ${getAddress(options.expectedAddress)}`,
    );
  }
  return wallet;
}

async function decryptKeystore(path: string, json: string, password: string): Promise<OperatorWallet> {
  try {
    JSON.parse(json);
  } catch (error) {
    throw new KeystoreError(`keystore file ${path} is not valid JSON`, { cause: error });
  }
  try {
    return await Wallet.fromEncryptedJson(json, password);
  } catch (error) {
    // ethers redacts the password in its own errors; this message is written here so it cannot depend on that.
    if (isIncorrectPassword(error))
      throw new KeystoreError(`keystore file ${path}: incorrect password`, { cause: error });
    throw new KeystoreError(`keystore file ${path} is not a valid encrypted keystore: ${shortReason(error)}`, {
      cause: error,
    });
  }
}

function isIncorrectPassword(error: unknown): boolean {
  return error instanceof Error && "shortMessage" in error && error.shortMessage === "incorrect password";
}

/** ethers' `shortMessage` when present (its full message appends the argument value). */
function shortReason(error: unknown): string {
  if (error instanceof Error && "shortMessage" in error && typeof error.shortMessage === "string")
    return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
