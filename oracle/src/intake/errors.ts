/**
 * Every way an application can be refused, each with the HTTP status the API answers with and a stable `code`
 * that clients (the dApp) can switch on.
 */

export const INTAKE_ERROR_STATUS = {
  invalid_json: 400,
  missing_field: 400,
  unknown_field: 400,
  invalid_field: 400,
  not_a_number: 400,
  not_an_integer: 400,
  expiry_too_far: 400,
  expired: 400,
  out_of_range: 422,
  bad_signature: 401,
  wrong_signer: 401,
  replayed_nonce: 409,
  body_too_large: 413,
  // The attested credit file (intake/credit-file.ts): one code per check, so a client can tell which failed.
  credit_file_required: 400,
  provider_not_approved: 403,
  provider_signature_invalid: 401,
  credit_file_wrong_borrower: 403,
  credit_file_too_old: 422,
  credit_file_expired: 422,
  credit_file_schema_mismatch: 422,
  provider_schema_mismatch: 422,
  credit_file_fields_mismatch: 422,
} as const;

export type IntakeErrorCode = keyof typeof INTAKE_ERROR_STATUS;

/** An application was refused; `message` names the field or check, and is safe to return to the client. */
export class IntakeError extends Error {
  override readonly name = "IntakeError";
  readonly status: number;

  constructor(
    readonly code: IntakeErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = INTAKE_ERROR_STATUS[code];
  }
}
