/**
 * The Ponder app: the compliance events of one deployment (its address book), from its deployment block, on
 * one chain. Settings come from the environment (indexer/settings.ts); `npm run indexer` sets them from flags.
 */
import { createConfig } from "ponder";
import { http } from "viem";

import { readSettings } from "./settings.js";
import { COMPLIANCE_CONTRACTS, PONDER_NAMES, REQUIRED_CONTRACTS, interfaceAbi } from "./vocabulary.js";

const settings = readSettings();
const { addressBook } = settings;

for (const name of REQUIRED_CONTRACTS) {
  if (addressBook.contracts[name] === undefined)
    throw new Error(`indexer: address book ${settings.deploymentPath} has no contracts.${name}`);
}

// Address books written before the savings vault, the PSM or the report registry lack them: their events are then
// simply not indexed.
const contracts = Object.fromEntries(
  COMPLIANCE_CONTRACTS.flatMap((name) => {
    const address = addressBook.contracts[name];
    if (address === undefined) return [];
    const entry = {
      chain: "chain" as const,
      abi: interfaceAbi(name),
      address: address as `0x${string}`,
      startBlock: addressBook.deployedAtBlock,
    };
    return [[PONDER_NAMES[name], entry]];
  }),
);

export default createConfig({
  database: settings.database,
  ordering: "multichain",
  chains: {
    chain: {
      id: addressBook.chainId,
      rpc: http(settings.rpcUrl, { timeout: 30_000, retryCount: 3 }),
      pollingInterval: settings.pollingMs,
      // A local chain restarts from block 0 with the same id: Ponder's RPC cache would then serve a dead chain.
      disableCache: addressBook.chainId === 31337,
      // A busy range can exceed the RPC client's 10 MB response limit, which Ponder does not split on by itself.
      ...(settings.getLogsBlockRange !== undefined ? { ethGetLogsBlockRange: settings.getLogsBlockRange } : {}),
    },
  },
  contracts,
});
