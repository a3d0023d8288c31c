import { OpenAPIHono, type Hook, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";
import { negotiateLanguage } from "./i18n";
import { toFieldIssues } from "./i18n/zod-issues";

/** Turns every zod validation failure into a VALIDATION_FAILED problem listing the field issues. */
export const validationHook: Hook<unknown, AppEnv, string, undefined> = (result, c) => {
  if (result.success) return;
  // zod-validator passes the raw input along, though the type does not say so.
  const input = (result as { data?: unknown }).data;
  const language = negotiateLanguage(c.req.header("Accept-Language"));
  throw new ApiError("VALIDATION_FAILED", { errors: toFieldIssues(result.error, input, language) });
};

/** A router for one resource; mount it with `app.route(...)`. Validation failures render as problems. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export type AppRouter = ReturnType<typeof createRouter>;

/** The handler type for a route made with `createRoute`. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
