/**
 * What every command runs in: the network (a Hardhat network by name, the in-process one included), its address
 * book, the contracts, and the accounts the network is configured with (in `hardhat.config.ts`: on a live network
 * `accounts: [configVariable("…_PRIVATE_KEY")]`, resolved from Hardhat's keystore or the environment; locally,
 * Hardhat's own), or a key in a configuration variable of its own (`--key NAME`). Writes pick their sender by the
 * role they need and check the role on chain before anything is sent.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { getAddress, isHexString, VoidSigner, Wallet, type Signer } from "ethers";
import { hooks, network } from "hardhat";
import { configVariable } from "hardhat/config";

import {
  CreditScoreOracle__factory,
  LendingPool__factory,
  PegStabilityModule__factory,
  SupervisionPolicy__factory,
  type CreditScoreOracle,
  type LendingPool,
  type PegStabilityModule,
  type SupervisionPolicy,
} from "../../types/ethers-contracts/index.js";
import { Roles } from "../../oracle/src/protocol/roles.js";
import { withRetry } from "../report/retry.js";
import { addressBookPath, checkChainId, loadAddressBook, type AddressBook } from "./deployment.js";
import { CliError, parseAddress } from "./units.js";

/** What the CLI needs of a network connection (`network.create()` returns more). */
export interface CliConnection {
  ethers: HardhatEthers;
  close(): Promise<void>;
}

/** The CLI's surroundings: how it connects and where it prints. Tests pass their in-process network and capture output. */
export interface CliEnv {
  connect(networkName: string, rpcUrl: string | undefined): Promise<CliConnection>;
  out(line: string): void;
  err(line: string): void;
}

