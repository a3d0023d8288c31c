import { sql, type SQL } from "drizzle-orm";
import { TASK_PRIORITIES, type TASK_STATUSES } from "../../db/schema";
import { ApiError, invalidField } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, textArray } from "../workspaces/sql";
import { changeRecordsFrom } from "./changes";
import type { DomainDeps } from "./domain-deps";
import { forgetTasks, TASK_CACHING, tasksFamily } from "./resource-cache";
import { projectKeyOf, taskJson } from "./resource-json";
import type { Task, Versioned } from "./resource-types";
import { versionOf } from "./versions";

/** Tasks one project may ever have: numbers are never reused, so this bounds the numbers too. */
export const MAX_TASKS_PER_PROJECT = 100_000;
/** Where a project's first task goes, and how far after the last one a new task goes. */
export const POSITION_STEP = 1024;

export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** What a task is made of; the service's input, already validated and normalised by the route. */
export interface TaskFields {
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  /** A member of the workspace. */
  assigneeId: string | null;
  labels: string[];
  /** `2026-12-24` */
  dueDate: string | null;
  position: number;
}

export type NewTask = Pick<TaskFields, "title"> & Partial<Omit<TaskFields, "title">>;

/** `WEB-42`: a project's key and a task's number in it. */
export const TASK_KEY = /^([A-Z][A-Z0-9]{1,9})-([1-9]\d{0,8})$/;

/**
 * Adds a task to a live, unarchived project, with its audit row and `task.created` event: one
 * statement (one round trip). Its number comes from the project's `next_task_number`, taken by the
 * statement's `update … returning` under the project's row lock, so concurrent creations get
 * consecutive numbers and a number is never given twice. A new task goes after the project's last
 * one unless it names a position. The assignee must be a member of the workspace (400).
 */
export async function createTask(deps: DomainDeps, access: WorkspaceAccess, projectId: string, input: NewTask, meta: RequestMeta): Promise<Versioned<Task>> {
  if (!isId("project", projectId)) throw new ApiError("NOT_FOUND");
  const result = await deps.db.http.execute(createTaskStatement(access, projectId, input, meta, new Date(deps.clock())));
  const row = result.rows[0] as CreateOutcome | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (row.after && row.version) {
    await forgetTasks(deps.cache, access.workspaceId);
    return { value: row.after, version: row.version };
  }
  if (!row.assignee_ok) throw notMember();
  if (row.is_full) throw new ApiError("CONFLICT", { detail: "taskLimit", params: { limit: MAX_TASKS_PER_PROJECT } });
  // Archived, or archived or deleted by a request that committed while this one waited for the project's row.
  throw new ApiError("CONFLICT", { detail: "projectArchived" });
}

/** What `createTaskStatement` answers: why it could not, or the task it made. */
export interface CreateOutcome {
  archived: boolean;
  is_full: boolean;
  assignee_ok: boolean;
  after: Task | null;
  version: string | null;
}

/**
 * The statement that creates a task (see `createTask`); it writes nothing unless `guard` holds too
 * (bulk requests guard every item's write with the verdict on them all).
 */
