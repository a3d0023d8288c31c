import { sql } from "drizzle-orm";
import { UploadLengthError } from "../../lib/attachment-store";
import { ApiError } from "../../lib/errors";
import { ATTACHMENT_TYPES, claimedType, provenType, SNIFF_BYTES } from "../../lib/file-types";
import { readPrefix } from "../../lib/http/body-prefix";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, lockWorkspace } from "../workspaces/sql";
import { attachmentColumns, attachmentJson, toAttachment, type Attachment, type AttachmentDeps, type AttachmentRow } from "./attachments";
import { changeRecordsFrom } from "./changes";
import { liveTask, requireTaskId } from "./live-task";
import type { Versioned } from "./resource-types";

/** The largest file, in bytes: 10 MiB. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** What one workspace's attachments may take together, in bytes: 1 GiB, counted until purged. */
export const WORKSPACE_QUOTA_BYTES = 1024 * 1024 * 1024;

export interface Upload {
  /** The cleaned file name (see cleanFileName). */
  fileName: string;
  /** The client's Content-Type. */
  contentType: string;
  /** The client's Content-Length. */
  length: number;
  body: ReadableStream<Uint8Array>;
}

/**
 * Stores a file on live task `taskId`: the length (413 past MAX_ATTACHMENT_BYTES) and the type (415
 * unless the first bytes prove the claimed type, one of ATTACHMENT_TYPES) are checked before anything
 * is written; then a `pending` row is written against the workspace's quota (409 QUOTA_EXCEEDED), the
 * body streams to R2 under a key of the server's making, and the row turns `ready` with its audit row
 * and `attachment.added` event. An upload that fails half-way leaves its pending row for the purge job.
 * Two database round trips and one R2 write.
 */
export async function uploadAttachment(deps: AttachmentDeps, access: WorkspaceAccess, taskId: string, upload: Upload, meta: RequestMeta): Promise<Versioned<Attachment>> {
  requireTaskId(taskId);
  if (upload.length > MAX_ATTACHMENT_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", { detail: "attachmentTooLarge", params: { limit: MAX_ATTACHMENT_BYTES } });
  const claimed = claimedType(upload.contentType);
  if (!claimed) throw unsupportedType();
  const { bytes, complete, body } = await readPrefix(upload.body, SNIFF_BYTES - 1);
  if (provenType(bytes.subarray(0, SNIFF_BYTES), complete && bytes.byteLength <= SNIFF_BYTES) !== claimed) {
    await body.cancel();
    throw unsupportedType();
  }

  const id = newId("attachment");
  const objectKey = `${access.workspaceId}/${id}`;
  let created: boolean;
  try {
    created = await insertPending(deps, access, taskId, { id, objectKey, fileName: upload.fileName, contentType: claimed, size: upload.length });
  } catch (error) {
    await body.cancel();
    throw error;
  }
  if (!created) await body.cancel();
  if (!created) throw new ApiError("QUOTA_EXCEEDED", { detail: "attachmentQuota", params: { limit: WORKSPACE_QUOTA_BYTES } });

  let sha256: string;
  try {
    ({ sha256 } = await deps.store.put(objectKey, body, upload.length, claimed));
  } catch (error) {
    if (error instanceof UploadLengthError) throw new ApiError("BAD_REQUEST", { detail: "attachmentLength", cause: error });
    throw error;
  }
  const attachment = await markReady(deps, access, id, sha256, meta);
  if (!attachment) {
    // Purged while it streamed (abandoned, as the purge job saw it): the file must not outlive its row.
    await deps.store.delete([objectKey]);
    throw new ApiError("NOT_FOUND");
  }
  return attachment;
}

function unsupportedType(): ApiError {
  return new ApiError("UNSUPPORTED_MEDIA_TYPE", { detail: "attachmentType", params: { types: ATTACHMENT_TYPES } });
}

/**
 * The pending row, when task `taskId` is live in the workspace (404 otherwise) and the workspace's
 * attachments not yet purged leave room for it: one round trip, a batch that locks the workspace's
 * row first, so uploads at the same instant count each other. Whether it was written.
 */
async function insertPending(deps: AttachmentDeps, access: WorkspaceAccess, taskId: string, row: { id: string; objectKey: string; fileName: string; contentType: string; size: number }): Promise<boolean> {
  const now = at(new Date(deps.clock()));
  const actor = access.actor.id;
  const [, result] = await deps.db.http.batch([
    lockWorkspace(deps.db, access.workspaceId),
    deps.db.http.execute(sql`
      with ${liveTask(access, taskId)},
      used as (select coalesce(sum(size), 0) as bytes from attachments where workspace_id = ${access.workspaceId} and purged_at is null),
      added as (
        insert into attachments (id, workspace_id, task_id, object_key, file_name, content_type, size, status, created_by, updated_by, created_at, updated_at)
        select ${row.id}, ${access.workspaceId}, task.id, ${row.objectKey}, ${row.fileName}, ${row.contentType}, ${row.size}, 'pending', ${actor}, ${actor}, ${now}, ${now}
        from task, used where used.bytes + ${row.size} <= ${WORKSPACE_QUOTA_BYTES}
        returning id
      )
      select task.id as task, added.id from task left join added on true`),
  ]);
  const found = result.rows[0] as { task: string; id: string | null } | undefined;
  if (!found) throw new ApiError("NOT_FOUND");
  return found.id !== null;
}

/** Turns the pending row `id` ready, with its audit row and event: one round trip. Undefined when it was purged meanwhile. */
async function markReady(deps: AttachmentDeps, access: WorkspaceAccess, id: string, sha256: string, meta: RequestMeta): Promise<Versioned<Attachment> | undefined> {
  const now = new Date(deps.clock());
  const result = await deps.db.http.execute(sql`
    with ready as (
      update attachments set status = 'ready', sha256 = ${sha256}, updated_at = ${at(now)}
      where id = ${id} and status = 'pending' and purged_at is null
      returning *
    ),
    ${changeRecordsFrom("ready", { action: "attachment.added", access, subjectType: "attachment", subjectId: sql`id`, before: sql`null::jsonb`, after: attachmentJson("ready") }, meta, now)}
    select ${attachmentColumns("ready")} from ready`);
  const row = result.rows[0] as AttachmentRow | undefined;
  return row && toAttachment(row);
}
