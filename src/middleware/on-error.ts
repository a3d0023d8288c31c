import type { Context, ErrorHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError, findDependencyFailure, toApiError } from "../lib/errors";
import { renderProblem } from "../lib/problem";
import { logError } from "./logger";

/**
 * The one error handler: renders every thrown error as problem+json. Unexpected failures are
 * logged with the request id and answered with a 500 that reveals nothing about them. A call an open
 * circuit breaker refused is not logged: the breaker logged its opening, once.
 */
export function onError(): ErrorHandler<AppEnv> {
  return async function onError(error, c) {
    const apiError = (await isMalformedRequestJson(c, error)) ? new ApiError("MALFORMED_JSON") : toApiError(error);
    const cause = apiError.options.cause;
    if (apiError.status >= 500 && cause !== undefined && findDependencyFailure(cause)?.reason !== "open") {
      logError(c, apiError.code === "SERVICE_UNAVAILABLE" ? "dependency unavailable" : "unhandled error", cause);
    }
    return renderProblem(c, apiError);
  };
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
