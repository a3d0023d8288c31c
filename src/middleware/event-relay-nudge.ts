import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { wakeEventRelay } from "../services/events/wake-relay";
import { requestLog } from "./logger";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * After a successful write, wakes the event relay (src/jobs/event-relay.ts) through EVENTS_QUEUE, so
 * notifications and webhooks go out within a second rather than at the next minute's sweep. The send
 * is not awaited by the response; a lost one costs a delay, never an event (the sweep relays it).
 */
export function eventRelayNudge() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (SAFE_METHODS.has(c.req.method) || c.res.status >= 400) return;
    c.executionCtx.waitUntil(wakeEventRelay(c.env.EVENTS_QUEUE, "write", () => requestLog(c)));
  });
}
