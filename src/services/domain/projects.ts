import { sql, type SQL } from "drizzle-orm";
import { ApiError } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "../workspaces/access";
import { at, lockWorkspace } from "../workspaces/sql";
import type { DomainAction } from "./actions";
import { changeRecordsFrom } from "./changes";
import { dependentsDeleted, dependentsRestored } from "./dependents";
import type { DomainDeps } from "./domain-deps";
import { forgetProjects, PROJECT_CACHING, projectsFamily } from "./resource-cache";
import { projectJson } from "./resource-json";
import type { Project, Versioned } from "./resource-types";
import { isStale, nextUpdatedAt, versionOf, type ExpectedVersions } from "./versions";

/** Live projects one workspace may have; deleted ones do not count until restored. */
export const MAX_PROJECTS = 1000;

export interface NewProject {
  /** `WEB`: 2-10 capital letters and digits, a letter first; unique in the workspace, deleted projects included. */
  key: string;
  name: string;
  description?: string | null;
}

export interface ProjectChanges {
  name?: string;
  /** `null` removes it. */
  description?: string | null;
}

/**
 * Adds a project with its audit row and `project.created` event: one round trip (a batch that locks
 * the workspace's row first, so projects added at the same instant count each other against
 * MAX_PROJECTS). A key the workspace has, deleted projects included, is 409.
 */
export async function createProject(deps: DomainDeps, access: WorkspaceAccess, input: NewProject, meta: RequestMeta): Promise<Versioned<Project>> {
  const now = new Date(deps.clock());
  const { workspaceId, actor } = access;
  const [, result] = await deps.db.http.batch([
    lockWorkspace(deps.db, workspaceId),
    deps.db.http.execute(sql`
      with counted as (select count(*)::int as count from projects where workspace_id = ${workspaceId} and deleted_at is null),
      created as (
        insert into projects (id, workspace_id, key, name, description, created_by, updated_by, created_at, updated_at)
        select ${newId("project")}, ${workspaceId}, ${input.key}, ${input.name}, ${input.description ?? null}, ${actor.id}, ${actor.id}, ${at(now)}, ${at(now)}
        from counted where counted.count < ${MAX_PROJECTS}
        on conflict (workspace_id, key) do nothing
        returning *
      ),
      change as (select created.id, ${projectJson("created")} as after, ${versionOf("created")} as version from created),
      ${changeRecordsFrom("change", { action: "project.created", access, subjectType: "project", subjectId: sql`change.id`, before: sql`null::jsonb`, after: sql`change.after` }, meta, now)}
      select counted.count, change.after, change.version from counted left join change on true`),
  ]);
  const row = result.rows[0] as { count: number; after: Project | null; version: string | null };
  if (row.after && row.version) {
    await forgetProjects(deps.cache, workspaceId, { withTasks: false });
    return { value: row.after, version: row.version };
  }
  if (row.count >= MAX_PROJECTS) throw new ApiError("CONFLICT", { detail: "projectLimit", params: { limit: MAX_PROJECTS } });
  throw new ApiError("CONFLICT", { detail: "projectKeyTaken", params: { key: input.key } });
}

/** A live project of the workspace, from the cache when it holds it (no round trip), else one round trip; 404 otherwise. */
export function readProject(deps: DomainDeps, access: WorkspaceAccess, projectId: string): Promise<Versioned<Project>> {
  if (!isId("project", projectId)) throw new ApiError("NOT_FOUND");
  const workspaceId = access.workspaceId;
  return deps.cache.read(projectsFamily(workspaceId), projectId, () => loadProject(deps, workspaceId, projectId), PROJECT_CACHING);
}

async function loadProject(deps: DomainDeps, workspaceId: string, projectId: string): Promise<Versioned<Project>> {
  const result = await deps.db.http.execute(sql`
    select ${projectJson("p")} as value, ${versionOf("p")} as version from projects p
    where p.id = ${projectId} and p.workspace_id = ${workspaceId} and p.deleted_at is null`);
  const row = result.rows[0] as { value: Project; version: string } | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return row;
}

/** Renames a project or changes its description (see `writeProject`). */
export function updateProject(deps: DomainDeps, access: WorkspaceAccess, projectId: string, changes: ProjectChanges, expected: ExpectedVersions, meta: RequestMeta) {
  const sets: SQL[] = [];
  if (changes.name !== undefined) sets.push(sql`name = ${changes.name}`);
  if (changes.description !== undefined) sets.push(sql`description = ${changes.description}`);
  return writeProject(deps, access, projectId, expected, meta, { action: "project.updated", rows: "live", set: sql.join(sets, sql`, `) });
}

/** Archives a project (no new tasks in it) or brings it back; asking for the state it is in changes nothing. */
export function setProjectArchived(deps: DomainDeps, access: WorkspaceAccess, projectId: string, archived: boolean, expected: ExpectedVersions, meta: RequestMeta) {
  return writeProject(deps, access, projectId, expected, meta, {
    action: archived ? "project.archived" : "project.unarchived",
    rows: "live",
    set: archived ? sql`archived_at = ${at(new Date(deps.clock()))}` : sql`archived_at = null`,
    unchanged: archived ? sql`old.archived_at is not null` : sql`old.archived_at is null`,
  });
}

/**
 * Deletes a project softly, and with it, in the same statement, its live tasks and their comments and
 * attachments, all at the same instant, so a restore brings back exactly those.
 */
