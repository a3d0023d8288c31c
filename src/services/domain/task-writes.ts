import { sql, type SQL } from "drizzle-orm";
import { ApiError } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, textArray } from "../workspaces/sql";
import type { DomainAction } from "./actions";
import { changeRecordsFrom } from "./changes";
import { dependentsDeleted, dependentsRestored } from "./dependents";
import type { DomainDeps } from "./domain-deps";
import { forgetTasks } from "./resource-cache";
import { taskJson } from "./resource-json";
import type { Task, Versioned } from "./resource-types";
import { failUnless, isMember, notMember, priorityIndex, type TaskFields } from "./tasks";
import { isStale, nextUpdatedAt, versionOf, type ExpectedVersions } from "./versions";

export type TaskChanges = Partial<TaskFields>;

/**
 * Changes a live task (see `writeTask`). A new assignee must be a member of the workspace (400),
 * checked in the same statement. Changing nothing it holds already writes nothing.
 */
export function updateTask(deps: DomainDeps, access: WorkspaceAccess, taskId: string, changes: TaskChanges, expected: ExpectedVersions, meta: RequestMeta) {
  return writeTask(deps, access, taskId, expected, meta, taskUpdate(access, changes));
}

/** The write that applies `changes`. */
export function taskUpdate(access: WorkspaceAccess, changes: TaskChanges): TaskWrite {
  const sets: SQL[] = [];
  const same: SQL[] = [];
  const column = (name: string, value: SQL) => {
    sets.push(sql`${sql.identifier(name)} = ${value}`);
    same.push(sql`old.${sql.identifier(name)} is not distinct from ${value}`);
  };
  if (changes.title !== undefined) column("title", sql`${changes.title}`);
  if (changes.description !== undefined) column("description", sql`${changes.description}::text`);
  if (changes.status !== undefined) column("status", sql`${changes.status}::text`);
  if (changes.priority !== undefined) column("priority", sql`${priorityIndex(changes.priority)}::smallint`);
  if (changes.assigneeId !== undefined) column("assignee_id", sql`${changes.assigneeId}::text`);
  if (changes.labels !== undefined) column("labels", textArray(changes.labels));
  if (changes.dueDate !== undefined) column("due_date", sql`${changes.dueDate}::date`);
  if (changes.position !== undefined) column("position", sql`${changes.position}::float8`);
  const assignee = changes.assigneeId ?? null;
  return {
    action: "task.updated",
    rows: "live",
    set: sql.join(sets, sql`, `),
    refuse: sql`when not ${isMember(access.workspaceId, assignee)} then 'not_member'`,
    unchanged: sql.join(same, sql` and `),
  };
}

/** Deletes a task softly, with its comments and attachments in the same statement. */
export async function deleteTask(deps: DomainDeps, access: WorkspaceAccess, taskId: string, expected: ExpectedVersions, meta: RequestMeta): Promise<void> {
  await writeTask(deps, access, taskId, expected, meta, taskDeletion(access, new Date(deps.clock())));
}

/** The write that deletes a task at `now`, with its comments and attachments. */
export function taskDeletion(access: WorkspaceAccess, now: Date): TaskWrite {
  return { action: "task.deleted", rows: "live", set: sql`deleted_at = ${at(now)}`, cascade: dependentsDeleted(access.workspaceId, "changed", now), now };
}

/**
 * Restores a deleted task with the comments and attachments deleted with it; refused (409) while its
 * project is deleted (restore the project, which brings back the tasks deleted with it).
 */
export function restoreTask(deps: DomainDeps, access: WorkspaceAccess, taskId: string, expected: ExpectedVersions, meta: RequestMeta) {
  const now = new Date(deps.clock());
  return writeTask(deps, access, taskId, expected, meta, {
    action: "task.restored",
    rows: "deleted",
    set: sql`deleted_at = null`,
    refuse: sql`when old.project_deleted then 'project_deleted'`,
    cascade: dependentsRestored(access.workspaceId, "changed", sql`(select deleted_at from verdict)`, now),
    now,
  });
}

