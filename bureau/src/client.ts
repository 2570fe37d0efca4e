/**
 * The borrower's side of the bureau API: defined in the SDK (`sdk/src/bureau.ts`, browser-safe); re-exported here
 * for the bureau's own tests and scripts.
 */
export {
  BureauClientError,
  consentRequestBody,
  creditFileResponseSchema,
  requestCreditFile,
  signConsent,
  type CreditFileResponse,
  type RequestCreditFileOptions,
} from "../../sdk/src/bureau.js";
