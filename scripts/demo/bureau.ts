/**
 * The demo's credit bureau: the real service (`bureau/`), started in-process beside the nodes with the demo
 * provider's key (the one the deployment approved on chain), holding the applicants' training rows as their credit
 * files. Borrowers fetch their files from it over HTTP with an EIP-712 consent, as the dApp would.
 */
import { join } from "node:path";

import { parseBureauConfig } from "../../bureau/src/config/index.js";
import { startBureau, type RunningBureau } from "../../bureau/src/service.js";
import { createKeystoreFile } from "../../oracle/src/keystore/index.js";
import { createLogger } from "../../oracle/src/log/index.js";
import { DEMO_FILE_AGE_SEC, DEMO_FILE_VALIDITY_SEC, DEMO_PROVIDER } from "../lib/attested-application.js";

const PASSWORD_ENV = "VERITY_DEMO_BUREAU_PASSWORD";
/** A throwaway keystore in the demo's temp dir: a cheap scrypt cost is enough for a key that lives for one run. */
const DEMO_SCRYPT_N = 1 << 10;

export interface DemoBureauInput {
  dir: string;
  chainId: bigint;
  /** The CreditScoreOracle: both EIP-712 domains' verifying contract. */
  oracle: string;
  featureNames: readonly string[];
  /** The chain's clock (the demo moves it). */
  nowSec: () => number;
  /** Each borrower's credit file: the raw fields by name. */
  files: readonly { borrower: string; fields: Readonly<Record<string, number>> }[];
  logLevel: "silent" | "info" | "debug";
}

export async function startDemoBureau(input: DemoBureauInput): Promise<RunningBureau> {
  const password = `demo-bureau-${DEMO_PROVIDER.id}`;
  const keystorePath = join(input.dir, "bureau", "bureau.keystore.json");
  await createKeystoreFile({
    outPath: keystorePath,
    password,
    privateKey: DEMO_PROVIDER.signer.privateKey,
    scryptN: DEMO_SCRYPT_N,
  });
  const config = parseBureauConfig(
    {
      listen: { host: "127.0.0.1", port: 0 },
      keystore: { path: keystorePath, passwordEnv: PASSWORD_ENV },
      store: { path: join(input.dir, "bureau", "bureau.sqlite") },
      chain: { chainId: Number(input.chainId), oracle: input.oracle },
      provider: { id: DEMO_PROVIDER.id, signerAddress: DEMO_PROVIDER.signer.address },
      schema: { featureNames: [...input.featureNames] },
      files: { validitySec: DEMO_FILE_VALIDITY_SEC },
      consent: { maxLifetimeSec: 3_600 },
      rateLimit: { requests: 10, windowSec: 60 },
      logLevel: input.logLevel,
    },
    "the demo's bureau config",
  );
  const bureau = await startBureau(config, {
    logger: createLogger({ nodeId: "bureau", level: input.logLevel }),
    env: { [PASSWORD_ENV]: password },
    nowSec: input.nowSec,
  });
  importDemoFiles(bureau, input);
  return bureau;
}

/**
 * Loads (or refreshes: a later import replaces a borrower's file) the applicants' files, current as of an hour
 * before now: a bureau refreshes its data periodically, and a node refuses a file older than its maximum age.
 */
export function importDemoFiles(
  bureau: RunningBureau,
  input: Pick<DemoBureauInput, "featureNames" | "nowSec" | "files">,
): void {
  bureau.store.importFiles({
    source: "oracle/training/data/taiwan-default/train.csv (the demo's applicants)",
    assignment: "demo: one training row per applicant's address",
    schemaHash: bureau.schema.schemaHash,
    asOf: input.nowSec() - DEMO_FILE_AGE_SEC,
    files: input.files.map((file) => ({
      borrower: file.borrower,
      fields: input.featureNames.map((name) => {
        const value = file.fields[name];
        if (value === undefined) throw new Error(`demo bureau: ${file.borrower}'s file has no ${name}`);
        return value;
      }),
    })),
  });
}