export interface TaskWrite {
  action: DomainAction;
  rows: "live" | "deleted";
  set: SQL;
  /** `when … then '<outcome>'` clauses refusing the write, over `old`. */
  refuse?: SQL;
  /** A condition on `old` under which the task already is as asked: answered as it is, nothing written. */
  unchanged?: SQL;
  /** `with` clauses run with the change, reading clause `changed` (the task as written). */
  cascade?: SQL;
  now?: Date;
}

/**
 * One write to one task, with its audit row and event, in one statement (one round trip): the row is
 * locked and read (`for update`: the checks see the latest committed version), checked against
 * `expected` (412 when it moved on, so of two writes sent with the same ETag exactly one wins),
 * written, and recorded only when written. Not in the workspace, or not in the state `rows` names: 404.
 */
async function writeTask(deps: DomainDeps, access: WorkspaceAccess, taskId: string, expected: ExpectedVersions, meta: RequestMeta, write: TaskWrite): Promise<Versioned<Task>> {
  if (!isId("task", taskId)) throw new ApiError("NOT_FOUND");
  const result = await deps.db.http.execute(writeTaskStatement(access, taskId, expected, meta, write, write.now ?? new Date(deps.clock())));
  const row = result.rows[0] as WriteOutcome | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (row.outcome === "stale") throw new ApiError("PRECONDITION_FAILED", { detail: "versionMismatch", params: { resource: "task" } });
  if (row.outcome === "not_member") throw notMember();
  if (row.outcome === "project_deleted") throw new ApiError("CONFLICT", { detail: "projectDeleted" });
  if (row.outcome === "ok") await forgetTasks(deps.cache, access.workspaceId);
  return { value: row.after, version: row.version };
}

/** What `writeTaskStatement` answers: its verdict, and the task as it is after it. */
export interface WriteOutcome {
  outcome: "ok" | "unchanged" | "stale" | "not_member" | "project_deleted";
  after: Task;
  version: string;
}

/** The statement of `writeTask`; it writes nothing unless `guard` holds too (bulk requests guard every item's write with the verdict on them all). */
export function writeTaskStatement(access: WorkspaceAccess, taskId: string, expected: ExpectedVersions, meta: RequestMeta, write: TaskWrite, now: Date, guard?: SQL): SQL {
  const { workspaceId, actor } = access;
  return sql`
    with old as (
      select t.*, p.key as project_key, p.deleted_at is not null as project_deleted, ${taskJson("t", sql`p.key`)} as before
      from tasks t join projects p on p.id = t.project_id
      where t.id = ${taskId} and t.workspace_id = ${workspaceId} and t.deleted_at is ${write.rows === "live" ? sql`null` : sql`not null`}
      for update of t
    ),
    verdict as (
      select old.*, case when ${isStale("old", expected)} then 'stale' ${write.refuse ?? sql``} when ${write.unchanged ?? sql`false`} then 'unchanged' else 'ok' end as outcome
      from old
    ),
    changed as (
      update tasks t set ${write.set}, updated_at = ${nextUpdatedAt("t", now)}, updated_by = ${actor.id}
      from verdict where verdict.outcome = 'ok' and t.id = verdict.id and not ${isStale("t", expected)} and ${guard ?? sql`true`}
      returning t.*
    ),
    change as (select changed.id, verdict.before, ${taskJson("changed", sql`verdict.project_key`)} as after, ${versionOf("changed")} as version from changed, verdict),
    ${write.cascade ? sql`${write.cascade},` : sql``}
    ${changeRecordsFrom("change", { action: write.action, access, subjectType: "task", subjectId: sql`change.id`, before: sql`change.before`, after: write.action === "task.deleted" ? sql`null::jsonb` : sql`change.after` }, meta, now)}
    select verdict.outcome, coalesce(change.after, verdict.before) as after, coalesce(change.version, ${versionOf("verdict")}) as version${
      guard ? sql`, ${failUnless(sql`verdict.outcome = 'unchanged' or change.id is not null`, guard)}` : sql``
    }
    from verdict left join change on true`;
}
