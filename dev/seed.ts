// Fills a database with one realistic workspace (members, projects, thousands of tasks, comments) for
// development and benchmarks: `npm run db:seed` (dev/seed-cli.ts) and the bench's domain scenarios.
import type pg from "pg";
import { newId } from "../src/lib/ids.ts";
import { commentBody, dueDate, LABELS, pick, pickSome, PROJECTS, seededRandom, taskDescription, taskStatus, taskTitle } from "./seed-data.ts";

export interface SeedOptions {
  /** How many tasks, spread over the projects. */
  tasks: number;
  /** The PRNG seed: the same seed writes the same content (ids and the run's suffix aside). */
  seed: number;
  /** An existing account to own the workspace (register it first); a passwordless placeholder otherwise. */
  ownerEmail?: string;
  now?: Date;
}

export interface SeedSummary {
  workspaceId: string;
  workspaceSlug: string;
  ownerId: string;
  memberIds: string[];
  projectIds: string[];
  tasks: number;
  comments: number;
}

export const MAX_SEED_TASKS = 200_000;
const MEMBERS = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "Margaret Hamilton", "Ken Thompson", "Radia Perlman", "Leslie Lamport", "Frances Allen", "John McCarthy"];
/** Roles of the members above, in order: the owner comes on top. */
const MEMBER_ROLES = ["admin", "admin", "member", "member", "member", "member", "member", "member", "member", "member", "viewer", "viewer"] as const;
/** Rows per insert statement: big enough to be quick, small enough for any server's parameter limits (one JSON parameter each). */
const CHUNK = 2_000;
const DAY = 86_400_000;

/** Inserts `rows` into `table` as JSON records, a chunk per statement; `columns` name and type each column. */
async function insertRows(client: pg.Client, table: string, columns: Record<string, string>, rows: Record<string, unknown>[]): Promise<void> {
  const names = Object.keys(columns);
  const definition = names.map((name) => `${name} ${columns[name]}`).join(", ");
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    await client.query(`insert into ${table} (${names.join(", ")}) select ${names.join(", ")} from jsonb_to_recordset($1::jsonb) as r(${definition})`, [JSON.stringify(chunk)]);
  }
}

async function findOwner(client: pg.Client, email: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>("select id from users where email = $1 and deleted_at is null", [email.trim().toLowerCase()]);
  if (!rows[0]) throw new Error(`no account with the address ${email}: register it first (POST /v1/auth/register), then seed`);
  return rows[0].id;
}

/**
 * Writes one workspace with 12 members besides its owner, 10 projects, `options.tasks` tasks and about
 * half as many comments, in one transaction: all of it or none. No audit or event rows: seeded data has
 * no history.
 */
