export {
  checkConsent,
  parseCreditFileRequest,
  creditFileRequestSchema,
  type CheckedConsent,
  type ConsentPolicy,
} from "./consent.js";
export { buildRelease, fileIdFor, type CreditFileRelease, type ReleaseContext } from "./credit-file.js";
export { ReleaseRefused, REFUSAL_STATUS, type RefusalCode } from "./errors.js";
export { RateLimiter } from "./rate-limit.js";
export { releaseCreditFile, type ReleaseDependencies } from "./release.js";
