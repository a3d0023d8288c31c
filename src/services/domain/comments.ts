import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { cursorTime, decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError, invalidField } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, isoTime } from "../workspaces/sql";
import type { Page, WorkspaceDeps } from "../workspaces/workspaces";
import { changeRecordsFrom } from "./changes";
import { jsonOf } from "./json-of";
import { liveTask, requireTaskId } from "./live-task";
import type { Versioned } from "./resource-types";
import { isStale, nextUpdatedAt, versionOf, type ExpectedVersions } from "./versions";

/** The longest comment, in characters (the table's check says the same). */
export const MAX_COMMENT_LENGTH = 10_000;
/** Live comments one task may have; a discussion longer than this belongs somewhere else. */
export const MAX_COMMENTS_PER_TASK = 5_000;

export interface Comment {
  id: string;
  taskId: string;
  body: string;
  /** A user or API key id. */
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A comment as its audit rows, events and lists of deleted ones show it: times in ISO 8601. */
export type CommentJson = Omit<Comment, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };

const COLUMNS = { id: "id", taskId: "task_id", body: "body", createdBy: "created_by", updatedBy: "updated_by" };
const TIMES = { createdAt: "created_at", updatedAt: "updated_at" };
/** A comment of clause `alias` as the API shows it, for audit rows and events (inbound webhooks write them too). */
export const commentJson = (alias: string) => jsonOf(alias, COLUMNS, TIMES);
/** A comment's columns as `Comment` reads them from a raw row, with its version. */
const returning = (alias: string): SQL => {
  const a = sql.identifier(alias);
  return sql`${a}.id, ${a}.task_id, ${a}.body, ${a}.created_by, ${a}.updated_by, ${isoTime(sql`${a}.created_at`)} as created_at, ${isoTime(sql`${a}.updated_at`)} as updated_at, ${versionOf(alias)} as version`;
};

interface CommentRow {
  id: string;
  task_id: string;
  body: string;
  created_by: string;
  updated_by: string;
  created_at: string;
  updated_at: string;
  version: string;
}

function toComment(row: CommentRow): Versioned<Comment> {
  const value = {
    id: row.id,
    taskId: row.task_id,
    body: row.body,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
  return { value, version: row.version };
}

/**
 * Who may delete or restore a comment besides its author: the workspace's owners and admins, who
 * moderate it. Editing stays with the author alone: nobody puts words in someone else's mouth.
 */
export function moderates(access: WorkspaceAccess): boolean {
  return access.role !== null && "builtIn" in access.role && (access.role.builtIn === "owner" || access.role.builtIn === "admin");
}

/** Locks task `taskId`'s row until the batch ends, so comments added at the same instant count each other. */
function lockTask(db: Database, access: WorkspaceAccess, taskId: string) {
  return db.http.execute(sql`select id from tasks where id = ${taskId} and workspace_id = ${access.workspaceId} for no key update`);
}

/**
 * Adds a comment to live task `taskId` of the workspace, with its audit row and `comment.added`
 * event: one round trip (a batch: the task's row locked, then one statement). 404 for a task that is
 * not live in the workspace, 409 QUOTA_EXCEEDED past MAX_COMMENTS_PER_TASK.
 */
export async function addComment(deps: WorkspaceDeps, access: WorkspaceAccess, taskId: string, body: string, meta: RequestMeta): Promise<Versioned<Comment>> {
  requireTaskId(taskId);
  const now = new Date(deps.clock());
  const id = newId("comment");
  const actor = access.actor.id;
  const [, result] = await deps.db.http.batch([
    lockTask(deps.db, access, taskId),
    deps.db.http.execute(sql`
      with ${liveTask(access, taskId)},
      counted as (select count(*)::int as count from comments where task_id = ${taskId} and deleted_at is null),
      added as (
        insert into comments (id, workspace_id, task_id, body, created_by, updated_by, created_at, updated_at)
        select ${id}, ${access.workspaceId}, task.id, ${body}, ${actor}, ${actor}, ${at(now)}, ${at(now)}
        from task, counted where counted.count < ${MAX_COMMENTS_PER_TASK}
        returning *
      ),
      ${changeRecordsFrom("added", { action: "comment.added", access, subjectType: "comment", subjectId: sql`id`, before: sql`null::jsonb`, after: commentJson("added") }, meta, now)}
      select task.id as task, counted.count, ${returning("added")} from task cross join counted left join added on true`),
  ]);
  const row = result.rows[0] as (CommentRow & { task: string; count: number }) | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (!row.id) throw new ApiError("QUOTA_EXCEEDED", { detail: "commentLimit", params: { limit: MAX_COMMENTS_PER_TASK } });
  return toComment(row);
}

/**
 * A page of live task `taskId`'s comments, oldest first: one round trip, served by
 * `comments_task_created_idx` from the cursor on. 404 for a task that is not live in the workspace.
 * Comments added meanwhile are newer than any page read, so paging on never skips or repeats one.
 */
export async function listComments(db: Database, access: WorkspaceAccess, taskId: string, page: { cursor?: string; limit: number }): Promise<Page<Comment>> {
  requireTaskId(taskId);
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, "comment");
  if (page.cursor !== undefined && !cursor) throw invalidField("cursor", "is not a cursor of this list");
  const after = cursor ? sql`and (c.created_at, c.id) > (${cursor.at}::timestamptz, ${cursor.id})` : sql``;
  const result = await db.http.execute(sql`
    with ${liveTask(access, taskId)}
    select task.id as task, page.* from task left join lateral (
      select ${returning("c")}, ${cursorTime(sql`c.created_at`)} as position from comments c
      where c.task_id = task.id and c.deleted_at is null ${after}
      order by c.created_at, c.id limit ${page.limit + 1}
    ) page on true`);
  const rows = result.rows as unknown as Array<CommentRow & { task: string; position: string }>;
  if (rows.length === 0) throw new ApiError("NOT_FOUND");
  const found = rows.filter((row) => row.id !== null);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map((row) => toComment(row).value), nextCursor: found.length > page.limit && last ? encodeCursor({ at: last.position, id: last.id }) : null };
}

