import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { workspaceMembers, workspaceRoles, workspaces } from "../../db/schema";
import type { Clock } from "../../lib/clock";
import { cursorTime, decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError, invalidField } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import type { BuiltInRole } from "../../lib/permissions";
import type { RequestMeta } from "../../lib/request-meta";
import type { WorkspaceAccess } from "./access";
import { at, auditFrom, isoTime, isUniqueViolation } from "./sql";
import { slugFromName, withRandomSuffix } from "./slugs";

/** Live workspaces one user may own; past it, creating (or restoring) one is refused. */
export const MAX_OWNED_WORKSPACES = 20;
/** How long a deleted workspace can be restored; the purge job removes it after. */
export const RESTORE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

const SLUG_INDEX = "workspaces_slug_key";

export interface WorkspaceDeps {
  db: Database;
  clock: Clock;
}

export interface Workspace {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A member's role: a built-in one, or one of the workspace's custom roles. */
export interface MemberRole {
  role: BuiltInRole | null;
  customRole: { id: string; name: string } | null;
}

/** A workspace as its member sees it in their list. */
export interface MyWorkspace extends Workspace, MemberRole {
  joinedAt: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Creates a workspace owned by `userId`: the workspace, its owner and the audit row in one batch (one
 * round trip; a second only when a derived slug was taken at the same instant). Without a slug, one is
 * derived from the name, with a random suffix when that is taken; a given slug that is taken is 409.
 * Refused (409) when the user already owns MAX_OWNED_WORKSPACES live ones: the batch locks the user's
 * row first, so creations at the same instant count each other.
 */
export async function createWorkspace(deps: WorkspaceDeps, userId: string, input: { name: string; slug?: string }, meta: RequestMeta): Promise<MyWorkspace> {
  const now = new Date(deps.clock());
  const base = input.slug ?? slugFromName(input.name);
  const attempt = (slug: string, fallback: string | undefined) => insertWorkspace(deps.db, userId, { name: input.name, slug, fallback }, meta, now);
  let result = await attempt(base, input.slug ? undefined : withRandomSuffix(base));
  if (result.created === undefined && result.owned < MAX_OWNED_WORKSPACES && !input.slug) result = await attempt(withRandomSuffix(base), undefined);
  if (result.created) return { ...result.created, role: "owner", customRole: null, joinedAt: now };
  if (result.owned >= MAX_OWNED_WORKSPACES) throw new ApiError("CONFLICT", { detail: "workspaceLimit", params: { limit: MAX_OWNED_WORKSPACES } });
  throw new ApiError("CONFLICT", { detail: "slugTaken", params: { slug: input.slug ?? base } });
}

/** Live workspaces `userId` owns, counted in SQL: the condition of creating or restoring one. */
const ownedCount = (userId: string) => sql`owned as (
  select count(*)::int as count from workspace_members m
  join workspaces w on w.id = m.workspace_id and w.deleted_at is null
  where m.user_id = ${userId} and m.role = 'owner'
)`;

/** Makes concurrent creations and restorations by one user wait for each other (see MAX_OWNED_WORKSPACES). */
const lockUser = (db: Database, userId: string) => db.http.execute(sql`select id from users where id = ${userId} for no key update`);

/**
 * One try at inserting the workspace with slug `slug`, or `fallback` when `slug` is taken by then;
 * nothing when both are taken or the user owns too many. Reports how many the user owned.
 */
async function insertWorkspace(db: Database, userId: string, input: { name: string; slug: string; fallback: string | undefined }, meta: RequestMeta, now: Date) {
  const id = newId("workspace");
  const slug = input.fallback ? sql`case when exists (select 1 from workspaces where slug = ${input.slug} and deleted_at is null) then ${input.fallback} else ${input.slug} end` : sql`${input.slug}`;
  const [, result] = await db.http.batch([
    lockUser(db, userId),
    db.http.execute(sql`
      with ${ownedCount(userId)},
      created as (
        insert into workspaces (id, name, slug, created_by, created_at, updated_at)
        select ${id}, ${input.name}, ${slug}, ${userId}, ${at(now)}, ${at(now)} from owned where owned.count < ${MAX_OWNED_WORKSPACES}
        on conflict (slug) where deleted_at is null do nothing
        returning id, name, slug
      ),
      owner as (
        insert into workspace_members (workspace_id, user_id, role, created_at, updated_at)
        select id, ${userId}, 'owner', ${at(now)}, ${at(now)} from created
      ),
      audited as (${auditFrom("created", { action: "workspace.created", actorId: userId, workspaceId: id, targetType: "workspace", targetId: id, details: sql`jsonb_build_object('name', created.name, 'slug', created.slug)` }, meta, now)})
      select owned.count as owned, created.id, created.name, created.slug from owned left join created on true`),
  ]);
  const row = result.rows[0] as { owned: number; id: string | null; name: string; slug: string };
  const created = row.id ? { id: row.id, name: row.name, slug: row.slug, createdAt: now, updatedAt: now } : undefined;
  return { owned: row.owned, created };
}

/** The live workspaces `userId` belongs to, with their role in each, in the order they joined: one round trip. */
export async function listMyWorkspaces(db: Database, userId: string, page: { cursor?: string; limit: number }): Promise<Page<MyWorkspace>> {
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, "workspace");
  if (page.cursor !== undefined && !cursor) throw invalidField("cursor", "is not a cursor of this list");
  const rows = await db.http
    .select({
      id: workspaces.id,
      name: workspaces.name,
      slug: workspaces.slug,
      createdAt: workspaces.createdAt,
      updatedAt: workspaces.updatedAt,
      role: workspaceMembers.role,
      customRoleId: workspaceRoles.id,
      customRoleName: workspaceRoles.name,
      joinedAt: workspaceMembers.createdAt,
      position: cursorTime(workspaceMembers.createdAt),
    })
    .from(workspaceMembers)
    .innerJoin(workspaces, and(eq(workspaces.id, workspaceMembers.workspaceId), isNull(workspaces.deletedAt)))
    .leftJoin(workspaceRoles, eq(workspaceRoles.id, workspaceMembers.customRoleId))
    .where(and(eq(workspaceMembers.userId, userId), cursor && sql`(${workspaceMembers.createdAt}, ${workspaceMembers.workspaceId}) > (${cursor.at}::timestamptz, ${cursor.id})`))
    .orderBy(asc(workspaceMembers.createdAt), asc(workspaceMembers.workspaceId))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(({ customRoleId, customRoleName, position: _, ...row }) => ({ ...row, customRole: customRoleId ? { id: customRoleId, name: customRoleName! } : null })),
    nextCursor: rows.length > page.limit && last ? encodeCursor({ at: last.position, id: last.id }) : null,
  };
}

