/**
 * Registers the oracle operators on chain, as governance (README "Operating an oracle node", step 2):
 *
 *   npm run oracle:register -- --network localhost --operators 0xA…,0xB…,0xC… --threshold 2
 *
 * The oracle's address comes from `deployments/<network>.json` (or `--deployment`); the governance key is the
 * address book's governance account among the network's configured accounts (on `localhost`, Hardhat's).
 * `--rpc-url` points the network at another URL (a `hardhat node` on another port).
 */
import { Command, InvalidArgumentError } from "commander";
import { network } from "hardhat";

import { addressBookPath, readAddressBook } from "../oracle/src/protocol/address-book.js";
import { governanceSigner, parseOperatorList, registerOperators } from "./oracle/register-operators.js";

interface RegisterOptions {
  network: string;
  operators: string[];
  threshold: number;
  deployment?: string;
  rpcUrl?: string;
}

function parseThreshold(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be an integer ≥ 1");
  return n;
}

async function register(options: RegisterOptions): Promise<void> {
  const addressBook = await readAddressBook(options.deployment ?? addressBookPath(options.network));
  const connection = await network.create(
    options.rpcUrl === undefined
      ? { network: options.network }
      : { network: options.network, override: { url: options.rpcUrl } },
  );
  try {
    const chainId = (await connection.ethers.provider.getNetwork()).chainId;
    if (chainId !== BigInt(addressBook.chainId))
      throw new Error(`network ${options.network} is chain ${chainId}, the address book's is ${addressBook.chainId}`);
    const governance = await governanceSigner(await connection.ethers.getSigners(), addressBook);
    const set = await registerOperators({
      governance,
      addressBook,
      operators: options.operators,
      threshold: options.threshold,
    });
    process.stdout.write(
      `operator set version ${set.version}: ${set.threshold} of ${set.operators.join(", ")} (tx ${set.txHash})\n`,
    );
  } finally {
    await connection.close();
  }
}

const program = new Command("oracle-register")
  .description("replace the oracle's operator set and threshold, signed by governance")
  .option("--network <name>", "Hardhat network", "localhost")
  .requiredOption("--operators <addresses>", "operator addresses, comma-separated", parseOperatorList)
  .requiredOption("--threshold <k>", "signatures a report needs", parseThreshold)
  .option("--deployment <file>", "address book (default deployments/<network>.json)")
  .option("--rpc-url <url>", "JSON-RPC URL overriding the network's")
  .action(register);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`oracle-register: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
