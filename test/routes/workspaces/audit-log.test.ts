import { desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../../src/db/client";
import { auditLog } from "../../../src/db/schema";
import { encodeCursor } from "../../../src/lib/cursor";
import { newId } from "../../../src/lib/ids";
import { ROLE_PERMISSIONS } from "../../../src/lib/permissions";
import { auditLogQuery } from "../../../src/services/workspaces/audit-log";
import { db } from "../../helpers/accounts";
import { testConfig } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { createWorkspace } from "../../helpers/workspaces";
import { expectStatus, userAt, workspaceApi } from "./requests";

type Entry = { id: string; actor: { type: string; id: string } | null; action: string; target: { type: string; id: string } | null; createdAt: string };
type Log = { entries: Entry[]; nextCursor: string | null };

/** Inserts an audit row of workspace `workspaceId` at `at` (ISO, to the microsecond); returns its id. */
async function event(workspaceId: string, at: string, fields: { action?: string; actorId?: string } = {}): Promise<string> {
  const id = newId("audit");
  await db.execute(sql`insert into audit_log (id, actor_id, action, workspace_id, ip, user_agent, created_at)
    values (${id}, ${fields.actorId ?? null}, ${fields.action ?? "member.added"}, ${workspaceId}, '192.0.2.7', 'secret-agent', ${at}::timestamptz)`);
  return id;
}

/** Every row of the workspace's log, newest first, as the database orders them. */
async function wholeLog(workspaceId: string): Promise<string[]> {
  const rows = await db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.workspaceId, workspaceId)).orderBy(desc(auditLog.createdAt), desc(auditLog.id));
  return rows.map((row) => row.id);
}

async function workspace() {
  const [owner, admin, member, viewer] = [await userAt(), await userAt(), await userAt(), await userAt()];
  const id = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: member, role: "member" },
    { user: viewer, role: "viewer" },
  ]);
  return { id, path: `/v1/workspaces/${id}`, log: `/v1/workspaces/${id}/audit-log`, owner, admin, member, viewer };
}