/**
 * Live comment `commentId` of live task `taskId` in the workspace, with its version: one round trip;
 * 404 when it is not there.
 */
export async function getComment(db: Database, access: WorkspaceAccess, taskId: string, commentId: string): Promise<Versioned<Comment>> {
  requireTaskId(taskId);
  if (!isId("comment", commentId)) throw new ApiError("NOT_FOUND");
  const result = await db.http.execute(sql`
    with ${liveTask(access, taskId)}
    select ${returning("c")} from comments c join task on task.id = c.task_id
    where c.id = ${commentId} and c.workspace_id = ${access.workspaceId} and c.deleted_at is null`);
  const row = result.rows[0] as CommentRow | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return toComment(row);
}

/**
 * Changes the body of a live comment, with its audit row and `comment.updated` event (before and
 * after): one round trip. Only its author may (403 for anyone else); 404 for a comment that is not
 * live on a live task of the workspace; 412 when it is no longer at a version `expected` names.
 */
export async function updateComment(deps: WorkspaceDeps, access: WorkspaceAccess, taskId: string, commentId: string, body: string, expected: ExpectedVersions, meta: RequestMeta): Promise<Versioned<Comment>> {
  return changeComment(deps, access, taskId, commentId, expected, meta, {
    action: "comment.updated",
    live: true,
    allowed: sql`old.created_by = ${access.actor.id}`,
    set: sql`body = ${body}, updated_by = ${access.actor.id}`,
  });
}

/**
 * Deletes a live comment (softly: it can be restored), with its audit row and `comment.deleted`
 * event: one round trip. Its author, and the workspace's owners and admins, may; others get 403.
 */
export async function deleteComment(deps: WorkspaceDeps, access: WorkspaceAccess, taskId: string, commentId: string, expected: ExpectedVersions, meta: RequestMeta): Promise<void> {
  const now = at(new Date(deps.clock()));
  await changeComment(deps, access, taskId, commentId, expected, meta, {
    action: "comment.deleted",
    live: true,
    allowed: moderates(access) ? sql`true` : sql`old.created_by = ${access.actor.id}`,
    set: sql`deleted_at = ${now}, updated_by = ${access.actor.id}`,
  });
}

