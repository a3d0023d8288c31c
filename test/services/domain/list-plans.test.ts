import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../../src/db/client";
import { cursorSigner, type CursorSigner } from "../../../src/lib/signed-cursor";
import { deletedPlan, page } from "../../../src/services/domain/list-pages";
import { projectListPlan, type ProjectListQuery } from "../../../src/services/domain/project-lists";
import { projectKeyOf, taskJson } from "../../../src/services/domain/resource-json";
import { taskListPlan, type TaskListQuery } from "../../../src/services/domain/task-lists";
import { deletedAttachmentsPlan, deletedCommentsPlan } from "../../../src/services/domain/trash-lists";
import type { WorkspaceAccess } from "../../../src/services/workspaces/access";
import { testConfig } from "../../helpers/identity";
import { createWorkspace } from "../../helpers/workspaces";
import { userAt } from "../../routes/workspaces/requests";

// Seeding writes tens of thousands of rows: more than the suite's bound on one statement.
const database = createDatabase({ ...testConfig(), DATABASE_TIMEOUT_MS: 30_000 });
const db = database.http;
const WORKSPACES = 16;
const PROJECTS_PER_WORKSPACE = 300;
const TASKS_PER_WORKSPACE = 400;
/** Tasks go to the first 50 projects of each workspace, 8 each, so one project's list has pages. */
const PROJECTS_WITH_TASKS = 50;
/** The tables no list may read whole. */
const BIG_TABLES = new Set(["projects", "tasks", "comments", "attachments"]);

let access: WorkspaceAccess;
let projectId: string;
let assigneeId: string;
let signer: CursorSigner;

/**
 * Seeds thousands of projects, tasks and comments over several workspaces (so one workspace is a
 * small part of each table, as in production) and ANALYZEs them, so the planner chooses as it would
 * on a real table rather than scanning a tiny one, and VACUUMs them. Words vary as in real text: each searched word
 * is in a few percent of the rows (a word in every comment would rightly be read by a scan).
 */
beforeAll(async () => {
  const owner = await userAt();
  const ids = await Promise.all(Array.from({ length: WORKSPACES }, () => createWorkspace(owner)));
  const workspaces = sql`array[${sql.join(ids.map((id) => sql`${id}`), sql`, `)}]::text[]`;
  await db.execute(sql`
    insert into projects (id, workspace_id, key, name, created_by, updated_by, created_at, updated_at, archived_at, deleted_at)
    select 'prj_' || substr(md5(random()::text || w || g), 1, 26), w, 'K' || g, 'Project ' || md5(g::text), ${owner.id}, ${owner.id},
      now() - g * interval '1 hour', now() - g * interval '1 hour', case when g % 10 = 0 then now() end, case when g % 25 = 0 then now() end
    from unnest(${workspaces}) w, generate_series(1, ${PROJECTS_PER_WORKSPACE}) g`);
  await db.execute(sql`
    with ps as (select id, workspace_id, row_number() over (partition by workspace_id order by id) - 1 as n from projects where workspace_id = any(${workspaces}))
    insert into tasks (id, workspace_id, project_id, number, title, description, status, priority, assignee_id, labels, due_date, position, created_by, updated_by, created_at, updated_at, deleted_at)
    select 'tsk_' || substr(md5(random()::text || ps.id || g), 1, 26), ps.workspace_id, ps.id, g,
      'Task ' || g || ' about topic' || (g % 40), case when g % 2 = 0 then 'Details of subject' || (g % 40) end,
      (array['todo', 'in_progress', 'in_review', 'done', 'canceled'])[1 + g % 5], g % 5,
      case when g % 4 = 0 then ${owner.id} end, case when g % 7 = 0 then array['web'] else '{}'::text[] end,
      case when g % 3 = 0 then null else date '2026-01-01' + (g % 365) end, g * 1024,
      ${owner.id}, ${owner.id}, now() - g * interval '1 minute', now() - (g % 97) * interval '1 minute', case when g % 50 = 0 then now() end
    from generate_series(1, ${TASKS_PER_WORKSPACE}) g join ps on ps.n = g % ${PROJECTS_WITH_TASKS}`);
  await db.execute(sql`
    insert into comments (id, workspace_id, task_id, body, created_by, updated_by, deleted_at)
    select 'cmt_' || substr(md5(random()::text || t.id || c), 1, 26), t.workspace_id, t.id, 'A quote from supplier' || ((t.number + c) % 30) || ' on ' || t.title, ${owner.id}, ${owner.id},
      case when (t.number + c) % 25 = 0 then now() - t.number * interval '1 second' end
    from tasks t, generate_series(1, 4) c where t.workspace_id = any(${workspaces})`);
  // Two files a task; one in 25 deleted, and of those one in 3 purged already.
  await db.execute(sql`
    insert into attachments (id, workspace_id, task_id, object_key, file_name, content_type, size, status, created_by, updated_by, deleted_at, purged_at)
    select 'att_' || substr(md5(random()::text || t.id || a), 1, 26), t.workspace_id, t.id, t.workspace_id || '/' || t.id || '/' || a, 'file' || a || '.png', 'image/png', 1000 + t.number, 'ready', ${owner.id}, ${owner.id},
      case when (t.number + a) % 25 = 0 then now() - t.number * interval '1 second' end, case when (t.number + a) % 75 = 0 then now() end
    from tasks t, generate_series(1, 2) a where t.workspace_id = any(${workspaces})`);
  // VACUUM as autovacuum would: it also moves the GIN indexes' pending entries into the index proper,
  // which the planner otherwise counts as a cost that makes the index look slower than a scan.
  await db.execute(sql`vacuum (analyze) projects, tasks, comments, attachments`);
  access = { workspaceId: ids[0]!, actor: { type: "user", id: owner.id }, role: { builtIn: "owner" }, permissions: new Set() };
  const [project] = (
    await db.execute(sql`select p.id from projects p where p.workspace_id = ${ids[0]} and p.deleted_at is null and (select count(*) from tasks t where t.project_id = p.id and t.deleted_at is null) >= 4 limit 1`)
  ).rows as Array<{ id: string }>;
  projectId = project!.id;
  assigneeId = owner.id;
  signer = await cursorSigner("list plans test");
}, 60_000);

