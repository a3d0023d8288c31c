import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attachments, comments } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { db } from "../../helpers/accounts";
import { insertTask } from "../../helpers/inserted-tasks";
import { expectProblem } from "../../helpers/problem";
import { domainApi, domainWorkspace, expectStatus, type DomainWorkspace, type Page } from "./requests";

interface DeletedBody {
  id: string;
  taskId: string;
  deletedAt: string;
}

/** Comments and attachments on a task of `ws`, deleted a minute apart (the first longest ago), and live ones; the deleted ids, oldest deletion first. */
async function trash(ws: DomainWorkspace, count: number) {
  const taskId = await insertTask(ws.id, ws.owner.id);
  const by = ws.member.id;
  const base = Date.now() - 3_600_000;
  const when = (index: number) => (index < count ? new Date(base + index * 60_000) : null);
  const commentIds = Array.from({ length: count + 1 }, () => newId("comment"));
  const attachmentIds = Array.from({ length: count + 1 }, () => newId("attachment"));
  await db.batch([
    db.insert(comments).values(commentIds.map((id, index) => ({ id, workspaceId: ws.id, taskId, body: `Comment ${index}`, createdBy: by, updatedBy: by, deletedAt: when(index) }))),
    db.insert(attachments).values(
      attachmentIds.map((id, index) => ({ id, workspaceId: ws.id, taskId, objectKey: `${ws.id}/${id}`, fileName: `${index}.txt`, contentType: "text/plain", size: 5, status: "ready" as const, createdBy: by, updatedBy: by, deletedAt: when(index) })),
    ),
  ]);
  return { taskId, comments: commentIds.slice(0, count), attachments: attachmentIds.slice(0, count) };
}

describe("the workspace's deleted comments and attachments", () => {
  it.each(["comments", "attachments"] as const)("lists deleted %s to owners and admins, most recently deleted first, a page at a time, in one round trip after the access check", async (kind) => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const other = await domainWorkspace(api.time);
    const deleted = (await trash(ws, 3))[kind];
    await trash(other, 1);
    const path = `${ws.base}/${kind}/deleted`;
    const { response, roundTrips } = await api.counted(ws.admin, "GET", `${path}?limit=2`);
    const first = await expectStatus<Page<DeletedBody>>(response, 200);
    expect(roundTrips).toBe(2);
    expect(first.items.map((item) => item.id)).toEqual([deleted[2], deleted[1]]);
    expect(first.items[0]).toMatchObject({ deletedAt: expect.stringMatching(/Z$/) });
    const second = await expectStatus<Page<DeletedBody>>(await api.get(ws.owner, `${path}?limit=2&cursor=${first.nextCursor}`), 200);
    expect(second).toEqual({ items: [expect.objectContaining({ id: deleted[0] })], nextCursor: null });
    await expectProblem(await api.get(ws.owner, `${path}?cursor=${first.nextCursor!.slice(0, -2)}xx`), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await api.get(ws.member, path), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await api.get(other.owner, path), { status: 404, code: "NOT_FOUND" });
  });

  it("shows a deleted comment as it was, and no longer lists an attachment once its file is purged", async () => {
    const api = domainApi();
    const ws = await domainWorkspace(api.time);
    const { taskId, attachments: [gone] } = await trash(ws, 1);
    const page = await expectStatus<Page<DeletedBody & { body: string }>>(await api.get(ws.owner, `${ws.base}/comments/deleted`), 200);
    expect(page.items).toEqual([{ id: expect.stringMatching(/^cmt_/), taskId, body: "Comment 0", createdBy: ws.member.id, updatedBy: ws.member.id, createdAt: expect.any(String), updatedAt: expect.any(String), deletedAt: expect.any(String) }]);
    const listed = async () => (await expectStatus<Page<DeletedBody>>(await api.get(ws.owner, `${ws.base}/attachments/deleted`), 200)).items.map((item) => item.id);
    expect(await listed()).toEqual([gone]);
    await db.update(attachments).set({ purgedAt: new Date() }).where(eq(attachments.id, gone!));
    expect(await listed()).toEqual([]);
  });
});
