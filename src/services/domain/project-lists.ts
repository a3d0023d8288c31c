import { sql, type SQL } from "drizzle-orm";
import { cursorTime } from "../../lib/cursor";
import type { CursorSigner } from "../../lib/signed-cursor";
import type { WorkspaceAccess } from "../workspaces/access";
import type { DomainDeps, DomainPage } from "./domain-deps";
import { deletedPlan, page, verified } from "./list-pages";
import { PROJECT_PAGE_CACHING, projectsFamily } from "./resource-cache";
import { projectJson } from "./resource-json";
import type { Project } from "./resource-types";

export const PROJECT_SORTS = ["created", "name"] as const;
export type ProjectSort = (typeof PROJECT_SORTS)[number];

export interface ProjectListQuery {
  cursor?: string;
  limit: number;
  sort?: ProjectSort;
  order?: "asc" | "desc";
  /** Only archived projects (true), only those not archived (false), or both (undefined). */
  archived?: boolean;
}

/**
 * A page of the workspace's live projects, by creation time or name with `id` as the tiebreaker: one
 * round trip, through `projects_workspace_created_idx` or `projects_workspace_name_idx`. The signed
 * cursor holds the last row's values, so projects added meanwhile never shift a page. The first
 * page in ascending order, of every project or of those not archived, comes from the cache when it
 * holds it: no round trip.
 */
export async function listProjects(deps: DomainDeps, access: WorkspaceAccess, query: ProjectListQuery, signer: CursorSigner): Promise<DomainPage<Project>> {
  const load = async () => page<Project>(deps, await projectListPlan(access, query, signer), query.limit, signer);
  const cached = query.cursor === undefined && query.order !== "desc" && query.archived !== true;
  if (!cached) return load();
  const key = `first-page.${query.sort ?? "created"}.${query.archived === false ? "active" : "all"}.${query.limit}`;
  return deps.cache.read(projectsFamily(access.workspaceId), key, load, PROJECT_PAGE_CACHING);
}

export async function projectListPlan(access: WorkspaceAccess, query: ProjectListQuery, signer: CursorSigner) {
  const sort = query.sort ?? "created";
  const descending = query.order === "desc";
  const shape = JSON.stringify(["projects", access.workspaceId, sort, descending, query.archived ?? null]);
  const position = await verified(signer, shape, query.cursor);
  const column = sql.raw(sort === "created" ? "p.created_at" : "p.name");
  const filters: SQL[] = [sql`p.workspace_id = ${access.workspaceId}`, sql`p.deleted_at is null`];
  if (query.archived !== undefined) filters.push(query.archived ? sql`p.archived_at is not null` : sql`p.archived_at is null`);
  if (position) filters.push(sql`(${column}, p.id) ${sql.raw(descending ? "<" : ">")} (${position[0]}${sql.raw(sort === "created" ? "::timestamptz" : "::text")}, ${position[1]})`);
  const direction = sql.raw(descending ? "desc" : "asc");
  const statement = sql`
    select ${projectJson("p")} as value, ${sort === "created" ? cursorTime(sql`p.created_at`) : sql`p.name`} as sort_value, p.id from projects p
    where ${sql.join(filters, sql` and `)}
    order by ${column} ${direction}, p.id ${direction}
    limit ${query.limit + 1}`;
  return { statement, shape };
}

/**
 * A page of the workspace's deleted projects (for those holding `trash:read`), most recently deleted
 * first: one round trip, through `projects_workspace_deleted_idx`.
 */
export async function listDeletedProjects(deps: Pick<DomainDeps, "db">, access: WorkspaceAccess, query: { cursor?: string; limit: number }, signer: CursorSigner): Promise<DomainPage<Project>> {
  return page(deps, await deletedPlan("projects", access, query, signer), query.limit, signer);
}
