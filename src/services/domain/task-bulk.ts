import { sql, type SQL } from "drizzle-orm";
import { ApiError, type FieldIssue } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { textArray } from "../workspaces/sql";
import type { DomainDeps } from "./domain-deps";
import { forgetTasks } from "./resource-cache";
import type { Task } from "./resource-types";
import { taskDeletion, taskUpdate, writeTaskStatement, type TaskChanges, type WriteOutcome } from "./task-writes";
import { createTaskStatement, MAX_TASKS_PER_PROJECT, type CreateOutcome, type NewTask } from "./tasks";
import { versionOf, type ExpectedVersions } from "./versions";

/** Items one bulk request may carry. */
export const MAX_BULK_ITEMS = 100;

export type BulkItem =
  | { op: "create"; projectId: string; task: NewTask }
  | { op: "update"; id: string; expected: ExpectedVersions; changes: TaskChanges }
  | { op: "delete"; id: string; expected: ExpectedVersions };

/** What became of an item: the task as it is now (as it was, for a deletion) and its version. */
export interface BulkResult {
  op: BulkItem["op"];
  task: Task;
  version: string;
}

type Verdict = "ok" | "not_found" | "stale" | "not_member" | "project_archived" | "project_full";

/** Why an item was refused, as the problem's field issue names it. */
const REFUSALS: Record<Exclude<Verdict, "ok">, { field: string; message: string }> = {
  not_found: { field: "id", message: "is not a live task of this workspace" },
  stale: { field: "ifMatch", message: "names another version: the task changed since it was read" },
  not_member: { field: "assigneeId", message: "is not a member of this workspace" },
  project_archived: { field: "projectId", message: "is archived" },
  project_full: { field: "projectId", message: `has had ${MAX_TASKS_PER_PROJECT} tasks` },
};

/**
 * Creates, updates and deletes up to MAX_BULK_ITEMS tasks, all or none, in one batch (one round
 * trip, one transaction). Its first statement locks every task and project the items name, judges
 * each item, and sets a transaction-local flag only when all pass; every item's write (the same
 * statement a single request runs, with its audit row and event) is guarded by that flag. So a
 * refusal writes nothing and names each refused item by its index (`items.3.ifMatch`), and what the
 * verdict let through cannot be refused half-way (a write that then finds otherwise fails the
 * transaction, answered 409). Items are applied in order; a task may appear once.
 */
export async function bulkTasks(deps: DomainDeps, access: WorkspaceAccess, items: readonly BulkItem[], meta: RequestMeta): Promise<BulkResult[]> {
  const malformed = items.flatMap((item, index) =>
    item.op === "create" ? (isId("project", item.projectId) ? [] : [issue(index, "not_found", "projectId")]) : isId("task", item.id) ? [] : [issue(index, "not_found")],
  );
  if (malformed.length > 0) throw refusal(malformed);
  const now = new Date(deps.clock());
  const guard = sql`current_setting('app.bulk_ok', true) = 'yes'`;
  const writes = items.map((item) =>
    item.op === "create"
      ? createTaskStatement(access, item.projectId, item.task, meta, now, guard)
      : writeTaskStatement(access, item.id, item.expected, meta, item.op === "update" ? taskUpdate(access, item.changes) : taskDeletion(access, now), now, guard),
  );
  const db = deps.db.http;
  let results;
  try {
    results = await db.batch([db.execute(verdictStatement(access, items)), ...writes.map((statement) => db.execute(statement))]);
  } catch (error) {
    // 22012: a write the verdict let through found otherwise (see failUnless); the batch was rolled back.
    if (sqlState(error) === "22012") {
      throw new ApiError("CONFLICT", { cause: error });
    }
    throw error;
  }
  const [judged, ...written] = results;
  const verdicts = judged.rows as Array<{ idx: number; outcome: Verdict }>;
  const refused = verdicts.flatMap(({ idx, outcome }) => (outcome === "ok" ? [] : [issue(idx, outcome)]));
  if (refused.length > 0) throw refusal(refused);
  await forgetTasks(deps.cache, access.workspaceId);
  return items.map((item, index) => {
    const row = written[index]!.rows[0] as (CreateOutcome & WriteOutcome) | undefined;
    return { op: item.op, task: row!.after!, version: row!.version! };
  });
}

