export { valueAt } from "./value-at.js";
export { decimalUint } from "./decimal-uint.js";
export { describeValue } from "./describe-value.js";
