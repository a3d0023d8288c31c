import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { Router } from "hono/router";
import type { RouterRoute } from "hono/types";

/** `app.use(...)` registers middleware under this method; endpoints have a real one. */
const MIDDLEWARE_METHOD = "ALL";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "QUERY"] as const;

/** Where a request keeps its endpoint once found (a context variable, so it lives and dies with the request). */
const ENDPOINT = "matchedEndpoint";

type EndpointContext = Context<{ Variables: { [ENDPOINT]?: { route: RouterRoute | undefined } } }>;

/**
 * The endpoint (not middleware) this request was routed to, if any. Found once per request: its
 * routing is fixed before the first middleware runs, and up to five middleware ask (metrics, the
 * request log, tracing, body checks), each of which would otherwise copy every matched route (the
 * app's twenty global middleware included) into a new array.
 */
export function endpointRoute(c: Context): RouterRoute | undefined {
  const context = c as EndpointContext;
  let found = context.get(ENDPOINT);
  if (!found) {
    found = { route: matchedRoutes(c).findLast((route) => route.method !== MIDDLEWARE_METHOD) };
    context.set(ENDPOINT, found);
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
