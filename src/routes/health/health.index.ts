import type { Clock } from "../../lib/clock";
import { createRouter } from "../../lib/create-router";
import { READINESS_CACHE_MS, ReadinessCache } from "../../services/readiness";
import * as handlers from "./health.handlers";
import * as routes from "./health.routes";

/** `GET /health`: mounted before configuration is loaded, so it answers even when that is broken. */
export const liveness = createRouter().openapi(routes.health, handlers.health);

/** `GET /ready`: needs `c.var.services`, so it is mounted after configuration. One cache per app. */
export function readiness(clock: Clock) {
  return createRouter().openapi(routes.ready, handlers.ready(new ReadinessCache(READINESS_CACHE_MS, clock)));
}
