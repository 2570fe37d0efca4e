/**
 * The borrower's view of the chain, through the SDK only: the deployment's contracts (`sdk.connectContracts`) on a
 * read provider (the config's JSON-RPC endpoint, so reads do not go through the wallet), and the position
 * re-read at every new block (`provider.on("block")`): collateral, debt, tier and its terms, health factor,
 * liquidation price, balances.
 */
import { JsonRpcProvider, Network } from "ethers";
import { useEffect, useMemo, useState } from "react";

import * as sdk from "../../../sdk/src/index.js";
import type { AppConfig } from "../config.js";
import { liquidationPriceWad, WAD } from "./liquidation.js";

export interface ReadSide {
  provider: JsonRpcProvider;
  addressBook: sdk.AddressBook;
  contracts: sdk.VerityContracts;
  /**
   * Calls `onBlock` with each new block number until the returned function is called. Each watch has its own
   * provider, destroyed when it stops: subscribing and unsubscribing on one shared provider in quick succession (as
   * React's effects do) can leave ethers' block subscriber stopped.
   */
  watchBlocks: (onBlock: (block: number) => void) => () => void;
}

/** One read provider and its contracts for the page's life. */
export function useReadSide(config: AppConfig): ReadSide {
  return useMemo(() => {
    const network = Network.from(config.addressBook.chainId);
    const provider = new JsonRpcProvider(config.rpcUrl, network, { staticNetwork: network, batchMaxCount: 20 });
    provider.pollingInterval = config.pollIntervalSec * 1000;
    const { addressBook } = config;
    const watchBlocks = (onBlock: (block: number) => void) => {
      const watcher = new JsonRpcProvider(config.rpcUrl, network, { staticNetwork: network });
      watcher.pollingInterval = config.pollIntervalSec * 1000;
      void watcher.on("block", onBlock);
      return () => watcher.destroy();
    };
    return { provider, addressBook, contracts: sdk.connectContracts(addressBook, provider), watchBlocks };
  }, [config]);
}

export interface Position {
  block: number;
  blockTimeSec: number;
  ethWei: bigint;
  vusdWad: bigint;
  collateralWei: bigint;
  collateralValueWad: bigint;
  debtWad: bigint;
  tier: number;
  terms: { maxLtvBps: bigint; liquidationThresholdBps: bigint; aprBps: bigint; creditLimitWad: bigint };
  healthFactorWad: bigint;
  /** WETH's last agreed price (USD per ETH, wad). */
  ethPriceWad: bigint;
  /** The ETH price at which the health factor reaches 1 (USD per ETH, wad); undefined without debt. */
  liquidationPriceWad?: bigint;
  /** Debt over collateral value (bps); undefined without collateral. */
  ltvBps?: bigint;
}

export async function readPosition(read: ReadSide, account: string, block: number): Promise<Position> {
  const { contracts, provider } = read;
  const at = { blockTag: block };
  const weth = read.addressBook.contracts.weth;
  const [header, position, collateralWei, ethWei, vusdWad, priceStatus] = await Promise.all([
    provider.getBlock(block),
    contracts.lendingPool.positionOf(account, at),
    contracts.lendingPool.collateralOf(account, weth, at),
    provider.getBalance(account, block),
    contracts.vusd.balanceOf(account, at),
    contracts.lendingPool.priceStatusOf(weth, at),
  ]);
  if (header === null) throw new Error(`block ${block} is missing from the node`);
  const [debtWad, tierRaw, collateralValueWad, healthFactorWad] = position;
  const tier = Number(tierRaw);
  const raw = await contracts.supervisionPolicy.termsOf(tier, at);
  const terms = {
    maxLtvBps: BigInt(raw.maxLtvBps),
    liquidationThresholdBps: BigInt(raw.liquidationThresholdBps),
    aprBps: BigInt(raw.aprBps),
    creditLimitWad: BigInt(raw.creditLimitWad),
  };
  const ethPriceWad = priceStatus[0];
  // WETH has 18 decimals: its value is amount × price; the rest of the collateral value is other assets'.
  const wethValueWad = (collateralWei * ethPriceWad) / WAD;
  const otherValueWad = collateralValueWad > wethValueWad ? collateralValueWad - wethValueWad : 0n;
  const liquidation = liquidationPriceWad(debtWad, collateralWei, otherValueWad, terms.liquidationThresholdBps);
  return {
    block,
    blockTimeSec: header.timestamp,
    ethWei,
    vusdWad,
    collateralWei,
    collateralValueWad,
    debtWad,
    tier,
    terms,
    healthFactorWad,
    ethPriceWad,
    ...(liquidation === undefined ? {} : { liquidationPriceWad: liquidation }),
    ...(collateralValueWad === 0n ? {} : { ltvBps: (debtWad * 10_000n) / collateralValueWad }),
  };
}

/** The position, re-read at every new block; `error` names what failed (the last good position stays shown). */
export function usePosition(read: ReadSide, account: string): { position?: Position; error?: string } {
  const [position, setPosition] = useState<Position>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stopped = false;
    let latest = -1;
    const refresh = (block: number) => {
      if (block <= latest) return;
      latest = block;
      readPosition(read, account, block).then(
        (next) => {
          if (!stopped && next.block === latest) {
            setPosition(next);
            setError(undefined);
          }
        },
        (e: unknown) => {
          if (!stopped) setError(`cannot read the position at block ${block}: ${sdk.describeRevert(e)}`);
        },
      );
    };
    void read.provider.getBlockNumber().then(refresh, (e: unknown) => {
      if (!stopped) setError(`cannot reach the chain: ${sdk.describeRevert(e)}`);
    });
    const unwatch = read.watchBlocks(refresh);
    return () => {
      stopped = true;
      unwatch();
    };
  }, [read, account]);
  return { position, error };
}

export interface BureauOption {
  id: string;
  name: string;
}

/** The data providers (bureaus) the oracle's registry holds as approved: from its events, checked against its state. */
export async function approvedBureaus(read: ReadSide): Promise<BureauOption[]> {
  const oracle = read.contracts.creditScoreOracle;
  const logs = await oracle.queryFilter(oracle.filters.DataProviderApproved(), read.addressBook.deployedAtBlock);
  const ids = Array.from(new Set(logs.map((log) => log.args.provider)));
  const infos = await Promise.all(ids.map(async (id) => ({ id, info: await oracle.providerInfo(id) })));
  // ProviderStatus: 1 = Approved (contracts/types/ScoreTypes.sol).
  return infos.filter(({ info }) => Number(info.status) === 1).map(({ id, info }) => ({ id, name: info.name }));
}
