export { explainApplication, type Attribution, type Explanation } from "./explain.js";
export {
  exactGroupShapley,
  shapleyFromCoalitions,
  coalitionBatch,
  MAX_EXACT_GROUPS,
  type ShapleyResult,
} from "./shapley.js";
export {
  parseReasonCodes,
  selectReasonCodes,
  MAX_REASON_CODES,
  MIN_ADVERSE_ATTRIBUTION,
  type ReasonCode,
} from "./reason-codes.js";
