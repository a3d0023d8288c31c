import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import type { AppRouteHandler } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { aggregatorOf, EXPOSITION_CONTENT_TYPE, renderExposition, type IsolateMetrics, type Sample } from "../../lib/metrics";
import { requestLog } from "../../middleware/logger";
import type { MetricsRoute } from "./metrics.routes";

const BEARER = /^Bearer (\S{1,512})$/;

/**
 * `GET /metrics`: the aggregator's totals, after this isolate's own counts are added to them (in the
 * same call), so a scrape sees everything this isolate counted before it.
 */
export function scrape(isolate: IsolateMetrics): AppRouteHandler<MetricsRoute> {
  return async (c) => {
    await requireMetricsToken(c);
    const aggregator = aggregatorOf(c.env.METRICS_AGGREGATOR);
    let totals: Sample[] | undefined;
    await isolate.flush(async (samples) => {
      totals = await aggregator.exchange(samples);
    });
    totals ??= await aggregator.read();
    return c.text(renderExposition(totals), 200, { "Content-Type": EXPOSITION_CONTENT_TYPE, "Cache-Control": "no-store" });
  };
}

/** The bearer token must be METRICS_TOKEN, compared in constant time (as digests, so the length leaks nothing either). */
async function requireMetricsToken(c: Context<AppEnv>): Promise<void> {
  const expected = c.get("config").METRICS_TOKEN;
  const presented = BEARER.exec(c.req.header("Authorization") ?? "")?.[1];
  if (expected && presented && (await sameSecret(presented, expected))) return;
  requestLog(c).info("metrics token refused", { reason: !expected ? "not-configured" : presented ? "mismatch" : "missing" });
  throw new ApiError("UNAUTHORIZED", { headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
}

async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [left, right] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(left, right);
}
