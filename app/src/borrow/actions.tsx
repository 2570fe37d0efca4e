/**
 * The borrower's actions and their transactions' states. Each action (deposit, apply, borrow…) runs the SDK's
 * helpers with a `ReportingSigner` around the wallet's signer: every transaction the SDK sends is reported as
 * pending with its hash, then confirmed in block N (or reverted). Errors are the SDK's sentences
 * (`VerityRevertError` carries the decoder's; anything else goes through `describeRevert`).
 */
import {
  AbstractSigner,
  type Interface,
  type JsonRpcSigner,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { useCallback, useRef, useState } from "react";

import * as sdk from "../../../sdk/src/index.js";

/** The wallet's signer, reporting each transaction it sends (the SDK's helpers wait for them themselves). */
export class ReportingSigner extends AbstractSigner {
  readonly address: string;

  constructor(
    private readonly inner: JsonRpcSigner,
    private readonly onSent: (request: TransactionRequest, sent: TransactionResponse) => void,
  ) {
    super(inner.provider);
    this.address = inner.address;
  }

  override getAddress(): Promise<string> {
    return this.inner.getAddress();
  }

  override connect(): never {
    throw new Error("a ReportingSigner stays on its wallet's provider");
  }

  override signTransaction(tx: TransactionRequest): Promise<string> {
    return this.inner.signTransaction(tx);
  }

  override signMessage(message: string | Uint8Array): Promise<string> {
    return this.inner.signMessage(message);
  }

  override signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.inner.signTypedData(domain, types, value);
  }

  override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const sent = await this.inner.sendTransaction(tx);
    this.onSent(tx, sent);
    return sent;
  }
}

export interface TxRecord {
  hash: string;
  /** `Contract.function`, decoded from the calldata. */
  label: string;
  status: "pending" | "confirmed" | "reverted";
  block?: number;
}

export interface ActionState {
  name: string;
  status: "running" | "done" | "failed";
  txs: TxRecord[];
  /** Shown while running before any transaction: what the wallet is asked for. */
  step?: string;
  error?: string;
}

export interface ActionContext {
  signer: ReportingSigner;
  contracts: sdk.VerityContracts;
  /** Tells the user what the wallet is about to ask for. */
  step: (text: string) => void;
}

/** The contract and function a transaction calls, for its label. */
function labelOf(contracts: sdk.VerityContracts, tx: TransactionRequest): string {
  const to = typeof tx.to === "string" ? tx.to.toLowerCase() : "";
  const known: [string, { target: unknown; interface: Interface }][] = [
    ["WETH", contracts.weth],
    ["LendingPool", contracts.lendingPool],
    ["vUSD", contracts.vusd],
    ["CreditScoreOracle", contracts.creditScoreOracle],
  ];
  for (const [name, contract] of known) {
    if (String(contract.target).toLowerCase() !== to) continue;
    const parsed = contract.interface.parseTransaction({ data: String(tx.data ?? "0x"), value: tx.value ?? 0n });
    return `${name}.${parsed?.name ?? "call"}`;
  }
  return to === "" ? "transaction" : `call to ${to}`;
}

export function errorSentence(error: unknown): string {
  if (error instanceof sdk.VerityRevertError) return error.message;
  if (error instanceof sdk.BureauClientError) return `The credit bureau refused: ${error.message}`;
  if (error instanceof sdk.OracleNodeError) return `The oracle nodes refused: ${error.message}`;
  if (typeof error === "object" && error !== null && (error as { code?: unknown }).code === 4001)
    return "You rejected the request in your wallet.";
  return sdk.describeRevert(error);
}

/** One action at a time; its state (and the last one's) for the status region. */
export function useActions(
  getSigner: () => Promise<JsonRpcSigner>,
  connect: (signer: ReportingSigner) => sdk.VerityContracts,
) {
  const [action, setAction] = useState<ActionState>();
  const running = useRef(false);

  const run = useCallback(
    async <T,>(name: string, body: (context: ActionContext) => Promise<T>): Promise<T | undefined> => {
      if (running.current) return undefined;
      running.current = true;
      setAction({ name, status: "running", txs: [] });
      const update = (change: (state: ActionState) => ActionState) =>
        setAction((state) => (state === undefined || state.name !== name ? state : change(state)));
      const setTx = (hash: string, change: Partial<TxRecord>) =>
        update((state) => ({
          ...state,
          txs: state.txs.map((tx) => (tx.hash === hash ? { ...tx, ...change } : tx)),
        }));
      try {
        const walletSigner = await getSigner();
        // The signer reports to the contracts it is connected to (set just below), which name each call.
        const connected: { contracts?: sdk.VerityContracts } = {};
        const signer = new ReportingSigner(walletSigner, (request, sent) => {
          const label = connected.contracts === undefined ? "transaction" : labelOf(connected.contracts, request);
          update((state) => ({
            ...state,
            step: undefined,
            txs: [...state.txs, { hash: sent.hash, label, status: "pending" }],
          }));
          sent.wait().then(
            (receipt) =>
              setTx(sent.hash, {
                status: receipt !== null && receipt.status === 1 ? "confirmed" : "reverted",
                ...(receipt === null ? {} : { block: receipt.blockNumber }),
              }),
            () => setTx(sent.hash, { status: "reverted" }),
          );
        });
        const contracts = connect(signer);
        connected.contracts = contracts;
        const result = await body({ signer, contracts, step: (text) => update((state) => ({ ...state, step: text })) });
        update((state) => ({ ...state, status: "done", step: undefined }));
        return result;
      } catch (error) {
        update((state) => ({ ...state, status: "failed", step: undefined, error: errorSentence(error) }));
        return undefined;
      } finally {
        running.current = false;
      }
    },
    [getSigner, connect],
  );

  return { action, run, busy: action?.status === "running" };
}

/** The current action's progress: a live region for the transactions, an alert for the failure. */
export function ActionStatus({ action }: { action?: ActionState }) {
  return (
    <section className="panel tx-status" aria-labelledby="tx-status-heading">
      <h2 id="tx-status-heading">Transactions</h2>
      <div role="status" aria-live="polite" data-testid="tx-status">
        {action === undefined ? (
          <p className="muted">Nothing sent yet.</p>
        ) : (
          <>
            <p data-testid="action" data-status={action.status}>
              <strong>{action.name}</strong>:{" "}
              {action.status === "running" ? "in progress…" : action.status === "done" ? "done." : "failed."}
              {action.step !== undefined && <> {action.step}</>}
            </p>
            {action.txs.length > 0 && (
              <ol className="tx-list">
                {action.txs.map((tx) => (
                  <li key={tx.hash} data-testid="tx" data-status={tx.status}>
                    {tx.label}: <code title={tx.hash}>{`${tx.hash.slice(0, 10)}…${tx.hash.slice(-6)}`}</code>{" "}
                    {tx.status === "pending"
                      ? "pending…"
                      : tx.status === "confirmed"
                        ? `confirmed in block ${tx.block}`
                        : `reverted${tx.block === undefined ? "" : ` in block ${tx.block}`}`}
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </div>
      {action?.error !== undefined && (
        <p role="alert" className="error" data-testid="action-error">
          {action.error}
        </p>
      )}
    </section>
  );
}
