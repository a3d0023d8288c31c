import type { Context } from "hono";
import type { Config } from "../env";
import type { AppEnv } from "../lib/app-env";
import { describeError, loggedPath } from "../lib/log-redaction";
import { createLogger, isLogged, type LogFields, type Logger, type LogLevel } from "../lib/logger";
import { endpointRoute } from "../lib/matched-route";
import type { AroundHook } from "./around";

export interface RequestLoggerOptions {
  /** Where a finished line goes; console.log by default, which Workers Logs parse as JSON. */
  write?: (line: string) => void;
}

/**
 * Writes one JSON line per request once the response is known: method, route pattern, path (secret
 * segments redacted), status, duration, request and trace ids, user when known, and a level taken
 * from the status. The line is also the request's server span: it carries the span id the response's
 * `traceparent` names and the caller's span id as its parent, so tracing writes no second line for
 * it (see middleware/tracing.ts).
 */
export function requestLogger({ write = (line) => console.log(line) }: RequestLoggerOptions = {}): AroundHook {
  return {
    close(c, { durationMs }) {
      const status = c.res.status;
      const level: LogLevel = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
      if (!isLogged(level, levelOf(c))) return;
      const route = endpointRoute(c)?.path ?? null;
      const userId = c.get("userId");
      const trace = c.get("trace");
      // One flat object straight to JSON: no logger, closures or copies per request.
      write(
        JSON.stringify({
          level,
          msg: "request",
          method: c.req.method,
          route,
          path: loggedPath(c.req.path, route),
          status,
          durationMs,
          requestId: c.get("requestId"),
          traceId: c.get("traceId"),
          ...(trace ? { spanId: trace.spanId, ...(trace.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}) } : {}),
          ...(userId ? { userId } : {}),
        }),
      );
    },
  };
}

/** A logger for work done on behalf of this request: its lines carry the request's ids. */
export function requestLog(c: Context<AppEnv>): Logger {
  return createLogger({
    level: () => levelOf(c),
    fields: {
      method: c.req.method,
      path: loggedPath(c.req.path, endpointRoute(c)?.path),
      requestId: c.get("requestId"),
      traceId: c.get("traceId"),
      ...(c.get("userId") ? { userId: c.get("userId") } : {}),
    },
  });
}

/**
 * Logs an error as one JSON line on console.error, with the request's ids. Logs may carry internal
 * detail (message, frames), stripped of values and secrets; responses never do.
 */
export function logError(c: Context<AppEnv>, msg: string, error?: unknown, fields: LogFields = {}): void {
  requestLog(c).error(msg, { ...fields, ...(error === undefined ? {} : { error: describeError(error) }) });
}

/** Before configuration is loaded (or when it is broken) everything is logged. */
function levelOf(c: Context<AppEnv>): LogLevel {
  // `c.get`, not `c.var`: Hono builds a new object of every variable on each `c.var`.
  return (c.get("config") as Config | undefined)?.LOG_LEVEL ?? "debug";
}
