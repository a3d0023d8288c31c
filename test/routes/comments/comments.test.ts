import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { comments, events } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { MAX_COMMENTS_PER_TASK } from "../../../src/services/domain/comments";
import { db } from "../../helpers/accounts";
import { deleteTask, insertTask } from "../../helpers/inserted-tasks";
import { createWorkspace } from "../../helpers/workspaces";
import { auditOf, expectStatus, userAt, workspaceApi } from "../workspaces/requests";

interface CommentBody {
  id: string;
  taskId: string;
  body: string;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A workspace with an owner, an admin, two members and a viewer, and a live task in it. */
async function setting() {
  const api = workspaceApi();
  const [owner, admin, author, other, viewer] = [await userAt(api.time), await userAt(api.time), await userAt(api.time), await userAt(api.time), await userAt(api.time)];
  const workspaceId = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: author, role: "member" },
    { user: other, role: "member" },
    { user: viewer, role: "viewer" },
  ]);
  const taskId = await insertTask(workspaceId, owner.id);
  const path = `/v1/workspaces/${workspaceId}/tasks/${taskId}/comments`;
  return { api, owner, admin, author, other, viewer, workspaceId, taskId, path };
}

describe("comments on a task", () => {
  it("adds a comment with its audit row and comment.added event in one round trip after the access check", async () => {
    const { api, author, workspaceId, taskId, path } = await setting();
    const { response, roundTrips } = await api.counted(author, "POST", path, { body: "Reproduced on staging." });
    const comment = await expectStatus<CommentBody>(response, 201);
    expect(roundTrips).toBe(2); // the caller's access, then the comment's own
    expect(comment).toEqual({ id: expect.stringMatching(/^cmt_/), taskId, body: "Reproduced on staging.", createdBy: author.id, updatedBy: author.id, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const audit = (await auditOf(workspaceId)).filter((row) => row.targetId === comment.id);
    expect(audit).toEqual([expect.objectContaining({ action: "comment.added", actorId: author.id, targetType: "comment", details: { before: null, after: comment } })]);
    const [event] = await db.select().from(events).where(eq(events.subjectId, comment.id));
    expect(event).toEqual(expect.objectContaining({ type: "comment.added", workspaceId, subjectType: "comment", actorId: author.id, payload: comment }));
  });

  it("lists a task's comments oldest first, a page at a time, with the limit clamped, in one round trip after the access check", async () => {
    const { api, author, path } = await setting();
    const added: string[] = [];
    for (const text of ["one", "two", "three"]) {
      api.time.advance(1000);
      added.push((await expectStatus<CommentBody>(await api.send(author, "POST", path, { body: text }), 201)).id);
    }
    const { response, roundTrips } = await api.counted(author, "GET", `${path}?limit=2`);
    const first = await expectStatus<{ comments: CommentBody[]; nextCursor: string }>(response, 200);
    expect(roundTrips).toBe(2); // the caller's access, then the comment's own
    expect(first.comments.map((comment) => comment.body)).toEqual(["one", "two"]);
    const second = await expectStatus<{ comments: CommentBody[]; nextCursor: string | null }>(await api.get(author, `${path}?limit=2&cursor=${first.nextCursor}`), 200);
    expect(second).toEqual({ comments: [expect.objectContaining({ id: added[2] })], nextCursor: null });
    const all = await expectStatus<{ comments: CommentBody[] }>(await api.get(author, `${path}?limit=100000`), 200);
    expect(all.comments.map((comment) => comment.id)).toEqual(added);
  });

  it("refuses a tampered cursor with 400", async () => {
    const { api, author, path } = await setting();
    await expectStatus(await api.get(author, `${path}?cursor=${btoa("2026-01-01T00:00:00.000000Z|tsk_00000000000000000000000000")}`), 400);
  });

  it("refuses an empty, blank or over-long body, and unknown fields", async () => {
    const { api, author, path } = await setting();
    await expectStatus(await api.send(author, "POST", path, { body: "" }), 400);
    await expectStatus(await api.send(author, "POST", path, { body: "  \n " }), 400);
    await expectStatus(await api.send(author, "POST", path, { body: "x".repeat(10_001) }), 400);
    await expectStatus(await api.send(author, "POST", path, { body: "ok", taskId: "tsk_x" }), 400);
    await expectStatus(await api.send(author, "POST", path, { body: "x".repeat(10_000) }), 201);
  });

  it("is 404 on a deleted task, an unknown one and another workspace's, and writes nothing", async () => {
    const { api, owner, author, workspaceId, taskId, path } = await setting();
    const otherWorkspace = await createWorkspace(owner);
    const foreignTask = await insertTask(otherWorkspace, owner.id);
    await expectStatus(await api.send(author, "POST", `/v1/workspaces/${workspaceId}/tasks/${foreignTask}/comments`, { body: "hi" }), 404);
    await expectStatus(await api.send(author, "POST", `/v1/workspaces/${workspaceId}/tasks/${newId("task")}/comments`, { body: "hi" }), 404);
    await expectStatus(await api.send(author, "POST", `/v1/workspaces/${workspaceId}/tasks/not-a-task/comments`, { body: "hi" }), 404);
    await deleteTask(taskId);
    await expectStatus(await api.send(author, "POST", path, { body: "hi" }), 404);
    await expectStatus(await api.get(author, path), 404);
    expect(await db.select().from(comments).where(eq(comments.workspaceId, workspaceId))).toEqual([]);
  });

  it("refuses a comment past the per-task cap with 409 QUOTA_EXCEEDED", async () => {
    const { api, author, workspaceId, taskId, path } = await setting();
    const rows = Array.from({ length: MAX_COMMENTS_PER_TASK }, () => ({ id: newId("comment"), workspaceId, taskId, body: "filler", createdBy: author.id, updatedBy: author.id }));
    await db.insert(comments).values(rows);
    const problem = await expectStatus<{ code: string }>(await api.send(author, "POST", path, { body: "one too many" }), 409);
    expect(problem.code).toBe("QUOTA_EXCEEDED");
  });

  it("lets only the author edit a comment, recording before and after", async () => {
    const { api, owner, author, other, workspaceId, path } = await setting();
    const comment = await expectStatus<CommentBody>(await api.send(author, "POST", path, { body: "first draft" }), 201);
    await expectStatus(await api.send(other, "PATCH", `${path}/${comment.id}`, { body: "hijacked" }), 403);
    await expectStatus(await api.send(owner, "PATCH", `${path}/${comment.id}`, { body: "hijacked" }), 403);
    api.time.advance(5000);
    const { response, roundTrips } = await api.counted(author, "PATCH", `${path}/${comment.id}`, { body: "second draft" });
    const edited = await expectStatus<CommentBody>(response, 200);
    expect(roundTrips).toBe(2); // the caller's access, then the comment's own
    expect(edited).toEqual({ ...comment, body: "second draft", updatedAt: new Date(Date.parse(comment.updatedAt) + 5000).toISOString() });
    const audit = (await auditOf(workspaceId)).filter((row) => row.targetId === comment.id);
    expect(audit.map((row) => row.action)).toEqual(["comment.added", "comment.updated"]);
    expect(audit[1]!.details).toEqual({ before: comment, after: edited });
  });

  it("lets the author, an owner or an admin delete and restore a comment, but not another member or a viewer", async () => {
    const { api, owner, admin, author, other, viewer, path } = await setting();
    const add = async () => {
      api.time.advance(1000);
      return (await expectStatus<CommentBody>(await api.send(author, "POST", path, { body: "to go" }), 201)).id;
    };
    const [mine, forOwner, forAdmin] = [await add(), await add(), await add()];
    await expectStatus(await api.send(other, "DELETE", `${path}/${mine}`), 403);
    await expectStatus(await api.send(viewer, "DELETE", `${path}/${mine}`), 403);
    await expectStatus(await api.send(author, "DELETE", `${path}/${mine}`), 204);
    await expectStatus(await api.send(owner, "DELETE", `${path}/${forOwner}`), 204);
    await expectStatus(await api.send(admin, "DELETE", `${path}/${forAdmin}`), 204);
    expect((await expectStatus<{ comments: CommentBody[] }>(await api.get(author, path), 200)).comments).toEqual([]);
    await expectStatus(await api.send(author, "DELETE", `${path}/${mine}`), 404);
    await expectStatus(await api.send(author, "PATCH", `${path}/${mine}`, { body: "ghost" }), 404);
    await expectStatus(await api.send(other, "POST", `${path}/${mine}/restore`), 403);
    const restored = await expectStatus<CommentBody>(await api.send(author, "POST", `${path}/${mine}/restore`), 200);
    expect(restored.id).toBe(mine);
    await expectStatus(await api.send(admin, "POST", `${path}/${forAdmin}/restore`), 200);
    await expectStatus(await api.send(author, "POST", `${path}/${mine}/restore`), 404);
    expect((await expectStatus<{ comments: CommentBody[] }>(await api.get(author, path), 200)).comments.map((comment) => comment.id)).toEqual([mine, forAdmin]);
  });

  it("records a deletion with the comment as it was, and a restore with it as it is again", async () => {
    const { api, author, workspaceId, path } = await setting();
    const comment = await expectStatus<CommentBody>(await api.send(author, "POST", path, { body: "short-lived" }), 201);
    await expectStatus(await api.send(author, "DELETE", `${path}/${comment.id}`), 204);
    await expectStatus(await api.send(author, "POST", `${path}/${comment.id}/restore`), 200);
    const types = await db.select({ type: events.type, payload: events.payload }).from(events).where(and(eq(events.workspaceId, workspaceId), eq(events.subjectId, comment.id))).orderBy(events.seq);
    expect(types).toEqual([
      { type: "comment.added", payload: comment },
      { type: "comment.deleted", payload: comment },
      { type: "comment.restored", payload: expect.objectContaining({ id: comment.id, body: "short-lived" }) },
    ]);
  });
});
