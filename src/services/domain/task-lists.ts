import { sql, type SQL } from "drizzle-orm";
import { invalidField } from "../../lib/errors";
import type { CursorSigner, CursorValue } from "../../lib/signed-cursor";
import type { WorkspaceAccess } from "../workspaces/access";
import { textArray } from "../workspaces/sql";
import type { DomainDeps, DomainPage } from "./domain-deps";
import { projectKeyOf, taskJson } from "./resource-json";
import type { Task } from "./resource-types";
import type { TaskStatus } from "./tasks";
import { cursorTime } from "../../lib/cursor";
import { deletedPlan, page } from "./list-pages";
import { isId } from "../../lib/ids";
import { TASK_PAGE_CACHING, tasksFamily } from "./resource-cache";

/** What a task list may be ordered by; `relevance` needs `q`, `position` a project. */
export const TASK_SORTS = ["created", "updated", "due", "priority", "position", "relevance"] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

export interface TaskListQuery {
  cursor?: string;
  limit: number;
  /** `relevance` when `q` is given, `created` otherwise, unless named. */
  sort?: TaskSort;
  /** `desc` for relevance (best first), `asc` otherwise, unless named. Relevance is always best first. */
  order?: "asc" | "desc";
  status?: TaskStatus[];
  assigneeId?: string;
  label?: string;
  projectId?: string;
  /** Due strictly before this date (`2026-12-24`); tasks without a due date never match. */
  dueBefore?: string;
  /** Due strictly after this date. */
  dueAfter?: string;
  /** Changed at or after this time. */
  updatedSince?: Date;
  /** Words to find in titles, descriptions and comments (`websearch_to_tsquery` syntax: `"exact phrase" -not or`). */
  q?: string;
}

/**
 * A page of the workspace's live tasks: one round trip. Filters are ANDed; the order is the sort's
 * column with `id` as the tiebreaker, and the cursor (signed, bound to this list's filters and order)
 * holds the last row's values, so rows inserted meanwhile never shift a page: each row that existed
 * when the walk began is seen exactly once. Every shape is served by an index (see the EXPLAIN test).
 * The first page of a common list (see `cachedPageKey`) comes from the cache when it holds it: no round trip.
 */
export async function listTasks(deps: DomainDeps, access: WorkspaceAccess, query: TaskListQuery, signer: CursorSigner): Promise<DomainPage<Task>> {
  const load = async () => page<Task>(deps, await taskListPlan(access, query, signer), query.limit, signer);
  const key = cachedPageKey(query);
  return key ? deps.cache.read(tasksFamily(access.workspaceId), key, load, TASK_PAGE_CACHING) : load();
}

/**
 * The cache key of a first page worth caching, undefined for any other: the whole workspace's tasks
 * or one project's, in creation order (or, for a project, board order), ascending, with no other
 * filter and no search. Those are what a client opens first; other shapes are too many to keep.
 */
export function cachedPageKey(query: TaskListQuery): string | undefined {
  const { cursor, limit, sort = "created", order = "asc", projectId, ...filters } = query;
  if (cursor !== undefined || order !== "asc" || Object.values(filters).some((value) => value !== undefined)) return undefined;
  if (projectId !== undefined && !isId("project", projectId)) return undefined;
  if (sort !== "created" && !(sort === "position" && projectId !== undefined)) return undefined;
  return `first-page.${sort}.${projectId ?? "all"}.${limit}`;
}

/**
 * A page of the workspace's deleted tasks (for those holding `trash:read`), most recently deleted
 * first: one round trip, through `tasks_workspace_deleted_idx`.
 */
export async function listDeletedTasks(deps: Pick<DomainDeps, "db">, access: WorkspaceAccess, query: { cursor?: string; limit: number }, signer: CursorSigner): Promise<DomainPage<Task>> {
  return page(deps, await deletedPlan("tasks", access, query, signer, taskJson("r", projectKeyOf("r"))), query.limit, signer);
}

