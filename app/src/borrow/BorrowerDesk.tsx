/**
 * The borrower's desk, built on the SDK only (sdk/src/index.ts): deposit and withdraw collateral, fetch the credit
 * file with a consent signature and apply to the oracle quorum, see the decision (tier and terms, or a notice of
 * adverse action with its reasons), borrow with the quorum's report, repay with a permit, and watch the health
 * factor and liquidation price at every block.
 */
import { useCallback, useEffect, useState } from "react";

import * as sdk from "../../../sdk/src/index.js";
import { useAppConfig } from "../ConfigContext.js";
import { useWallet } from "../wallet/WalletContext.js";
import { ActionStatus, errorSentence, useActions, type ReportingSigner } from "./actions.js";
import { approvedBureaus, usePosition, useReadSide, type BureauOption } from "./chain.js";
import { applyForScore, fetchCreditFile, type Decision } from "./credit.js";
import { CollateralPanel, CreditPanel, LoanPanel, PositionPanel } from "./panels.js";
import "./borrow.css";

export function BorrowerDesk({ account }: { account: string }) {
  const config = useAppConfig();
  const wallet = useWallet();
  const read = useReadSide(config);
  const { position, error: positionError } = usePosition(read, account);
  const connect = useCallback(
    (signer: ReportingSigner) => sdk.connectContracts(read.addressBook, signer),
    [read.addressBook],
  );
  const getSigner = useCallback(() => wallet.signer(), [wallet]);
  const { action, run, busy } = useActions(getSigner, connect);
  const [bureaus, setBureaus] = useState<BureauOption[]>();
  const [bureauError, setBureauError] = useState<string>();
  const [file, setFile] = useState<sdk.CreditFileResponse>();
  const [decision, setDecision] = useState<Decision>();

  useEffect(() => {
    let stopped = false;
    approvedBureaus(read).then(
      (found) => {
        if (stopped) return;
        setBureaus(found);
        if (found.length === 0) setBureauError("The oracle's registry holds no approved credit bureau.");
      },
      (e: unknown) => !stopped && setBureauError(`cannot read the bureau registry: ${errorSentence(e)}`),
    );
    return () => {
      stopped = true;
    };
  }, [read]);

  const onDeposit = (amountWei: bigint) =>
    void run(`Deposit ${sdk.formatWad(amountWei, { exact: true })} ETH`, async ({ signer, contracts, step }) => {
      step("Confirm the three transactions in your wallet.");
      await sdk.depositEth(contracts, signer, amountWei);
    });

  const onWithdraw = (amountWei: bigint) =>
    void run(`Withdraw ${sdk.formatWad(amountWei, { exact: true })} ETH`, async ({ signer, contracts, step }) => {
      step("Confirm the two transactions in your wallet.");
      const context = await sdk.revertContextOf(contracts, account);
      await sdk.sendDecoded(
        "withdraw",
        () => contracts.lendingPool.withdraw(contracts.weth.target, amountWei, account),
        context,
      );
      await sdk.sendDecoded("unwrap WETH", () => contracts.weth.connect(signer).withdraw(amountWei));
    });

  const onFetchFile = (provider: string) =>
    void run("Fetch the credit file", async ({ signer, step }) => {
      step("Sign the consent in your wallet.");
      setDecision(undefined);
      setFile(await fetchCreditFile(read, config.bureauUrl, signer, provider));
    });

  const onApply = () =>
    void run("Apply for a credit score", async ({ signer, step }) => {
      if (file === undefined) throw new Error("fetch your credit file first");
      step("Sign the application in your wallet; the quorum then scores it.");
      setDecision(await applyForScore(read, config.oracleNodeUrls, signer, file));
    });

  const onBorrow = (amountWad: bigint) =>
    void run(`Borrow ${sdk.formatVusd(amountWad)}`, async ({ signer, contracts, step }) => {
      step("Confirm the transaction in your wallet.");
      if (decision !== undefined && !decision.declined) {
        await sdk.borrowWithReport(contracts, signer, amountWad, decision.bundle);
      } else {
        const context = await sdk.revertContextOf(contracts, account);
        await sdk.sendDecoded("borrow", () => contracts.lendingPool.borrow(amountWad), context);
      }
    });

  const onRepay = (amountWad: bigint | "all") =>
    void run(
      amountWad === "all" ? "Repay all" : `Repay ${sdk.formatVusd(amountWad)}`,
      async ({ signer, contracts, step }) => {
        step("Sign the vUSD permit, then confirm the transaction in your wallet.");
        await sdk.repayWithPermit(contracts, signer, amountWad);
      },
    );

  return (
    <div className="borrow-grid">
      <PositionPanel position={position} error={positionError} />
      <ActionStatus action={action} />
      <CollateralPanel busy={busy} position={position} onDeposit={onDeposit} onWithdraw={onWithdraw} />
      <CreditPanel
        busy={busy}
        bureaus={bureaus}
        bureauError={bureauError}
        file={file}
        decision={decision}
        onFetchFile={onFetchFile}
        onApply={onApply}
      />
      <LoanPanel busy={busy} position={position} decision={decision} onBorrow={onBorrow} onRepay={onRepay} />
    </div>
  );
}
