export {
  DriftMonitor,
  driftSnapshotSchema,
  windowReportSchema,
  type DriftMonitorOptions,
  type DriftSnapshot,
  type WindowName,
  type WindowReport,
} from "./monitor.js";
export {
  DRIFT_LEVELS,
  PSI_EPSILON,
  psiFromCounts,
  psiLevel,
  worseLevel,
  type DriftLevel,
  type PsiThresholds,
} from "./psi.js";
export { parseReference, REFERENCE_METADATA_KEY, type ModelReference } from "./reference.js";
export * from "./quantities.js";
export {
  DRIFT_ROUTE_PATH,
  DriftWatch,
  driftReportSchema,
  type DriftReport,
  maxPsiBps,
  watchScorer,
  type DriftWatchOptions,
} from "./drift-watch.js";