/** The relations a plan reads with a sequential scan, from EXPLAIN's JSON. */
function seqScans(plan: Record<string, unknown>, found: string[] = []): string[] {
  if (plan["Node Type"] === "Seq Scan") found.push(String(plan["Relation Name"]));
  for (const child of (plan.Plans as Array<Record<string, unknown>> | undefined) ?? []) seqScans(child, found);
  return found;
}

async function expectIndexed(statement: SQL): Promise<void> {
  const result = await db.execute(sql`explain (format json) ${statement}`);
  const [explained] = (result.rows[0] as { "QUERY PLAN": Array<{ Plan: Record<string, unknown> }> })["QUERY PLAN"];
  const scanned = seqScans(explained!.Plan).filter((relation) => BIG_TABLES.has(relation));
  expect(scanned, JSON.stringify(explained!.Plan)).toEqual([]);
}

/** The plan of the first page and, with a cursor from it, of the second. */
async function bothPages(plan: (cursor?: string) => Promise<{ statement: SQL; shape: string }>): Promise<void> {
  const first = await plan();
  await expectIndexed(first.statement);
  const { nextCursor } = await page({ db: database }, first, 2, signer);
  expect(nextCursor).not.toBeNull();
  await expectIndexed((await plan(nextCursor!)).statement);
}

const taskShapes: Array<[string, () => Omit<TaskListQuery, "limit" | "cursor">]> = [
  ["created ascending", () => ({})],
  ["created descending", () => ({ order: "desc" })],
  ["updated ascending", () => ({ sort: "updated" })],
  ["updated descending", () => ({ sort: "updated", order: "desc" })],
  ["due ascending", () => ({ sort: "due" })],
  ["due descending", () => ({ sort: "due", order: "desc" })],
  ["priority ascending", () => ({ sort: "priority" })],
  ["priority descending", () => ({ sort: "priority", order: "desc" })],
  ["position in a project", () => ({ sort: "position", projectId })],
  ["position in a project, descending", () => ({ sort: "position", order: "desc", projectId })],
  ["a status", () => ({ status: ["done"] })],
  ["statuses, by priority", () => ({ status: ["todo", "in_progress"], sort: "priority", order: "desc" })],
  ["an assignee", () => ({ assigneeId })],
  ["an assignee, by due date", () => ({ assigneeId, sort: "due" })],
  ["a label", () => ({ label: "web" })],
  ["a project", () => ({ projectId })],
  ["due before", () => ({ dueBefore: "2026-03-01" })],
  ["due after, by due date", () => ({ dueAfter: "2026-06-01", sort: "due" })],
  ["updated since", () => ({ updatedSince: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000), sort: "updated" })],
  ["everything at once", () => ({ status: ["todo", "done"], assigneeId, label: "web", dueAfter: "2026-01-01", sort: "due", order: "desc" })],
  ["a search, by relevance", () => ({ q: "topic7" })],
  ["a search of comments, by relevance", () => ({ q: "supplier4" })],
  ["a search of both, by relevance", () => ({ q: "topic7 or supplier4" })],
  ["a search, by creation, with a status", () => ({ q: "subject8", sort: "created", status: ["done", "canceled"] })],
];

describe("every list is served by indexes on a seeded table", () => {
  it.each(taskShapes)("tasks: %s", async (_, shape) => {
    await bothPages((cursor) => taskListPlan(access, { ...shape(), limit: 50, cursor }, signer));
  });

  it.each<[string, Omit<ProjectListQuery, "limit" | "cursor">]>([
    ["created ascending", {}],
    ["created descending", { order: "desc" }],
    ["name ascending", { sort: "name" }],
    ["name descending, archived only", { sort: "name", order: "desc", archived: true }],
    ["not archived", { archived: false }],
  ])("projects: %s", async (_, shape) => {
    await bothPages((cursor) => projectListPlan(access, { ...shape, limit: 50, cursor }, signer));
  });

  it("deleted projects and deleted tasks", async () => {
    await bothPages((cursor) => deletedPlan("projects", access, { limit: 50, cursor }, signer));
    await bothPages((cursor) => deletedPlan("tasks", access, { limit: 50, cursor }, signer, taskJson("r", projectKeyOf("r"))));
  });

  it("deleted comments and deleted attachments", async () => {
    await bothPages(async (cursor) => deletedCommentsPlan(access, { limit: 50, cursor }, signer));
    await bothPages(async (cursor) => deletedAttachmentsPlan(access, { limit: 50, cursor }, signer));
  });

  it("finds a sequential scan where there is one (the check itself can fail)", async () => {
    const result = await db.execute(sql`explain (format json) select * from tasks where title like '%pricing%'`);
    const [explained] = (result.rows[0] as { "QUERY PLAN": Array<{ Plan: Record<string, unknown> }> })["QUERY PLAN"];
    expect(seqScans(explained!.Plan)).toContain("tasks");
  });
});
