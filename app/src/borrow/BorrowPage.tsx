/**
 * The borrower's page: connect a wallet on the right network, then the borrower's desk (`BorrowerDesk.tsx`), loaded
 * on demand once a wallet is connected: it carries the SDK's contract handles, which the dashboard does not need.
 */
import { lazy, Suspense } from "react";

import { WalletBar } from "../wallet/WalletBar.js";
import { useWallet } from "../wallet/WalletContext.js";

const BorrowerDesk = lazy(async () => ({ default: (await import("./BorrowerDesk.js")).BorrowerDesk }));

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
        <>
          <p data-testid="borrow-ready" className="sr-note">
            Connected as {connected.account}.
          </p>
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <BorrowerDesk key={connected.account} account={connected.account} />
          </Suspense>
        </>
      )}
    </>
  );
}
