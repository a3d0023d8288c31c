import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { AttachmentStore } from "../../lib/attachment-store";
import type { Clock } from "../../lib/clock";
import type { AttachmentType } from "../../lib/file-types";
import { cursorTime, decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError, invalidField } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import { signAttachmentLink } from "../../lib/signed-urls";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, isoTime } from "../workspaces/sql";
import type { Page } from "../workspaces/workspaces";
import { changeRecordsFrom } from "./changes";
import { jsonOf } from "./json-of";
import { liveTask, requireTaskId } from "./live-task";
import type { Versioned } from "./resource-types";
import { isStale, nextUpdatedAt, versionOf, type ExpectedVersions } from "./versions";

/** What the attachment services need: the database, the bucket, the clock and the links' key. */
export interface AttachmentDeps {
  db: Database;
  store: AttachmentStore;
  clock: Clock;
  /** ATTACHMENT_URL_SECRET. */
  linkSecret: string;
}

/** How long a download link works: long enough to click, short enough that a leaked one soon stops. */
export const LINK_TTL_SECONDS = 300;

export interface Attachment {
  id: string;
  taskId: string;
  fileName: string;
  /** The type the file's first bytes proved. */
  contentType: AttachmentType;
  size: number;
  sha256: string | null;
  /** A user or API key id. */
  createdBy: string;
  createdAt: Date;
}

export interface AttachmentRow {
  id: string;
  task_id: string;
  file_name: string;
  content_type: string;
  size: string | number;
  sha256: string | null;
  created_by: string;
  created_at: string;
  version: string;
}

/** An attachment as its audit rows, events and lists of deleted ones show it: its time in ISO 8601. */
export type AttachmentJson = Omit<Attachment, "createdAt"> & { createdAt: string };

/** An attachment of clause `alias` as the API shows it, for audit rows and events. */
export const attachmentJson = (alias: string) =>
  jsonOf(alias, { id: "id", taskId: "task_id", fileName: "file_name", contentType: "content_type", size: "size", sha256: "sha256", createdBy: "created_by" }, { createdAt: "created_at" });

/** An attachment's columns as `toAttachment` reads them from a raw row, with its version. */
export function attachmentColumns(alias: string): SQL {
  const a = sql.identifier(alias);
  return sql`${a}.id, ${a}.task_id, ${a}.file_name, ${a}.content_type, ${a}.size, ${a}.sha256, ${a}.created_by, ${isoTime(sql`${a}.created_at`)} as created_at, ${versionOf(alias)} as version`;
}

export function toAttachment(row: AttachmentRow): Versioned<Attachment> {
  return { value: attachmentOf(row), version: row.version };
}

function attachmentOf(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    taskId: row.task_id,
    fileName: row.file_name,
    contentType: row.content_type as AttachmentType,
    size: Number(row.size),
    sha256: row.sha256,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  };
}

/** Attachments a client sees: uploaded whole and not deleted. */
const SHOWN = sql`a.status = 'ready' and a.deleted_at is null`;

/**
 * A page of live task `taskId`'s attachments, oldest first: one round trip, served by
 * `attachments_task_created_idx`. 404 for a task that is not live in the workspace.
 */
export async function listAttachments(db: Database, access: WorkspaceAccess, taskId: string, page: { cursor?: string; limit: number }): Promise<Page<Attachment>> {
  requireTaskId(taskId);
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, "attachment");
  if (page.cursor !== undefined && !cursor) throw invalidField("cursor", "is not a cursor of this list");
  const after = cursor ? sql`and (a.created_at, a.id) > (${cursor.at}::timestamptz, ${cursor.id})` : sql``;
  const result = await db.http.execute(sql`
    with ${liveTask(access, taskId)}
    select task.id as task, page.* from task left join lateral (
      select ${attachmentColumns("a")}, ${cursorTime(sql`a.created_at`)} as position from attachments a
      where a.task_id = task.id and ${SHOWN} ${after}
      order by a.created_at, a.id limit ${page.limit + 1}
    ) page on true`);
  const rows = result.rows as unknown as Array<AttachmentRow & { position: string }>;
  if (rows.length === 0) throw new ApiError("NOT_FOUND");
  const found = rows.filter((row) => row.id !== null);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(attachmentOf), nextCursor: found.length > page.limit && last ? encodeCursor({ at: last.position, id: last.id }) : null };
}