export function createTaskStatement(access: WorkspaceAccess, projectId: string, input: NewTask, meta: RequestMeta, now: Date, guard?: SQL): SQL {
  const { workspaceId, actor } = access;
  const assignee = input.assigneeId ?? null;
  const position = input.position === undefined ? sql`null::float8` : sql`${input.position}::float8`;
  return sql`
    with probe as (
      select p.id, p.archived_at is not null as archived, p.next_task_number > ${MAX_TASKS_PER_PROJECT} as is_full, ${isMember(workspaceId, assignee)} as assignee_ok
      from projects p where p.id = ${projectId} and p.workspace_id = ${workspaceId} and p.deleted_at is null
    ),
    numbered as (
      update projects p set next_task_number = p.next_task_number + 1
      from probe where p.id = probe.id and probe.assignee_ok and p.archived_at is null and p.deleted_at is null and p.next_task_number <= ${MAX_TASKS_PER_PROJECT} and ${guard ?? sql`true`}
      returning p.id, p.key, p.next_task_number - 1 as number
    ),
    created as (
      insert into tasks (id, workspace_id, project_id, number, title, description, status, priority, assignee_id, labels, due_date, position, created_by, updated_by, created_at, updated_at)
      select ${newId("task")}, ${workspaceId}, numbered.id, numbered.number, ${input.title}, ${input.description ?? null}, ${input.status ?? "todo"},
        ${priorityIndex(input.priority ?? "none")}::smallint, ${assignee}, ${textArray(input.labels ?? [])}, ${input.dueDate ?? null}::date,
        coalesce(${position}, (select max(position) from tasks where project_id = numbered.id and deleted_at is null) + ${POSITION_STEP}, ${POSITION_STEP}),
        ${actor.id}, ${actor.id}, ${at(now)}, ${at(now)}
      from numbered
      returning *
    ),
    change as (select created.id, ${taskJson("created", sql`numbered.key`)} as after, ${versionOf("created")} as version from created, numbered),
    ${changeRecordsFrom("change", { action: "task.created", access, subjectType: "task", subjectId: sql`change.id`, before: sql`null::jsonb`, after: sql`change.after` }, meta, now)}
    select probe.archived, probe.is_full, probe.assignee_ok, change.after, change.version${guard ? sql`, ${failUnless(sql`change.id is not null`, guard)}` : sql``}
    from probe left join change on true`;
}

/**
 * A live task of the workspace by id (`tsk_…`) or key (`WEB-42`), from the cache when it holds it
 * (no round trip), else one round trip; 404 otherwise. A key names one task for good (keys and
 * numbers never change), so it is cached under the key as well.
 */
export function readTask(deps: DomainDeps, access: WorkspaceAccess, ref: string): Promise<Versioned<Task>> {
  const key = TASK_KEY.exec(ref);
  if (!key && !isId("task", ref)) throw new ApiError("NOT_FOUND");
  const workspaceId = access.workspaceId;
  const where = key
    ? sql`t.project_id = (select id from projects where workspace_id = ${workspaceId} and key = ${key[1]}) and t.number = ${Number(key[2])}`
    : sql`t.id = ${ref}`;
  return deps.cache.read(tasksFamily(workspaceId), ref, () => loadTask(deps, workspaceId, where), TASK_CACHING);
}

async function loadTask(deps: DomainDeps, workspaceId: string, where: SQL): Promise<Versioned<Task>> {
  const result = await deps.db.http.execute(sql`
    select ${taskJson("t", projectKeyOf("t"))} as value, ${versionOf("t")} as version from tasks t
    where ${where} and t.workspace_id = ${workspaceId} and t.deleted_at is null`);
  const row = result.rows[0] as Versioned<Task> | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return row;
}

/**
 * A column that fails the whole transaction (division by zero, SQLSTATE 22012) when `guard` holds and
 * `done` does not: a bulk item the verdict let through but the write then refused (something changed
 * between the two statements of one batch) must not leave the others written.
 */
export function failUnless(done: SQL, guard: SQL): SQL {
  // A divisor PostgreSQL cannot fold into a constant when planning: `1 / 0` would fail every statement, taken branch or not.
  return sql`case when ${guard} and not coalesce(${done}, false) then 1 / (0 * extract(epoch from clock_timestamp()))::int end as unwritten`;
}

/** True when `assigneeId` is null or a member of the workspace whose account exists. */
export function isMember(workspaceId: string, assigneeId: string | null): SQL {
  if (assigneeId === null) return sql`true`;
  return sql`exists (
    select 1 from workspace_members m join users u on u.id = m.user_id and u.deleted_at is null
    where m.workspace_id = ${workspaceId} and m.user_id = ${assigneeId})`;
}

export function priorityIndex(priority: TaskPriority): number {
  return TASK_PRIORITIES.indexOf(priority);
}

export function notMember(): ApiError {
  return invalidField("assigneeId", "is not a member of this workspace");
}
