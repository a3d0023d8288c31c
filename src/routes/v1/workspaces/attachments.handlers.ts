import { cleanFileName } from "../../../lib/content-disposition";
import type { AppRouteHandler } from "../../../lib/create-router";
import { invalidField } from "../../../lib/errors";
import { ifMatchVersions } from "../../../lib/http/version-tags";
import { requestMeta } from "../../../lib/request-meta";
import { restoreAttachment as restore } from "../../../services/domain/attachment-restore";
import * as service from "../../../services/domain/attachments";
import type { Attachment } from "../../../services/domain/attachments";
import { uploadAttachment as upload } from "../../../services/domain/attachment-upload";
import type { Versioned } from "../../../services/domain/resource-types";
import { listDeletedAttachments as listDeleted } from "../../../services/domain/trash-lists";
import { attachmentDeps } from "./attachments.context";
import { domainDeps, listCursors, tagged } from "./domain.context";
import { currentWorkspace } from "./workspaces.context";
import type {
  AttachmentLinkRoute,
  DeleteAttachmentRoute,
  GetAttachmentRoute,
  ListAttachmentsRoute,
  ListDeletedAttachmentsRoute,
  RestoreAttachmentRoute,
  UploadAttachmentRoute,
} from "./attachments.routes";

export const listAttachments: AppRouteHandler<ListAttachmentsRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  const page = await service.listAttachments(c.var.services.db, currentWorkspace(c), c.req.valid("param").taskId, { cursor, limit });
  return c.json({ attachments: page.items.map(toResponse), nextCursor: page.nextCursor }, 200);
};

export const uploadAttachment: AppRouteHandler<UploadAttachmentRoute> = async (c) => {
  const fileName = cleanFileName(c.req.valid("query").name);
  if (!fileName) throw invalidField("name", "must name a file");
  const headers = c.req.valid("header");
  const body = c.req.raw.body;
  if (!body) throw invalidField("content-length", "must match a body");
  const attachment = await upload(attachmentDeps(c), currentWorkspace(c), c.req.valid("param").taskId, { fileName, contentType: headers["content-type"], length: headers["content-length"], body }, requestMeta(c));
  return c.json(tagged(c, versionedResponse(attachment)), 201);
};

export const getAttachment: AppRouteHandler<GetAttachmentRoute> = async (c) => {
  const { taskId, attachmentId } = c.req.valid("param");
  return c.json(tagged(c, versionedResponse(await service.getAttachment(c.var.services.db, currentWorkspace(c), taskId, attachmentId))), 200);
};

export const attachmentLink: AppRouteHandler<AttachmentLinkRoute> = async (c) => {
  const { taskId, attachmentId } = c.req.valid("param");
  const link = await service.attachmentLink(attachmentDeps(c), currentWorkspace(c), taskId, attachmentId);
  return c.json({ url: new URL(link.path, c.req.url).href, expiresAt: link.expiresAt.toISOString() }, 200);
};

export const deleteAttachment: AppRouteHandler<DeleteAttachmentRoute> = async (c) => {
  const { taskId, attachmentId } = c.req.valid("param");
  await service.deleteAttachment(attachmentDeps(c), currentWorkspace(c), taskId, attachmentId, ifMatchVersions(c.req.valid("header")["if-match"], attachmentId), requestMeta(c));
  return c.body(null, 204);
};

export const listDeletedAttachments: AppRouteHandler<ListDeletedAttachmentsRoute> = async (c) => {
  const { cursor, limit } = c.req.valid("query");
  return c.json(await listDeleted(domainDeps(c), currentWorkspace(c), { cursor, limit }, await listCursors(c)), 200);
};

export const restoreAttachment: AppRouteHandler<RestoreAttachmentRoute> = async (c) => {
  const { taskId, attachmentId } = c.req.valid("param");
  const expected = ifMatchVersions(c.req.valid("header")["if-match"], attachmentId);
  const attachment = await restore(attachmentDeps(c), currentWorkspace(c), taskId, attachmentId, expected, requestMeta(c));
  return c.json(tagged(c, versionedResponse(attachment)), 200);
};

function versionedResponse(attachment: Versioned<Attachment>): Versioned<ReturnType<typeof toResponse>> {
  return { value: toResponse(attachment.value), version: attachment.version };
}

function toResponse(attachment: Attachment) {
  return {
    id: attachment.id,
    taskId: attachment.taskId,
    fileName: attachment.fileName,
    contentType: attachment.contentType,
    size: attachment.size,
    sha256: attachment.sha256,
    createdBy: attachment.createdBy,
    createdAt: attachment.createdAt.toISOString(),
  };
}
