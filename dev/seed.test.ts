import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "./migrate.ts";
import { seedWorkspace } from "./seed.ts";
import { createTestDatabase } from "./test-database.ts";
import { TEST_POSTGRES_URL } from "./test-services.ts";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase(TEST_POSTGRES_URL);
  await applyMigrations(database.url);
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe("seedWorkspace", () => {
  it("writes a workspace whose tasks are numbered 1..n in each project, with the counter after the last", async () => {
    const summary = await seedWorkspace(client, { tasks: 600, seed: 7 });
    expect(summary.tasks).toBe(600);

    const { rows: projects } = await client.query<{ key: string; next: number; count: string; max: number | null }>(
      `select p.key, p.next_task_number as next, count(t.id) as count, max(t.number) as max
       from projects p left join tasks t on t.project_id = p.id where p.workspace_id = $1 group by p.id order by p.key`,
      [summary.workspaceId],
    );
    expect(projects).toHaveLength(10);
    expect(projects.reduce((sum, project) => sum + Number(project.count), 0)).toBe(600);
    for (const project of projects) {
      expect(project.max ?? 0).toBe(Number(project.count));
      expect(project.next).toBe(Number(project.count) + 1);
    }

    const { rows: members } = await client.query<{ role: string; count: string }>("select role, count(*) from workspace_members where workspace_id = $1 group by role order by role", [summary.workspaceId]);
    expect(members).toEqual([
      { role: "admin", count: "2" },
      { role: "member", count: "8" },
      { role: "owner", count: "1" },
      { role: "viewer", count: "2" },
    ]);

    const { rows: [comments] } = await client.query<{ count: string }>("select count(*) from comments where workspace_id = $1", [summary.workspaceId]);
    expect(Number(comments!.count)).toBe(summary.comments);
    expect(summary.comments).toBeGreaterThan(0);

    // The generated search column is filled: the seeded titles are searchable.
    const { rows: [found] } = await client.query<{ count: string }>(
      "select count(*) from tasks where workspace_id = $1 and search_vector @@ websearch_to_tsquery('english', 'login page')",
      [summary.workspaceId],
    );
    expect(Number(found!.count)).toBeGreaterThan(0);
  });

  it("writes the same content for the same seed", async () => {
    const titles = async (workspaceId: string) =>
      (await client.query<{ title: string }>("select t.title from tasks t join projects p on p.id = t.project_id where t.workspace_id = $1 order by p.key, t.number", [workspaceId])).rows.map((row) => row.title);
    const first = await seedWorkspace(client, { tasks: 50, seed: 42 });
    const second = await seedWorkspace(client, { tasks: 50, seed: 42 });
    const third = await seedWorkspace(client, { tasks: 50, seed: 43 });
    expect(await titles(second.workspaceId)).toEqual(await titles(first.workspaceId));
    expect(await titles(third.workspaceId)).not.toEqual(await titles(first.workspaceId));
  });

  it("refuses an owner address nobody registered, and writes nothing", async () => {
    const { rows: [before] } = await client.query<{ count: string }>("select count(*) from workspaces");
    await expect(seedWorkspace(client, { tasks: 10, seed: 1, ownerEmail: "nobody@example.test" })).rejects.toThrow(/register it first/);
    const { rows: [after] } = await client.query<{ count: string }>("select count(*) from workspaces");
    expect(after!.count).toBe(before!.count);
  });

  it("makes an existing account the owner", async () => {
    await client.query("insert into users (id, email, name) values ('usr_0000000000000000000000seed', 'me@example.test', 'Me')");
    const summary = await seedWorkspace(client, { tasks: 5, seed: 1, ownerEmail: " Me@Example.test " });
    expect(summary.ownerId).toBe("usr_0000000000000000000000seed");
    const { rows } = await client.query("select role from workspace_members where workspace_id = $1 and user_id = $2", [summary.workspaceId, summary.ownerId]);
    expect(rows).toEqual([{ role: "owner" }]);
  });
});
