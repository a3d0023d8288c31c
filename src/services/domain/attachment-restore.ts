import { sql } from "drizzle-orm";
import { ApiError } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { lockWorkspace } from "../workspaces/sql";
import { WORKSPACE_QUOTA_BYTES } from "./attachment-upload";
import { attachmentColumns, attachmentJson, stale, toAttachment, type Attachment, type AttachmentDeps, type AttachmentRow } from "./attachments";
import { changeRecordsFrom } from "./changes";
import { moderates } from "./comments";
import { liveTask, requireTaskId } from "./live-task";
import type { Versioned } from "./resource-types";
import { isStale, nextUpdatedAt, type ExpectedVersions } from "./versions";

/**
 * Brings a deleted attachment of live task `taskId` back, with its audit row and `attachment.restored`
 * event: one round trip (a batch that locks the workspace's row first, as uploads do, so a restore and
 * an upload at the same instant count each other). Who uploaded it, and the workspace's owners and
 * admins, may (403 for others, as for comments). The workspace's quota is checked again: the file
 * counts once more (409 QUOTA_EXCEEDED). 404 for a task that is not live (restore the task, which
 * brings back the attachments deleted with it), and for an attachment whose file was purged: it is
 * gone for good, and the list of deleted attachments no longer shows it. 412 when it is no longer at
 * a version `expected` names.
 */
export async function restoreAttachment(deps: AttachmentDeps, access: WorkspaceAccess, taskId: string, attachmentId: string, expected: ExpectedVersions, meta: RequestMeta): Promise<Versioned<Attachment>> {
  requireTaskId(taskId);
  if (!isId("attachment", attachmentId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const { workspaceId, actor } = access;
  const allowed = moderates(access) ? sql`true` : sql`old.created_by = ${actor.id}`;
  const [, result] = await deps.db.http.batch([
    lockWorkspace(deps.db, workspaceId),
    deps.db.http.execute(sql`
      with ${liveTask(access, taskId)},
      old as (
        select a.* from attachments a join task on task.id = a.task_id
        where a.id = ${attachmentId} and a.workspace_id = ${workspaceId} and a.deleted_at is not null and a.status = 'ready' and a.purged_at is null
        for update of a
      ),
      used as (select coalesce(sum(size), 0) as bytes from attachments where workspace_id = ${workspaceId} and purged_at is null and id <> ${attachmentId}),
      verdict as (
        select old.id, case when not (${allowed}) then 'forbidden' when ${isStale("old", expected)} then 'stale'
          when used.bytes + old.size > ${WORKSPACE_QUOTA_BYTES} then 'full' else 'ok' end as outcome
        from old, used
      ),
      restored as (
        update attachments a set deleted_at = null, updated_at = ${nextUpdatedAt("a", now)}, updated_by = ${actor.id}
        from verdict where verdict.outcome = 'ok' and a.id = verdict.id and a.deleted_at is not null and a.purged_at is null
        returning a.*
      ),
      records as (select restored.id, ${attachmentJson("old")} as before, ${attachmentJson("restored")} as after from restored, old),
      ${changeRecordsFrom("records", { action: "attachment.restored", access, subjectType: "attachment", subjectId: sql`id`, before: sql`before`, after: sql`after` }, meta, now)}
      select verdict.outcome, ${attachmentColumns("restored")} from verdict left join restored on true`),
  ]);
  const row = result.rows[0] as (AttachmentRow & { outcome: "forbidden" | "stale" | "full" | "ok" }) | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (row.outcome === "forbidden") throw new ApiError("FORBIDDEN", { detail: "attachmentUploaderOrModerator" });
  if (row.outcome === "stale") throw stale();
  if (row.outcome === "full") throw new ApiError("QUOTA_EXCEEDED", { detail: "attachmentQuota", params: { limit: WORKSPACE_QUOTA_BYTES } });
  // Purged or restored meanwhile by a request that won the race: as if it had come first.
  if (!row.id) throw new ApiError("NOT_FOUND");
  return toAttachment(row);
}

