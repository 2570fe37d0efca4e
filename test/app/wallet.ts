/**
 * A wallet extension for the browser tests: an EIP-1193 provider injected into every page before its scripts
 * run, announced through EIP-6963 and set as `window.ethereum`, backed by an ethers `Wallet` in Node. The page's
 * requests cross to Node through `page.exposeFunction`: accounts and chain come from the wallet, transactions and
 * signatures (eth_sendTransaction, eth_signTypedData_v4, personal_sign) are signed in Node with the test key, and
 * every other call (reads, receipts, gas estimates) is forwarded to the chain's JSON-RPC endpoint. Errors reach the
 * page as EIP-1193 errors (`code`, `message`, and the revert `data` when there is one).
 */
import { getBytes, JsonRpcProvider, Wallet, type TypedDataField } from "ethers";
import type { Page } from "playwright-core";

export const WALLET_INFO = {
  uuid: "3f1c7a52-4d8e-4b1e-9d6a-verity-test",
  name: "Verity Test Wallet",
  icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E%3Crect width='10' height='10' fill='%2314213d'/%3E%3C/svg%3E",
  rdns: "org.verity.test-wallet",
};

/** What `page.evaluate` sees of the page's window (the test project compiles without the DOM library). */
interface PageGlobals {
  __verityEmit(event: string, value: unknown): void;
}

interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface InjectedWallet {
  address: string;
  /** Requests the page made, in order (method names), for assertions. */
  requests: string[];
  /** Changes the chain the wallet reports and tells the page (`chainChanged`), as a user switching would. */
  setChainId(chainId: number): Promise<void>;
}

/**
 * Runs in the page before its scripts: the EIP-1193 provider (requests go to Node through the exposed
 * `__verityWalletRequest`; events come back through `__verityEmit`), set as `window.ethereum` and announced per
 * EIP-6963 now and on every `eip6963:requestProvider`.
 */
const PAGE_PROVIDER_SOURCE = `function (info) {
  var listeners = new Map();
  var provider = {
    isVerityTestWallet: true,
    request: function (args) {
      return window.__verityWalletRequest(args.method, JSON.stringify(args.params || [])).then(function (text) {
        var answer = JSON.parse(text);
        if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
        return answer.result;
      });
    },
    on: function (event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
    },
    removeListener: function (event, listener) {
      if (listeners.has(event)) listeners.get(event).delete(listener);
    },
  };
  window.__verityEmit = function (event, value) {
    (listeners.get(event) || new Set()).forEach(function (listener) { listener(value); });
  };
  window.ethereum = provider;
  function announce() {
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info: info, provider: provider }) }));
  }
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}`;

/** Installs the wallet on `page` (before navigation): every document the page loads gets the provider. */
export async function injectWallet(
  page: Page,
  options: {
    privateKey: string;
    rpcUrl: string;
    /** The chain the wallet starts on (default: the RPC's). */ chainId?: number;
  },
): Promise<InjectedWallet> {
  const provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true });
  const wallet = new Wallet(options.privateKey, provider);
  const rpcChainId = Number((await provider.getNetwork()).chainId);
  let chainId = options.chainId ?? rpcChainId;
  const requests: string[] = [];

  const handle = async (method: string, params: unknown[]): Promise<unknown> => {
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [wallet.address];
      case "eth_chainId":
        return `0x${chainId.toString(16)}`;
      case "net_version":
        return String(chainId);
      case "wallet_switchEthereumChain": {
        const wanted = Number.parseInt((params[0] as { chainId: string }).chainId, 16);
        if (wanted !== rpcChainId) throw { code: 4902, message: `Unrecognized chain ID ${wanted}` } satisfies RpcError;
        chainId = wanted;
        // Told after this request answers, as a wallet does (the page also reads eth_chainId itself).
        setTimeout(() => void emitChainChanged(wanted).catch(() => undefined), 0);
        return null;
      }
      case "wallet_addEthereumChain":
        throw { code: 4200, message: "the test wallet knows only the stack's chain" } satisfies RpcError;
      case "eth_sendTransaction": {
        const tx = params[0] as { from?: string; to?: string; data?: string; value?: string; gas?: string };
        if (tx.from !== undefined && tx.from.toLowerCase() !== wallet.address.toLowerCase())
          throw { code: 4100, message: `the wallet holds ${wallet.address}, not ${tx.from}` } satisfies RpcError;
        // The nonce asked of the node directly: ethers' provider reuses an identical request's answer for 250 ms,
        // so a second transaction sent right after the first was mined would get the first one's nonce.
        const nonce = Number(await provider.send("eth_getTransactionCount", [wallet.address, "pending"]));
        const sent = await wallet.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value,
          nonce,
          ...(tx.gas === undefined ? {} : { gasLimit: tx.gas }),
        });
        return sent.hash;
      }
      case "eth_signTypedData_v4": {
        const typed = JSON.parse(params[1] as string) as {
          domain: Record<string, unknown>;
          types: Record<string, TypedDataField[]>;
          message: Record<string, unknown>;
        };
        const types = { ...typed.types };
        delete types.EIP712Domain;
        return wallet.signTypedData(typed.domain, types, typed.message);
      }
      case "personal_sign":
        return wallet.signMessage(getBytes(params[0] as string));
      default:
        return provider.send(method, params);
    }
  };

  const emitChainChanged = (next: number) =>
    page.evaluate(
      (hex) => (globalThis as unknown as PageGlobals).__verityEmit("chainChanged", hex),
      `0x${next.toString(16)}`,
    );

  await page.exposeFunction("__verityWalletRequest", async (method: string, paramsJson: string) => {
    requests.push(method);
    try {
      return JSON.stringify({ result: await handle(method, JSON.parse(paramsJson) as unknown[]) });
    } catch (error) {
      const e = error as Partial<RpcError> & { error?: RpcError; info?: { error?: RpcError }; shortMessage?: string };
      const inner = e.error ?? e.info?.error;
      const rpcError: RpcError = {
        code: typeof e.code === "number" ? e.code : (inner?.code ?? -32603),
        message: e.shortMessage ?? e.message ?? inner?.message ?? "wallet error",
        ...(inner?.data === undefined ? (e.data === undefined ? {} : { data: e.data }) : { data: inner.data }),
      };
      return JSON.stringify({ error: rpcError });
    }
  });

  // The page side, as source text: a function handed to Playwright would be serialised with the helpers tsx
  // inserts (`__name`), which do not exist in the page.
  await page.addInitScript({ content: `(${PAGE_PROVIDER_SOURCE})(${JSON.stringify(WALLET_INFO)});` });

  return {
    address: wallet.address,
    requests,
    setChainId: async (next: number) => {
      chainId = next;
      await emitChainChanged(next);
    },
  };
}
