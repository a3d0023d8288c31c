import { z } from "@hono/zod-openapi";
import { CursorParam, limitParam } from "../../../lib/cursor";
import { ATTACHMENT_TYPES } from "../../../lib/file-types";
import { problemResponse } from "../../../lib/openapi";
import { SignedCursorParam } from "../../../lib/signed-cursor";
import { WorkspaceParams, workspaceRoute } from "../../../lib/workspace-route";
import { LINK_TTL_SECONDS } from "../../../services/domain/attachments";
import { MAX_ATTACHMENT_BYTES, WORKSPACE_QUOTA_BYTES } from "../../../services/domain/attachment-upload";
import { TaskParams } from "./comments.routes";
import { IfMatchHeaders, inWorkspace, pageSchema, preconditionFailed, versioned } from "./domain.schemas";

const AttachmentSchema = z
  .object({
    id: z.string(),
    taskId: z.string(),
    fileName: z.string(),
    contentType: z.enum(ATTACHMENT_TYPES).openapi({ description: "The type the file's first bytes proved." }),
    size: z.number().int().openapi({ description: "In bytes." }),
    sha256: z.string().nullable().openapi({ description: "The file's SHA-256 in base64, as `Repr-Digest: sha-256=:…:` (RFC 9530) would carry it." }),
    createdBy: z.string().openapi({ description: "The user or API key that uploaded it." }),
    createdAt: z.iso.datetime(),
  })
  .openapi("Attachment");

const DeletedAttachmentSchema = AttachmentSchema.extend({ deletedAt: z.iso.datetime() }).openapi("DeletedAttachment");

const AttachmentListSchema = z
  .object({
    attachments: z.array(AttachmentSchema).openapi({ description: "Oldest first." }),
    nextCursor: z.string().nullable().openapi({ description: "Pass it as `cursor` for the next page; null on the last one." }),
  })
  .openapi("AttachmentList");

const AttachmentLinkSchema = z
  .object({
    url: z.url().openapi({ description: "Downloads the file, without credentials, until `expiresAt`." }),
    expiresAt: z.iso.datetime(),
  })
  .openapi("AttachmentLink");

const AttachmentParams = TaskParams.extend({ attachmentId: z.string().max(64).openapi({ param: { name: "attachmentId", in: "path" } }) });

const UploadQuery = z
  .object({ name: z.string().min(1).max(1024).openapi({ param: { name: "name", in: "query" }, description: "The file's name; its last path segment is kept, cleaned, at most 255 characters.", example: "screenshot.png" }) })
  .strict();

const UploadHeaders = z.object({
  "content-type": z.string().max(200).openapi({ param: { name: "content-type", in: "header" }, description: `One of ${ATTACHMENT_TYPES.join(", ")}; the file's first bytes must prove it.` }),
  "content-length": z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: "content-length", in: "header" }, type: "integer", description: `Required (no chunked uploads); at most ${MAX_ATTACHMENT_BYTES}.` }),
});

const binary = z.string().openapi({ format: "binary" });

const tags = ["Attachments"];
const attachment = (description: string) => versioned(description, AttachmentSchema);
const inTask = {
  401: problemResponse("No valid access token or API key."),
  403: problemResponse("The caller lacks the permission."),
  404: problemResponse("No such workspace among the caller's, no such live task in it, or no such attachment on it."),
};

export const listAttachments = workspaceRoute("attachment:read", {
  method: "get",
  path: "/{workspaceId}/tasks/{taskId}/attachments",
  tags,
  summary: "A task's attachments, oldest first.",
  request: { params: TaskParams, query: z.object({ cursor: CursorParam, limit: limitParam(50, 100) }).strict() },
  responses: {
    200: { description: "A page of them.", content: { "application/json": { schema: AttachmentListSchema } } },
    400: problemResponse("The cursor or the limit is invalid."),
    ...inTask,
  },
});

export const listDeletedAttachments = workspaceRoute("trash:read", {
  method: "get",
  path: "/{workspaceId}/attachments/deleted",
  tags,
  summary: "Deleted attachments of the workspace that can still be restored, most recently deleted first (owners and admins).",
  description: "An attachment's file is purged a day after it was deleted; from then on it is no longer listed, nor can it be restored.",
  request: { params: WorkspaceParams, query: z.object({ cursor: SignedCursorParam, limit: limitParam(50, 100) }).strict() },
  responses: {
    200: { description: "A page.", content: { "application/json": { schema: pageSchema("DeletedAttachmentPage", DeletedAttachmentSchema) } } },
    400: problemResponse("The cursor or the limit is invalid."),
    ...inWorkspace("trash:read", "attachment"),
  },
});

