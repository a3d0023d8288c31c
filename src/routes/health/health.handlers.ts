import type { AppRouteHandler } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { requestLog } from "../../middleware/logger";
import { checkReadiness, type ReadinessCache } from "../../services/readiness";
import type { HealthRoute, ReadyRoute } from "./health.routes";

/** Each dependency gets this long to answer before it counts as down. */
const READINESS_TIMEOUT_MS = 2000;

export const health: AppRouteHandler<HealthRoute> = (c) => c.json({ status: "ok" as const }, 200);

/**
 * `/ready` answers from the isolate's cached result for a few seconds. The public answer names no
 * dependency and no latency; the log line of a failed check does.
 */
export function ready(cache: ReadinessCache): AppRouteHandler<ReadyRoute> {
  return async (c) => {
    const { db, redis } = c.var.services;
    const { DATABASE_URL, NEON_HTTP_ENDPOINT, UPSTASH_REDIS_REST_URL } = c.var.config;
    const { checks, fresh } = await cache.get([DATABASE_URL, NEON_HTTP_ENDPOINT, UPSTASH_REDIS_REST_URL].join(" "), () =>
      checkReadiness({ database: (timeoutMs) => db.ping(timeoutMs), redis: redis ? () => redis.ping() : undefined }, READINESS_TIMEOUT_MS),
    );
    const failing = checks.filter((check) => !check.ok).map((check) => check.name);
    if (failing.length > 0) {
      if (fresh) requestLog(c).warn("not ready", { failing, checks });
      throw new ApiError("SERVICE_UNAVAILABLE", { detail: "notReady", retryAfter: 5 });
    }
    return c.json({ status: "ready" as const }, 200, { "Cache-Control": "no-store" });
  };
}