export async function seedWorkspace(client: pg.Client, options: SeedOptions): Promise<SeedSummary> {
  if (!Number.isInteger(options.tasks) || options.tasks < 0 || options.tasks > MAX_SEED_TASKS) throw new Error(`tasks must be a whole number from 0 to ${MAX_SEED_TASKS}`);
  const random = seededRandom(options.seed);
  const now = options.now ?? new Date();
  const suffix = newId("workspace").slice(-6);
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();

  await client.query("begin");
  try {
    let ownerId: string;
    const people: Record<string, unknown>[] = [];
    if (options.ownerEmail) {
      ownerId = await findOwner(client, options.ownerEmail);
    } else {
      ownerId = newId("user");
      people.push({ id: ownerId, email: `owner+${suffix}@example.test`, name: "Seed Owner", email_verified_at: at(200), created_at: at(200), updated_at: at(200) });
    }
    const memberIds = MEMBERS.map(() => newId("user"));
    MEMBERS.forEach((name, index) => {
      const email = `${name.toLowerCase().replace(/[^a-z]+/g, ".")}+${suffix}@example.test`;
      people.push({ id: memberIds[index], email, name, email_verified_at: at(190), created_at: at(190), updated_at: at(190) });
    });
    await insertRows(client, "users", { id: "text", email: "text", name: "text", email_verified_at: "timestamptz", created_at: "timestamptz", updated_at: "timestamptz" }, people);

    const workspaceId = newId("workspace");
    const workspaceSlug = `acme-seed-${suffix}`;
    await client.query("insert into workspaces (id, name, slug, created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)", [workspaceId, `Acme (seed ${suffix})`, workspaceSlug, ownerId, at(180)]);
    const memberships = [{ user_id: ownerId, role: "owner" }, ...memberIds.map((id, index) => ({ user_id: id, role: MEMBER_ROLES[index] }))];
    await insertRows(
      client,
      "workspace_members",
      { workspace_id: "text", user_id: "text", role: "text", created_at: "timestamptz", updated_at: "timestamptz" },
      memberships.map((member) => ({ ...member, workspace_id: workspaceId, created_at: at(180), updated_at: at(180) })),
    );

    const projectIds = PROJECTS.map(() => newId("project"));
    const nextNumber = PROJECTS.map(() => 1);
    const authors = [ownerId, ...memberIds.slice(0, 10)];
    const tasks: Record<string, unknown>[] = [];
    const comments: Record<string, unknown>[] = [];
    for (let index = 0; index < options.tasks; index++) {
      const project = Math.floor(random() * PROJECTS.length);
      const number = nextNumber[project]!++;
      // Older tasks first: creation times spread over the last 180 days, in order.
      const createdDaysAgo = 180 - (180 * index) / Math.max(options.tasks, 1);
      const updatedDaysAgo = createdDaysAgo * random();
      const author = pick(random, authors);
      const taskId = newId("task");
      tasks.push({
        id: taskId,
        workspace_id: workspaceId,
        project_id: projectIds[project],
        number,
        title: taskTitle(random),
        description: taskDescription(random),
        status: taskStatus(random),
        priority: Math.floor(random() * 5),
        assignee_id: random() < 0.8 ? pick(random, memberIds.slice(0, 10)) : null,
        labels: pickSome(random, LABELS, 3),
        due_date: dueDate(random, now),
        position: number * 1024,
        created_by: author,
        updated_by: pick(random, authors),
        created_at: at(createdDaysAgo),
        updated_at: at(updatedDaysAgo),
      });
      const commentCount = random() < 0.6 ? 0 : 1 + Math.floor(random() * 3);
      for (let c = 0; c < commentCount; c++) {
        const author = pick(random, authors);
        const time = at(updatedDaysAgo * random());
        comments.push({ id: newId("comment"), workspace_id: workspaceId, task_id: taskId, body: commentBody(random), created_by: author, updated_by: author, created_at: time, updated_at: time });
      }
    }
    await insertRows(
      client,
      "projects",
      { id: "text", workspace_id: "text", key: "text", name: "text", description: "text", next_task_number: "integer", created_by: "text", updated_by: "text", created_at: "timestamptz", updated_at: "timestamptz" },
      PROJECTS.map((project, index) => ({ ...project, id: projectIds[index], workspace_id: workspaceId, next_task_number: nextNumber[index], created_by: ownerId, updated_by: ownerId, created_at: at(180), updated_at: at(180) })),
    );
    await insertRows(
      client,
      "tasks",
      {
        id: "text",
        workspace_id: "text",
        project_id: "text",
        number: "integer",
        title: "text",
        description: "text",
        status: "text",
        priority: "smallint",
        assignee_id: "text",
        labels: "text[]",
        due_date: "date",
        position: "double precision",
        created_by: "text",
        updated_by: "text",
        created_at: "timestamptz",
        updated_at: "timestamptz",
      },
      tasks,
    );
    await insertRows(
      client,
      "comments",
      { id: "text", workspace_id: "text", task_id: "text", body: "text", created_by: "text", updated_by: "text", created_at: "timestamptz", updated_at: "timestamptz" },
      comments,
    );
    await client.query("commit");
    // Fresh statistics, so the planner picks the indexes a real table of this size would get.
    await client.query("analyze users, workspaces, workspace_members, projects, tasks, comments");
    return { workspaceId, workspaceSlug, ownerId, memberIds, projectIds, tasks: tasks.length, comments: comments.length };
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}
