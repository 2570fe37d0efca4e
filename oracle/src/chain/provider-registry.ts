/**
 * The data-provider registry as the node reads it (`CreditScoreOracle.providerInfo`), one cached read per provider
 * (see `CachedChainRead`): a provider the regulator approves or retires is seen within `ttlMs`, and during an RPC
 * outage the last read is served for at most `maxStaleMs`. That staleness is safe for the same reason as the
 * operator set's: the contract checks the report's provider again at submission, so a report computed from a file
 * of a provider retired meanwhile is refused on chain. Entries are kept for at most `maxProviders` ids (the oldest
 * read is dropped first), so applications naming made-up providers cannot grow the cache without bound.
 */
import { getAddress } from "ethers";

import { CachedChainRead } from "./cached-read.js";
import type { ChainContext } from "./connect.js";
import { withTimeout } from "./rpc.js";

/** `ProviderStatus` in contracts/types/ScoreTypes.sol, by its enum value. */
export const PROVIDER_STATUS_NAMES = ["none", "approved", "retired"] as const;
export type ProviderStatusName = (typeof PROVIDER_STATUS_NAMES)[number];

export interface DataProvider {
  id: string;
  status: ProviderStatusName;
  name: string;
  /** Checksummed addresses whose signatures on a credit file count as the provider's. */
  signingKeys: string[];
  /** keccak256(abi.encode(string[] featureNames)) of the schema the provider is approved to attest. */
  schemaHash: string;
  dataQualityHash: string;
}

export async function readDataProvider(chain: ChainContext, id: string): Promise<DataProvider> {
  const [status, name, signingKeys, schemaHash, dataQualityHash] = await withTimeout(
    chain.oracle.providerInfo(id),
    chain.rpcTimeoutMs,
    "oracle.providerInfo",
  );
  const statusName = PROVIDER_STATUS_NAMES[Number(status)];
  if (statusName === undefined) throw new Error(`oracle.providerInfo(${id}): unknown provider status ${status}`);
  return {
    id: getAddress(id),
    status: statusName,
    name,
    signingKeys: signingKeys.map((k) => getAddress(k)),
    schemaHash,
    dataQualityHash,
  };
}

export interface ProviderRegistryOptions {
  read: (id: string) => Promise<DataProvider>;
  ttlMs: number;
  maxStaleMs: number;
  onRefreshFailed: (error: unknown, staleForMs: number) => void;
  maxProviders?: number;
  nowMs?: () => number;
}

export const DEFAULT_MAX_CACHED_PROVIDERS = 256;

export class ProviderRegistry {
  private readonly entries = new Map<string, CachedChainRead<DataProvider>>();

  constructor(private readonly options: ProviderRegistryOptions) {}

  /** The provider's registry entry (status "none" for an id the regulator never approved). */
  get(id: string): Promise<DataProvider> {
    const key = getAddress(id);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const limit = this.options.maxProviders ?? DEFAULT_MAX_CACHED_PROVIDERS;
      if (this.entries.size >= limit) this.entries.delete(this.entries.keys().next().value as string);
      entry = new CachedChainRead({
        read: () => this.options.read(key),
        what: `data provider ${key}`,
        ttlMs: this.options.ttlMs,
        maxStaleMs: this.options.maxStaleMs,
        onRefreshFailed: this.options.onRefreshFailed,
        ...(this.options.nowMs === undefined ? {} : { nowMs: this.options.nowMs }),
      });
      this.entries.set(key, entry);
    }
    return entry.get();
  }
}
