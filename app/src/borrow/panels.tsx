/** The borrower page's panels: position, collateral, credit file and score, loan. Values in their units via the SDK. */
import { formatEther, parseEther, parseUnits } from "ethers";
import { useId, useState, type FormEvent, type ReactNode } from "react";

import * as sdk from "../../../sdk/src/index.js";
import type { BureauOption, Position } from "./chain.js";
import type { Decision } from "./credit.js";

const eth = (wei: bigint) => `${Number(formatEther(wei)).toLocaleString("en-US", { maximumFractionDigits: 4 })} ETH`;
const usd = (wad: bigint) => `${sdk.formatWad(wad)} USD`;

/** A labelled amount field; `parse` turns the text into base units or throws with what is wrong. */
function AmountField(props: {
  label: string;
  unit: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  testId: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        {props.label} ({props.unit})
      </label>
      <input
        id={id}
        data-testid={props.testId}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.0"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-describedby={props.hint === undefined ? undefined : `${id}-hint`}
      />
      {props.hint !== undefined && (
        <small id={`${id}-hint`} className="muted">
          {props.hint}
        </small>
      )}
    </div>
  );
}

/** Parses a positive decimal amount into base units (18 decimals); throws a sentence naming the field. */
export function parseAmount(text: string, what: string, unit: "ETH" | "vUSD"): bigint {
  const trimmed = text.trim();
  if (!/^\d+(\.\d{1,18})?$/.test(trimmed)) throw new Error(`${what}: enter an amount in ${unit}, such as 1.5`);
  const value = unit === "ETH" ? parseEther(trimmed) : parseUnits(trimmed, 18);
  if (value === 0n) throw new Error(`${what}: the amount must be more than zero`);
  return value;
}

export function PositionPanel({ position, error }: { position?: Position; error?: string }) {
  return (
    <section className="panel" aria-labelledby="position-heading" data-testid="position">
      <div className="panel-head">
        <h2 id="position-heading">Your position</h2>
        {position !== undefined && (
          <span className="muted" data-testid="position-block">
            at block {position.block}
          </span>
        )}
      </div>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {position === undefined ? (
        <p className="muted">Reading the chain…</p>
      ) : (
        <dl className="facts">
          <dt>Collateral</dt>
          <dd data-testid="collateral">
            {eth(position.collateralWei)} <span className="muted">({usd(position.collateralValueWad)})</span>
          </dd>
          <dt>Debt</dt>
          <dd data-testid="debt">{sdk.formatVusd(position.debtWad)}</dd>
          <dt>Tier</dt>
          <dd data-testid="position-tier">
            {sdk.tierLabel(position.tier)}: max LTV {sdk.formatBps(position.terms.maxLtvBps)}, APR{" "}
            {sdk.formatBps(position.terms.aprBps)}
          </dd>
          <dt>Loan to value</dt>
          <dd data-testid="ltv">{position.ltvBps === undefined ? "no collateral" : sdk.formatBps(position.ltvBps)}</dd>
          <dt>Health factor</dt>
          <dd data-testid="health-factor" className={hfClass(position)}>
            {sdk.formatHealthFactor(position.healthFactorWad)}
          </dd>
          <dt>Liquidation price</dt>
          <dd data-testid="liquidation-price">
            {position.liquidationPriceWad === undefined
              ? position.debtWad === 0n
                ? "none (no debt)"
                : "none: no ETH price brings the health factor to 1 (no WETH, or other collateral covers the debt)"
              : `${usd(position.liquidationPriceWad)} per ETH (liquidation threshold ${sdk.formatBps(position.terms.liquidationThresholdBps)})`}
          </dd>
          <dt>ETH price</dt>
          <dd data-testid="eth-price">{usd(position.ethPriceWad)}</dd>
          <dt>Wallet</dt>
          <dd data-testid="wallet-balances">
            {eth(position.ethWei)}, {sdk.formatVusd(position.vusdWad)}
          </dd>
        </dl>
      )}
    </section>
  );
}

function hfClass(position: Position): string {
  if (position.debtWad === 0n) return "ok";
  const hf = position.healthFactorWad;
  return hf < 10n ** 18n ? "bad" : hf < 11n * 10n ** 17n ? "warn" : "ok";
}

