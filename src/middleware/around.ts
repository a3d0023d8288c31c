import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";

/** What a hook learns when the response is known. */
export interface FinishedRequest {
  /** Wall time since the hooks opened, in milliseconds (`Date.now()`, which Workers advance on I/O). */
  durationMs: number;
}

/**
 * Work before and after the rest of the app that needs no `await` of its own: `open` before the rest
 * sees the request, `close` once `c.res` is whatever answered (a handler's response, a problem, a 404).
 * An `open` that throws is answered as any error is (a problem), and no hook of its group closes.
 */
export interface AroundHook {
  open?(c: Context<AppEnv>): void;
  close?(c: Context<AppEnv>, finished: FinishedRequest): void;
}

/**
 * One middleware, `name`, running `hooks` around the rest of the app: opened in order and closed in reverse,
 * as they would run as middleware of their own. Each middleware is an async function, a promise and a
 * dispatch per request: the five outermost (request id, metrics, trace context, request log, secure
 * headers) cost `/health` about 3 µs of workerd's CPU more as middleware than as hooks of one, a
 * tenth of what the app adds to a bare Worker (`npm run bench:middleware`).
 */
export function around(name: string, hooks: readonly AroundHook[]): MiddlewareHandler<AppEnv> {
  const opening = hooks.flatMap((hook) => (hook.open ? [hook] : []));
  const closing = hooks.flatMap((hook) => (hook.close ? [hook] : [])).reverse();
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = Date.now();
    for (const hook of opening) hook.open!(c);
    await next();
    const finished: FinishedRequest = { durationMs: Date.now() - started };
    for (const hook of closing) hook.close!(c, finished);
  };
  // Named after its group, so stack traces and `npm run bench:middleware` (which leaves global
  // middleware out by name) tell the groups apart.
  return Object.defineProperty(middleware, "name", { value: name });
}
