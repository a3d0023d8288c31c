import type { Context } from "hono";
import type { AppEnv } from "../lib/app-env";
import { systemClock } from "../lib/clock";
import { NO_TRACER, type Tracer } from "../lib/tracing/tracer";
import { AppScope } from "../services/app-scope";
import { createServices, type RequestHooks } from "../services/container";
import type { AroundHook } from "./around";
import { requestLog } from "./logger";

export interface ServicesOptions {
  /** What lives as long as the app (one per isolate): clock and caches. */
  scope?: AppScope;
  create?: typeof createServices;
}

/** Puts the request's `services` on `c.var`, built from `c.var.config`; each client is built on first use. */
export function services({ scope = new AppScope(systemClock), create = createServices }: ServicesOptions = {}): AroundHook {
  return {
    open(c) {
      c.set("services", create(c.get("config"), scope, new ContextHooks(c)));
    },
  };
}

// A class, not an object of closures: every request builds one (see RequestServices).
class ContextHooks implements RequestHooks {
  constructor(private readonly c: Context<AppEnv>) {}

  keepAlive(work: Promise<unknown>): void {
    this.c.executionCtx.waitUntil(work);
  }

  log() {
    return requestLog(this.c);
  }

  tracer(): Tracer {
    return this.c.get("tracer") ?? NO_TRACER;
  }

  meter() {
    return this.c.get("meter");
  }
}
