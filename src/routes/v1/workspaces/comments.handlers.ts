import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import * as service from "../../../services/domain/comments";
import type { Comment } from "../../../services/domain/comments";
import { currentWorkspace, workspaceDeps } from "./workspaces.context";
import type { AddCommentRoute, DeleteCommentRoute, ListCommentsRoute, RestoreCommentRoute, UpdateCommentRoute } from "./comments.routes";

export const listComments: AppRouteHandler<ListCommentsRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  const page = await service.listComments(c.var.services.db, currentWorkspace(c), c.req.valid("param").taskId, { cursor, limit });
  return c.json({ comments: page.items.map(toResponse), nextCursor: page.nextCursor }, 200);
};

export const addComment: AppRouteHandler<AddCommentRoute> = async (c) => {
  const comment = await service.addComment(workspaceDeps(c), currentWorkspace(c), c.req.valid("param").taskId, c.req.valid("json").body, requestMeta(c));
  return c.json(toResponse(comment), 201);
};

export const updateComment: AppRouteHandler<UpdateCommentRoute> = async (c) => {
  const { taskId, commentId } = c.req.valid("param");
  const comment = await service.updateComment(workspaceDeps(c), currentWorkspace(c), taskId, commentId, c.req.valid("json").body, requestMeta(c));
  return c.json(toResponse(comment), 200);
};

export const deleteComment: AppRouteHandler<DeleteCommentRoute> = async (c) => {
  const { taskId, commentId } = c.req.valid("param");
  await service.deleteComment(workspaceDeps(c), currentWorkspace(c), taskId, commentId, requestMeta(c));
  return c.body(null, 204);
};

export const restoreComment: AppRouteHandler<RestoreCommentRoute> = async (c) => {
  const { taskId, commentId } = c.req.valid("param");
  const comment = await service.restoreComment(workspaceDeps(c), currentWorkspace(c), taskId, commentId, requestMeta(c));
  return c.json(toResponse(comment), 200);
};

function toResponse(comment: Comment) {
  return {
    id: comment.id,
    taskId: comment.taskId,
    body: comment.body,
    createdBy: comment.createdBy,
    updatedBy: comment.updatedBy,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
  };
}