export async function deleteProject(deps: DomainDeps, access: WorkspaceAccess, projectId: string, expected: ExpectedVersions, meta: RequestMeta): Promise<void> {
  const now = new Date(deps.clock());
  const cascade = sql`tasks_gone as (
      update tasks t set deleted_at = ${at(now)}, updated_at = ${nextUpdatedAt("t", now)}, updated_by = ${access.actor.id}
      where t.workspace_id = ${access.workspaceId} and t.project_id in (select id from changed) and t.deleted_at is null
      returning t.id
    ), ${dependentsDeleted(access.workspaceId, "tasks_gone", now)}`;
  await writeProject(deps, access, projectId, expected, meta, { action: "project.deleted", rows: "live", set: sql`deleted_at = ${at(now)}`, cascade, now });
}

/**
 * Restores a deleted project with the tasks, comments and attachments deleted with it; refused (409)
 * when the workspace has MAX_PROJECTS live ones (the batch locks the workspace's row, as creation does).
 */
export function restoreProject(deps: DomainDeps, access: WorkspaceAccess, projectId: string, expected: ExpectedVersions, meta: RequestMeta) {
  const now = new Date(deps.clock());
  const workspaceId = access.workspaceId;
  const deletedAt = sql`(select deleted_at from verdict)`;
  const cascade = sql`tasks_back as (
      update tasks t set deleted_at = null, updated_at = ${nextUpdatedAt("t", now)}, updated_by = ${access.actor.id}
      where t.workspace_id = ${workspaceId} and t.project_id in (select id from changed) and t.deleted_at = ${deletedAt}
      returning t.id
    ), ${dependentsRestored(workspaceId, "tasks_back", deletedAt, now)}`;
  return writeProject(deps, access, projectId, expected, meta, {
    action: "project.restored",
    rows: "deleted",
    set: sql`deleted_at = null`,
    refuse: sql`when (select count(*) from projects where workspace_id = ${workspaceId} and deleted_at is null) >= ${MAX_PROJECTS} then 'limit'`,
    lock: true,
    cascade,
    now,
  });
}

interface ProjectWrite {
  action: DomainAction;
  /** Which projects the write applies to: live ones, or deleted ones (a restore). */
  rows: "live" | "deleted";
  /** The columns it sets, besides `updated_at` and `updated_by`. */
  set: SQL;
  /** A condition on `old` under which the project already is as asked: answered as it is, nothing written. */
  unchanged?: SQL;
  /** A `when … then '<outcome>'` refusing the write. */
  refuse?: SQL;
  /** Lock the workspace's row first (for a write whose rule counts the workspace's projects). */
  lock?: boolean;
  /** `with` clauses run with the change, reading clause `changed` (the project as written). */
  cascade?: SQL;
  now?: Date;
}

/**
 * One write to one project, with its audit row and event, in one statement (one round trip): the row
 * is locked and read (`for update`, so the check sees the latest committed version), checked against
 * `expected` (412 when it moved on: of two writes sent with the same ETag, one wins), written, and
 * recorded only when written. A project not in the workspace, or not in the state `rows` names, is 404.
 */
async function writeProject(deps: DomainDeps, access: WorkspaceAccess, projectId: string, expected: ExpectedVersions, meta: RequestMeta, write: ProjectWrite): Promise<Versioned<Project>> {
  if (!isId("project", projectId)) throw new ApiError("NOT_FOUND");
  const now = write.now ?? new Date(deps.clock());
  const { workspaceId, actor } = access;
  const deletion = write.action === "project.deleted";
  const statement = deps.db.http.execute(sql`
    with old as (
      select p.*, ${projectJson("p")} as before from projects p
      where p.id = ${projectId} and p.workspace_id = ${workspaceId} and p.deleted_at is ${write.rows === "live" ? sql`null` : sql`not null`}
      for update
    ),
    verdict as (
      select old.*, case when ${isStale("old", expected)} then 'stale' ${write.refuse ?? sql``} when ${write.unchanged ?? sql`false`} then 'unchanged' else 'ok' end as outcome
      from old
    ),
    changed as (
      update projects p set ${write.set}, updated_at = ${nextUpdatedAt("p", now)}, updated_by = ${actor.id}
      from verdict where verdict.outcome = 'ok' and p.id = verdict.id and not ${isStale("p", expected)}
      returning p.*
    ),
    change as (select changed.id, verdict.before, ${projectJson("changed")} as after, ${versionOf("changed")} as version from changed, verdict),
    ${write.cascade ? sql`${write.cascade},` : sql``}
    ${changeRecordsFrom("change", { action: write.action, access, subjectType: "project", subjectId: sql`change.id`, before: sql`change.before`, after: deletion ? sql`null::jsonb` : sql`change.after` }, meta, now)}
    select verdict.outcome, coalesce(change.after, verdict.before) as after, coalesce(change.version, ${versionOf("verdict")}) as version
    from verdict left join change on true`);
  const result = write.lock ? (await deps.db.http.batch([lockWorkspace(deps.db, workspaceId), statement]))[1] : await statement;
  const row = result.rows[0] as { outcome: "ok" | "unchanged" | "stale" | "limit"; after: Project; version: string } | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  if (row.outcome === "stale") throw new ApiError("PRECONDITION_FAILED", { detail: "versionMismatch", params: { resource: "project" } });
  if (row.outcome === "limit") throw new ApiError("CONFLICT", { detail: "projectLimit", params: { limit: MAX_PROJECTS } });
  if (row.outcome === "ok") await forgetProjects(deps.cache, workspaceId, { withTasks: Boolean(write.cascade) });
  return { value: row.after, version: row.version };
}
