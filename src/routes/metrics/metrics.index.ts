import { createRouter } from "../../lib/create-router";
import type { IsolateMetrics } from "../../lib/metrics";
import * as handlers from "./metrics.handlers";
import * as routes from "./metrics.routes";

/** `GET /metrics`: needs `c.var.config` (METRICS_TOKEN), so it is mounted after configuration. */
export function metricsEndpoint(isolate: IsolateMetrics) {
  return createRouter().openapi(routes.metrics, handlers.scrape(isolate));
}
