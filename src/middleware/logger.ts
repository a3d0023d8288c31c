import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../env";
import type { AppEnv } from "../lib/app-env";
import { endpointRoute } from "../lib/matched-route";

type Level = Config["LOG_LEVEL"];

const SEVERITY: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface RequestLoggerOptions {
  /** Where a finished line goes; console.log by default, which Workers Logs parse as JSON. */
  write?: (line: string) => void;
}

/**
 * Writes one JSON line per request once the response is known: method, route pattern, path,
 * status, duration, request and trace ids, user when known, and a level taken from the status.
 */
export function requestLogger({ write = (line) => console.log(line) }: RequestLoggerOptions = {}): MiddlewareHandler<AppEnv> {
  return async function requestLogger(c, next) {
    const started = Date.now();
    await next();
    const status = c.res.status;
    const level: Level = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
    if (!enabled(c, level)) return;
    write(
      JSON.stringify({
        level,
        msg: "request",
        method: c.req.method,
        route: endpointRoute(c)?.path ?? null,
        path: c.req.path,
        status,
        durationMs: Date.now() - started,
        requestId: c.var.requestId,
        traceId: c.var.traceId,
        ...(c.var.userId ? { userId: c.var.userId } : {}),
      }),
    );
  };
}

/**
 * Logs an error as one JSON line on console.error, with the request's ids. Logs may carry internal
 * detail (message, stack); responses never do.
 */
export function logError(c: Context<AppEnv>, msg: string, error?: unknown, fields: Record<string, unknown> = {}): void {
  console.error(
    JSON.stringify({
      level: "error",
      msg,
      method: c.req.method,
      path: c.req.path,
      requestId: c.var.requestId,
      traceId: c.var.traceId,
      ...fields,
      ...(error === undefined ? {} : { error: describe(error) }),
    }),
  );
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: "NonError", message: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describe(error.cause) }),
  };
}

/** Before configuration is loaded (or when it is broken) everything is logged. */
function enabled(c: Context<AppEnv>, level: Level): boolean {
  const config = c.var.config as Config | undefined;
  return SEVERITY[level] >= SEVERITY[config?.LOG_LEVEL ?? "debug"];
}
