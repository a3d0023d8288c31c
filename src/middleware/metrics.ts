import type { Context } from "hono";
import { loadConfig } from "../env";
import type { AppEnv } from "../lib/app-env";
import { endpointRoute } from "../lib/matched-route";
import { ApiError } from "../lib/errors";
import {
  aggregatorOf,
  type AuthMethod,
  IsolateMetrics,
  methodLabel,
  RequestMeter,
  statusClass,
  UNMATCHED_ROUTE,
  writeRequestPoint,
} from "../lib/metrics";
import { InvalidTokenError } from "../lib/tokens";
import { requestLog } from "./logger";
import type { AroundHook } from "./around";

export interface MetricsOptions {
  /** The isolate's counts (one per app); the app's clock times requests and flushes. */
  isolate: IsolateMetrics;
}

/** When the configuration is broken the request is still counted, and flushed at the default pace. */
const DEFAULT_FLUSH_MS = 10_000;

/**
 * Counts every request (route template, method, status class, duration) and gives the request a
 * RequestMeter (`c.var.meter`) for what happens inside it. Each request writes one Analytics Engine
 * data point when the METRICS binding exists; the isolate's counts go to the MetricsAggregator off the
 * request path (`waitUntil`), at most every METRICS_FLUSH_SECONDS or FLUSH_EVERY_REQUESTS requests.
 * Outermost but the request id, so /health and every refusal are counted. Durations are wall time
 * (`Date.now()`, as the request log's); the app's clock decides only when to flush.
 */
export function metrics({ isolate }: MetricsOptions): AroundHook {
  return {
    open(c) {
      const loaded = loadConfig(c.env);
      if (loaded.ok && !loaded.config.METRICS_ENABLED) return;
      c.set("meter", new RequestMeter(isolate));
    },
    close(c, { durationMs }) {
      const meter = c.get("meter");
      if (!meter) return;
      const seconds = durationMs / 1000;
      const route = endpointRoute(c)?.path ?? UNMATCHED_ROUTE;
      const method = methodLabel(c.req.method);
      const status = c.res.status;
      isolate.request(route, method, status, seconds);
      if (c.env.METRICS) writeRequestPoint(c.env.METRICS, { route, method, statusClass: statusClass(status), status, seconds }, meter);
      const loaded = loadConfig(c.env);
      const flushMs = loaded.ok ? loaded.config.METRICS_FLUSH_SECONDS * 1000 : DEFAULT_FLUSH_MS;
      if (isolate.requestDone(flushMs) && c.env.METRICS_AGGREGATOR) executionContextOf(c)?.waitUntil(flushMetrics(c, isolate));
    },
  };
}

/** The request's execution context; an app called without one (`app.request(path)` in a test) flushes on a later request. */
function executionContextOf(c: Context<AppEnv>): Pick<ExecutionContext, "waitUntil"> | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/**
 * Sends the isolate's counts to the aggregator. A failure keeps them for the next flush and logs a
 * warning (never an error: the request it rides on was answered).
 */
export function flushMetrics(c: Context<AppEnv>, isolate: IsolateMetrics): Promise<void> {
  const aggregator = aggregatorOf(c.env.METRICS_AGGREGATOR);
  return isolate.flush((samples) => aggregator.add(samples)).catch((error: unknown) => {
    requestLog(c).warn("metrics flush failed; kept for the next", { error });
  });
}

/** The request's meter, when metrics are on. */
export function meterOf(c: Context<AppEnv>): RequestMeter | undefined {
  return c.get("meter");
}

/**
 * `attempt` (a sign-in with a credential), counted as an authentication event: accepted when it
 * resolves; refused, with the answer's code as the reason, when it is refused with a 4xx.
 * @example const tokens = await countedAuthentication(c, "password", login(deps, input, meta))
 */
export async function countedAuthentication<T>(c: Context<AppEnv>, method: AuthMethod, attempt: Promise<T>): Promise<T> {
  try {
    const result = await attempt;
    c.get("meter")?.authentication(method, true);
    return result;
  } catch (error) {
    if (error instanceof InvalidTokenError) c.get("meter")?.authentication(method, false, error.reason);
    else if (error instanceof ApiError && error.status < 500) c.get("meter")?.authentication(method, false, error.code);
    throw error;
  }
}
