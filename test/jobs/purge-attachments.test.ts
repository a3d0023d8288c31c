import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { createDatabase } from "../../src/db/client";
import { attachments, workspaces } from "../../src/db/schema";
import { attachmentStore, type AttachmentStore } from "../../src/lib/attachment-store";
import { newId } from "../../src/lib/ids";
import { ABANDONED_AFTER_MS, DELETED_GRACE_MS, purgeAttachments } from "../../src/services/domain/attachment-purge";
import { purgeDeletedWorkspaces } from "../../src/services/workspaces/purge";
import { RESTORE_WINDOW_MS } from "../../src/services/workspaces/workspaces";
import { db } from "../helpers/accounts";
import { testConfig } from "../helpers/identity";
import { insertTask } from "../helpers/inserted-tasks";
import { countDatabaseRoundTrips } from "../helpers/round-trips";
import { createWorkspace } from "../helpers/workspaces";
import { userAt } from "../routes/workspaces/requests";

const MINUTE = 60 * 1000;

interface Fixture {
  /** Pending (an upload under way or abandoned) or ready. */
  status: "pending" | "ready";
  /** How long ago the row last changed (its upload began, or it was deleted). */
  ago: number;
  deleted?: boolean;
}

/** Attachments in a new workspace, each with its file in R2, as `fixtures` describe them (relative to `now`); their ids and keys. */
async function attachmentsAt(now: number, fixtures: Fixture[]) {
  const owner = await userAt();
  const workspaceId = await createWorkspace(owner);
  const taskId = await insertTask(workspaceId, owner.id);
  const rows = fixtures.map(({ status, ago, deleted }) => {
    const id = newId("attachment");
    const at = new Date(now - ago);
    return { id, workspaceId, taskId, objectKey: `${workspaceId}/${id}`, fileName: "f.txt", contentType: "text/plain", size: 5, status, createdBy: owner.id, updatedBy: owner.id, createdAt: at, updatedAt: at, deletedAt: deleted ? at : null };
  });
  await db.insert(attachments).values(rows);
  await Promise.all(rows.map((row) => env.ATTACHMENTS.put(row.objectKey, "hello")));
  return rows.map(({ id, objectKey }) => ({ id, objectKey }));
}

const stored = async (keys: string[]) => (await Promise.all(keys.map(async (key) => ((await env.ATTACHMENTS.head(key)) ? key : null)))).filter(Boolean);
const purgedIds = async (ids: string[]) =>
  (await db.select({ id: attachments.id, purgedAt: attachments.purgedAt }).from(attachments).where(inArray(attachments.id, ids))).filter((row) => row.purgedAt).map((row) => row.id).sort();

describe("the purge of attachments' files", () => {
  it("removes the files of attachments deleted over a day ago and of uploads abandoned over an hour ago, and marks them purged, in one database round trip", async () => {
    const now = Date.now();
    const [deletedLongAgo, deletedRecently, abandoned, uploading, live, deletedWhilePending] = await attachmentsAt(now, [
      { status: "ready", ago: DELETED_GRACE_MS + MINUTE, deleted: true },
      { status: "ready", ago: DELETED_GRACE_MS - MINUTE, deleted: true },
      { status: "pending", ago: ABANDONED_AFTER_MS + MINUTE },
      { status: "pending", ago: ABANDONED_AFTER_MS - MINUTE },
      { status: "ready", ago: 30 * DELETED_GRACE_MS },
      { status: "pending", ago: DELETED_GRACE_MS + MINUTE, deleted: true },
    ]);
    const all = [deletedLongAgo, deletedRecently, abandoned, uploading, live, deletedWhilePending].map((row) => row!);
    const { roundTrips } = await countDatabaseRoundTrips(() => purgeAttachments(createDatabase(testConfig()), attachmentStore(env.ATTACHMENTS), now));
    const gone = [deletedLongAgo!, abandoned!, deletedWhilePending!];
    expect(roundTrips).toBe(1);
    expect(await purgedIds(all.map((row) => row.id))).toEqual(gone.map((row) => row.id).sort());
    expect(await stored(all.map((row) => row.objectKey))).toEqual([deletedRecently!, uploading!, live!].map((row) => row.objectKey));
  });

  it("purges every file of a workspace past its restore window first, and the workspace only after them", async () => {
    const now = Date.now();
    const files = await attachmentsAt(now, [{ status: "ready", ago: MINUTE }, { status: "pending", ago: MINUTE }]);
    const workspaceId = files[0]!.objectKey.split("/")[0]!;
    await db.update(workspaces).set({ deletedAt: new Date(now - RESTORE_WINDOW_MS - MINUTE) }).where(inArray(workspaces.id, [workspaceId]));
    const database = createDatabase(testConfig());
    expect(await purgeDeletedWorkspaces(database, now)).not.toContain(workspaceId);
    await purgeAttachments(database, attachmentStore(env.ATTACHMENTS), now);
    expect(await purgedIds(files.map((file) => file.id))).toEqual(files.map((file) => file.id).sort());
    expect(await stored(files.map((file) => file.objectKey))).toEqual([]);
    expect(await purgeDeletedWorkspaces(database, now)).toContain(workspaceId);
  });

  it("takes its claim back when R2 fails, so the next run tries again", async () => {
    const now = Date.now();
    const [doomed] = await attachmentsAt(now, [{ status: "ready", ago: 400 * DELETED_GRACE_MS, deleted: true }]);
    const failing: AttachmentStore = { ...attachmentStore(env.ATTACHMENTS), delete: () => Promise.reject(new Error("R2 down")) };
    await expect(purgeAttachments(createDatabase(testConfig()), failing, now)).rejects.toThrow("R2 down");
    expect(await purgedIds([doomed!.id])).toEqual([]);
    await purgeAttachments(createDatabase(testConfig()), attachmentStore(env.ATTACHMENTS), now);
    expect(await purgedIds([doomed!.id])).toEqual([doomed!.id]);
    expect(await stored([doomed!.objectKey])).toEqual([]);
  });

  it("runs from the Worker's scheduled handler and logs how many it purged", async () => {
    const [doomed] = await attachmentsAt(Date.now(), [{ status: "pending", ago: 2 * ABANDONED_AFTER_MS }]);
    const logs = vi.spyOn(console, "log");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await purgedIds([doomed!.id])).toEqual([doomed!.id]);
    const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)) as { msg: string; job: string });
    expect(lines).toContainEqual(expect.objectContaining({ msg: "attachment files purged", job: "attachment-purge", count: expect.any(Number) }));
    logs.mockRestore();
  });
});
