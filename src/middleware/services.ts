import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { systemClock } from "../lib/clock";
import { AppScope } from "../services/app-scope";
import { createServices, type RequestHooks } from "../services/container";
import { requestLog } from "./logger";

export interface ServicesOptions {
  /** What lives as long as the app (one per isolate): clock and caches. */
  scope?: AppScope;
  create?: typeof createServices;
}

/** Puts the request's `services` on `c.var`, built from `c.var.config`; each client is built on first use. */
export function services({ scope = new AppScope(systemClock), create = createServices }: ServicesOptions = {}): MiddlewareHandler<AppEnv> {
  return async function services(c, next) {
    const hooks: RequestHooks = { keepAlive: (work) => c.executionCtx.waitUntil(work), log: () => requestLog(c) };
    c.set("services", create(c.get("config"), scope, hooks));
    await next();
  };
}