export const processEnv: CliEnv = {
  connect: async (networkName, rpcUrl) => {
    try {
      return await network.create(
        rpcUrl === undefined ? { network: networkName } : { network: networkName, override: { url: rpcUrl } },
      );
    } catch (error) {
      throw new CliError(`cannot connect to network "${networkName}": ${(error as Error).message.split("\n")[0]}`);
    }
  },
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface GlobalOptions {
  network: string;
  deployment?: string;
  rpcUrl?: string;
}

export interface WriteOptions {
  from?: string;
  /** A Hardhat configuration variable holding the sender's private key (keystore or environment). */
  key?: string;
  dryRun?: boolean;
}

/**
 * The value of a Hardhat configuration variable, resolved as Hardhat resolves `configVariable(name)` in
 * `hardhat.config.ts`: the environment variable of that name first, then the `configurationVariables` hook chain,
 * where @nomicfoundation/hardhat-keystore answers from the encrypted keystore (`npx hardhat keystore set NAME`;
 * it asks for the keystore's password).
 */
export async function readConfigurationVariable(name: string): Promise<string> {
  const fromEnvironment = process.env[name];
  if (fromEnvironment !== undefined) return fromEnvironment;
  return hooks.runHandlerChain("configurationVariables", "fetchValue", [configVariable(name)], () =>
    Promise.reject(
      new CliError(
        `configuration variable ${name} is not set: store it with npx hardhat keystore set ${name}, or set the environment variable ${name}`,
      ),
    ),
  );
}

export type RoleName = "governance" | "regulator" | "guardian" | "attester";

/** Who may send a write: a role of an AccessControl contract, a current oracle operator, or anyone. */
export type Requirement =
  | { kind: "role"; role: RoleName; on: "CreditScoreOracle" | "SupervisionPolicy" }
  | { kind: "operator" }
  | { kind: "anyone" };

const ROLE_IDS: Record<RoleName, string> = {
  governance: Roles.GOVERNANCE,
  regulator: Roles.REGULATOR,
  guardian: Roles.GUARDIAN,
  attester: Roles.ATTESTER,
};

export function requirementText(need: Requirement): string {
  if (need.kind === "role") return `the ${need.role} role (${need.role.toUpperCase()} on ${need.on})`;
  if (need.kind === "operator") return "an operator of the oracle's current operator set";
  return "no role (anyone may call it)";
}

export class CliContext {
  readonly oracle: CreditScoreOracle;
  readonly policy: SupervisionPolicy;
  readonly pool: LendingPool;
  readonly psm: PegStabilityModule | undefined;

  constructor(
    readonly env: CliEnv,
    readonly networkName: string,
    readonly bookPath: string,
    readonly addressBook: AddressBook,
    readonly connection: CliConnection,
  ) {
    const provider = connection.ethers.provider;
    const { contracts } = addressBook;
    this.oracle = CreditScoreOracle__factory.connect(contracts.creditScoreOracle, provider);
    this.policy = SupervisionPolicy__factory.connect(contracts.supervisionPolicy, provider);
    this.pool = LendingPool__factory.connect(contracts.lendingPool, provider);
    this.psm =
      contracts.pegStabilityModule === undefined
        ? undefined
        : PegStabilityModule__factory.connect(contracts.pegStabilityModule, provider);
  }

  get provider(): HardhatEthers["provider"] {
    return this.connection.ethers.provider;
  }

  out(line = ""): void {
    this.env.out(line);
  }

  /** The latest block's timestamp: the chain's "now" (a local chain's clock may run ahead of the wall clock). */
  async chainNow(): Promise<number> {
    const block = await this.provider.getBlock("latest");
    if (block === null) throw new CliError(`network "${this.networkName}" returned no latest block`);
    return block.timestamp;
  }

  /**
   * Events from the deployment block to the head, `query(from, to)` over ranges of `chunkBlocks` (providers cap
   * `eth_getLogs` ranges), each call with a timeout and bounded retries as the compliance report's.
   */
  async eventsSinceDeployment<T>(
    query: (fromBlock: number, toBlock: number) => Promise<T[]>,
    chunkBlocks = 5_000,
  ): Promise<T[]> {
    const head = await this.provider.getBlockNumber();
    const events: T[] = [];
    for (let start = this.addressBook.deployedAtBlock; start <= head; start += chunkBlocks) {
      const end = Math.min(head, start + chunkBlocks - 1);
      const chunk = await withRetry(() => query(start, end), {
        retries: 3,
        attemptTimeoutMs: 30_000,
        backoffMs: 500,
        label: `eth_getLogs blocks ${start}–${end}`,
      });
      for (const event of chunk) events.push(event);
    }
    return events;
  }

  async accounts(): Promise<HardhatEthersSigner[]> {
    return this.connection.ethers.getSigners();
  }

  /**
   * The account a write is sent from: `--from` (one of the network's configured accounts; on a dry run any
   * address), else the address book's holder of the role it needs, the first configured operator for operator
   * writes, or the first configured account. Then checks on chain that it may send it.
   */
  async sender(need: Requirement, options: WriteOptions): Promise<{ signer: Signer; address: string }> {
    if (options.key !== undefined) return this.keySender(need, options.key, options.from);
    const accounts = await this.accounts();
    const find = (address: string) => accounts.find((a) => a.address === address);
    let address: string;
    if (options.from !== undefined) {
      address = parseAddress(options.from, "--from");
    } else if (need.kind === "role") {
      address = getAddress(this.addressBook.roles[need.role]);
      if (find(address) === undefined && options.dryRun !== true) {
        throw new CliError(
          `${requirementText(need)} is held by ${address} (${this.bookPath}), which is not among network "${this.networkName}"'s configured accounts; ` +
            `add its key to the network's accounts in hardhat.config.ts (e.g. a configVariable kept in Hardhat's keystore), or pass --from`,
        );
      }
    } else if (need.kind === "operator") {
      const [, , operators] = await this.oracle.operatorSet();
      const operator = accounts.find((a) => operators.includes(a.address));
      if (operator === undefined)
        throw new CliError(
          `none of network "${this.networkName}"'s configured accounts is a current operator; pass --from`,
        );
      address = operator.address;
    } else {
      const first = accounts[0];
      if (first === undefined)
        throw new CliError(
          `network "${this.networkName}" has no configured account to send from; pass --from with --dry-run to only print the call`,
        );
      address = first.address;
    }
    await this.requireAllowed(need, address);
    const signer = find(address);
    if (signer !== undefined) return { signer, address };
    if (options.dryRun === true) return { signer: new VoidSigner(address, this.provider), address };
    throw new CliError(
      `--from ${address} is not among network "${this.networkName}"'s configured accounts (hardhat.config.ts); only --dry-run can name another address`,
    );
  }

  /** The sender whose private key a configuration variable holds (never printed). */
  private async keySender(
    need: Requirement,
    variable: string,
    from: string | undefined,
  ): Promise<{ signer: Signer; address: string }> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable))
      throw new CliError(`--key: "${variable}" is not a configuration variable name (letters, digits, _)`);
    const key = (await readConfigurationVariable(variable)).trim();
    const normalized = key.startsWith("0x") ? key : `0x${key}`;
    if (!isHexString(normalized, 32))
      throw new CliError(`--key: configuration variable ${variable} does not hold a private key (32 bytes of hex)`);
    const wallet = new Wallet(normalized, this.provider);
    if (from !== undefined && parseAddress(from, "--from") !== wallet.address) {
      throw new CliError(`--from ${from} is not the address of the key in ${variable} (${wallet.address})`);
    }
    await this.requireAllowed(need, wallet.address);
    return { signer: wallet, address: wallet.address };
  }

  /** Throws a CliError saying which role the write needs when `address` lacks it. */
  async requireAllowed(need: Requirement, address: string): Promise<void> {
    if (need.kind === "anyone") return;
    if (need.kind === "operator") {
      const [version, , operators] = await this.oracle.operatorSet();
      if (!operators.includes(address))
        throw new CliError(`this command needs ${requirementText(need)} (version ${version}); ${address} is not one`);
      return;
    }
    const contract = need.on === "CreditScoreOracle" ? this.oracle : this.policy;
    if (!(await contract.hasRole(ROLE_IDS[need.role], address))) {
      throw new CliError(`this command needs ${requirementText(need)}; ${address} does not hold it`);
    }
  }
}

/** Opens the network and its address book, checks they name the same chain and that the contracts are there, runs `fn`, closes. */
export async function withContext<T>(
  env: CliEnv,
  options: GlobalOptions,
  fn: (ctx: CliContext) => Promise<T>,
): Promise<T> {
  const bookPath = options.deployment ?? addressBookPath(options.network);
  // The network first: a misspelt network name is reported as such, not as a missing address book.
  const connection = await env.connect(options.network, options.rpcUrl);
  try {
    const addressBook = await loadAddressBook(options.network, bookPath).catch((error: Error) => {
      throw new CliError(error.message);
    });
    const chainId = (await connection.ethers.provider.getNetwork()).chainId;
    try {
      checkChainId(options.network, chainId, addressBook, bookPath);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const oracleAddress = addressBook.contracts.creditScoreOracle;
    if ((await connection.ethers.provider.getCode(oracleAddress)) === "0x") {
      throw new CliError(
        `no contract at the oracle address ${oracleAddress} from ${bookPath} on network "${options.network}" ` +
          `(an in-process or restarted chain starts empty: deploy to it first, or point --deployment at its address book)`,
      );
    }
    return await fn(new CliContext(env, options.network, bookPath, addressBook, connection));
  } finally {
    await connection.close();
  }
}
