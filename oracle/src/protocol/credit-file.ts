/**
 * The EIP-712 `CreditFile` and `Consent`: defined in the SDK (`sdk/src/eip712/credit-file.ts`); re-exported here
 * for the bureau and the nodes, with the node's fast signer recovery.
 */
import { secp256k1 } from "../signing/index.js";

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
  type ConsentMessage,
  type CreditDataDomainParams,
  type CreditFileMessage,
  type TypedData,
} from "../../../sdk/src/eip712/credit-file.js";

/**
 * The address that signed `digest`, or an Error saying the signature is malformed. Callers compare it with the
 * key they expect and name their own check in the refusal.
 */
export function recoverDigestSigner(digest: string, signature: string): string {
  return secp256k1.recoverAddress(digest, signature);
}
