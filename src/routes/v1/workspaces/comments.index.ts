import { createRouter } from "../../../lib/create-router";
import * as handlers from "./comments.handlers";
import * as routes from "./comments.routes";

/**
 * Routes under `/v1/workspaces`; mounted by ./index.ts. A task's comments: list, add, read, edit,
 * delete, restore; and the workspace's deleted comments.
 */
export const commentsRoutes = createRouter()
  .openapi(routes.listComments, handlers.listComments)
  .openapi(routes.addComment, handlers.addComment)
  .openapi(routes.listDeletedComments, handlers.listDeletedComments)
  .openapi(routes.getComment, handlers.getComment)
  .openapi(routes.updateComment, handlers.updateComment)
  .openapi(routes.deleteComment, handlers.deleteComment)
  .openapi(routes.restoreComment, handlers.restoreComment);
