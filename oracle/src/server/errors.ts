/**
 * Errors a route handler can throw to answer with a given status and code. Any error with a numeric `status` and
 * a string `code` (IntakeError, for one) is answered the same way, so feature modules need not import this class.
 */

export class HttpError extends Error {
  override readonly name = "HttpError";
  /** Response headers the refusal needs, e.g. `retry-after` on a 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions & { headers?: Readonly<Record<string, string>> },
  ) {
    super(message, options);
    this.headers = options?.headers ?? {};
  }
}

/** An error meant for the client: its message is returned as is. */
export interface ClientFacingError {
  status: number;
  code: string;
  message: string;
}

export function isClientFacingError(error: unknown): error is ClientFacingError {
  if (!(error instanceof Error)) return false;
  const { status, code } = error as Error & { status?: unknown; code?: unknown };
  return (
    typeof status === "number" && Number.isInteger(status) && status >= 400 && status < 600 && typeof code === "string"
  );
}

/** The JSON body of every error response. */
export function errorEnvelope(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
