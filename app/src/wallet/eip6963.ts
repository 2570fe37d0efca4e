/**
 * Wallet discovery: EIP-6963 (each injected wallet announces itself with its name and icon, so several can
 * coexist), falling back to the legacy `window.ethereum` when no wallet announces.
 */
import type { Eip1193Provider } from "ethers";

export interface Eip6963ProviderInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

/** An EIP-1193 provider with the event methods wallets implement (EIP-1193 `on` / `removeListener`). */
export interface InjectedProvider extends Eip1193Provider {
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
}

export interface DiscoveredWallet {
  info: Eip6963ProviderInfo;
  provider: InjectedProvider;
}

interface AnnounceEvent extends Event {
  detail: { info: Eip6963ProviderInfo; provider: InjectedProvider };
}

declare global {
  interface Window {
    ethereum?: InjectedProvider;
  }
  interface WindowEventMap {
    "eip6963:announceProvider": AnnounceEvent;
  }
}

const LEGACY_INFO: Eip6963ProviderInfo = { uuid: "window.ethereum", name: "Browser wallet", icon: "", rdns: "" };

/**
 * Listens for announcements and asks wallets to announce; calls `onChange` with every wallet found so far
 * (deduplicated by uuid), and with the legacy provider if none announces. Returns the unsubscribe function.
 */
export function watchWallets(onChange: (wallets: DiscoveredWallet[]) => void): () => void {
  const found = new Map<string, DiscoveredWallet>();
  const emit = () => {
    if (found.size > 0) onChange([...found.values()]);
    else if (window.ethereum !== undefined) onChange([{ info: LEGACY_INFO, provider: window.ethereum }]);
    else onChange([]);
  };
  const onAnnounce = (event: AnnounceEvent) => {
    const { info, provider } = event.detail;
    if (typeof info?.uuid !== "string" || typeof provider?.request !== "function") return;
    found.set(info.uuid, { info, provider });
    emit();
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  emit();
  return () => window.removeEventListener("eip6963:announceProvider", onAnnounce);
}
