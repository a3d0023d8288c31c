import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { createDatabase } from "../../src/db/client";
import { auditLog, workspaceMembers, workspaceRoles, workspaces } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { purgeDeletedWorkspaces } from "../../src/services/workspaces/purge";
import { db } from "../helpers/accounts";
import { manualClock } from "../helpers/clock";
import { testConfig } from "../helpers/identity";
import { countDatabaseRoundTrips } from "../helpers/round-trips";
import { createWorkspace } from "../helpers/workspaces";
import { userAt } from "../routes/workspaces/requests";

const DAY = 24 * 60 * 60 * 1000;

/** A workspace with a member and a custom role, deleted `daysAgo` days before `now` (not deleted when null). */
async function workspaceDeleted(daysAgo: number | null, now: number): Promise<string> {
  const [owner, member] = [await userAt(), await userAt()];
  const id = await createWorkspace(owner, [{ user: member, role: "member" }]);
  await db.insert(workspaceRoles).values({ id: newId("role"), workspaceId: id, name: "Support", permissions: ["task:read"] });
  if (daysAgo !== null) await db.update(workspaces).set({ deletedAt: new Date(now - daysAgo * DAY) }).where(eq(workspaces.id, id));
  return id;
}

const remaining = async (ids: string[]) => (await db.select({ id: workspaces.id }).from(workspaces).where(inArray(workspaces.id, ids))).map((row) => row.id).sort();

describe("the purge of deleted workspaces", () => {
  it("deletes for good the workspaces deleted more than 30 days ago, with their members and roles, auditing each, in one round trip", async () => {
    const time = manualClock();
    const now = time.clock();
    const [old, older, recent, live] = [await workspaceDeleted(31, now), await workspaceDeleted(90, now), await workspaceDeleted(29, now), await workspaceDeleted(null, now)];
    const { result, roundTrips } = await countDatabaseRoundTrips(() => purgeDeletedWorkspaces(createDatabase(testConfig()), now));
    expect(result).toEqual(expect.arrayContaining([old, older]));
    expect(result).not.toContain(recent);
    expect(roundTrips).toBe(1);
    expect(await remaining([old, older, recent, live])).toEqual([recent, live].sort());
    expect(await db.select().from(workspaceMembers).where(inArray(workspaceMembers.workspaceId, [old, older]))).toEqual([]);
    expect(await db.select().from(workspaceRoles).where(inArray(workspaceRoles.workspaceId, [old, older]))).toEqual([]);
    expect(await db.select().from(workspaceMembers).where(eq(workspaceMembers.workspaceId, recent))).toHaveLength(2);
    const audited = await db.select().from(auditLog).where(inArray(auditLog.workspaceId, [old, older]));
    expect(audited.map(({ action, targetId, actorId }) => ({ action, targetId, actorId })).sort((a, b) => a.targetId!.localeCompare(b.targetId!))).toEqual(
      [old, older].sort().map((id) => ({ action: "workspace.purged", targetId: id, actorId: null })),
    );
    expect(new Set(audited.map((row) => row.id)).size).toBe(2);
  });

  it("purges the same workspace on the 30th day and not a millisecond before", async () => {
    const time = manualClock();
    const id = await workspaceDeleted(30, time.clock());
    const purge = () => purgeDeletedWorkspaces(createDatabase(testConfig()), time.clock());
    time.advance(-1);
    expect(await purge()).not.toContain(id);
    time.advance(2);
    expect(await purge()).toContain(id);
  });

  it("purges at most the batch's size per run, oldest deletions first, and the rest on the next run", async () => {
    const time = manualClock();
    const now = time.clock();
    // Older than anything another test leaves behind.
    const [first, second, third] = [await workspaceDeleted(4000, now), await workspaceDeleted(3999, now), await workspaceDeleted(3998, now)];
    const database = createDatabase(testConfig());
    expect((await purgeDeletedWorkspaces(database, now, 2)).sort()).toEqual([first, second].sort());
    expect(await remaining([first, second, third])).toEqual([third]);
    expect(await purgeDeletedWorkspaces(database, now, 2)).toContain(third);
  });

  it("runs from the Worker's scheduled handler, kept alive with waitUntil, and logs how many it purged", async () => {
    const id = await workspaceDeleted(45, Date.now());
    const logs = vi.spyOn(console, "log");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await remaining([id])).toEqual([]);
    const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)) as { msg: string; job: string; count: number });
    expect(lines).toContainEqual(expect.objectContaining({ msg: "deleted workspaces purged", job: "workspace-purge", count: expect.any(Number) }));
    logs.mockRestore();
  });

  it("logs a configuration it cannot run with, and throws nothing", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), { ...env, DATABASE_URL: "" }, ctx);
    await waitOnExecutionContext(ctx);
    // The attachments' and expired rows' purges run from the same trigger and refuse the same configuration.
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
      expect.objectContaining({ msg: "invalid configuration", settings: ["DATABASE_URL"], job: "workspace-purge" }),
      expect.objectContaining({ msg: "invalid configuration", settings: ["DATABASE_URL"], job: "attachment-purge" }),
      expect.objectContaining({ msg: "invalid configuration", settings: ["DATABASE_URL"], job: "expired-purge" }),
    ]);
    errors.mockRestore();
  });
});
