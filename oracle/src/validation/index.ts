export { valueAt } from "./value-at.js";
