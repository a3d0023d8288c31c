import { z } from "@hono/zod-openapi";
import { CursorParam, limitParam } from "../../../lib/cursor";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { SignedCursorParam } from "../../../lib/signed-cursor";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { MAX_COMMENT_LENGTH, MAX_COMMENTS_PER_TASK } from "../../../services/domain/comments";
import { IfMatchHeaders, inWorkspace, pageSchema, preconditionFailed, versioned } from "./domain.schemas";

const CommentSchema = z
  .object({
    id: z.string(),
    taskId: z.string(),
    body: z.string(),
    createdBy: z.string().openapi({ description: "The user or API key that wrote it." }),
    updatedBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Comment");

const DeletedCommentSchema = CommentSchema.extend({ deletedAt: z.iso.datetime() }).openapi("DeletedComment");

const CommentListSchema = z
  .object({
    comments: z.array(CommentSchema).openapi({ description: "Oldest first." }),
    nextCursor: z.string().nullable().openapi({ description: "Pass it as `cursor` for the next page; null on the last one." }),
  })
  .openapi("CommentList");

const body = z
  .string()
  .min(1)
  .max(MAX_COMMENT_LENGTH)
  .refine((text) => text.trim().length > 0, "must not be blank")
  .openapi({ description: `Plain text, at most ${MAX_COMMENT_LENGTH} characters, kept as written.`, example: "Reproduced on staging; the fix is in review." });

const CommentBodySchema = z.object({ body }).strict().openapi("CommentInput");

export const TaskParams = WorkspaceParams.extend({ taskId: z.string().max(64).openapi({ param: { name: "taskId", in: "path" } }) });
const CommentParams = TaskParams.extend({ commentId: z.string().max(64).openapi({ param: { name: "commentId", in: "path" } }) });

const CommentListQuery = z.object({ cursor: CursorParam, limit: limitParam(50, 100) }).strict();

const DeletedQuery = z.object({ cursor: SignedCursorParam, limit: limitParam(50, 100) }).strict();

const tags = ["Comments"];
const comment = (description: string) => versioned(description, CommentSchema);
const inTask = {
  401: problemResponse("No valid access token or API key."),
  403: problemResponse("The caller lacks the permission."),
  404: problemResponse("No such workspace among the caller's, no such live task in it, or no such comment on it."),
};

export const listComments = workspaceRoute("comment:read", {
  method: "get",
  path: "/{workspaceId}/tasks/{taskId}/comments",
  tags,
  summary: "A task's comments, oldest first.",
  request: { params: TaskParams, query: CommentListQuery },
  responses: {
    200: { description: "A page of them.", content: { "application/json": { schema: CommentListSchema } } },
    400: problemResponse("The cursor or the limit is invalid."),
    ...inTask,
  },
});

export const addComment = workspaceRoute("comment:write", {
  method: "post",
  path: "/{workspaceId}/tasks/{taskId}/comments",
  tags,
  summary: "Comment on a task.",
  request: { params: TaskParams, body: jsonBody(CommentBodySchema) },
  responses: {
    201: comment("Added."),
    400: problemResponse("The body is invalid."),
    ...inTask,
    409: problemResponse(`QUOTA_EXCEEDED: the task has ${MAX_COMMENTS_PER_TASK} comments already.`),
  },
});

export const listDeletedComments = workspaceRoute("trash:read", {
  method: "get",
  path: "/{workspaceId}/comments/deleted",
  tags,
  summary: "Deleted comments of the workspace, most recently deleted first (owners and admins).",
  request: { params: WorkspaceParams, query: DeletedQuery },
  responses: {
    200: { description: "A page.", content: { "application/json": { schema: pageSchema("DeletedCommentPage", DeletedCommentSchema) } } },
    400: problemResponse("The cursor or the limit is invalid."),
    ...inWorkspace("trash:read", "comment"),
  },
});

export const getComment = workspaceRoute("comment:read", {
  method: "get",
  path: "/{workspaceId}/tasks/{taskId}/comments/{commentId}",
  tags,
  summary: "A live comment, with its ETag.",
  request: { params: CommentParams },
  responses: { 200: comment("The comment."), ...inTask },
});

export const updateComment = workspaceRoute("comment:write", {
  method: "patch",
  path: "/{workspaceId}/tasks/{taskId}/comments/{commentId}",
  tags,
  summary: "Edit a comment; only its author may.",
  request: { params: CommentParams, headers: IfMatchHeaders, body: jsonBody(CommentBodySchema) },
  responses: {
    200: comment("Edited."),
    400: problemResponse("The body is invalid."),
    ...inTask,
    403: problemResponse("The caller lacks comment:write, or did not write the comment."),
    ...preconditionFailed,
  },
});

export const deleteComment = workspaceRoute("comment:write", {
  method: "delete",
  path: "/{workspaceId}/tasks/{taskId}/comments/{commentId}",
  tags,
  summary: "Delete a comment (it can be restored); its author, owners and admins may.",
  request: { params: CommentParams, headers: IfMatchHeaders },
  responses: {
    204: { description: "Deleted." },
    ...inTask,
    403: problemResponse("The caller lacks comment:write, or neither wrote the comment nor is an owner or admin."),
    ...preconditionFailed,
  },
});

export const restoreComment = workspaceRoute("comment:write", {
  method: "post",
  path: "/{workspaceId}/tasks/{taskId}/comments/{commentId}/restore",
  tags,
  summary: "Bring a deleted comment back; its author, owners and admins may.",
  request: { params: CommentParams, headers: IfMatchHeaders },
  responses: {
    200: comment("Restored."),
    ...inTask,
    403: problemResponse("The caller lacks comment:write, or neither wrote the comment nor is an owner or admin."),
    404: problemResponse("No such workspace among the caller's, no such live task in it, or no such deleted comment on it."),
    409: problemResponse(`QUOTA_EXCEEDED: the task has ${MAX_COMMENTS_PER_TASK} comments already.`),
    ...preconditionFailed,
  },
});

export type ListDeletedCommentsRoute = typeof listDeletedComments;
export type GetCommentRoute = typeof getComment;
export type ListCommentsRoute = typeof listComments;
export type AddCommentRoute = typeof addComment;
export type UpdateCommentRoute = typeof updateComment;
export type DeleteCommentRoute = typeof deleteComment;
export type RestoreCommentRoute = typeof restoreComment;
