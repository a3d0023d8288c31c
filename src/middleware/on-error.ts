import type { Context, ErrorHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import type { Config } from "../env";
import { errorFingerprint } from "../lib/error-fingerprint";
import { ApiError, findDependencyFailure, toApiError } from "../lib/errors";
import { endpointRoute } from "../lib/matched-route";
import { renderProblem } from "../lib/problem";
import { reportToSentry } from "../lib/sentry";
import { logError, requestLog } from "./logger";

/**
 * The one error handler: renders every thrown error as problem+json. Unexpected failures are
 * logged once with the request id, route, a fingerprint and their frames, sent to Sentry when
 * SENTRY_DSN is set (after the response), and answered with a 500 that reveals nothing about them.
 * A call an open circuit breaker refused is not logged: the breaker logged its opening, once.
 */
export function onError(): ErrorHandler<AppEnv> {
  return async function onError(error, c) {
    const apiError = (await isMalformedRequestJson(c, error)) ? new ApiError("MALFORMED_JSON") : toApiError(error);
    const cause = apiError.options.cause;
    if (apiError.status >= 500 && cause !== undefined && findDependencyFailure(cause)?.reason !== "open") {
      if (apiError.code === "SERVICE_UNAVAILABLE") logError(c, "dependency unavailable", cause);
      else await trackUnexpected(c, cause);
    }
    return renderProblem(c, apiError);
  };
}

/** One error line with the route and fingerprint, and with a DSN one Sentry event grouped by it. */
async function trackUnexpected(c: Context<AppEnv>, error: unknown): Promise<void> {
  const route = endpointRoute(c)?.path ?? null;
  const fingerprint = await errorFingerprint(error);
  logError(c, "unhandled error", error, { route, fingerprint });
  // Before configuration loads (or when it is broken) there is no DSN to send to.
  const dsn = (c.get("config") as Config | undefined)?.SENTRY_DSN;
  if (!dsn) return;
  const trace = c.get("trace");
  const report = {
    fingerprint,
    requestId: c.get("requestId"),
    traceId: trace.traceId,
    spanId: trace.spanId,
    route,
    method: c.req.method,
    environment: c.get("config").APP_ENV,
    release: c.env.CF_VERSION_METADATA?.id,
  };
  c.executionCtx.waitUntil(reportToSentry(dsn, error, report, requestLog(c)));
}

/**
 * True when `error` comes from parsing this request's body as JSON (`c.req.json()` in a handler),
 * so that answers 400 too. Hono caches the body text, so parsing it again must fail the same way;
 * any other SyntaxError stays an internal error.
 */
async function isMalformedRequestJson(c: Context<AppEnv>, error: Error): Promise<boolean> {
  const body = c.req.bodyCache.text;
  if (!(error instanceof SyntaxError) || body === undefined) return false;
  try {
    JSON.parse(await body);
    return false;
  } catch (reparsed) {
    return reparsed instanceof SyntaxError && reparsed.message === error.message;
  }
}
