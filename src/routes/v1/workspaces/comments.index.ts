import { createRouter } from "../../../lib/create-router";
import * as handlers from "./comments.handlers";
import * as routes from "./comments.routes";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. A task's comments: list, add, edit, delete, restore. */
export const commentsRoutes = createRouter();
commentsRoutes
  .openapi(routes.listComments, handlers.listComments)
  .openapi(routes.addComment, handlers.addComment)
  .openapi(routes.updateComment, handlers.updateComment)
  .openapi(routes.deleteComment, handlers.deleteComment)
  .openapi(routes.restoreComment, handlers.restoreComment);