export const uploadAttachment = workspaceRoute("attachment:write", {
  method: "post",
  path: "/{workspaceId}/tasks/{taskId}/attachments",
  tags,
  summary: "Attach a file to a task: the file itself is the body.",
  description: `The body is the raw file, at most ${MAX_ATTACHMENT_BYTES} bytes, streamed to storage. A workspace's files may take ${WORKSPACE_QUOTA_BYTES} bytes together.`,
  request: {
    params: TaskParams,
    query: UploadQuery,
    headers: UploadHeaders,
    body: { required: true, content: Object.fromEntries(ATTACHMENT_TYPES.map((type) => [type, { schema: binary }])) },
  },
  responses: {
    201: attachment("Stored."),
    400: problemResponse("The name or a header is invalid, or the body was not as long as Content-Length said."),
    ...inTask,
    409: problemResponse("QUOTA_EXCEEDED: the file would take the workspace past its quota."),
    413: problemResponse(`The file is larger than ${MAX_ATTACHMENT_BYTES} bytes.`),
    415: problemResponse("The type is not allowed, or the file's first bytes do not prove it (HTML or SVG sent as an image, say)."),
  },
});

export const getAttachment = workspaceRoute("attachment:read", {
  method: "get",
  path: "/{workspaceId}/tasks/{taskId}/attachments/{attachmentId}",
  tags,
  summary: "An attachment's metadata.",
  request: { params: AttachmentParams },
  responses: { 200: attachment("The attachment."), ...inTask },
});

/** The answer is a signed link, a bearer credential: never stored for a replay, so `Idempotency-Key` is not honoured. */
const SIGNED_LINK = { idempotency: false };

export const attachmentLink = workspaceRoute(
  "attachment:read",
  {
    method: "post",
    path: "/{workspaceId}/tasks/{taskId}/attachments/{attachmentId}/url",
    tags,
    summary: `A download link for an attachment, valid ${LINK_TTL_SECONDS} seconds.`,
    request: { params: AttachmentParams },
    responses: { 200: { description: "The link.", content: { "application/json": { schema: AttachmentLinkSchema } } }, ...inTask },
  },
  SIGNED_LINK,
);

export const deleteAttachment = workspaceRoute("attachment:write", {
  method: "delete",
  path: "/{workspaceId}/tasks/{taskId}/attachments/{attachmentId}",
  tags,
  summary: "Delete an attachment; it can be restored until its file is purged, a day later.",
  request: { params: AttachmentParams, headers: IfMatchHeaders },
  responses: { 204: { description: "Deleted." }, ...inTask, ...preconditionFailed },
});

export const restoreAttachment = workspaceRoute("attachment:write", {
  method: "post",
  path: "/{workspaceId}/tasks/{taskId}/attachments/{attachmentId}/restore",
  tags,
  summary: "Bring a deleted attachment back; who uploaded it, owners and admins may.",
  description: "Refused while the task is deleted (restore the task: its attachments come back with it) and once the file is purged, a day after the deletion: both are a 404.",
  request: { params: AttachmentParams, headers: IfMatchHeaders },
  responses: {
    200: attachment("Restored."),
    ...inTask,
    403: problemResponse("The caller lacks attachment:write, or neither uploaded the file nor is an owner or admin."),
    404: problemResponse("No such workspace among the caller's, no such live task in it, or no such deleted attachment on it whose file is still kept."),
    409: problemResponse("QUOTA_EXCEEDED: the file would take the workspace past its quota again."),
    ...preconditionFailed,
  },
});

export type ListAttachmentsRoute = typeof listAttachments;
export type ListDeletedAttachmentsRoute = typeof listDeletedAttachments;
export type RestoreAttachmentRoute = typeof restoreAttachment;
export type UploadAttachmentRoute = typeof uploadAttachment;
export type GetAttachmentRoute = typeof getAttachment;
export type AttachmentLinkRoute = typeof attachmentLink;
export type DeleteAttachmentRoute = typeof deleteAttachment;
