import { z } from "@hono/zod-openapi";
import { CursorParam, limitParam } from "../../../lib/cursor";
import { problemResponse } from "../../../lib/openapi";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { WORKSPACE_AUDIT_ACTIONS } from "../../../services/workspaces/audit-log";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    actor: z
      .object({ type: z.enum(["user", "apiKey", "webhookSource"]), id: z.string() })
      .nullable()
      .openapi({ description: "The member, API key or webhook source (its deliveries' effects) that acted; null when nobody did (a scheduled job)." }),
    action: z.string().openapi({ example: "member.role_changed" }),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    details: z.record(z.string(), z.unknown()).nullable().openapi({ description: "What changed, where the action alone does not say.", example: { from: "member", to: "admin" } }),
    requestId: z.string().nullable().openapi({ description: "The request that made the change, as its X-Request-Id said." }),
    createdAt: z.iso.datetime(),
  })
  .openapi("AuditEntry");

const AuditLogSchema = z
  .object({
    entries: z.array(AuditEntrySchema).openapi({ description: "Newest first." }),
    nextCursor: z.string().nullable().openapi({ description: "Pass it as `cursor`, with the same filters, for the next page; null on the last one." }),
  })
  .openapi("AuditLog");

const AuditLogQuery = z
  .object({
    cursor: CursorParam,
    limit: limitParam(50, 100),
    actor: z.string().max(64).optional().openapi({ param: { name: "actor", in: "query" }, description: "Only what this user or API key did." }),
    action: z.enum(WORKSPACE_AUDIT_ACTIONS).optional().openapi({ param: { name: "action", in: "query" } }),
    from: z.iso.datetime({ offset: true }).optional().openapi({ param: { name: "from", in: "query" }, description: "From this time on (inclusive)." }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ param: { name: "to", in: "query" }, description: "Before this time (exclusive)." }),
  })
  .strict();

export const listAuditLog = workspaceRoute("audit:read", {
  method: "get",
  path: "/{workspaceId}/audit-log",
  tags: ["Audit log"],
  summary: "The workspace's audit log: who changed what, newest first. IP addresses and user agents are not shown.",
  request: { params: WorkspaceParams, query: AuditLogQuery },
  responses: {
    200: { description: "A page of it.", content: { "application/json": { schema: AuditLogSchema } } },
    400: problemResponse("A filter, the cursor or the limit is invalid."),
    401: problemResponse("No valid access token or API key."),
    403: problemResponse("The caller lacks audit:read (owners and admins hold it)."),
    404: problemResponse("No such workspace among the caller's."),
  },
});

export type ListAuditLogRoute = typeof listAuditLog;
