/**
 * The Verity SDK, browser entry: imports only ethers, zod, the TypeChain types and its own modules (no `node:`).
 * Node-only helpers (reading an address book from a file) are in `./node.ts`.
 */
export {
  addressBookPath,
  addressBookSchema,
  assertAddressBookChain,
  fetchAddressBook,
  parseAddressBook,
  type AddressBook,
} from "./address-book.js";
export { connectContracts, creditDataDomainOf, type VerityContracts } from "./contracts.js";
export type {
  AggregatorV3Interface,
  CreditScoreOracle,
  LendingPool,
  PegStabilityModule,
  SavingsVault,
  SupervisionPolicy,
  VUSD,
  VusdFlashMinter,
  WETH9,
} from "./contracts.js";
export {
  encodeType,
  StructWords,
  typedDataDigest,
  typeHash,
  type AddressedTypedDataSigner,
  type TypedData,
  type TypedDataSigner,
} from "./eip712/typed-data.js";
export {
  FeatureError,
  hashApplicationFeatures,
  hashOrderedFeatures,
  orderFeatures,
  type FeatureErrorCode,
} from "./eip712/features.js";
export {
  APPLICATION_DOMAIN_NAME,
  APPLICATION_DOMAIN_VERSION,
  APPLICATION_TYPES,
  applicationTypedData,
  hashApplication,
  signApplication,
  verifyApplicationSignature,
  type ApplicationBodyJson,
  type ApplicationDomainParams,
  type ApplicationFlow,
  type ApplicationMessage,
  type ApplicationTypedData,
  type AttestedCreditFile,
  type SignApplicationOptions,
} from "./eip712/application.js";
export {
  CONSENT_DOMAIN_NAME,
  CONSENT_PURPOSE_CREDIT_SCORING,
  CONSENT_TYPES,
  consentPurposeHash,
  consentTypedData,
  CREDIT_DATA_DOMAIN_VERSION,
  CREDIT_FILE_DOMAIN_NAME,
  CREDIT_FILE_TYPES,
  creditFileTypedData,
  featureSchemaHash,
  hashConsent,
  hashCreditFile,
  recoverTypedDataSigner,
  verifyConsentSignature,
  verifyCreditFileSignature,
  type ConsentMessage,
  type CreditDataDomainParams,
  type CreditFileMessage,
} from "./eip712/credit-file.js";
export {
  hashScoreReport,
  MAX_ISSUED_AT_SKEW_SEC,
  MAX_PD_BPS,
  packSignatures,
  REASON_CODE_COUNT,
  recoverScoreReportSigners,
  SCORE_REPORT_DOMAIN_NAME,
  SCORE_REPORT_DOMAIN_VERSION,
  SCORE_REPORT_TYPE,
  SCORE_REPORT_TYPES,
  scoreReportDomain,
  signScoreReport,
  SIGNATURE_BYTES,
  structHashScoreReport,
  verifyScoreReport,
  type ScoreReport,
  type ScoreReportDomain,
} from "./eip712/score-report.js";
export {
  describeRule,
  GLOBAL_RULE_NAMES,
  GOVERNANCE_GLOBAL_RULES,
  RULE_NAMES,
  ruleId,
  ruleLabel,
  ruleUnit,
  TIER_CAP_NAMES,
  TIER_SCOPED_RULE_NAMES,
  TIER_TERM_NAMES,
  tierRuleId,
  type RuleName,
  type RuleUnit,
} from "./rules.js";
export {
  formatBps,
  formatDuration,
  formatHealthFactor,
  formatRuleValue,
  formatTimestamp,
  formatVusd,
  formatVusdPrecise,
  formatWad,
  NO_LIMIT_WAD,
} from "./units.js";
export { tierDisplayName, tierLabel, tierName } from "./tiers.js";
export { ERROR_SOURCES, errorDeclaredBy, verityErrors } from "./errors/sources.js";
export {
  decodeRevert,
  decodeRevertData,
  describeRevert,
  RevertDecodeError,
  revertDataOf,
  type DecodedRevert,
  type RevertContext,
} from "./errors/decoder.js";
export { serviceUrl } from "./service-url.js";
export {
  BureauClientError,
  consentRequestBody,
  creditFileResponseSchema,
  featureNamesOf,
  requestCreditFile,
  signConsent,
  type CreditFileResponse,
  type RequestCreditFileOptions,
} from "./bureau.js";
export {
  OracleNodeError,
  OracleNodesClient,
  pushAcceptedSchema,
  reportFromJson,
  reportJsonSchema,
  scoreBundleSchema,
  type OracleNodesClientOptions,
  type PushAccepted,
  type ReportJson,
  type ScoreBundleJson,
} from "./oracle-nodes.js";
export {
  borrowWithReport,
  depositEth,
  repayWithPermit,
  requestPushScore,
  revertContextOf,
  sendDecoded,
  signVusdPermit,
  VerityRevertError,
} from "./borrower.js";
