export {
  loadCreditModel,
  MODEL_INPUT_NAME,
  MODEL_OUTPUT_NAME,
  REQUIRED_METADATA,
  type CreditModel,
} from "./load-model.js";
export {
  FEATURE_RANGES,
  validateApplication,
  applicationToFeatures,
  type FieldRange,
  type ApplicationCheck,
} from "./application.js";
export { pdToBps, BPS_SCALE } from "./quantise.js";
export {
  goldenApplicantsSchema,
  loadValidationReport,
  MAX_GOLDEN_PD_TOLERANCE,
  ModelPinningError,
  pinModelToValidationReport,
  type GoldenApplicants,
  type ValidationReport,
} from "./validation-report.js";
