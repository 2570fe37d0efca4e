/**
 * The node's side of drift monitoring: feeds every scored application to the monitor, exposes the windows as
 * Prometheus gauges (computed at scrape time) and as `GET /v1/monitoring/drift`, and logs warn/critical windows —
 * on every change of level, and again at most once per `alertIntervalSec` while a window stays there.
 */
import { Gauge, type Registry } from "prom-client";

import type { Logger } from "../log/index.js";
import type { ApplicationScorer } from "../scoring/index.js";
import type { Route } from "../server/index.js";
import { z } from "zod";

import {
  DriftMonitor,
  driftSnapshotSchema,
  type DriftMonitorOptions,
  type DriftSnapshot,
  type WindowName,
  type WindowReport,
} from "./monitor.js";
import { DRIFT_LEVELS, type DriftLevel } from "./psi.js";
import type { ModelReference } from "./reference.js";

export const DRIFT_ROUTE_PATH = "/v1/monitoring/drift";

/** The body of `GET /v1/monitoring/drift`: both windows, with the thresholds they are judged against. */
export const driftReportSchema = driftSnapshotSchema
  .extend({
    modelId: z.string(),
    referenceSha256: z.string(),
    thresholds: z.record(z.string(), z.number()),
  })
  .meta({ id: "DriftReport" });
export type DriftReport = z.infer<typeof driftReportSchema>;

export interface DriftWatchOptions extends Omit<DriftMonitorOptions, "reference"> {
  reference: ModelReference;
  modelId: string;
  registry: Registry;
  log: Logger;
  alertIntervalSec: number;
  /**
   * Publishes a critical window on chain (`CreditScoreOracle.publishMonitoringReport`); called at most once per
   * window: once per UTC day for `day`, and for `rolling` again only after a whole new window of applications.
   */
  publish?: (report: WindowReport) => Promise<void>;
}

/** A window's largest PSI in basis points, as the chain takes it (uint16, capped). */
export const maxPsiBps = (report: Pick<WindowReport, "maxPsi">): number =>
  Math.min(0xffff, Math.round(report.maxPsi * 10_000));

export class DriftWatch {
  readonly monitor: DriftMonitor;
  private readonly lastAlert = new Map<WindowName, { level: DriftLevel; at: number }>();
  private readonly now: () => number;
  private observed = 0;
  /** Per window, the key of the window instance last published: the UTC day, or the application count. */
  private readonly published = new Map<WindowName, number>();

  constructor(private readonly options: DriftWatchOptions) {
    this.monitor = new DriftMonitor({ ...options, reference: options.reference.distributions });
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.registerGauges(options.registry);
  }

  /** Records one scored application and logs the windows' drift if due. */
  observe(features: readonly number[], pd: number): void {
    this.monitor.observe(features, pd);
    this.observed += 1;
    const snapshot = this.monitor.snapshot();
    this.alert(snapshot);
    this.publishCritical(snapshot);
  }

  private publishCritical(snapshot: DriftSnapshot): void {
    const publish = this.options.publish;
    if (publish === undefined) return;
    for (const window of Object.values(snapshot.windows)) {
      if (window.level !== "critical") continue;
      const last = this.published.get(window.window);
      if (window.window === "day") {
        const day = Math.floor(window.start / 86_400);
        if (last === day) continue;
        this.published.set("day", day);
      } else {
        if (last !== undefined && this.observed - last < this.options.windowApplications) continue;
        this.published.set("rolling", this.observed);
      }
      const context = { window: window.window, maxPsi: window.maxPsi, summaryHash: window.summaryHash };
      publish(window).then(
        () => this.options.log.info(context, "drift window published on chain"),
        (error: unknown) =>
          this.options.log.error(
            { ...context, reason: error instanceof Error ? error.message : String(error) },
            "could not publish the drift window on chain",
          ),
      );
    }
  }

  /** The JSON route's body. */
  report(): DriftReport {
    const { warnPsi, criticalPsi, unitsWarnRatio, unitsCriticalRatio, windowApplications, minApplications } =
      this.options;
    return {
      modelId: this.options.modelId,
      referenceSha256: this.options.reference.sha256,
      thresholds: { warnPsi, criticalPsi, unitsWarnRatio, unitsCriticalRatio, windowApplications, minApplications },
      ...this.monitor.snapshot(),
    };
  }

  route(): Route {
    return {
      method: "GET",
      path: DRIFT_ROUTE_PATH,
      handler: () => Promise.resolve({ status: 200, json: this.report() }),
    };
  }

  private alert(snapshot: DriftSnapshot): void {
    const at = this.now();
    for (const window of Object.values(snapshot.windows)) {
      const last = this.lastAlert.get(window.window) ?? { level: "ok", at: 0 };
      const changed = window.level !== last.level;
      if (!changed && (window.level === "ok" || at - last.at < this.options.alertIntervalSec)) continue;
      this.lastAlert.set(window.window, { level: window.level, at });
      const context = {
        window: window.window,
        level: window.level,
        applications: window.applications,
        maxPsi: window.maxPsi,
        maxPsiQuantity: window.maxPsiQuantity,
        limitBalMedianRatio: window.limitBal.ratio,
        summaryHash: window.summaryHash,
      };
      if (window.level === "critical") this.options.log.error(context, "input drift critical");
      else if (window.level === "warn") this.options.log.warn(context, "input drift warning");
      else this.options.log.info(context, "input drift back within bounds");
    }
  }

  private registerGauges(registry: Registry): void {
    const registers = [registry];
    const snapshotOnce = () => this.monitor.snapshot();
    new Gauge({
      name: "verity_oracle_drift_psi",
      help: "Population stability index of a window against the model's reference distribution, by window and quantity",
      labelNames: ["window", "quantity"] as const,
      registers,
      collect() {
        this.reset();
        for (const w of Object.values(snapshotOnce().windows))
          for (const [quantity, psi] of Object.entries(w.psi)) this.set({ window: w.window, quantity }, psi);
      },
    });
    new Gauge({
      name: "verity_oracle_drift_level",
      help: "Drift level of a window: 0 ok, 1 warn (PSI ≥ warnPsi), 2 critical (PSI ≥ criticalPsi or units check)",
      labelNames: ["window"] as const,
      registers,
      collect() {
        for (const w of Object.values(snapshotOnce().windows))
          this.set({ window: w.window }, DRIFT_LEVELS.indexOf(w.level));
      },
    });
    new Gauge({
      name: "verity_oracle_drift_window_applications",
      help: "Applications in a drift window",
      labelNames: ["window"] as const,
      registers,
      collect() {
        for (const w of Object.values(snapshotOnce().windows)) this.set({ window: w.window }, w.applications);
      },
    });
    new Gauge({
      name: "verity_oracle_drift_limit_bal_median_ratio",
      help: "Units check: the window's median LIMIT_BAL over the reference median",
      labelNames: ["window"] as const,
      registers,
      collect() {
        this.reset();
        for (const w of Object.values(snapshotOnce().windows))
          if (w.limitBal.ratio !== null) this.set({ window: w.window }, w.limitBal.ratio);
      },
    });
  }
}

/** Wraps a scorer so every application it scores feeds the drift watch (failed scorings do not). */
export function watchScorer(scorer: ApplicationScorer, watch: Pick<DriftWatch, "observe">): ApplicationScorer {
  return async (features) => {
    const score = await scorer(features);
    watch.observe(features, score.pd);
    return score;
  };
}
