import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HTTPException } from "hono/http-exception";
import type { DetailKey } from "./i18n/en";

/**
 * Every error code the API answers with, and its HTTP status. Codes are part of the contract:
 * clients switch on them, so a code is never renamed or reused for another meaning.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  /** A verification or reset token that is unknown, used, expired or of another purpose: one answer for all. */
  INVALID_TOKEN: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  /** A password change whose current password is wrong. */
  INVALID_CURRENT_PASSWORD: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  CONFIGURATION_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  PRECONDITION_FAILED: 412,
  PRECONDITION_REQUIRED: 428,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  QUOTA_EXCEEDED: 409,
  BAD_GATEWAY: 502,
  /** An inbound webhook whose signature is missing, does not match the raw body, or whose timestamp is outside the tolerance. */
  WEBHOOK_SIGNATURE_INVALID: 401,
  /** An inbound webhook whose headers or body are not in its scheme's syntax. */
  WEBHOOK_MALFORMED: 400,
  /** A request to a WebSocket endpoint that is not a WebSocket upgrade. */
  UPGRADE_REQUIRED: 426,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One invalid field of a request, as listed in a VALIDATION_FAILED problem's `errors`. */
export interface FieldIssue {
  /** Dotted path inside the validated part of the request (`items.0.name`); empty for the part itself. */
  path: string;
  message: string;
  /** The validator's issue code, e.g. `invalid_type`, `too_small`. */
  code: string;
}

export type DetailParams = Record<string, string | number | readonly string[]>;

export interface ApiErrorOptions {
  /** Which translated detail to show; defaults to the code's own. Keys keep every detail translated. */
  detail?: DetailKey;
  /** Values for the detail's `{placeholders}`. Never put secrets or internal messages here. */
  params?: DetailParams;
  /** Field issues, for VALIDATION_FAILED. */
  errors?: FieldIssue[];
  /** Seconds after which the client may retry; sent as `Retry-After`. */
  retryAfter?: number;
  /** Extra response headers, e.g. `Allow` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** Extra problem members (RFC 9457 extensions); they cannot override the standard ones. */
  extensions?: Record<string, unknown>;
  /** The underlying failure: logged, never sent. */
  cause?: unknown;
}

/**
 * An error the API answers deliberately. Throw it anywhere; the app's one `onError` renders it.
 * @example throw new ApiError("FORBIDDEN")
 * @example throw new ApiError("RATE_LIMITED", { detail: "rateLimited", params: { seconds: 30 }, retryAfter: 30 })
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly options: ApiErrorOptions;

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    super(code, { cause: options.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.options = options;
  }
}

/** A 400 VALIDATION_FAILED naming one invalid field, for what a route's schema cannot check alone. */
export function invalidField(path: string, message: string): ApiError {
  return new ApiError("VALIDATION_FAILED", { errors: [{ path, message, code: "custom" }] });
}

/** Seconds a client should wait before retrying when a dependency is unavailable. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** Why a dependency is unavailable: it was late, could not be reached, or its circuit breaker is open. */
export type DependencyFailure = "timeout" | "unreachable" | "open";

const FAILURE_MESSAGE: Record<DependencyFailure, string> = { timeout: "timed out", unreachable: "unreachable", open: "circuit open" };

/**
 * A dependency (the database, Redis, a provider) did not answer within its bound, could not be
 * reached, or its circuit breaker is open. The module owning the dependency throws it; the API
 * answers 503 SERVICE_UNAVAILABLE with `Retry-After`, naming nothing internal. Drivers may wrap it (as `cause` or `sourceError`).
 */
export class DependencyUnavailableError extends Error {
  override readonly name = "DependencyUnavailableError";
  readonly dependency: string;
  readonly reason: DependencyFailure;

  constructor(dependency: string, reason: DependencyFailure, options: { cause?: unknown } = {}) {
    super(`${dependency} ${FAILURE_MESSAGE[reason]}`, options);
    this.dependency = dependency;
    this.reason = reason;
  }
}

/** Drivers wrap errors in several layers; deeper than this is a loop or not worth following. */
const MAX_WRAP_DEPTH = 5;

/** The DependencyUnavailableError somewhere in `error`'s chain of causes, if any. */
export function findDependencyFailure(error: unknown): DependencyUnavailableError | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_WRAP_DEPTH && current instanceof Error; depth++) {
    if (current instanceof DependencyUnavailableError) return current;
    // The Neon driver keeps the fetch failure in `sourceError`; everything else uses `cause`.
    current = (current as { sourceError?: unknown }).sourceError ?? current.cause;
  }
  return undefined;
}

/** What Hono's own HTTPExceptions mean in our taxonomy; their messages are never shown. */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
  503: "SERVICE_UNAVAILABLE",
};

/** The message hono/validator throws for a JSON body it cannot parse (pinned by a test). */
const MALFORMED_JSON_MESSAGE = "Malformed JSON in request body";

/** Maps anything thrown to the ApiError that answers it; unknown errors become INTERNAL_ERROR. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) return fromHttpException(error);
  if (findDependencyFailure(error)) {
    return new ApiError("SERVICE_UNAVAILABLE", { retryAfter: DEPENDENCY_RETRY_AFTER_SECONDS, cause: error });
  }
  return new ApiError("INTERNAL_ERROR", { cause: error });
}

function fromHttpException(error: HTTPException): ApiError {
  const headers: Record<string, string> = {};
  const challenge = error.res?.headers.get("WWW-Authenticate");
  if (challenge) headers["WWW-Authenticate"] = challenge;
  if (error.status === 400 && error.message === MALFORMED_JSON_MESSAGE) return new ApiError("MALFORMED_JSON");
  const code = CODE_BY_STATUS[error.status] ?? (error.status < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR");
  return new ApiError(code, { headers, cause: error });
}
