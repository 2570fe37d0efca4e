export {
  BureauStore,
  openBureauStore,
  type ConsentRecord,
  type ImportBatch,
  type ReleaseOutcome,
  type StoredCreditFile,
} from "./store.js";
export { BUREAU_MIGRATIONS } from "./migrations.js";
export { StoreError } from "../../../oracle/src/store/index.js";
