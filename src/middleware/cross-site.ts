import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";

export interface CrossSiteOptions {
  /** Origins whose browsers may send unsafe requests; the per-environment `CORS_ORIGINS` by default. */
  origins?: (c: Context<AppEnv>) => readonly string[];
}

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses unsafe requests (POST, PUT, PATCH, DELETE) that a browser sends from another site, with or
 * without a body: a DELETE with no body needs no preflight, and cookies (OAuth state) ride along.
 * Same-origin and allowlisted origins pass; clients that are not browsers send neither `Origin` nor
 * `Sec-Fetch-Site` and pass too.
 */
export function crossSite({ origins = (c) => c.get("config").CORS_ORIGINS }: CrossSiteOptions = {}): MiddlewareHandler<AppEnv> {
  return async function crossSite(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header("Origin");
    if (origin !== undefined) {
      if (origin === new URL(c.req.url).origin || origins(c).includes(origin)) return next();
      throw new ApiError("FORBIDDEN", { detail: "crossSiteRequest" });
    }
    // Browsers send Origin with unsafe requests; fetch metadata without it is still a browser's word.
    const site = c.req.header("Sec-Fetch-Site");
    if (site === "cross-site" || site === "same-site") throw new ApiError("FORBIDDEN", { detail: "crossSiteRequest" });
    await next();
  };
}
