import type { Context, MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";
import type { AppEnv } from "../lib/app-env";

export interface CorsOptions {
  /** Allowed origins for this request; the per-environment `CORS_ORIGINS` by default. */
  origins?: (c: Context<AppEnv>) => readonly string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
}

/**
 * hono/cors limited to an allowlist: an allowed origin is echoed with credentials allowed; any other
 * origin gets no CORS headers at all, and its preflight an empty 204 the browser will refuse.
 */
export function cors({
  origins = (c) => c.get("config").CORS_ORIGINS,
  allowHeaders = ["Accept-Language", "Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "traceparent", "tracestate"],
  exposeHeaders = ["X-Request-Id", "traceparent", "Retry-After", "RateLimit-Policy", "RateLimit"],
  maxAgeSeconds = 600,
}: CorsOptions = {}): MiddlewareHandler<AppEnv> {
  const allowed = honoCors({
    // Only reached for allowlisted origins, see below.
    origin: (origin) => origin,
    credentials: true,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders,
    exposeHeaders,
    maxAge: maxAgeSeconds,
  });

  return async function cors(c, next) {
    const origin = c.req.header("Origin");
    if (origin && origins(c).includes(origin)) return allowed(c, next);
    // An allowed origin gets another answer, so no cache may hand this one to it.
    if (c.req.method === "OPTIONS" && origin && c.req.header("Access-Control-Request-Method")) {
      return c.body(null, 204, { Vary: "Origin" });
    }
    await next();
    c.res.headers.append("Vary", "Origin");
  };
}