describe("GET /v1/workspaces/{workspaceId}/audit-log", () => {
  it("shows an admin the workspace's changes newest first, with actor, target, details and request id but no IP or user agent, in two round trips", async () => {
    const api = workspaceApi();
    const { path, log, owner, admin, member } = await workspace();
    await expectStatus(await api.send(owner, "PATCH", path, { name: "Renamed" }), 200);
    api.time.advance(1);
    await expectStatus(await api.send(admin, "PATCH", `${path}/members/${member.id}`, { role: "viewer" }), 200);
    const { response, roundTrips } = await api.counted(admin, "GET", log);
    const page = await expectStatus<Log>(response, 200);
    expect(roundTrips).toBe(2);
    expect(page.nextCursor).toBeNull();
    expect(page.entries).toEqual([
      {
        id: expect.stringMatching(/^aud_/),
        actor: { type: "user", id: admin.id },
        action: "member.role_changed",
        target: { type: "member", id: member.id },
        details: { from: "member", to: "viewer" },
        requestId: expect.any(String),
        createdAt: new Date(api.time.clock()).toISOString(),
      },
      expect.objectContaining({ actor: { type: "user", id: owner.id }, action: "workspace.renamed", target: { type: "workspace", id: path.split("/").at(-1) } }),
    ]);
  });

  it("pages through the whole log exactly once, ties and microseconds included, while new events are written", async () => {
    const api = workspaceApi();
    const { id, log, owner } = await workspace();
    const same = "2026-03-01T10:00:00.123456Z";
    for (const at of [same, same, same, "2026-03-01T10:00:00.123455Z", "2026-03-01T10:00:00.123457Z", "2026-03-01T09:00:00.000000Z", "2026-03-02T00:00:00.000001Z"]) await event(id, at);
    const expected = await wholeLog(id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Log = await expectStatus<Log>(await api.get(owner, `${log}?limit=2${cursor ? `&cursor=${cursor}` : ""}`), 200);
      seen.push(...page.entries.map((entry) => entry.id));
      cursor = page.nextCursor;
      // Newer than every page: it belongs before the first one, never to a later one.
      await event(id, "2026-04-01T00:00:00.000000Z");
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("filters by actor, action and time range, and pages within the filter", async () => {
    const api = workspaceApi();
    const { id, log, owner, admin } = await workspace();
    const byAdmin = [
      await event(id, "2026-05-01T10:00:00.000000Z", { actorId: admin.id, action: "role.created" }),
      await event(id, "2026-05-02T10:00:00.000000Z", { actorId: admin.id, action: "role.updated" }),
      await event(id, "2026-05-03T10:00:00.000000Z", { actorId: admin.id, action: "role.created" }),
    ];
    const byOwner = await event(id, "2026-05-02T12:00:00.000000Z", { actorId: owner.id, action: "role.created" });
    const ids = async (query: string) => (await expectStatus<Log>(await api.get(owner, `${log}?${query}`), 200)).entries.map((entry) => entry.id);

    expect(await ids(`actor=${admin.id}`)).toEqual([...byAdmin].reverse());
    expect(await ids("action=role.created")).toEqual([byAdmin[2], byOwner, byAdmin[0]]);
    expect(await ids(`actor=${admin.id}&action=role.created`)).toEqual([byAdmin[2], byAdmin[0]]);
    // From inclusive, to exclusive, in any offset.
    expect(await ids(`from=2026-05-02T12:00:00%2B02:00&to=2026-05-03T10:00:00Z`)).toEqual([byOwner, byAdmin[1]]);
    const first = await expectStatus<Log>(await api.get(owner, `${log}?action=role.created&limit=1`), 200);
    const second = await expectStatus<Log>(await api.get(owner, `${log}?action=role.created&limit=1&cursor=${first.nextCursor}`), 200);
    expect([...first.entries, ...second.entries].map((entry) => entry.id)).toEqual([byAdmin[2], byOwner]);
  });

  it("returns 50 events by default and at most 100, however many are asked for", async () => {
    const { id, log, owner } = await workspace();
    const values = Array.from({ length: 105 }, (_, index) => ({ id: newId("audit"), action: "member.added", workspaceId: id, createdAt: new Date(Date.UTC(2026, 5, 1, 0, 0, index)) }));
    await db.insert(auditLog).values(values);
    const api = workspaceApi();
    expect((await expectStatus<Log>(await api.get(owner, log), 200)).entries).toHaveLength(50);
    expect((await expectStatus<Log>(await api.get(owner, `${log}?limit=500`), 200)).entries).toHaveLength(100);
  });

  it.each([
    ["a cursor that is not base64url", "cursor=%2F%2F%2F"],
    ["a cursor of another list", `cursor=${encodeCursor({ at: "2026-01-01T00:00:00.000000Z", id: newId("workspace") })}`],
    ["a cursor naming no real time", `cursor=${encodeCursor({ at: "2026-13-01T00:00:00.000000Z", id: newId("audit") })}`],
    ["an actor that is no user or key id", "actor=root"],
    ["an action the log does not hold", "action=login.failed"],
    ["a time without an offset", "from=2026-01-01T00:00:00"],
    ["a range that ends before it starts", "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"],
    ["an unknown parameter", "workspaceId=ws_x"],
  ])("refuses %s with 400", async (_, query) => {
    const { log, owner } = await workspace();
    await expectProblem(await workspaceApi().get(owner, `${log}?${query}`), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("refuses members and viewers (403): audit:read is for owners and admins", async () => {
    const api = workspaceApi();
    const { log, member, viewer } = await workspace();
    for (const caller of [member, viewer]) {
      const problem = await expectProblem(await api.get(caller, log), { status: 403, code: "FORBIDDEN" });
      expect(problem.detail).toContain("audit:read");
    }
  });

  it("answers 404 to another workspace's owner, and never shows another workspace's events", async () => {
    const api = workspaceApi();
    const mine = await workspace();
    const theirs = await workspace();
    const theirEvent = await event(theirs.id, "2026-07-01T00:00:00.000000Z");
    await expectProblem(await api.get(mine.owner, theirs.log), { status: 404, code: "NOT_FOUND" });
    const ids = (await expectStatus<Log>(await api.get(mine.owner, mine.log), 200)).entries.map((entry) => entry.id);
    expect(ids).not.toContain(theirEvent);
  });

  it("is served by the index audit_log_workspace_idx, read backwards, with no sort", async () => {
    const { id, admin } = await workspace();
    const access = { workspaceId: id, actor: { type: "user", id: admin.id } as const, role: { builtIn: "admin" } as const, permissions: ROLE_PERMISSIONS.admin };
    const cursor = encodeCursor({ at: "2026-01-01T00:00:00.000000Z", id: newId("audit") });
    const database = createDatabase(testConfig());
    // Statistics as autovacuum would leave them: they tell the planner this workspace has few rows.
    await db.execute(sql`analyze audit_log`);
    for (const query of [{ limit: 50 }, { limit: 50, cursor, action: "role.created" as const, from: new Date("2025-01-01T00:00:00Z") }]) {
      // With a handful of rows a scan and a sort cost nothing, and the planner rightly picks them; what
      // matters is the plan for a long log, so the cheap shortcuts are priced out. A query the index
      // could not serve in order would still need its Sort.
      const [, , , plan] = await db.batch([
        db.execute(sql`set local enable_seqscan = off`),
        db.execute(sql`set local enable_bitmapscan = off`),
        db.execute(sql`set local enable_sort = off`),
        db.execute(sql`explain ${auditLogQuery(database, access, query)}`),
      ]);
      const lines = (plan.rows as Array<{ "QUERY PLAN": string }>).map((row) => row["QUERY PLAN"]).join("\n");
      expect(lines).toMatch(/Index Scan Backward using audit_log_workspace_idx/);
      expect(lines).not.toMatch(/Sort/);
    }
  });
});
