export { IntakeError, INTAKE_ERROR_STATUS, type IntakeErrorCode } from "./errors.js";
export { hashApplicationFeatures, hashOrderedFeatures, orderFeatures } from "./features.js";
export { applicationBodySchema, parseApplicationBody, type ApplicationBody } from "./body.js";
export {
  applicationTypedData,
  hashApplication,
  applicationBodyOf,
  verifyApplication,
  APPLICATION_DOMAIN_NAME,
  APPLICATION_DOMAIN_VERSION,
  APPLICATION_TYPES,
  type ApplicationDomainParams,
  type ApplicationMessage,
  type ApplicationTypedData,
  type FeatureCheck,
  type FeatureRangeValidator,
  type IntakeContext,
  type VerifiedApplication,
} from "./application.js";
export { acceptApplication, type ApplicationRecorder, type ReceivedApplication } from "./accept.js";
export {
  verifyCreditFile,
  type CheckedCreditFile,
  type CreditFileContext,
  type ProviderLookup,
  type ProviderView,
} from "./credit-file.js";
