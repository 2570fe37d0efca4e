/**
 * The supervisor's dashboard: read-only, no wallet, no key. Live compliance events with filters, exposure by
 * tier, rules in force and pending timelock changes with their countdowns, adverse actions with reason counts,
 * positions at risk, the breaker's and each asset's status, the registries, drift and fairness publications;
 * charts where a picture reads faster, CSV export on every table.
 */
import { useAppConfig } from "../ConfigContext.js";
import { fmtTime } from "../ui/format.js";
import { useDashboard } from "./data/useDashboard.js";
import {
  AdverseActionsPanel,
  EventsPanel,
  ExposurePanel,
  PendingChangesPanel,
  PublicationsPanel,
  RegistriesPanel,
  RisksPanel,
  RulesPanel,
  StatusPanel,
} from "./panels.js";

export function SupervisorPage() {
  const config = useAppConfig();
  const data = useDashboard(config);
  const { state } = data;
  return (
    <div className="dashboard">
      <h1>Supervisor dashboard</h1>
      <p className="muted">
        {config.addressBook.network} (chain {config.addressBook.chainId}) · read-only · events from{" "}
        <span data-testid="event-source">{data.source === "" ? "…" : data.source}</span> ·{" "}
        {state === undefined ? (
          "loading…"
        ) : (
          <span data-testid="head-block">
            block {state.blockNumber} at {fmtTime(state.blockTimestamp)}
          </span>
        )}
      </p>
      {data.error !== undefined && (
        <p role="alert" className="error">
          Could not refresh: {data.error}
        </p>
      )}
      {state !== undefined && (
        <>
          <StatusPanel state={state} />
          <div className="grid">
            <ExposurePanel state={state} events={data.events} />
            <RisksPanel state={state} />
          </div>
          <PendingChangesPanel state={state} />
          <RulesPanel state={state} />
          <div className="grid">
            <AdverseActionsPanel events={data.events} />
            <PublicationsPanel events={data.events} />
          </div>
          <RegistriesPanel state={state} />
          <EventsPanel
            events={data.events}
            fromBlock={config.addressBook.deployedAtBlock}
            toBlock={state.blockNumber}
          />
        </>
      )}
    </div>
  );
}
