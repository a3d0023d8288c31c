import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { Router } from "hono/router";
import type { RouterRoute } from "hono/types";

/** `app.use(...)` registers middleware under this method; endpoints have a real one. */
const MIDDLEWARE_METHOD = "ALL";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "QUERY"] as const;

/**
 * Each request's endpoint, once found: its routing is fixed before the first middleware runs, and
 * up to five middleware ask (metrics, the request log, tracing, body checks), each of which would
 * otherwise copy every matched route (the app's twenty global middleware included) into a new array.
 */
const endpoints = new WeakMap<Context["req"], { route: RouterRoute | undefined }>();

/** The endpoint (not middleware) this request was routed to, if any. */
export function endpointRoute(c: Context): RouterRoute | undefined {
  let found = endpoints.get(c.req);
  if (!found) {
    found = { route: matchedRoutes(c).findLast((route) => route.method !== MIDDLEWARE_METHOD) };
    endpoints.set(c.req, found);
  }
  return found.route;
}

/**
 * The methods that have an endpoint at `path`, for a 405's `Allow` header. HEAD is served by GET.
 * @example allowedMethods(app.router, "/v1/openapi.json") // ["GET", "HEAD"]
 */
export function allowedMethods(router: Router<[unknown, RouterRoute]>, path: string): string[] {
  const allowed = METHODS.filter((method) =>
    router.match(method, path)[0].some(([[, route]]) => route.method !== MIDDLEWARE_METHOD),
  );
  return allowed.flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method]));
}