/** The workspace the caller has access to: one round trip. 404 if it was deleted meanwhile. */
export async function getWorkspace(db: Database, access: WorkspaceAccess): Promise<Workspace> {
  const [row] = await db.http
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug, createdAt: workspaces.createdAt, updatedAt: workspaces.updatedAt })
    .from(workspaces)
    .where(and(eq(workspaces.id, access.workspaceId), isNull(workspaces.deletedAt)));
  if (!row) throw new ApiError("NOT_FOUND");
  return row;
}

/** Renames the workspace and/or changes its slug, with the audit row (from and to), in one statement. A taken slug is 409. */
export async function updateWorkspace(deps: WorkspaceDeps, access: WorkspaceAccess, changes: { name?: string; slug?: string }, meta: RequestMeta): Promise<Workspace> {
  const now = new Date(deps.clock());
  const workspaceId = access.workspaceId;
  const details = sql`jsonb_build_object('from', jsonb_build_object('name', change.old_name, 'slug', change.old_slug), 'to', jsonb_build_object('name', change.name, 'slug', change.slug))`;
  let result;
  try {
    result = await deps.db.http.execute(sql`
      with old as (select name, slug from workspaces where id = ${workspaceId} and deleted_at is null),
      updated as (
        update workspaces w set name = coalesce(${changes.name ?? null}, w.name), slug = coalesce(${changes.slug ?? null}, w.slug), updated_at = ${at(now)}
        where w.id = ${workspaceId} and w.deleted_at is null
        returning w.id, w.name, w.slug, ${isoTime(sql`w.created_at`)} as created_at
      ),
      change as (select updated.*, old.name as old_name, old.slug as old_slug from updated, old),
      audited as (${auditFrom("change", { action: "workspace.renamed", actorId: access.actor.id, workspaceId, targetType: "workspace", targetId: workspaceId, details }, meta, now)})
      select * from updated`);
  } catch (error) {
    if (isUniqueViolation(error, SLUG_INDEX)) throw new ApiError("CONFLICT", { detail: "slugTaken", params: { slug: changes.slug ?? "" } });
    throw error;
  }
  const row = result.rows[0] as { id: string; name: string; slug: string; created_at: string } | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return { id: row.id, name: row.name, slug: row.slug, createdAt: new Date(row.created_at), updatedAt: now };
}

