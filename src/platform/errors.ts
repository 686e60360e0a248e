/**
 * The one error vocabulary of every service. A route throws one of these; the app's error handler
 * turns it into an `application/problem+json` answer (RFC 9457) with the same status and detail.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly title: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

export class BadRequestError extends HttpError {
  constructor(detail: string) {
    super(400, 'Bad Request', detail);
  }
}

/**
 * Missing or refused credentials. `challenge` is the WWW-Authenticate header (RFC 9110 §11.6.1),
 * which tells a client what to send instead.
 */
export class UnauthorizedError extends HttpError {
  constructor(detail: string, challenge: string) {
    super(401, 'Unauthorized', detail, { 'www-authenticate': challenge });
  }
}

export class ForbiddenError extends HttpError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends HttpError {
  constructor(detail: string) {
    super(404, 'Not Found', detail);
  }
}

export class ConflictError extends HttpError {
  constructor(detail: string) {
    super(409, 'Conflict', detail);
  }
}

export class UnprocessableError extends HttpError {
  constructor(detail: string) {
    super(422, 'Unprocessable Content', detail);
  }
}

export class TooManyRequestsError extends HttpError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'Too Many Requests', detail, {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}

export class UnavailableError extends HttpError {
  constructor(detail: string, retryAfterSeconds = 1) {
    super(503, 'Service Unavailable', detail, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** PostgreSQL error codes that mean "the input was wrong", not "the server broke". */
const PG_CLIENT_ERRORS: Record<string, number> = {
  '22P02': 400, // invalid_text_representation (e.g. a malformed uuid that slipped through)
  '22003': 400, // numeric_value_out_of_range
  '22007': 400, // invalid_datetime_format
  '22008': 400, // datetime_field_overflow
  '22001': 400, // string_data_right_truncation (longer than the column allows)
  '22021': 400, // character_not_in_repertoire (a NUL or bytes that are not UTF-8)
  '22P05': 400, // untranslatable_character
  '22025': 400, // invalid_escape_sequence (a LIKE pattern ending in a backslash)
  '54000': 400, // program_limit_exceeded (a value too large to index)
  '23505': 409, // unique_violation
  '23503': 409, // foreign_key_violation
  '23514': 409, // check_violation
};

/** Capacity problems: the client may retry, so they are 503 with Retry-After, not 500. */
const PG_UNAVAILABLE = new Set(['53300', '57P03', '55P03', '40001', '40P01']);

export function fromPgError(err: unknown): HttpError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const status = PG_CLIENT_ERRORS[code];
  const message = (err as Error).message;
  if (status === 409) return new ConflictError(message);
  if (status) return new BadRequestError(message);
  if (PG_UNAVAILABLE.has(code)) return new UnavailableError(`database busy, retry: ${message}`);
  return undefined;
}
