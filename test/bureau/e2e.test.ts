/**
 * End to end: the bureau as an operator runs it (`bureau import`, then `bureau --config` in its own process), a
 * borrower asking through the client, and the answer checked with nothing but the shared protocol types.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { TypedDataEncoder, Wallet } from "ethers";

import { BureauClientError, requestCreditFile } from "../../bureau/src/client.js";
import { runCli } from "../../bureau/src/cli.js";
import { hashApplicationFeatures, hashOrderedFeatures } from "../../oracle/src/intake/features.js";
import {
  creditFileTypedData,
  featureSchemaHash,
  hashCreditFile,
  recoverDigestSigner,
} from "../../oracle/src/protocol/credit-file.js";
import {
  borrowerWallet,
  CHAIN_ID,
  configInput,
  dataSetLines,
  HARDHAT_MNEMONIC,
  ORACLE,
  PROVIDER_ID,
  PROVIDER_KEY,
  providerKeystore,
  tempDir,
  TEST_ENV,
  writeCsv,
} from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** Resolves with the API's URL once the process logs that it listens; rejects on exit or after `timeoutMs`. */
function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`bureau did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"credit bureau listening"/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bureau exited with ${code} before listening:\n${output}`));
    });
  });
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bureau did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("bureau end to end (its own process)", function () {
  this.timeout(90_000);
  let dir: string;
  let cleanup: () => void;
  let child: ChildProcess | undefined;

  before(async () => {
    ({ dir, cleanup } = tempDir("bureau-e2e"));
    await providerKeystore(dir);
    const configPath = join(dir, "bureau.json");
    writeFileSync(
      configPath,
      JSON.stringify(
        configInput(dir, { provider: { id: PROVIDER_ID, signerAddress: new Wallet(PROVIDER_KEY).address } }),
      ),
    );
    const { header, lines } = dataSetLines(3);
    const errors: string[] = [];
    const code = await runCli(
      [
        "import",
        "--config",
        configPath,
        "--csv",
        writeCsv(dir, "rows.csv", header, lines),
        "--assign",
        "mnemonic:PHRASE",
      ],
      {
        out: () => undefined,
        err: (text) => void errors.push(text),
        env: { PHRASE: HARDHAT_MNEMONIC },
      },
    );
    expect(code, errors.join("")).to.equal(0);
    child = spawn(TSX, [join(ROOT, "bureau", "src", "main.ts"), "--config", configPath], {
      cwd: ROOT,
      env: { ...process.env, ...TEST_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
  });

  after(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    cleanup();
  });

  it("serves a file that verifies with the shared types, and drains on SIGTERM", async () => {
    const running = child as ChildProcess;
    const url = await waitForListening(running, 60_000);
    const domain = { chainId: CHAIN_ID, verifyingContract: ORACLE };
    const borrower = borrowerWallet(1);
    const { creditFile, fields, providerSignature } = await requestCreditFile({
      url,
      signer: borrower,
      provider: PROVIDER_ID,
      ...domain,
    });

    // The provider's signature over the EIP-712 CreditFile recovers to the provider's key.
    const digest = hashCreditFile(domain, creditFile);
    const typed = creditFileTypedData(domain, creditFile);
    expect(digest).to.equal(TypedDataEncoder.hash(typed.domain, typed.types, typed.message));
    expect(recoverDigestSigner(digest, providerSignature)).to.equal(new Wallet(PROVIDER_KEY).address);
    expect(creditFile).to.include({ borrower: borrower.address, provider: PROVIDER_ID });

    // schemaHash is the model's feature list; fieldsHash the returned fields in that order.
    const card = JSON.parse(await readFile(join(ROOT, "oracle", "model", "MODEL_CARD.json"), "utf8")) as {
      features: { inputs: string[] };
    };
    const modelFeatures = card.features.inputs;
    expect(creditFile.schemaHash).to.equal(featureSchemaHash(modelFeatures));
    expect(Object.keys(fields)).to.deep.equal(modelFeatures);
    expect(creditFile.fieldsHash).to.equal(hashOrderedFeatures(modelFeatures.map((name) => fields[name] as number)));
    // …which is the featuresHash a borrower's application over these fields carries.
    expect(creditFile.fieldsHash).to.equal(hashApplicationFeatures(modelFeatures, fields));
    // Row 2 of the data set (LIMIT_BAL 120000, PAY_0 -1, PAY_2 2) is Hardhat account 1's.
    expect([fields.LIMIT_BAL, fields.PAY_0, fields.PAY_2]).to.deep.equal([120_000, -1, 2]);

    // A borrower the bureau holds no file for gets the refusal as a typed error.
    let error: unknown;
    await requestCreditFile({ url, signer: Wallet.createRandom(), provider: PROVIDER_ID, ...domain }).catch(
      (e: unknown) => (error = e),
    );
    expect(error).to.be.instanceOf(BureauClientError);
    expect(error).to.include({ status: 404, code: "no_credit_file" });

    running.kill("SIGTERM");
    expect(await exitOf(running, 15_000)).to.equal(0);
  });
});