/**
 * Brings a deleted comment back, with its audit row and `comment.restored` event: one round trip.
 * The same people as for deleting may; a task at MAX_COMMENTS_PER_TASK live comments is 409.
 */
export async function restoreComment(deps: WorkspaceDeps, access: WorkspaceAccess, taskId: string, commentId: string, expected: ExpectedVersions, meta: RequestMeta): Promise<Versioned<Comment>> {
  return changeComment(deps, access, taskId, commentId, expected, meta, {
    action: "comment.restored",
    live: false,
    allowed: moderates(access) ? sql`true` : sql`old.created_by = ${access.actor.id}`,
    set: sql`deleted_at = null, updated_by = ${access.actor.id}`,
    full: sql`(select count(*) from comments where task_id = ${taskId} and deleted_at is null) >= ${MAX_COMMENTS_PER_TASK}`,
  });
}

interface CommentChange {
  action: "comment.updated" | "comment.deleted" | "comment.restored";
  /** Whether the comment must be live (edit, delete) or deleted (restore). */
  live: boolean;
  /** Whether the actor may make the change, over the comment's columns as `old`. */
  allowed: SQL;
  /** The columns changed; `updated_at` moves on by itself. */
  set: SQL;
  /** Whether the task has no room for the comment (restore). */
  full?: SQL;
}

/**
 * One conditional change to one comment of a live task, audited: the comment read and locked (`for
 * update`: the verdict sees the latest committed version, so of two writes sent with the same ETag
 * exactly one wins), the verdict (`forbidden`, `stale`, `full` or `ok`), the update and its records
 * in one statement, so a refused change records nothing.
 */
async function changeComment(deps: WorkspaceDeps, access: WorkspaceAccess, taskId: string, commentId: string, expected: ExpectedVersions, meta: RequestMeta, change: CommentChange): Promise<Versioned<Comment>> {
  requireTaskId(taskId);
  if (!isId("comment", commentId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const state = change.live ? sql`c.deleted_at is null` : sql`c.deleted_at is not null`;
  const result = await deps.db.http.execute(sql`
    with ${liveTask(access, taskId)},
    old as (select c.* from comments c join task on task.id = c.task_id where c.id = ${commentId} and c.workspace_id = ${access.workspaceId} and ${state} for update of c),
    verdict as (
      select old.id, case when not (${change.allowed}) then 'forbidden' when ${isStale("old", expected)} then 'stale' when ${change.full ?? sql`false`} then 'full' else 'ok' end as outcome
      from old
    ),
    changed as (
      update comments c set ${change.set}, updated_at = ${nextUpdatedAt("c", now)} from verdict
      where verdict.outcome = 'ok' and c.id = verdict.id and ${state} and not ${isStale("c", expected)}
      returning c.*
    ),
    records as (select changed.id, ${commentJson("old")} as before, ${commentJson("changed")} as after from changed, old),
    ${changeRecordsFrom("records", { action: change.action, access, subjectType: "comment", subjectId: sql`id`, before: sql`before`, after: change.action === "comment.deleted" ? sql`null::jsonb` : sql`after` }, meta, now)}
    select verdict.outcome, ${returning("changed")} from verdict left join changed on true`);
  const row = result.rows[0] as (CommentRow & { outcome: "forbidden" | "stale" | "full" | "ok" }) | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (row.outcome === "forbidden") throw new ApiError("FORBIDDEN", { detail: change.action === "comment.updated" ? "commentAuthorOnly" : "commentAuthorOrModerator" });
  if (row.outcome === "stale") throw new ApiError("PRECONDITION_FAILED", { detail: "versionMismatch", params: { resource: "comment" } });
  if (row.outcome === "full") throw new ApiError("QUOTA_EXCEEDED", { detail: "commentLimit", params: { limit: MAX_COMMENTS_PER_TASK } });
  // Changed meanwhile by a request that won the race: as if it had come first.
  if (!row.id) throw new ApiError("NOT_FOUND");
  return toComment(row);
}
