/**
 * Creates an operator's encrypted keystore. Prints only the account address.
 *
 *   npx tsx scripts/oracle-keystore.ts create --out keys/operator.json --password-env VERITY_KEYSTORE_PASSWORD
 *   … --import-stdin < key.txt          import an existing key (64 hex digits) from stdin
 *   … --import-env OPERATOR_PRIVATE_KEY import an existing key from an environment variable
 *
 * The password is read from an environment variable or a file, like the node reads it; never from argv, where
 * other users of the machine could see it in the process list.
 */
import { text } from "node:stream/consumers";

import { Command, InvalidArgumentError } from "commander";

import { createKeystoreFile, DEFAULT_SCRYPT_N, readKeystorePassword } from "../oracle/src/keystore/index.js";

interface CreateOptions {
  out: string;
  passwordEnv?: string;
  passwordFile?: string;
  importStdin?: boolean;
  importEnv?: string;
  scryptN: number;
}

function parsePowerOfTwo(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0)
    throw new InvalidArgumentError("must be a power of two ≥ 2");
  return n;
}

async function importedKey(options: CreateOptions): Promise<string | undefined> {
  if (options.importStdin === true) return text(process.stdin);
  if (options.importEnv !== undefined) {
    const key = process.env[options.importEnv];
    if (key === undefined || key === "")
      throw new Error(`environment variable ${options.importEnv} is not set or empty`);
    return key;
  }
  return undefined;
}

async function create(options: CreateOptions): Promise<void> {
  if ((options.passwordEnv === undefined) === (options.passwordFile === undefined)) {
    throw new Error("give exactly one of --password-env and --password-file");
  }
  if (options.importStdin === true && options.importEnv !== undefined) {
    throw new Error("give at most one of --import-stdin and --import-env");
  }
  const password = await readKeystorePassword(options);
  const privateKey = await importedKey(options);
  const address = await createKeystoreFile({
    outPath: options.out,
    password,
    scryptN: options.scryptN,
    ...(privateKey === undefined ? {} : { privateKey }),
  });
  process.stdout.write(`${address}\n`);
}

const program = new Command("oracle-keystore").description("Verity oracle operator keystores");
program
  .command("create")
  .description("encrypt a fresh random key (or an imported one) into a new keystore file; prints the address")
  .requiredOption("--out <path>", "keystore file to create (never overwritten)")
  .option("--password-env <name>", "environment variable holding the password")
  .option("--password-file <path>", "file holding the password (one trailing newline ignored)")
  .option("--import-stdin", "import the private key from stdin instead of generating one")
  .option("--import-env <name>", "import the private key from this environment variable")
  .option("--scrypt-n <n>", "scrypt cost N (power of two)", parsePowerOfTwo, DEFAULT_SCRYPT_N)
  .action(create);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`oracle-keystore: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
