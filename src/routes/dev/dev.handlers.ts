import type { MiddlewareHandler } from "hono";
import { LOCAL_ENVIRONMENTS } from "../../env";
import type { AppEnv } from "../../lib/app-env";
import type { AppRouteHandler } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { readOutbox } from "../../services/mail/outbox";
import type { OutboxRoute } from "./dev.routes";

/** Outside development and test these routes do not exist: the same 404 as any unknown path. */
export function localOnly(): MiddlewareHandler<AppEnv> {
  return async function localOnly(c, next) {
    if (!LOCAL_ENVIRONMENTS.has(c.var.config.APP_ENV)) throw new ApiError("NOT_FOUND");
    await next();
  };
}

export const outbox: AppRouteHandler<OutboxRoute> = async (c) => {
  const rows = await readOutbox(c.var.services.db, c.req.valid("query").to);
  const mails = rows.map((row) => ({ ...row, links: row.text.match(/https?:\/\/\S+/g) ?? [], createdAt: row.createdAt.toISOString() }));
  return c.json({ mails }, 200, { "Cache-Control": "no-store" });
};
