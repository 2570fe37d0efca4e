/**
 * The borrower's page. For now: connect a wallet on the right network. The borrower's flows (collateral, consent
 * and application, borrow, repay) build on this page.
 */
import { WalletBar } from "../wallet/WalletBar.js";
import { useWallet } from "../wallet/WalletContext.js";

export function BorrowPage() {
  const { connected, wrongNetwork } = useWallet();
  return (
    <>
      <h1>Borrow vUSD</h1>
      <WalletBar />
      {connected === undefined ? (
        <p>Connect your wallet to see your position and apply for a credit score.</p>
      ) : wrongNetwork ? (
        <p>Switch your wallet to the Verity network to continue.</p>
      ) : (
        <p data-testid="borrow-ready">Connected as {connected.account}.</p>
      )}
    </>
  );
}
