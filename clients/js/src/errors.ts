/**
 * Errors the client throws.
 *
 * ```
 * ChromaError                      base of everything below; `status`/`errorName` when from the server
 * ├── ChromaConnectionError        the server could not be reached (fetch itself failed)
 * ├── ChromaValueError             the caller's arguments are wrong; raised before any request
 * ├── ChromaClientError            4xx not listed below (400 bad input, 413 batch too big, 422 ...)
 * ├── ChromaUnauthorizedError      401: missing or wrong credentials
 * ├── ChromaForbiddenError         403: not allowed, e.g. reset when the server disallows it
 * ├── ChromaNotFoundError          404: no such collection (or tenant, database)
 * ├── ChromaUniqueError            409: the collection or record id already exists
 * ├── ChromaRateLimitError         429: the server asks the client to slow down
 * └── ChromaServerError            5xx and anything else unexpected
 * ```
 *
 * Server errors carry the server's own message (`message`), its error name (`errorName`, e.g.
 * `"InvalidDimension"`) and the HTTP status (`status`). They are built in exactly one place,
 * {@link errorFromResponse}, which the HTTP layer calls for every non-2xx answer.
 */

import { SERVER_ERROR_STATUS } from "./serverErrors.js";

/** Details of an error answer from the server. */
export interface ChromaErrorDetails {
  /** HTTP status of the answer. */
  status?: number;
  /** The server's error name (`"NotFoundError"`, `"InvalidDimension"` ...). */
  errorName?: string;
  /** The underlying cause (a network error, for instance). */
  cause?: unknown;
}

/** Base class of every error this client throws on purpose. */
export class ChromaError extends Error {
  /** HTTP status, when the error came from the server. */
  readonly status?: number;
  /** The server's error name, when the error came from the server. */
  readonly errorName?: string;

  constructor(message: string, details: ChromaErrorDetails = {}) {
    // The standard `cause` option: the network error under a ChromaConnectionError, say.
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    // `name` is the class name, so stack traces and `String(err)` say which kind it is.
    this.name = new.target.name;
    this.status = details.status;
    this.errorName = details.errorName;
  }
}

/** The server could not be reached: refused connection, DNS failure, aborted request. */
export class ChromaConnectionError extends ChromaError {}

/** The arguments given to a client method are wrong; no request was sent. */
export class ChromaValueError extends ChromaError {}

/** The server rejected the request as malformed (400, 413, 422 and other 4xx). */
export class ChromaClientError extends ChromaError {}

/** The server requires credentials that were missing or wrong (401). */
export class ChromaUnauthorizedError extends ChromaError {}

/** The server refused the operation (403), e.g. `reset` when reset is not allowed. */
export class ChromaForbiddenError extends ChromaError {}

/** The collection (or tenant, database) does not exist (404). */
export class ChromaNotFoundError extends ChromaError {}

/** A collection of that name, or a record with that id, already exists (409). */
export class ChromaUniqueError extends ChromaError {}

/** The server is rate limiting this client (429). */
export class ChromaRateLimitError extends ChromaError {}

/** The server failed (5xx) or answered something the client cannot read. */
export class ChromaServerError extends ChromaError {}

type ErrorClass = new (message: string, details?: ChromaErrorDetails) => ChromaError;

const BY_STATUS: Record<number, ErrorClass> = {
  401: ChromaUnauthorizedError,
  403: ChromaForbiddenError,
  404: ChromaNotFoundError,
  409: ChromaUniqueError,
  429: ChromaRateLimitError,
};

/**
 * The class for an answer: by the status the server's error name carries (the table is written
 * from the server's own error classes), else by the HTTP status (a proxy, an older server).
 */
function classFor(status: number, errorName?: string): ErrorClass {
  const named = errorName === undefined ? undefined : SERVER_ERROR_STATUS[errorName];
  const effective = named ?? status;
  const exact = BY_STATUS[effective];
  if (exact) return exact;
  return effective >= 400 && effective < 500 ? ChromaClientError : ChromaServerError;
}

/**
 * Build the error for a non-2xx answer. `body` is the answer's text: normally
 * `{"error": name, "message": text}`, but proxies and crashes may send anything.
 */
export function errorFromResponse(status: number, statusText: string, body: string): ChromaError {
  let errorName: string | undefined;
  let message: string | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object") {
      const fields = parsed as Record<string, unknown>;
      if (typeof fields.error === "string") errorName = fields.error;
      if (typeof fields.message === "string") message = fields.message;
      // FastAPI's own validation errors arrive as {"detail": ...}.
      else if (fields.detail !== undefined) message = JSON.stringify(fields.detail);
    }
  } catch {
    // Not JSON: fall back to the raw text below.
  }
  const text = message ?? (body.trim() || `${status} ${statusText}`.trim());
  return new (classFor(status, errorName))(text, { status, errorName });
}