export function CollateralPanel(props: {
  busy: boolean;
  position?: Position;
  onDeposit: (amountWei: bigint) => void;
  onWithdraw: (amountWei: bigint) => void;
}) {
  const [amount, setAmount] = useState("");
  const [problem, setProblem] = useState<string>();
  const submit = (kind: "deposit" | "withdraw") => (event?: FormEvent) => {
    event?.preventDefault();
    try {
      const wei = parseAmount(amount, kind === "deposit" ? "Deposit" : "Withdraw", "ETH");
      setProblem(undefined);
      (kind === "deposit" ? props.onDeposit : props.onWithdraw)(wei);
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  return (
    <section className="panel" aria-labelledby="collateral-heading">
      <h2 id="collateral-heading">Collateral</h2>
      <form onSubmit={submit("deposit")} noValidate>
        <AmountField
          label="Collateral amount"
          unit="ETH"
          value={amount}
          onChange={setAmount}
          testId="collateral-amount"
          hint="Deposit wraps ETH into WETH, approves the pool and deposits it (three transactions). Withdraw takes WETH out of the pool and unwraps it (two)."
        />
        {problem !== undefined && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={props.busy}>
            Deposit
          </button>
          <button type="button" disabled={props.busy} onClick={() => submit("withdraw")()}>
            Withdraw
          </button>
          {props.position !== undefined && props.position.collateralWei > 0n && (
            <button
              type="button"
              className="link"
              disabled={props.busy}
              onClick={() => setAmount(formatEther(props.position!.collateralWei))}
            >
              Use all deposited ({eth(props.position.collateralWei)})
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

export function CreditPanel(props: {
  busy: boolean;
  bureaus?: BureauOption[];
  bureauError?: string;
  file?: sdk.CreditFileResponse;
  decision?: Decision;
  onFetchFile: (provider: string) => void;
  onApply: () => void;
}) {
  const selectId = useId();
  const [chosen, setChosen] = useState<string>();
  const bureau = chosen ?? props.bureaus?.[0]?.id;
  return (
    <section className="panel" aria-labelledby="credit-heading">
      <h2 id="credit-heading">Credit score</h2>
      <ol className="steps">
        <li>
          <p>
            Give the bureau your consent (a signature in your wallet, no transaction) and it sends your attested credit
            file.
          </p>
          {props.bureauError !== undefined && (
            <p role="alert" className="error">
              {props.bureauError}
            </p>
          )}
          <div className="field">
            <label htmlFor={selectId}>Credit bureau</label>
            <select id={selectId} value={bureau ?? ""} onChange={(e) => setChosen(e.target.value)}>
              {(props.bureaus ?? []).map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </div>
          <button
            type="button"
            disabled={props.busy || bureau === undefined}
            onClick={() => props.onFetchFile(bureau!)}
          >
            Sign consent and fetch my credit file
          </button>
          {props.file !== undefined && (
            <p data-testid="credit-file">
              File {props.file.creditFile.fileId.slice(0, 10)}…: {Object.keys(props.file.fields).length} fields, as of{" "}
              {sdk.formatTimestamp(props.file.creditFile.asOf)}, valid until{" "}
              {sdk.formatTimestamp(props.file.creditFile.validUntil)}.
            </p>
          )}
        </li>
        <li>
          <p>Sign the application; the oracle quorum scores it and signs the report.</p>
          <button type="button" disabled={props.busy || props.file === undefined} onClick={props.onApply}>
            Apply for a credit score
          </button>
        </li>
      </ol>
      {props.decision !== undefined &&
        (props.decision.declined ? (
          <AdverseActionNotice decision={props.decision} />
        ) : (
          <Approval decision={props.decision} />
        ))}
    </section>
  );
}

function Reasons({ decision }: { decision: Decision }) {
  const { reasons } = decision.bundle;
  if (reasons.length === 0) return <p>The quorum gave no reason codes: no factor raised your PD.</p>;
  return (
    <ol data-testid="reasons">
      {reasons.map((reason) => (
        <li key={reason.code}>
          {reason.text} <span className="muted">(reason code {reason.code})</span>
        </li>
      ))}
    </ol>
  );
}

function Expiry({ decision }: { decision: Decision }) {
  const left = decision.validUntilSec - Math.floor(Date.now() / 1000);
  return (
    <p data-testid="score-expiry">
      Score valid until {sdk.formatTimestamp(decision.validUntilSec)}
      {left > 0 ? ` (in ${sdk.formatDuration(left)})` : " (expired: apply again)"}.
    </p>
  );
}

function Approval({ decision }: { decision: Decision }) {
  const { terms } = decision;
  return (
    <section
      className="decision ok-box"
      aria-labelledby="decision-heading"
      data-testid="decision"
      data-declined="false"
    >
      <h3 id="decision-heading">
        Approved: {sdk.tierLabel(decision.tier)}, PD {sdk.formatBps(decision.pdBps)}
      </h3>
      <table>
        <caption>{sdk.tierLabel(decision.tier)}'s terms (the rules in force)</caption>
        <tbody>
          <tr>
            <th scope="row">Max loan to value</th>
            <td data-testid="term-ltv">{sdk.formatBps(terms.maxLtvBps)}</td>
          </tr>
          <tr>
            <th scope="row">Liquidation threshold</th>
            <td>{sdk.formatBps(terms.liquidationThresholdBps)}</td>
          </tr>
          <tr>
            <th scope="row">Interest rate (APR)</th>
            <td>{sdk.formatBps(terms.aprBps)}</td>
          </tr>
          <tr>
            <th scope="row">Credit limit</th>
            <td>{sdk.formatVusd(terms.creditLimitWad)}</td>
          </tr>
          <tr>
            <th scope="row">Tier's PD range</th>
            <td>up to {sdk.formatBps(terms.maxPdBps)}</td>
          </tr>
        </tbody>
      </table>
      <p>The factors that raised your PD the most:</p>
      <Reasons decision={decision} />
      <Expiry decision={decision} />
      <p className="muted">
        Signed by {decision.bundle.signers.length} oracle operators; answered by {decision.node}.
      </p>
    </section>
  );
}

/** A Regulation B-style notice of adverse action: the specific reasons, the bureau, the right to a copy. */
function AdverseActionNotice({ decision }: { decision: Decision }) {
  const { bureau } = decision;
  return (
    <section className="decision notice" aria-labelledby="notice-heading" data-testid="adverse-action-notice">
      <h3 id="notice-heading">Notice of action taken: your application was declined</h3>
      <p>
        Date: {sdk.formatTimestamp(BigInt(decision.bundle.report.issuedAt))}. The oracle quorum scored your application
        at a probability of default of <strong data-testid="notice-pd">{sdk.formatBps(decision.pdBps)}</strong>; the
        rules in force lend up to {sdk.formatBps(decision.terms.maxPdBps)}.
      </p>
      <h4>Statement of specific reasons</h4>
      <Reasons decision={decision} />
      <h4>Where the information came from</h4>
      <p data-testid="notice-bureau">
        Our decision was based in whole or in part on information from the credit bureau <strong>{bureau.name}</strong>{" "}
        (registry id <code>{bureau.id}</code>). The bureau did not make this decision and cannot tell you why it was
        made.
      </p>
      <h4>Your rights</h4>
      <p data-testid="notice-rights">
        You have the right to a free copy of your credit file from {bureau.name} if you ask for it within 60 days of
        this notice, and the right to dispute with {bureau.name} the accuracy or completeness of any information in it.
      </p>
      <p className="muted">
        The Equal Credit Opportunity Act prohibits creditors from discriminating against credit applicants on the basis
        of race, color, religion, national origin, sex, marital status or age, because income derives from public
        assistance, or because the applicant has in good faith exercised a right under the Consumer Credit Protection
        Act.
      </p>
      <Expiry decision={decision} />
    </section>
  );
}

export function LoanPanel(props: {
  busy: boolean;
  position?: Position;
  decision?: Decision;
  onBorrow: (amountWad: bigint) => void;
  onRepay: (amountWad: bigint | "all") => void;
}) {
  const [borrowText, setBorrowText] = useState("");
  const [repayText, setRepayText] = useState("");
  const [problem, setProblem] = useState<string>();
  const { position, decision } = props;
  const usable = decision !== undefined && !decision.declined ? decision : undefined;
  const headroom =
    position === undefined || usable === undefined
      ? undefined
      : (() => {
          const byLtv = (position.collateralValueWad * usable.terms.maxLtvBps) / 10_000n;
          const cap = byLtv < usable.terms.creditLimitWad ? byLtv : usable.terms.creditLimitWad;
          return cap > position.debtWad ? cap - position.debtWad : 0n;
        })();
  const act = (run: () => void) => {
    try {
      setProblem(undefined);
      run();
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  return (
    <section className="panel" aria-labelledby="loan-heading">
      <h2 id="loan-heading">Loan</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          act(() => props.onBorrow(parseAmount(borrowText, "Borrow", "vUSD")));
        }}
      >
        <AmountField
          label="Amount to borrow"
          unit="vUSD"
          value={borrowText}
          onChange={setBorrowText}
          testId="borrow-amount"
          hint={
            decision?.declined === true
              ? "Your application was declined (see the notice): a borrow with this score would be refused."
              : usable === undefined
                ? "Apply for a score first: without one, the pool lends in its most conservative tier."
                : `With your ${sdk.tierLabel(usable.tier)} score and this collateral: up to ${sdk.formatVusd(headroom ?? 0n)} more.`
          }
        />
        <button type="submit" disabled={props.busy}>
          {usable === undefined ? "Borrow" : "Borrow with my score"}
        </button>
      </form>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          act(() => props.onRepay(parseAmount(repayText, "Repay", "vUSD")));
        }}
      >
        <AmountField
          label="Amount to repay"
          unit="vUSD"
          value={repayText}
          onChange={setRepayText}
          testId="repay-amount"
          hint="Repaying signs a vUSD permit in your wallet, then sends one transaction: no separate approval."
        />
        <div className="actions">
          <button type="submit" disabled={props.busy}>
            Repay
          </button>
          <button type="button" disabled={props.busy} onClick={() => act(() => props.onRepay("all"))}>
            Repay all
          </button>
        </div>
        {position !== undefined && position.debtWad > position.vusdWad && (
          <p className="warn" data-testid="repay-shortfall">
            Your debt ({sdk.formatVusd(position.debtWad)}) is more than your vUSD ({sdk.formatVusd(position.vusdWad)}):
            repaying all needs the difference in your wallet first.
          </p>
        )}
      </form>
      {problem !== undefined && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </section>
  );
}
