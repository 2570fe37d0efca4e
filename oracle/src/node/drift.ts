/**
 * Starts drift monitoring for a node: the reference distributions come from the model file (whose sha256 the chain
 * approved) and, when the approved validation report records their hash, must match it.
 */
import { publishMonitoringReport, type ChainContext } from "../chain/index.js";
import type { MonitoringConfig } from "../config/index.js";
import type { OperatorWallet } from "../keystore/index.js";
import type { Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import type { CreditModel, ValidationReport } from "../model/index.js";
import {
  DriftWatch,
  maxPsiBps,
  parseReference,
  REFERENCE_METADATA_KEY,
  type WindowReport,
} from "../monitoring/index.js";

export interface DriftWatchSetup {
  config: MonitoringConfig;
  model: CreditModel;
  validationReport: Pick<ValidationReport, "path" | "referenceSha256">;
  metrics: Pick<OracleMetrics, "registry">;
  log: Logger;
  now?: () => number;
  /** Posts a critical window on chain (used when `monitoring.publishOnChain`). */
  publish?: (report: WindowReport) => Promise<void>;
}

/** The node's drift watch, or undefined when monitoring is off or the model carries no reference distributions. */
export function startDriftWatch({
  config,
  model,
  validationReport,
  metrics,
  log,
  now,
  publish,
}: DriftWatchSetup): DriftWatch | undefined {
  if (!config.enabled) return undefined;
  const json = model.metadata[REFERENCE_METADATA_KEY];
  if (json === undefined) {
    log.warn(
      { modelId: model.modelId },
      `the model has no "${REFERENCE_METADATA_KEY}" metadata: drift monitoring is off`,
    );
    return undefined;
  }
  const reference = parseReference(json);
  if (validationReport.referenceSha256 !== undefined && validationReport.referenceSha256 !== reference.sha256) {
    throw new Error(
      `model ${model.modelId}: its reference distributions have sha256 ${reference.sha256}, but ${validationReport.path} records ${validationReport.referenceSha256}`,
    );
  }
  const {
    windowApplications,
    minApplications,
    warnPsi,
    criticalPsi,
    unitsWarnRatio,
    unitsCriticalRatio,
    alertIntervalSec,
  } = config;
  const watch = new DriftWatch({
    reference,
    modelId: model.modelId,
    featureNames: model.featureNames,
    registry: metrics.registry,
    log,
    windowApplications,
    minApplications,
    warnPsi,
    criticalPsi,
    unitsWarnRatio,
    unitsCriticalRatio,
    alertIntervalSec,
    ...(now === undefined ? {} : { now }),
    ...(publish === undefined || !config.publishOnChain ? {} : { publish }),
  });
  log.info(
    { referenceSha256: reference.sha256, windowApplications, minApplications, warnPsi, criticalPsi },
    "drift monitoring on",
  );
  return watch;
}

/** Publishes drift windows with the operator key, one transaction at a time (each takes the key's pending nonce). */
export function onChainPublisher(
  chain: ChainContext,
  wallet: OperatorWallet,
  modelId: string,
  log: Logger,
): (window: WindowReport) => Promise<void> {
  let publishing: Promise<void> = Promise.resolve();
  return (window) =>
    (publishing = publishing
      .catch(() => undefined)
      .then(async () => {
        const fields = {
          modelId,
          windowStart: window.start,
          windowEnd: window.end,
          applications: window.applications,
          maxPsiBps: maxPsiBps(window),
          summaryHash: window.summaryHash,
        };
        const txHash = await publishMonitoringReport(chain, wallet, fields);
        log.info({ ...fields, txHash }, "MonitoringReportPublished");
      }));
}
