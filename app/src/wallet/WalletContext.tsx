/**
 * The connected wallet, for every page: discovery (EIP-6963), connection (`eth_requestAccounts`), the account and
 * chain kept current from the wallet's events, and the network check and switch (`wallet_switchEthereumChain`,
 * adding the chain with `wallet_addEthereumChain` when the wallet does not know it).
 */
import { BrowserProvider, type JsonRpcSigner } from "ethers";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { useAppConfig } from "../ConfigContext.js";
import { watchWallets, type DiscoveredWallet, type InjectedProvider } from "./eip6963.js";

export interface WalletState {
  wallets: DiscoveredWallet[];
  connected?: {
    wallet: DiscoveredWallet;
    account: string;
    chainId: number;
    provider: BrowserProvider;
  };
  /** The chain the deployment lives on. */
  expectedChainId: number;
  wrongNetwork: boolean;
  error?: string;
  connect(wallet: DiscoveredWallet): Promise<void>;
  disconnect(): void;
  switchNetwork(): Promise<void>;
  signer(): Promise<JsonRpcSigner>;
}

const WalletContext = createContext<WalletState | undefined>(undefined);

function errorText(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const e = error as { code?: number; message?: string; shortMessage?: string };
    if (e.code === 4001) return "You rejected the request in your wallet.";
    return e.shortMessage ?? e.message ?? JSON.stringify(error);
  }
  return typeof error === "string" ? error : "the wallet failed without a message";
}

async function requestChainId(provider: InjectedProvider): Promise<number> {
  const hex = (await provider.request({ method: "eth_chainId" })) as string;
  return Number.parseInt(hex, 16);
}

export function WalletProvider({ children }: { children: ReactNode }) {
  const config = useAppConfig();
  const expectedChainId = config.addressBook.chainId;
  const [wallets, setWallets] = useState<DiscoveredWallet[]>([]);
  const [active, setActive] = useState<DiscoveredWallet>();
  const [account, setAccount] = useState<string>();
  const [chainId, setChainId] = useState<number>();
  const [error, setError] = useState<string>();

  useEffect(() => watchWallets(setWallets), []);

  useEffect(() => {
    const provider = active?.provider;
    if (provider?.on === undefined) return;
    const onAccounts = (...args: unknown[]) => {
      const accounts = args[0] as string[] | undefined;
      if (accounts === undefined || accounts.length === 0) {
        setActive(undefined);
        setAccount(undefined);
      } else setAccount(accounts[0]);
    };
    const onChain = (...args: unknown[]) => setChainId(Number.parseInt(String(args[0]), 16));
    provider.on("accountsChanged", onAccounts);
    provider.on("chainChanged", onChain);
    return () => {
      provider.removeListener?.("accountsChanged", onAccounts);
      provider.removeListener?.("chainChanged", onChain);
    };
  }, [active]);

  const connect = useCallback(async (wallet: DiscoveredWallet) => {
    setError(undefined);
    try {
      const accounts = (await wallet.provider.request({ method: "eth_requestAccounts" })) as string[];
      if (accounts.length === 0) throw new Error("the wallet returned no account");
      setChainId(await requestChainId(wallet.provider));
      setAccount(accounts[0]);
      setActive(wallet);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  const switchNetwork = useCallback(async () => {
    if (active === undefined) return;
    setError(undefined);
    const chainIdHex = `0x${expectedChainId.toString(16)}`;
    try {
      await active.provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chainIdHex }] });
    } catch (e) {
      if ((e as { code?: number }).code !== 4902) {
        setError(errorText(e));
        return;
      }
      try {
        await active.provider.request({
          method: "wallet_addEthereumChain",
          params: [
            {
              chainId: chainIdHex,
              chainName: `Verity ${config.addressBook.network}`,
              rpcUrls: [config.rpcUrl],
              nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
            },
          ],
        });
      } catch (addError) {
        setError(errorText(addError));
        return;
      }
    }
    setChainId(await requestChainId(active.provider));
  }, [active, config, expectedChainId]);

  const state = useMemo<WalletState>(() => {
    const connected =
      active !== undefined && account !== undefined && chainId !== undefined
        ? { wallet: active, account, chainId, provider: new BrowserProvider(active.provider, "any") }
        : undefined;
    return {
      wallets,
      connected,
      expectedChainId,
      wrongNetwork: connected !== undefined && connected.chainId !== expectedChainId,
      error,
      connect,
      disconnect: () => {
        setActive(undefined);
        setAccount(undefined);
      },
      switchNetwork,
      signer: async () => {
        if (connected === undefined) throw new Error("connect a wallet first");
        if (connected.chainId !== expectedChainId)
          throw new Error(`switch your wallet to chain ${expectedChainId} first`);
        return connected.provider.getSigner(connected.account);
      },
    };
  }, [wallets, active, account, chainId, expectedChainId, error, connect, switchNetwork]);

  return <WalletContext.Provider value={state}>{children}</WalletContext.Provider>;
}

export function useWallet(): WalletState {
  const state = useContext(WalletContext);
  if (state === undefined) throw new Error("useWallet outside <WalletProvider>");
  return state;
}
