import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attachments, events, workspaceMembers } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { WORKSPACE_QUOTA_BYTES } from "../../../src/services/domain/attachment-upload";
import { db } from "../../helpers/accounts";
import { deleteTask, insertTask } from "../../helpers/inserted-tasks";
import { expectProblem } from "../../helpers/problem";
import { domainApi, domainWorkspace, expectStatus, userAt } from "../domain/requests";
import { auditOf } from "../workspaces/requests";

interface AttachmentBody {
  id: string;
  taskId: string;
  fileName: string;
  size: number;
}

/** A workspace, a live task, and a ready attachment the member uploaded, read through the API with its ETag. */
async function attached() {
  const api = domainApi();
  const ws = await domainWorkspace(api.time);
  const taskId = await insertTask(ws.id, ws.owner.id);
  const path = `${ws.base}/tasks/${taskId}/attachments`;
  const add = async (fields: Partial<typeof attachments.$inferInsert> = {}) => {
    const id = newId("attachment");
    const by = ws.member.id;
    await db.insert(attachments).values({ id, workspaceId: ws.id, taskId, objectKey: `${ws.id}/${id}`, fileName: "notes.txt", contentType: "text/plain", size: 5, status: "ready", createdBy: by, updatedBy: by, ...fields });
    return id;
  };
  const id = await add();
  const read = await api.get(ws.viewer, `${path}/${id}`);
  const attachment = await expectStatus<AttachmentBody>(read, 200);
  return { api, ws, taskId, path, add, attachment, etag: read.headers.get("ETag")!, at: `${path}/${id}` };
}