/** Attachment `attachmentId` of live task `taskId` in the workspace, with its version: one round trip; 404 when not there. */
export async function getAttachment(db: Database, access: WorkspaceAccess, taskId: string, attachmentId: string): Promise<Versioned<Attachment>> {
  requireTaskId(taskId);
  if (!isId("attachment", attachmentId)) throw new ApiError("NOT_FOUND");
  const result = await db.http.execute(sql`
    with ${liveTask(access, taskId)}
    select ${attachmentColumns("a")} from attachments a join task on task.id = a.task_id
    where a.id = ${attachmentId} and a.workspace_id = ${access.workspaceId} and ${SHOWN}`);
  const row = result.rows[0] as AttachmentRow | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return toAttachment(row);
}

/**
 * A download link for an attachment (see src/lib/signed-urls.ts), valid LINK_TTL_SECONDS: one round
 * trip, to check that the attachment is there for the caller (404 otherwise).
 */
export async function attachmentLink(deps: AttachmentDeps, access: WorkspaceAccess, taskId: string, attachmentId: string): Promise<{ path: string; expiresAt: Date }> {
  const attachment = (await getAttachment(deps.db, access, taskId, attachmentId)).value;
  const expires = Math.floor(deps.clock() / 1000) + LINK_TTL_SECONDS;
  const sig = await signAttachmentLink(deps.linkSecret, attachment.id, expires);
  return { path: `/v1/attachments/${attachment.id}/content?expires=${expires}&sig=${sig}`, expiresAt: new Date(expires * 1000) };
}

/**
 * Deletes an attachment softly, with its audit row and `attachment.deleted` event: one round trip.
 * Its file stays in R2 until the purge job's grace period has passed (src/jobs/purge-attachments.ts),
 * and it can be restored until then. 412 when it is no longer at a version `expected` names.
 */
export async function deleteAttachment(deps: AttachmentDeps, access: WorkspaceAccess, taskId: string, attachmentId: string, expected: ExpectedVersions, meta: RequestMeta): Promise<void> {
  requireTaskId(taskId);
  if (!isId("attachment", attachmentId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const result = await deps.db.http.execute(sql`
    with ${liveTask(access, taskId)},
    old as (select a.* from attachments a join task on task.id = a.task_id where a.id = ${attachmentId} and a.workspace_id = ${access.workspaceId} and ${SHOWN} for update of a),
    verdict as (select old.id, ${isStale("old", expected)} as stale from old),
    deleted as (
      update attachments a set deleted_at = ${at(now)}, updated_at = ${nextUpdatedAt("a", now)}, updated_by = ${access.actor.id}
      from verdict where a.id = verdict.id and not verdict.stale and a.deleted_at is null
      returning a.id
    ),
    records as (select deleted.id, ${attachmentJson("old")} as before from deleted, old),
    ${changeRecordsFrom("records", { action: "attachment.deleted", access, subjectType: "attachment", subjectId: sql`id`, before: sql`before`, after: sql`null::jsonb` }, meta, now)}
    select verdict.stale, deleted.id from verdict left join deleted on true`);
  const row = result.rows[0] as { stale: boolean; id: string | null } | undefined;
  if (row?.stale) throw stale();
  if (!row?.id) throw new ApiError("NOT_FOUND");
}

export function stale(): ApiError {
  return new ApiError("PRECONDITION_FAILED", { detail: "versionMismatch", params: { resource: "attachment" } });
}

/**
 * The file behind a download link, once the link is verified: one round trip to find the attachment
 * (shown, on a live task of a live workspace) and one R2 read. Undefined when it is not there.
 */
export async function attachmentContent(deps: Pick<AttachmentDeps, "db" | "store">, attachmentId: string) {
  const result = await deps.db.http.execute(sql`
    select a.object_key, a.file_name, a.content_type from attachments a
    join tasks t on t.id = a.task_id and t.deleted_at is null
    join workspaces w on w.id = a.workspace_id and w.deleted_at is null
    where a.id = ${attachmentId} and ${SHOWN}`);
  const row = result.rows[0] as { object_key: string; file_name: string; content_type: string } | undefined;
  if (!row) return undefined;
  const file = await deps.store.get(row.object_key);
  return file && { ...file, fileName: row.file_name, contentType: row.content_type };
}
