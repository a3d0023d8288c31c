import { createRouter } from "../../../lib/create-router";
import * as handlers from "./attachments.handlers";
import * as routes from "./attachments.routes";

/**
 * Routes under `/v1/workspaces`; mounted by ./index.ts. A task's attachments: list, upload, read,
 * link, delete, restore; and the workspace's deleted attachments.
 */
export const attachmentsRoutes = createRouter()
  .openapi(routes.listAttachments, handlers.listAttachments)
  .openapi(routes.uploadAttachment, handlers.uploadAttachment)
  .openapi(routes.listDeletedAttachments, handlers.listDeletedAttachments)
  .openapi(routes.getAttachment, handlers.getAttachment)
  .openapi(routes.attachmentLink, handlers.attachmentLink)
  .openapi(routes.deleteAttachment, handlers.deleteAttachment)
  .openapi(routes.restoreAttachment, handlers.restoreAttachment);
