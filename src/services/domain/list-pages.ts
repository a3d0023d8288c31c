import { sql, type SQL } from "drizzle-orm";
import { cursorTime } from "../../lib/cursor";
import { invalidField } from "../../lib/errors";
import type { CursorSigner, CursorValue } from "../../lib/signed-cursor";
import type { WorkspaceAccess } from "../workspaces/access";
import type { DomainDeps, DomainPage } from "./domain-deps";
import { projectJson } from "./resource-json";

// What the project and task lists share: running a page's statement, their cursors, and the lists of deleted rows.

/** The tables whose deleted rows admins list, each through its `<table>_workspace_deleted_idx`. */
export type TrashTable = "projects" | "tasks" | "comments" | "attachments";

/**
 * The statement of a page of deleted `table` rows, newest deletion first, and its cursors' shape;
 * `json` makes a row (`r`) what the API shows, `only` narrows the rows further.
 */
export async function deletedPlan(table: TrashTable, access: WorkspaceAccess, query: { cursor?: string; limit: number }, signer: CursorSigner, json: SQL = projectJson("r"), only?: SQL) {
  const shape = JSON.stringify([`deleted ${table}`, access.workspaceId]);
  const position = await verified(signer, shape, query.cursor);
  const statement = sql`
    select ${json} as value, ${cursorTime(sql`r.deleted_at`)} as sort_value, r.id from ${sql.identifier(table)} r
    where r.workspace_id = ${access.workspaceId} and r.deleted_at is not null${only ? sql` and ${only}` : sql``}
      ${position ? sql`and (r.deleted_at, r.id) < (${position[0]}::timestamptz, ${position[1]})` : sql``}
    order by r.deleted_at desc, r.id desc
    limit ${query.limit + 1}`;
  return { statement, shape };
}

/** Runs a plan and makes its page, with the next page's cursor when there is one. */
export async function page<T>(deps: Pick<DomainDeps, "db">, plan: { statement: SQL; shape: string }, limit: number, signer: CursorSigner): Promise<DomainPage<T>> {
  const result = await deps.db.http.execute(plan.statement);
  const rows = result.rows as Array<{ value: T; sort_value: CursorValue; id: string }>;
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((row) => row.value),
    nextCursor: rows.length > limit && last ? await signer.sign(plan.shape, [last.sort_value, last.id]) : null,
  };
}

/** The position a cursor names in the list `shape` names; 400 for anything else. */
export async function verified(signer: CursorSigner, shape: string, cursor: string | undefined): Promise<[string, string] | undefined> {
  if (cursor === undefined) return undefined;
  const position = await signer.verify(shape, cursor);
  if (!position || position.length !== 2 || typeof position[0] !== "string" || typeof position[1] !== "string") {
    throw invalidField("cursor", "is not a cursor of this list, with these filters and this order");
  }
  return [position[0], position[1]];
}
