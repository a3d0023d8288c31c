import type { NotFoundHandler } from "hono";
import type { Router } from "hono/router";
import type { RouterRoute } from "hono/types";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { renderProblem } from "../lib/problem";
import { allowedMethods } from "../lib/matched-route";

export interface NotFoundOptions {
  /** The app's router, asked which other methods the path has. */
  router: Router<[unknown, RouterRoute]>;
}

/**
 * Answers a request no endpoint took: 405 METHOD_NOT_ALLOWED with `Allow` when the path exists for
 * other methods (Hono has no 405 of its own), otherwise 404 NOT_FOUND.
 */
export function notFound({ router }: NotFoundOptions): NotFoundHandler<AppEnv> {
  return function notFound(c) {
    const allowed = allowedMethods(router, c.req.path).filter((method) => method !== c.req.method);
    if (allowed.length === 0) return renderProblem(c, new ApiError("NOT_FOUND"));
    return renderProblem(
      c,
      new ApiError("METHOD_NOT_ALLOWED", {
        detail: "methodNotAllowed",
        params: { method: c.req.method, allowed },
        headers: { Allow: allowed.join(", ") },
      }),
    );
  };
}
