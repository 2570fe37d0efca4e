/** The dashboard's panels, each a view of `ChainState` and/or the events, with its CSV export. */
import { useEffect, useMemo, useState, type ReactNode } from "react";

import { describeRule } from "../../../oracle/src/protocol/rules.js";
import { CsvButton } from "../ui/csv.js";
import {
  fmtArg,
  fmtBps,
  fmtDuration,
  fmtHf,
  fmtRuleValue,
  fmtTime,
  fmtWad,
  ruleLabel,
  short,
  tierLabel,
} from "../ui/format.js";
import { BarChart } from "./charts/BarChart.js";
import { ColumnChart } from "./charts/ColumnChart.js";
import {
  AT_RISK_HF_WAD,
  NO_FILTER,
  distinctArg,
  eventsOverBlocks,
  exposureByTier,
  matches,
  positionsAtRisk,
  reasonCounts,
  secondsUntil,
  type EventFilter,
} from "./data/derive.js";
import type { ComplianceEvent } from "./data/events.js";
import { REASON_TABLE_VERSION, reasonText } from "./data/reasons.js";
import type { ChainState } from "./data/state.js";

const wadNumber = (wad: bigint) => Number(wad / 10n ** 14n) / 10_000;

function Panel(props: { id: string; title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={`${props.id}-title`} data-testid={props.id}>
      <div className="panel-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

export function StatusPanel({ state }: { state: ChainState }) {
  const resumesIn = state.liquidationsResumeAt - state.blockTimestamp;
  return (
    <Panel id="status" title="Circuit breaker and assets">
      <ul className="status">
        <li data-testid="breaker" className={state.paused ? "bad" : "ok"}>
          Protocol: {state.paused ? "PAUSED (circuit breaker tripped)" : "operating"}
          {!state.paused && resumesIn > 0 && ` · liquidations resume in ${fmtDuration(resumesIn)}`}
        </li>
        {state.assets.map((asset) => (
          <li key={asset.asset} data-testid={`asset-${asset.label}`} className={asset.frozen ? "bad" : "ok"}>
            {asset.label}: {asset.frozen ? "FROZEN" : "unfrozen"} · last agreed price {fmtWad(asset.lastAgreedPriceWad)}{" "}
            USD
          </li>
        ))}
        <li>
          Oracle operators: k = {state.operators.threshold} of {state.operators.addresses.length} (set v
          {state.operators.version.toString()})
        </li>
        <li>
          Books: principal {fmtWad(state.accounts.totalPrincipalWad)} vUSD · surplus {fmtWad(state.accounts.surplusWad)}{" "}
          · deficit {fmtWad(state.accounts.deficitWad)}
        </li>
      </ul>
    </Panel>
  );
}

export function ExposurePanel({ state, events }: { state: ChainState; events: readonly ComplianceEvent[] }) {
  const rows = exposureByTier(state);
  const snapshot = [...events].reverse().find((e) => e.name === "ExposureSnapshot");
  const header = ["tier", "debt_vusd", "positions"];
  return (
    <Panel
      id="exposure"
      title="Exposure by tier"
      actions={
        <CsvButton
          fileName="exposure-by-tier.csv"
          header={header}
          rows={() => rows.map((r) => [r.tier, fmtWad(r.debtWad).replace(/,/g, ""), r.positions])}
        />
      }
    >
      <BarChart
        title="Outstanding debt by tier (vUSD)"
        bars={rows.map((r) => ({
          label: tierLabel(r.tier),
          value: wadNumber(r.debtWad),
          text: `${fmtWad(r.debtWad)} (${r.positions})`,
        }))}
      />
      {snapshot !== undefined && (
        <p className="muted">
          Last published snapshot (block {snapshot.blockNumber}): debt{" "}
          {fmtArg("totalDebtWad", snapshot.args.totalDebtWad)} vUSD, collateral{" "}
          {fmtArg("totalCollateralValueWad", snapshot.args.totalCollateralValueWad)} USD
        </p>
      )}
    </Panel>
  );
}

export function RisksPanel({ state }: { state: ChainState }) {
  const atRisk = positionsAtRisk(state);
  const withDebt = state.positions.filter((p) => p.debtWad > 0n);
  const header = ["borrower", "tier", "debt_vusd", "collateral_usd", "health_factor"];
  return (
    <Panel
      id="at-risk"
      title={`Positions at risk (HF < 1.1): ${atRisk.length}`}
      actions={
        <CsvButton
          fileName="positions-at-risk.csv"
          header={header}
          rows={() =>
            atRisk.map((p) => [
              p.borrower,
              p.tier,
              fmtWad(p.debtWad).replace(/,/g, ""),
              fmtWad(p.collateralValueWad).replace(/,/g, ""),
              fmtHf(p.healthFactorWad),
            ])
          }
        />
      }
    >
      <BarChart
        title="Health factor of each position with debt"
        bars={withDebt.map((p) => ({
          label: short(p.borrower),
          value: Math.min(3, wadNumber(p.healthFactorWad)),
          text: fmtHf(p.healthFactorWad),
          tone: p.healthFactorWad < 10n ** 18n ? "bad" : p.healthFactorWad < AT_RISK_HF_WAD ? "warn" : "ok",
        }))}
        lines={[
          { at: 1, label: "1.0" },
          { at: 1.1, label: "1.1" },
        ]}
      />
      <table>
        <thead>
          <tr>
            <th scope="col">Borrower</th>
            <th scope="col">Tier</th>
            <th scope="col">Debt (vUSD)</th>
            <th scope="col">Collateral (USD)</th>
            <th scope="col">HF</th>
          </tr>
        </thead>
        <tbody>
          {atRisk.map((p) => (
            <tr key={p.borrower}>
              <td title={p.borrower}>{short(p.borrower)}</td>
              <td>{tierLabel(p.tier)}</td>
              <td>{fmtWad(p.debtWad)}</td>
              <td>{fmtWad(p.collateralValueWad)}</td>
              <td className={p.healthFactorWad < 10n ** 18n ? "bad" : "warn"}>{fmtHf(p.healthFactorWad)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

/** Re-renders every second (countdowns). */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function PendingChangesPanel({ state }: { state: ChainState }) {
  const now = useNow();
  const header = ["change_id", "rule", "old_value", "new_value", "executable_at"];
  const label = (c: (typeof state.pendingChanges)[number]) =>
    c.tier === undefined ? c.ruleName : `${c.ruleName}[${c.tier}]`;
  const value = (c: (typeof state.pendingChanges)[number], v: bigint) =>
    c.tier === undefined ? fmtRuleValue(c.ruleName, v) : v.toString();
  return (
    <Panel
      id="pending-changes"
      title={`Pending rule changes (timelock): ${state.pendingChanges.length}`}
      actions={
        <CsvButton
          fileName="pending-rule-changes.csv"
          header={header}
          rows={() =>
            state.pendingChanges.map((c) => [c.changeId, label(c), c.oldValue, c.newValue, fmtTime(c.executableAt)])
          }
        />
      }
    >
      {state.pendingChanges.length === 0 ? (
        <p className="muted">No change is scheduled.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Now</th>
              <th scope="col">Scheduled</th>
              <th scope="col">Executable at</th>
              <th scope="col">Countdown</th>
            </tr>
          </thead>
          <tbody>
            {state.pendingChanges.map((c) => {
              const left = secondsUntil(state, c.executableAt, now);
              return (
                <tr key={c.changeId} data-testid={`pending-${c.changeId}`}>
                  <td>{label(c)}</td>
                  <td>{value(c, c.oldValue)}</td>
                  <td>{value(c, c.newValue)}</td>
                  <td>{fmtTime(c.executableAt)}</td>
                  <td className="countdown" data-testid="countdown">
                    {left > 0 ? `in ${fmtDuration(left)}` : "executable now"}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

export function RulesPanel({ state }: { state: ChainState }) {
  return (
    <Panel
      id="rules"
      title="Rules in force"
      actions={
        <CsvButton
          fileName="rules-in-force.csv"
          header={["rule", "value", "shown_as"]}
          rows={() => state.rules.map((r) => [r.name, r.value, fmtRuleValue(r.name, r.value)])}
        />
      }
    >
      <div className="grid">
        <table>
          <caption>Global rules</caption>
          <tbody>
            {state.rules.map((rule) => (
              <tr key={rule.name}>
                <th scope="row">{rule.name}</th>
                <td>{fmtRuleValue(rule.name, rule.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Tier terms</caption>
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">PD up to</th>
              <th scope="col">Max LTV</th>
              <th scope="col">Liq. threshold</th>
              <th scope="col">APR</th>
              <th scope="col">Credit limit</th>
            </tr>
          </thead>
          <tbody>
            {state.tiers.map((t) => (
              <tr key={t.tier}>
                <th scope="row">{tierLabel(t.tier)}</th>
                <td>{fmtBps(t.maxPdBps)}</td>
                <td>{fmtBps(t.maxLtvBps)}</td>
                <td>{fmtBps(t.liquidationThresholdBps)}</td>
                <td>{fmtBps(t.aprBps)}</td>
                <td>{fmtWad(t.creditLimitWad)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

export function AdverseActionsPanel({ events }: { events: readonly ComplianceEvent[] }) {
  const actions = events.filter((e) => e.name === "AdverseAction");
  const counts = reasonCounts(events);
  return (
    <Panel
      id="adverse-actions"
      title={`Adverse actions: ${actions.length}`}
      actions={
        <CsvButton
          fileName="adverse-actions.csv"
          header={["block", "time", "borrower", "model_id", "pd_bps", "reason_codes", "reason_texts"]}
          rows={() =>
            actions.map((e) => {
              const codes = (e.args.reasonCodes as bigint[]).map(Number).filter((code) => code !== 0);
              return [
                e.blockNumber,
                fmtTime(e.timestamp),
                String(e.args.borrower),
                String(e.args.modelId),
                String(e.args.pdBps),
                codes.join(" "),
                codes.map((code) => reasonText(code) ?? `code ${code}`).join("; "),
              ];
            })
          }
        />
      }
    >
      <BarChart
        title="How often each reason code was given"
        bars={counts.map((c) => ({ label: `reason ${c.code}`, value: c.count }))}
      />
      {counts.length > 0 && (
        <table data-testid="reason-texts">
          <caption>Reason codes given (texts from the shipped model's table, version {REASON_TABLE_VERSION})</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Given</th>
              <th scope="col">Adverse-action text</th>
            </tr>
          </thead>
          <tbody>
            {counts.map((c) => (
              <tr key={c.code}>
                <td>{c.code}</td>
                <td>{c.count}</td>
                <td>{reasonText(c.code) ?? "(not in the table)"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

export function PublicationsPanel({ events }: { events: readonly ComplianceEvent[] }) {
  const published = events.filter(
    (e) => e.name === "FairnessReportPublished" || e.name === "MonitoringReportPublished",
  );
  return (
    <Panel
      id="publications"
      title="Drift and fairness publications"
      actions={
        <CsvButton
          fileName="drift-and-fairness.csv"
          header={["block", "time", "event", "model_id", "details"]}
          rows={() =>
            published.map((e) => [e.blockNumber, fmtTime(e.timestamp), e.name, String(e.args.modelId), details(e)])
          }
        />
      }
    >
      {published.length === 0 ? (
        <p className="muted">Nothing published yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Model</th>
              <th scope="col">Figures</th>
            </tr>
          </thead>
          <tbody>
            {published.map((e) => (
              <tr key={e.key}>
                <td>{fmtTime(e.timestamp)}</td>
                <td>{e.name === "FairnessReportPublished" ? "fairness" : "drift"}</td>
                <td title={String(e.args.modelId)}>{short(String(e.args.modelId))}</td>
                <td>
                  {e.name === "FairnessReportPublished"
                    ? `EOD ${fmtBps(e.args.eodBps as bigint)}, DIR ${fmtBps(e.args.dirBps as bigint)}, ${fmtTime(Number(e.args.periodStart))} – ${fmtTime(Number(e.args.periodEnd))}`
                    : `max PSI ${(Number(e.args.maxPsiBps) / 10_000).toFixed(4)} over ${String(e.args.applications)} applications (operator ${short(String(e.args.operator))})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

export function RegistriesPanel({ state }: { state: ChainState }) {
  return (
    <Panel
      id="registries"
      title="Model and data-provider registries"
      actions={
        <CsvButton
          fileName="registries.csv"
          header={["kind", "id", "status", "name_or_validation_hash"]}
          rows={() => [
            ...state.models.map((m) => ["model", m.modelId, m.status, m.validationReportHash] as const),
            ...state.providers.map((p) => ["data provider", p.provider, p.status, p.name] as const),
          ]}
        />
      }
    >
      <div className="grid">
        <table>
          <caption>Models</caption>
          <tbody>
            {state.models.map((m) => (
              <tr key={m.modelId}>
                <td title={m.modelId}>{short(m.modelId)}</td>
                <td>{m.status}</td>
                <td title={m.validationReportHash}>validation {short(m.validationReportHash)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Data providers</caption>
          <tbody>
            {state.providers.map((p) => (
              <tr key={p.provider}>
                <td>{p.name}</td>
                <td title={p.provider}>{short(p.provider)}</td>
                <td>{p.status}</td>
                <td>{p.signingKeys.length} signing key(s)</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

const SUBJECT_ARGS = new Set(["borrower", "modelId", "rule"]);

const RULE_VALUE_ARGS = new Set(["oldValue", "newValue"]);

/** The event's other arguments as `name=value`; a rule's old and new values in the rule's unit. */
function details(event: ComplianceEvent): string {
  const rule = typeof event.args.rule === "string" ? describeRule(event.args.rule) : undefined;
  return Object.entries(event.args)
    .filter(([name]) => !SUBJECT_ARGS.has(name))
    .map(([name, value]) => {
      const text =
        rule !== undefined && rule.tier === undefined && RULE_VALUE_ARGS.has(name) && typeof value === "bigint"
          ? fmtRuleValue(rule.name, value)
          : fmtArg(name, value);
      return `${name}=${text}`;
    })
    .join(" ");
}

const SHOWN = 200;

export function EventsPanel(props: { events: readonly ComplianceEvent[]; fromBlock: number; toBlock: number }) {
  const [filter, setFilter] = useState<EventFilter>(NO_FILTER);
  const compliance = props.events;
  const filtered = useMemo(() => compliance.filter((e) => matches(e, filter)).reverse(), [compliance, filter]);
  const models = distinctArg(compliance, "modelId");
  const rules = distinctArg(compliance, "rule", "reason");
  const names = [...new Set(compliance.map((e) => e.name))].sort();
  const set = (key: keyof EventFilter) => (value: string) => setFilter((f) => ({ ...f, [key]: value }));
  return (
    <Panel
      id="events"
      title={`Compliance events: ${filtered.length} of ${compliance.length}`}
      actions={
        <CsvButton
          fileName="compliance-events.csv"
          header={["block", "log_index", "time", "event", "borrower", "model_id", "rule", "tx", "details"]}
          rows={() =>
            filtered.map((e) => [
              e.blockNumber,
              e.logIndex,
              fmtTime(e.timestamp),
              e.name,
              e.args.borrower as string | undefined,
              e.args.modelId as string | undefined,
              typeof e.args.rule === "string" ? ruleLabel(e.args.rule) : undefined,
              e.txHash,
              details(e),
            ])
          }
        />
      }
    >
      <ColumnChart
        title="Compliance events over the blocks"
        columns={eventsOverBlocks(filtered, props.fromBlock, props.toBlock)}
      />
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Borrower
          <input
            type="search"
            value={filter.borrower}
            placeholder="0x…"
            onChange={(e) => set("borrower")(e.target.value)}
          />
        </label>
        <label>
          Model
          <select value={filter.model} onChange={(e) => set("model")(e.target.value)}>
            <option value="">any</option>
            {models.map((m) => (
              <option key={m} value={m}>
                {short(m)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <select value={filter.rule} onChange={(e) => set("rule")(e.target.value)}>
            <option value="">any</option>
            {rules.map((r) => (
              <option key={r} value={r}>
                {ruleLabel(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event
          <select value={filter.name} onChange={(e) => set("name")(e.target.value)}>
            <option value="">any</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div className="scroll">
        <table className="events">
          <thead>
            <tr>
              <th scope="col">Block</th>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Borrower</th>
              <th scope="col">Model</th>
              <th scope="col">Rule</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {filtered.slice(0, SHOWN).map((e) => (
              <tr key={e.key} data-testid="event-row" data-event={e.name} data-block={e.blockNumber}>
                <td>{e.blockNumber}</td>
                <td>{fmtTime(e.timestamp)}</td>
                <td>{e.name}</td>
                <td title={typeof e.args.borrower === "string" ? e.args.borrower : undefined}>
                  {typeof e.args.borrower === "string" ? short(e.args.borrower) : ""}
                </td>
                <td title={typeof e.args.modelId === "string" ? e.args.modelId : undefined}>
                  {typeof e.args.modelId === "string" ? short(e.args.modelId) : ""}
                </td>
                <td>{typeof e.args.rule === "string" ? ruleLabel(e.args.rule) : ""}</td>
                <td className="details">{details(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {filtered.length > SHOWN && (
        <p className="muted">
          Showing the newest {SHOWN}; the CSV has all {filtered.length}.
        </p>
      )}
    </Panel>
  );
}