/**
 * The first statement of the batch: every named task and project locked (`for update`, so nothing
 * changes them before the writes), each item judged, and `app.bulk_ok` set for the transaction.
 */
function verdictStatement(access: WorkspaceAccess, items: readonly BulkItem[]): SQL {
  const workspaceId = access.workspaceId;
  const rows = items.map((item, index) => {
    const taskId = item.op === "create" ? null : item.id;
    const projectId = item.op === "create" ? item.projectId : null;
    const expected = item.op === "create" ? undefined : item.expected;
    const assignee = item.op === "create" ? (item.task.assigneeId ?? null) : item.op === "update" ? (item.changes.assigneeId ?? null) : null;
    const versions = expected === undefined ? sql`null::text[]` : textArray(expected);
    return sql`(${index}::int, ${item.op}::text, ${taskId}::text, ${projectId}::text, ${versions}, ${assignee}::text)`;
  });
  const assigneeOk = sql`(i.assignee is null or exists (
    select 1 from workspace_members m join users u on u.id = m.user_id and u.deleted_at is null
    where m.workspace_id = ${workspaceId} and m.user_id = i.assignee))`;
  return sql`
    with items (idx, op, task_id, project_id, versions, assignee) as (values ${sql.join(rows, sql`, `)}),
    locked_tasks as (
      select t.id, t.updated_at from tasks t
      where t.workspace_id = ${workspaceId} and t.deleted_at is null and t.id in (select task_id from items where task_id is not null)
      for update
    ),
    locked_projects as (
      select p.id, p.archived_at, p.next_task_number from projects p
      where p.workspace_id = ${workspaceId} and p.deleted_at is null and p.id in (select project_id from items where project_id is not null)
      for update
    ),
    creates as (select project_id, count(*) as count from items where op = 'create' group by project_id),
    verdicts as (
      select i.idx, case
        when i.op = 'create' and lp.id is null then 'not_found'
        when i.op = 'create' and lp.archived_at is not null then 'project_archived'
        when i.op = 'create' and lp.next_task_number + c.count - 1 > ${MAX_TASKS_PER_PROJECT} then 'project_full'
        when i.op <> 'create' and lt.id is null then 'not_found'
        when i.versions is not null and not (${versionOf("lt")} = any(i.versions)) then 'stale'
        when not ${assigneeOk} then 'not_member'
        else 'ok' end as outcome
      from items i
      left join locked_tasks lt on lt.id = i.task_id
      left join locked_projects lp on lp.id = i.project_id
      left join creates c on c.project_id = i.project_id
    ),
    flag as (select set_config('app.bulk_ok', case when bool_and(outcome = 'ok') then 'yes' else 'no' end, true) as ok from verdicts)
    select verdicts.idx, verdicts.outcome from verdicts, flag order by verdicts.idx`;
}

function issue(index: number, verdict: Exclude<Verdict, "ok">, field = REFUSALS[verdict].field): FieldIssue {
  return { path: `items.${index}.${field}`, message: REFUSALS[verdict].message, code: verdict };
}

/** The answer to a refused bulk request: 412 when every refusal is a stale version, else 400; each refused item named. */
function refusal(errors: FieldIssue[]): ApiError {
  if (errors.every((error) => error.code === "stale")) return new ApiError("PRECONDITION_FAILED", { errors });
  return new ApiError("VALIDATION_FAILED", { errors });
}

/** The SQLSTATE of a database error, wherever the drivers wrapped it. */
function sqlState(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { sourceError?: unknown }).sourceError ?? current.cause;
  }
  return undefined;
}