/**
 * Deletes the workspace softly, with the audit row, in one statement; its owners may restore it for
 * 30 days. Returns its members' ids, whose notifications of it are dropped.
 */
export async function deleteWorkspace(deps: WorkspaceDeps, access: WorkspaceAccess, meta: RequestMeta): Promise<{ memberIds: string[] }> {
  const now = new Date(deps.clock());
  const workspaceId = access.workspaceId;
  const result = await deps.db.http.execute(sql`
    with deleted as (
      update workspaces set deleted_at = ${at(now)}, updated_at = ${at(now)} where id = ${workspaceId} and deleted_at is null returning id
    ),
    audited as (${auditFrom("deleted", { action: "workspace.deleted", actorId: access.actor.id, workspaceId, targetType: "workspace", targetId: workspaceId }, meta, now)})
    select id, array(select user_id from workspace_members where workspace_id = ${workspaceId}) as member_ids from deleted`);
  const row = result.rows[0] as { member_ids: string[] } | undefined;
  if (!row) throw new ApiError("NOT_FOUND");
  return { memberIds: row.member_ids };
}

/**
 * Restores workspace `workspaceId`, deleted less than RESTORE_WINDOW_MS ago, for one of its owners,
 * with the audit row: one round trip. Anyone else, a workspace that is not deleted or deleted longer
 * ago: 404. Its slug taken meanwhile, or the user owning MAX_OWNED_WORKSPACES already: 409.
 */
export async function restoreWorkspace(deps: WorkspaceDeps, userId: string, workspaceId: string, meta: RequestMeta): Promise<Workspace> {
  if (!isId("workspace", workspaceId)) throw new ApiError("NOT_FOUND");
  const now = new Date(deps.clock());
  const since = new Date(now.getTime() - RESTORE_WINDOW_MS);
  let result;
  try {
    [, result] = await deps.db.http.batch([
      lockUser(deps.db, userId),
      deps.db.http.execute(sql`
        with ${ownedCount(userId)},
        target as (
          select w.id from workspaces w
          join workspace_members m on m.workspace_id = w.id and m.user_id = ${userId} and m.role = 'owner'
          where w.id = ${workspaceId} and w.deleted_at > ${at(since)}
        ),
        restored as (
          update workspaces w set deleted_at = null, updated_at = ${at(now)} from target, owned
          where w.id = target.id and owned.count < ${MAX_OWNED_WORKSPACES}
          returning w.id, w.name, w.slug, ${isoTime(sql`w.created_at`)} as created_at
        ),
        audited as (${auditFrom("restored", { action: "workspace.restored", actorId: userId, workspaceId, targetType: "workspace", targetId: workspaceId }, meta, now)})
        select exists (select 1 from target) as found, restored.* from owned left join restored on true`),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, SLUG_INDEX)) throw new ApiError("CONFLICT", { detail: "slugTakenOnRestore" });
    throw error;
  }
  const row = result.rows[0] as { found: boolean; id: string | null; name: string; slug: string; created_at: string };
  if (!row.found) throw new ApiError("NOT_FOUND");
  if (!row.id) throw new ApiError("CONFLICT", { detail: "workspaceLimit", params: { limit: MAX_OWNED_WORKSPACES } });
  return { id: row.id, name: row.name, slug: row.slug, createdAt: new Date(row.created_at), updatedAt: now };
}
