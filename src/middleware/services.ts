import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { createServices } from "../services/container";

export interface ServicesOptions {
  create?: typeof createServices;
}

/** Puts the request's `services` on `c.var`, built from `c.var.config`; each client is built on first use. */
export function services({ create = createServices }: ServicesOptions = {}): MiddlewareHandler<AppEnv> {
  return async function services(c, next) {
    c.set("services", create(c.var.config));
    await next();
  };
}
