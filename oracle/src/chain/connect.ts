/**
 * The node's view of the chain: a provider with a timeout on every request, and the oracle contract through its
 * TypeChain binding (the one source of its ABI). Addresses come from the deployment's address book.
 */
import { FetchRequest, getAddress, JsonRpcProvider, Network, type Provider } from "ethers";

import type { AddressBook } from "../protocol/address-book.js";
import { CreditScoreOracle__factory, type CreditScoreOracle } from "../../../types/ethers-contracts/index.js";
import type { NodeConfig } from "../config/index.js";
import { withTimeout } from "./rpc.js";

/** Default bound on one RPC request. */
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

export interface ChainContext {
  provider: Provider;
  /** The oracle, read-only (connected to the provider); the submitter signs its own transactions. */
  oracle: CreditScoreOracle;
  oracleAddress: string;
  chainId: bigint;
  /** Block the deployment happened at: where the watcher starts when it has no cursor and no startBlock. */
  deployedAtBlock: number;
  rpcTimeoutMs: number;
  /** Releases the provider's resources (polling timers, sockets). */
  close(): void;
}

/** The chain's id differs from the one the config or address book was written for. */
export class ChainMismatchError extends Error {
  override readonly name = "ChainMismatchError";
}

/** Connects to `chain.rpcUrl` and checks that it serves the chain id of both the config and the address book. */
export async function connectChain(
  chain: NodeConfig["chain"],
  addressBook: AddressBook,
  options: { rpcTimeoutMs?: number } = {},
): Promise<ChainContext> {
  const rpcTimeoutMs = options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  if (addressBook.chainId !== chain.chainId) {
    throw new ChainMismatchError(
      `config.chain.chainId is ${chain.chainId} but the address book ${chain.deploymentFile} is for chain ${addressBook.chainId}`,
    );
  }
  const request = new FetchRequest(chain.rpcUrl);
  request.timeout = rpcTimeoutMs;
  // staticNetwork: the chain id is checked once below, not re-detected (and retried forever) on every call.
  // cacheTimeout -1: ethers otherwise answers a repeated call from a 250 ms cache, and a co-signer deciding whether
  // a push request is still open must see a score posted a moment ago.
  const provider = new JsonRpcProvider(request, Network.from(chain.chainId), {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: chain.pollIntervalMs,
  });
  try {
    const served = await withTimeout(
      provider.send("eth_chainId", []) as Promise<string>,
      rpcTimeoutMs,
      `eth_chainId at ${chain.rpcUrl}`,
    );
    if (BigInt(served) !== BigInt(chain.chainId)) {
      throw new ChainMismatchError(
        `RPC ${chain.rpcUrl} serves chain ${BigInt(served)}, config.chain.chainId is ${chain.chainId}`,
      );
    }
  } catch (error) {
    provider.destroy();
    throw error;
  }
  return chainContext(provider, addressBook.contracts.creditScoreOracle, BigInt(chain.chainId), {
    deployedAtBlock: addressBook.deployedAtBlock,
    rpcTimeoutMs,
    close: () => provider.destroy(),
  });
}

/** A context over an existing provider (tests hand in one wrapping Hardhat's in-process network). */
export function chainContext(
  provider: Provider,
  oracleAddress: string,
  chainId: bigint,
  options: { deployedAtBlock?: number; rpcTimeoutMs?: number; close?: () => void } = {},
): ChainContext {
  return {
    provider,
    oracle: CreditScoreOracle__factory.connect(getAddress(oracleAddress), provider),
    oracleAddress: getAddress(oracleAddress),
    chainId,
    deployedAtBlock: options.deployedAtBlock ?? 0,
    rpcTimeoutMs: options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS,
    close: options.close ?? (() => {}),
  };
}
