/**
 * The dashboard's live data: on each poll, if the event source (the chain, or the indexer when the config names
 * one) has a new head, reads the new blocks' events and the chain's state at that same block. One loop per mounted
 * dashboard, created inside the effect (a fresh reader each time, so React's double-mount in development never
 * reads twice into one list).
 */
import { useEffect, useState } from "react";

import type { AppConfig } from "../../config.js";
import { readHandles } from "./contracts.js";
import { EventReader, eventSourceFor, type ComplianceEvent } from "./events.js";
import { readState, type ChainState } from "./state.js";

export interface DashboardData {
  events: readonly ComplianceEvent[];
  /** Where the events come from: "the chain" or "the indexer at <url>". */
  source: string;
  state?: ChainState;
  error?: string;
  /** When the last successful refresh finished (ms, this browser's clock). */
  refreshedAtMs?: number;
}

export function useDashboard(config: AppConfig): DashboardData {
  const [data, setData] = useState<DashboardData>({ events: [], source: "" });
  useEffect(() => {
    const handles = readHandles(config);
    const reader = new EventReader(handles, eventSourceFor(handles, config.indexerUrl));
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastHead = -1;
    const tick = async () => {
      try {
        const head = await reader.source.head();
        if (head !== lastHead) {
          await reader.readTo(head);
          const state = await readState(handles, reader.events, head);
          lastHead = head;
          if (!stopped)
            setData({
              events: [...reader.events],
              source: reader.source.description,
              state,
              refreshedAtMs: Date.now(),
            });
        }
      } catch (error) {
        if (!stopped)
          setData((previous) => ({ ...previous, source: reader.source.description, error: (error as Error).message }));
      } finally {
        if (!stopped) timer = setTimeout(() => void tick(), config.pollIntervalSec * 1000);
      }
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      handles.provider.destroy();
    };
  }, [config]);
  return data;
}
