/**
 * Every way a request for a credit file is refused, with the HTTP status the API answers and a stable `code`
 * naming the failed check (the dApp switches on it). Client-facing: the message is returned as is, so it names
 * addresses and times, never file contents.
 */
export const REFUSAL_STATUS = {
  invalid_body: 400,
  bad_signature: 401,
  wrong_provider: 403,
  wrong_oracle: 403,
  wrong_purpose: 403,
  no_credit_file: 404,
  replayed_nonce: 409,
  file_schema_mismatch: 409,
  consent_expired: 422,
  consent_too_long: 422,
  rate_limited: 429,
} as const;

export type RefusalCode = keyof typeof REFUSAL_STATUS;

export class ReleaseRefused extends Error {
  override readonly name = "ReleaseRefused";
  readonly status: number;

  /** For `rate_limited`: whole seconds until the borrower may ask again. */
  readonly retryAfterSec: number | undefined;

  constructor(
    readonly code: RefusalCode,
    message: string,
    options?: ErrorOptions & { retryAfterSec?: number },
  ) {
    super(message, options);
    this.status = REFUSAL_STATUS[code];
    this.retryAfterSec = options?.retryAfterSec;
  }
}