/** The statement behind a page (one row more than `limit`, to tell whether another follows) and the shape its cursors are bound to. */
export async function taskListPlan(access: WorkspaceAccess, query: TaskListQuery, signer: CursorSigner): Promise<{ statement: SQL; shape: string }> {
  const sort = query.sort ?? (query.q === undefined ? "created" : "relevance");
  if (sort === "relevance" && query.q === undefined) throw invalidField("sort", "relevance needs q");
  if (sort === "position" && query.projectId === undefined) throw invalidField("sort", "position needs project: positions are within one project");
  const descending = sort === "relevance" || query.order === "desc";
  const shape = taskListShape(access, query, sort, descending);
  let position: CursorValue[] | undefined;
  if (query.cursor !== undefined) {
    position = await signer.verify(shape, query.cursor);
    if (!position || position.length !== 2 || typeof position[1] !== "string") throw invalidField("cursor", "is not a cursor of this list, with these filters and this order");
  }

  const filters: SQL[] = [sql`t.workspace_id = ${access.workspaceId}`, sql`t.deleted_at is null`];
  if (query.status) filters.push(sql`t.status = any(${textArray(query.status)})`);
  if (query.assigneeId !== undefined) filters.push(sql`t.assignee_id = ${query.assigneeId}`);
  if (query.label !== undefined) filters.push(sql`t.labels @> ${textArray([query.label])}`);
  if (query.projectId !== undefined) filters.push(sql`t.project_id = ${query.projectId}`);
  if (query.dueBefore !== undefined) filters.push(sql`t.due_date < ${query.dueBefore}::date`);
  if (query.dueAfter !== undefined) filters.push(sql`t.due_date > ${query.dueAfter}::date`);
  if (query.updatedSince !== undefined) filters.push(sql`t.updated_at >= ${query.updatedSince.toISOString()}::timestamptz`);

  const order = ORDERS[sort];
  const from = query.q === undefined ? sql`tasks t` : sql`${searchHits(access.workspaceId, query.q)} h join tasks t on t.id = h.task_id`;
  if (position) filters.push(order.after(position[0] ?? null, position[1] as string, descending));
  const orderBy = (alias: string, rankAlias: string) => {
    const column = sql.raw(`${sort === "relevance" ? rankAlias : alias}.${order.column}`);
    const direction = sql.raw(descending ? "desc" : "asc");
    const nulls = sql.raw(sort === "due" ? (descending ? " nulls first" : " nulls last") : "");
    const tiebreak = sql.raw(sort === "relevance" || !descending ? "asc" : "desc");
    return sql`${column} ${direction}${nulls}, ${sql.raw(alias)}.id ${tiebreak}`;
  };
  // The page is chosen first, then each of its rows (and only those) is turned into JSON with its project's key.
  const statement = sql`
    select ${taskJson("page", projectKeyOf("page"))} as value, page.sort_value, page.id from (
      select t.*, ${order.value} as sort_value${query.q === undefined ? sql`` : sql`, h.rank`} from ${from}
      where ${sql.join(filters, sql` and `)}
      order by ${orderBy("t", "h")}
      limit ${query.limit + 1}
    ) page
    order by ${orderBy("page", "page")}`;
  return { statement, shape };
}

interface SortOrder {
  /** The ordering column's name (of the task, or of the search hits for `rank`). */
  column: string;
  /** The value the cursor keeps, exact (timestamps to the microsecond, floats as text). */
  value: SQL;
  /** The rows after the cursor's. */
  after(value: CursorValue, id: string, descending: boolean): SQL;
}

function rowAfter(column: SQL, cast: string) {
  return (value: CursorValue, id: string, descending: boolean) =>
    sql`(${column}, t.id) ${sql.raw(descending ? "<" : ">")} (${String(value)}::${sql.raw(cast)}, ${id})`;
}

const ORDERS: Record<TaskSort, SortOrder> = {
  created: { column: "created_at", value: cursorTime(sql`t.created_at`), after: rowAfter(sql`t.created_at`, "timestamptz") },
  updated: { column: "updated_at", value: cursorTime(sql`t.updated_at`), after: rowAfter(sql`t.updated_at`, "timestamptz") },
  priority: { column: "priority", value: sql`t.priority`, after: rowAfter(sql`t.priority`, "smallint") },
  position: { column: "position", value: sql`t.position::text`, after: rowAfter(sql`t.position`, "float8") },
  // Ascending puts tasks without a due date last; descending, first (the index read backwards).
  due: {
    column: "due_date",
    value: sql`t.due_date::text`,
    after(value, id, descending) {
      if (value === null) return descending ? sql`(t.due_date is not null or t.id < ${id})` : sql`(t.due_date is null and t.id > ${id})`;
      return descending ? sql`(t.due_date, t.id) < (${value}::date, ${id})` : sql`((t.due_date, t.id) > (${value}::date, ${id}) or t.due_date is null)`;
    },
  },
  // Best first; among equals, by id ascending.
  relevance: {
    column: "rank",
    value: sql`h.rank::text`,
    after: (value, id) => sql`(h.rank < ${String(value)}::real or (h.rank = ${String(value)}::real and t.id > ${id}))`,
  },
};

/**
 * The workspace's live tasks matching `q` in their title or description, or in a live comment, each
 * once with its best `ts_rank`: a relation `(task_id, rank)`, each side found through its GIN index.
 */
function searchHits(workspaceId: string, q: string): SQL {
  const query = sql`websearch_to_tsquery('english', ${q})`;
  return sql`(
    select task_id, max(rank) as rank from (
      select id as task_id, ts_rank(search_vector, ${query}) as rank from tasks
      where workspace_id = ${workspaceId} and deleted_at is null and search_vector @@ ${query}
      union all
      select task_id, ts_rank(search_vector, ${query}) from comments
      where workspace_id = ${workspaceId} and deleted_at is null and search_vector @@ ${query}
    ) matched group by task_id
  )`;
}

/** What a cursor is bound to: the workspace, the filters and the order, normalised. */
function taskListShape(access: WorkspaceAccess, query: TaskListQuery, sort: TaskSort, descending: boolean): string {
  return JSON.stringify([
    "tasks",
    access.workspaceId,
    sort,
    descending,
    query.status ? [...query.status].sort() : null,
    query.assigneeId ?? null,
    query.label ?? null,
    query.projectId ?? null,
    query.dueBefore ?? null,
    query.dueAfter ?? null,
    query.updatedSince?.toISOString() ?? null,
    query.q ?? null,
  ]);
}
