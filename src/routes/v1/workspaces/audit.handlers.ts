import type { AppRouteHandler } from "../../../lib/create-router";
import { listAuditLog as listLog } from "../../../services/workspaces/audit-log";
import type { ListAuditLogRoute } from "./audit.routes";
import { currentWorkspace } from "./workspaces.context";

export const listAuditLog: AppRouteHandler<ListAuditLogRoute> = async (c) => {
  const { cursor, limit, actor, action, from, to } = c.req.valid("query");
  const page = await listLog(c.var.services.db, currentWorkspace(c), {
    cursor,
    limit,
    actor,
    action,
    from: from === undefined ? undefined : new Date(from),
    to: to === undefined ? undefined : new Date(to),
  });
  return c.json({ entries: page.items.map((entry) => ({ ...entry, createdAt: entry.createdAt.toISOString() })), nextCursor: page.nextCursor }, 200);
};
