import type { AppRouteHandler } from "../../../lib/create-router";
import { ifMatchVersions } from "../../../lib/http/version-tags";
import { requestMeta } from "../../../lib/request-meta";
import * as service from "../../../services/domain/comments";
import type { Comment } from "../../../services/domain/comments";
import type { Versioned } from "../../../services/domain/resource-types";
import { listDeletedComments as listDeleted } from "../../../services/domain/trash-lists";
import { domainDeps, listCursors, tagged } from "./domain.context";
import { currentWorkspace, workspaceDeps } from "./workspaces.context";
import type {
  AddCommentRoute,
  DeleteCommentRoute,
  GetCommentRoute,
  ListCommentsRoute,
  ListDeletedCommentsRoute,
  RestoreCommentRoute,
  UpdateCommentRoute,
} from "./comments.routes";

export const listComments: AppRouteHandler<ListCommentsRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  const page = await service.listComments(c.var.services.db, currentWorkspace(c), c.req.valid("param").taskId, { cursor, limit });
  return c.json({ comments: page.items.map(toResponse), nextCursor: page.nextCursor }, 200);
};

export const addComment: AppRouteHandler<AddCommentRoute> = async (c) => {
  const comment = await service.addComment(workspaceDeps(c), currentWorkspace(c), c.req.valid("param").taskId, c.req.valid("json").body, requestMeta(c));
  return c.json(tagged(c, versionedResponse(comment)), 201);
};

export const listDeletedComments: AppRouteHandler<ListDeletedCommentsRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  return c.json(await listDeleted(domainDeps(c), currentWorkspace(c), { cursor, limit }, await listCursors(c)), 200);
};

export const getComment: AppRouteHandler<GetCommentRoute> = async (c) => {
  const { taskId, commentId } = c.req.valid("param");
  return c.json(tagged(c, versionedResponse(await service.getComment(c.var.services.db, currentWorkspace(c), taskId, commentId))), 200);
};

export const updateComment: AppRouteHandler<UpdateCommentRoute> = async (c) => {
  const { taskId, commentId } = c.req.valid("param");
  const expected = ifMatchVersions(c.req.valid("header")["if-match"], commentId);
  const comment = await service.updateComment(workspaceDeps(c), currentWorkspace(c), taskId, commentId, c.req.valid("json").body, expected, requestMeta(c));
  return c.json(tagged(c, versionedResponse(comment)), 200);
};

export const deleteComment: AppRouteHandler<DeleteCommentRoute> = async (c) => {
  const { taskId, commentId } = c.req.valid("param");
  await service.deleteComment(workspaceDeps(c), currentWorkspace(c), taskId, commentId, ifMatchVersions(c.req.valid("header")["if-match"], commentId), requestMeta(c));
  return c.body(null, 204);
};

export const restoreComment: AppRouteHandler<RestoreCommentRoute> = async (c) => {
  const { taskId, commentId } = c.req.valid("param");
  const expected = ifMatchVersions(c.req.valid("header")["if-match"], commentId);
  const comment = await service.restoreComment(workspaceDeps(c), currentWorkspace(c), taskId, commentId, expected, requestMeta(c));
  return c.json(tagged(c, versionedResponse(comment)), 200);
};

function versionedResponse(comment: Versioned<Comment>): Versioned<ReturnType<typeof toResponse>> {
  return { value: toResponse(comment.value), version: comment.version };
}

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
