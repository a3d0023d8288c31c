import type { AppRouteHandler } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { checkReadiness } from "../../services/readiness";
import type { HealthRoute, ReadyRoute } from "./health.routes";

/** Each dependency gets this long to answer before it counts as down. */
const READINESS_TIMEOUT_MS = 2000;

export const health: AppRouteHandler<HealthRoute> = (c) => c.json({ status: "ok" as const }, 200);

export const ready: AppRouteHandler<ReadyRoute> = async (c) => {
  const { db, redis } = c.var.services;
  const checks = await checkReadiness(
    { database: (timeoutMs) => db.ping(timeoutMs), redis: redis ? () => redis.ping() : undefined },
    READINESS_TIMEOUT_MS,
  );
  const failing = checks.filter((check) => !check.ok).map((check) => check.name);
  if (failing.length > 0) {
    throw new ApiError("SERVICE_UNAVAILABLE", {
      detail: "dependencyUnavailable",
      params: { dependencies: failing },
      extensions: { checks },
    });
  }
  return c.json({ status: "ready" as const, checks }, 200);
};
