/** Connect / account / network status, shown on every borrower page. */
import { useWallet } from "./WalletContext.js";

const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

export function WalletBar() {
  const wallet = useWallet();
  const { connected } = wallet;
  return (
    <section className="wallet-bar" aria-label="Wallet">
      {connected === undefined ? (
        wallet.wallets.length === 0 ? (
          <p>No wallet found: install a browser wallet (any EIP-1193 / EIP-6963 wallet) and reload.</p>
        ) : (
          wallet.wallets.map((w) => (
            <button key={w.info.uuid} type="button" onClick={() => void wallet.connect(w)}>
              {w.info.icon !== "" && <img src={w.info.icon} alt="" width={20} height={20} />}
              Connect {w.info.name}
            </button>
          ))
        )
      ) : (
        <>
          <span data-testid="wallet-account" title={connected.account}>
            {connected.wallet.info.name}: {short(connected.account)}
          </span>
          {wallet.wrongNetwork ? (
            <>
              <span role="alert" className="warn">
                Wrong network: chain {connected.chainId}, Verity is on chain {wallet.expectedChainId}.
              </span>
              <button type="button" onClick={() => void wallet.switchNetwork()}>
                Switch network
              </button>
            </>
          ) : (
            <span data-testid="wallet-chain">chain {connected.chainId}</span>
          )}
          <button type="button" onClick={() => wallet.disconnect()}>
            Disconnect
          </button>
        </>
      )}
      {wallet.error !== undefined && (
        <p role="alert" className="error">
          {wallet.error}
        </p>
      )}
    </section>
  );
}