describe("restoring an attachment", () => {
  it("brings a deleted attachment back with its audit row and attachment.restored event, in one round trip after the access check", async () => {
    const { api, ws, path, attachment, etag, at } = await attached();
    expect(etag).toMatch(new RegExp(`^"${attachment.id}\\.\\d+"$`));
    await expectStatus(await api.send(ws.member, "DELETE", at, undefined, { "If-Match": etag }), 204);
    const { response, roundTrips } = await api.counted(ws.member, "POST", `${at}/restore`);
    expect(await expectStatus<AttachmentBody>(response, 200)).toEqual(attachment);
    expect(roundTrips).toBe(2); // the caller's access, then the restore (a batch)
    const restoredTag = response.headers.get("ETag")!;
    expect(restoredTag).not.toBe(etag);
    const again = await api.get(ws.viewer, at);
    expect(await expectStatus(again, 200)).toEqual(attachment);
    expect(again.headers.get("ETag")).toBe(restoredTag);
    expect((await expectStatus<{ attachments: AttachmentBody[] }>(await api.get(ws.viewer, path), 200)).attachments.map((item) => item.id)).toEqual([attachment.id]);
    const audit = (await auditOf(ws.id)).filter((row) => row.targetId === attachment.id);
    expect(audit.map((row) => row.action)).toEqual(["attachment.deleted", "attachment.restored"]);
    expect(audit[1]).toMatchObject({ actorId: ws.member.id, targetType: "attachment", details: { before: attachment, after: attachment } });
    const [event] = await db.select().from(events).where(and(eq(events.subjectId, attachment.id), eq(events.type, "attachment.restored")));
    expect(event).toMatchObject({ workspaceId: ws.id, subjectType: "attachment", actorId: ws.member.id, payload: attachment });
  });

  it("lets who uploaded it, an owner or an admin restore it, but not another member (403) or a viewer (403)", async () => {
    const { api, ws, add, path } = await attached();
    const other = await userAt(api.time);
    await db.insert(workspaceMembers).values({ workspaceId: ws.id, userId: other.id, role: "member" });
    const deleted = async () => `${path}/${await add({ deletedAt: new Date() })}/restore`;
    const [mine, forOwner, forAdmin] = [await deleted(), await deleted(), await deleted()];
    await expectProblem(await api.send(other, "POST", mine), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await api.send(ws.viewer, "POST", mine), { status: 403, code: "FORBIDDEN" });
    await expectStatus(await api.send(ws.member, "POST", mine), 200);
    await expectStatus(await api.send(ws.owner, "POST", forOwner), 200);
    await expectStatus(await api.send(ws.admin, "POST", forAdmin), 200);
    await expectProblem(await api.send(ws.member, "POST", mine), { status: 404, code: "NOT_FOUND" });
  });

  it("is 404 for a live attachment, a purged one, one on a deleted task and another workspace's, and writes nothing", async () => {
    const { api, ws, taskId, add, path, at } = await attached();
    const purged = await add({ deletedAt: new Date(), purgedAt: new Date() });
    const onDeletedTask = await add({ deletedAt: new Date() });
    const other = await domainWorkspace(api.time);
    await expectProblem(await api.send(ws.member, "POST", `${at}/restore`), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.send(ws.member, "POST", `${path}/${purged}/restore`), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await api.send(other.owner, "POST", `${other.base}/tasks/${taskId}/attachments/${onDeletedTask}/restore`), { status: 404, code: "NOT_FOUND" });
    await deleteTask(taskId);
    await expectProblem(await api.send(ws.member, "POST", `${path}/${onDeletedTask}/restore`), { status: 404, code: "NOT_FOUND" });
    expect((await auditOf(ws.id)).filter((row) => row.action === "attachment.restored")).toEqual([]);
  });

  it("checks the quota again: a file the workspace has no room for any more stays deleted (409 QUOTA_EXCEEDED)", async () => {
    const { api, ws, add, path } = await attached();
    const deleted = await add({ deletedAt: new Date(), size: 10 });
    // The live files (5 bytes from the start, and this one) leave 5 bytes: the deleted file takes 10.
    await add({ size: WORKSPACE_QUOTA_BYTES - 5 - 5 });
    const problem = await expectProblem(await api.send(ws.member, "POST", `${path}/${deleted}/restore`), { status: 409, code: "QUOTA_EXCEEDED" });
    expect(problem.detail).toContain(String(WORKSPACE_QUOTA_BYTES));
    const [row] = await db.select().from(attachments).where(eq(attachments.id, deleted));
    expect(row!.deletedAt).not.toBeNull();
  });

  it("refuses a delete or a restore sent with an ETag the attachment has moved on from (412), writing nothing", async () => {
    const { api, ws, attachment, etag, at } = await attached();
    for (const ifMatch of [`W/${etag}`, etag.replace(attachment.id, newId("attachment")), "nonsense"]) {
      await expectProblem(await api.send(ws.member, "DELETE", at, undefined, { "If-Match": ifMatch }), { status: 412, code: "PRECONDITION_FAILED" });
    }
    await expectStatus(await api.send(ws.member, "DELETE", at, undefined, { "If-Match": etag }), 204);
    // The deletion moved the version on: the ETag read before it no longer restores.
    await expectProblem(await api.send(ws.member, "POST", `${at}/restore`, undefined, { "If-Match": etag }), { status: 412, code: "PRECONDITION_FAILED" });
    await expectStatus(await api.send(ws.member, "POST", `${at}/restore`, undefined, { "If-Match": "*" }), 200);
    expect((await auditOf(ws.id)).filter((row) => row.targetId === attachment.id).map((row) => row.action)).toEqual(["attachment.deleted", "attachment.restored"]);
  });

  it("lets exactly one of two concurrent deletions with the same ETag through", async () => {
    const { api, ws, attachment, etag, at } = await attached();
    const answers = await Promise.all([0, 1].map(() => api.send(ws.member, "DELETE", at, undefined, { "If-Match": etag })));
    expect(answers.filter((answer) => answer.status === 204)).toHaveLength(1);
    expect((await auditOf(ws.id)).filter((row) => row.targetId === attachment.id).map((row) => row.action)).toEqual(["attachment.deleted"]);
  });
});
