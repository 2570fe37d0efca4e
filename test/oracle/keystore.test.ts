import { execFile } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet } from "ethers";

import {
  createKeystoreFile,
  KeystoreError,
  loadOperatorWallet,
  parsePrivateKey,
} from "../../oracle/src/keystore/index.js";
import { tempDir } from "./helpers.js";

const FAST_SCRYPT_N = 1 << 10; // tests only: the node accepts any valid keystore cost
const PASSWORD = "correct horse battery staple";
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // Hardhat test account #1

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected a rejection").to.be.instanceOf(KeystoreError);
  return error as Error;
}

describe("oracle keystore", function () {
  this.timeout(20_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir("keystore")));
  afterEach(() => cleanup());

  async function keystoreAt(name: string, privateKey?: string): Promise<{ path: string; address: string }> {
    const path = join(dir, name);
    const address = await createKeystoreFile({
      outPath: path,
      password: PASSWORD,
      scryptN: FAST_SCRYPT_N,
      ...(privateKey === undefined ? {} : { privateKey }),
    });
    return { path, address };
  }

  it("round-trips an imported key through an owner-only file, password from env", async () => {
    const { path, address } = await keystoreAt("op.json", KEY);
    expect(address).to.equal(new Wallet(KEY).address);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    const wallet = await loadOperatorWallet(
      { path, passwordEnv: "OP_PASSWORD" },
      { env: { OP_PASSWORD: PASSWORD }, expectedAddress: address.toLowerCase() },
    );
    expect(wallet.privateKey).to.equal(KEY);
  });

  it("reads the password from a file, ignoring one trailing newline", async () => {
    const { path, address } = await keystoreAt("op.json");
    const passwordFile = join(dir, "password.txt");
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    expect((await loadOperatorWallet({ path, passwordFile })).address).to.equal(address);
  });

  it("rejects a wrong password without printing either password", async () => {
    const { path } = await keystoreAt("op.json");
    const error = await rejection(loadOperatorWallet({ path, passwordEnv: "P" }, { env: { P: "wrong-guess" } }));
    expect(error.message).to.equal(`keystore file ${path}: incorrect password`);
    expect(error.message).not.to.include("wrong-guess");
    expect(error.message).not.to.include(PASSWORD);
  });

  it("names a missing keystore file, a missing env var and an unreadable password file", async () => {
    const missing = join(dir, "absent.json");
    expect(
      (await rejection(loadOperatorWallet({ path: missing, passwordEnv: "P" }, { env: { P: "x" } }))).message,
    ).to.equal(`keystore file not found: ${missing}`);
    const { path } = await keystoreAt("op.json");
    expect((await rejection(loadOperatorWallet({ path, passwordEnv: "OP_PASSWORD" }, { env: {} }))).message).to.include(
      "environment variable OP_PASSWORD is not set",
    );
    const noFile = join(dir, "nope.txt");
    expect((await rejection(loadOperatorWallet({ path, passwordFile: noFile }))).message).to.include(
      `cannot read password file ${noFile}: ENOENT`,
    );
  });

  it("rejects a keystore for another account than the configured operator", async () => {
    const { path, address } = await keystoreAt("op.json");
    const other = Wallet.createRandom().address;
    const error = await rejection(
      loadOperatorWallet({ path, passwordEnv: "P" }, { env: { P: PASSWORD }, expectedAddress: other }),
    );
    expect(error.message).to.include(`holds the key of ${address}, but the config's operatorAddress is ${other}`);
  });

  it("rejects a file that is not a keystore", async () => {
    const path = join(dir, "junk.json");
    writeFileSync(path, "not json");
    expect((await rejection(loadOperatorWallet({ path, passwordEnv: "P" }, { env: { P: "x" } }))).message).to.include(
      "is not valid JSON",
    );
    writeFileSync(path, JSON.stringify({ hello: "world" }));
    expect((await rejection(loadOperatorWallet({ path, passwordEnv: "P" }, { env: { P: "x" } }))).message).to.include(
      "is not a valid encrypted keystore",
    );
  });

  it("never overwrites an existing keystore", async () => {
    await keystoreAt("op.json");
    const error = await rejection(keystoreAt("op.json"));
    expect(error.message).to.include("refusing to overwrite");
  });

  it("validates imported keys without echoing them", () => {
    expect(parsePrivateKey(KEY.slice(2) + "\n")).to.equal(KEY);
    for (const bad of ["0x1234", "zz".repeat(32), "0x" + "00".repeat(32), "0x" + "ff".repeat(32)]) {
      let message = "";
      try {
        parsePrivateKey(bad);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, bad).to.match(/imported private key/);
      expect(message).not.to.include(bad);
    }
  });

  it("CLI creates a keystore (and its missing parent folders) from a key on stdin and prints only the address", async () => {
    const out = join(dir, "data", "keys", "cli.json");
    const tsx = join(process.cwd(), "node_modules", ".bin", "tsx");
    const child = execFile(
      tsx,
      [
        "scripts/oracle-keystore.ts",
        "create",
        "--out",
        out,
        "--password-env",
        "OP_PASSWORD",
        "--import-stdin",
        "--scrypt-n",
        String(FAST_SCRYPT_N),
      ],
      { env: { ...process.env, OP_PASSWORD: PASSWORD }, timeout: 15_000 },
    );
    child.stdin?.end(`${KEY}\n`);
    const [stdout] = await new Promise<[string, string]>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stdout?.on("data", (d) => (out += d));
      child.stderr?.on("data", (d) => (err += d));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve([out, err]) : reject(new Error(`exit ${code}: ${err}`))));
    });
    const address = new Wallet(KEY).address;
    expect(stdout).to.equal(`${address}\n`);
    const wallet = await loadOperatorWallet({ path: out, passwordEnv: "P" }, { env: { P: PASSWORD } });
    expect(wallet.address).to.equal(address);
    expect(statSync(join(dir, "data")).mode & 0o777, "a folder that holds keys is the owner's only").to.equal(0o700);
  });
});
