import { createRouter } from "../../../lib/create-router";
import * as handlers from "./audit.handlers";
import * as routes from "./audit.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. A workspace's audit log, for its owners and admins. */
export const auditRoutes = createRouter()
  .openapi(routes.listAuditLog, handlers.listAuditLog);
