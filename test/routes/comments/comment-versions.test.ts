import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../../src/db/client";
import { comments } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { db } from "../../helpers/accounts";
import { testConfig } from "../../helpers/identity";
import { insertTask } from "../../helpers/inserted-tasks";
import { expectProblem } from "../../helpers/problem";
import { domainApi, domainWorkspace, expectStatus } from "../domain/requests";
import { auditOf } from "../workspaces/requests";

interface CommentBody {
  id: string;
  body: string;
  updatedAt: string;
}

/** A workspace, a live task in it, the path of its comments, and a comment the member wrote, with its ETag. */
async function commented() {
  const api = domainApi();
  const ws = await domainWorkspace(api.time);
  const taskId = await insertTask(ws.id, ws.owner.id);
  const path = `${ws.base}/tasks/${taskId}/comments`;
  const response = await api.send(ws.member, "POST", path, { body: "First draft." });
  const comment = await expectStatus<CommentBody>(response, 201);
  return { api, ws, taskId, path, comment, etag: response.headers.get("ETag")!, at: `${path}/${comment.id}` };
}

/** Whether a change to a comment waits for a row lock (the statement's parameters are not in its text). */
async function editWaiting(): Promise<boolean> {
  const result = await db.execute(sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%update comments c set%'`);
  return result.rows.length > 0;
}

describe("comment versions (ETag and If-Match)", () => {
  it("answers a comment with its ETag on adding, reading, editing and restoring; every write changes it", async () => {
    const { api, ws, comment, etag, at } = await commented();
    expect(etag).toMatch(new RegExp(`^"${comment.id}\\.\\d+"$`));
    const { response, roundTrips } = await api.counted(ws.viewer, "GET", at);
    expect(await expectStatus<CommentBody>(response, 200)).toEqual(comment);
    expect(response.headers.get("ETag")).toBe(etag);
    expect(roundTrips).toBe(2); // the caller's access, then the comment
    const edited = await api.send(ws.member, "PATCH", at, { body: "Second draft." }, { "If-Match": etag });
    await expectStatus(edited, 200);
    const editedTag = edited.headers.get("ETag")!;
    expect(editedTag).not.toBe(etag);
    expect((await api.get(ws.viewer, at)).headers.get("ETag")).toBe(editedTag);
    await expectStatus(await api.send(ws.member, "DELETE", at, undefined, { "If-Match": editedTag }), 204);
    await expectProblem(await api.get(ws.viewer, at), { status: 404, code: "NOT_FOUND" });
    // The deletion moved the version on: the ETag read before it no longer restores.
    await expectProblem(await api.send(ws.member, "POST", `${at}/restore`, undefined, { "If-Match": editedTag }), { status: 412, code: "PRECONDITION_FAILED" });
    const restored = await api.send(ws.member, "POST", `${at}/restore`);
    await expectStatus(restored, 200);
    expect(restored.headers.get("ETag")).not.toBe(editedTag);
    expect((await api.get(ws.viewer, at)).headers.get("ETag")).toBe(restored.headers.get("ETag"));
  });

  it("lets exactly one of two concurrent edits with the same ETag win; the other is 412 and records nothing", async () => {
    const { api, ws, comment, etag, at } = await commented();
    // The clock stands still: the versions still differ, as each write moves updated_at on by at least a microsecond.
    const [one, two] = await Promise.all(["Mine.", "Theirs."].map((body) => api.send(ws.member, "PATCH", at, { body }, { "If-Match": etag })));
    expect([one!.status, two!.status].sort()).toEqual([200, 412]);
    const winner = one!.status === 200 ? "Mine." : "Theirs.";
    expect(await expectStatus<CommentBody>(await api.get(ws.member, at), 200)).toMatchObject({ body: winner });
    expect((await auditOf(ws.id)).filter((row) => row.targetId === comment.id).map((row) => row.action)).toEqual(["comment.added", "comment.updated"]);
  });

  it("decides an edit on the version committed while it waited for the row: a write sent with the ETag it replaced is 412", async () => {
    const { api, ws, comment, etag, at } = await commented();
    let answer: Promise<Response> | undefined;
    // Another writer holds the comment's row, its edit not yet committed, while the PATCH arrives.
    await createDatabase(testConfig()).transaction(async (tx) => {
      await tx.update(comments).set({ body: "Theirs.", updatedAt: sql`updated_at + interval '1 second'` }).where(eq(comments.id, comment.id));
      let settled = false;
      answer = api.send(ws.member, "PATCH", at, { body: "Mine." }, { "If-Match": etag }).finally(() => (settled = true));
      for (let tries = 0; tries < 100 && !settled && !(await editWaiting()); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    });
    await expectProblem(await answer!, { status: 412, code: "PRECONDITION_FAILED" });
    expect(await expectStatus<CommentBody>(await api.get(ws.member, at), 200)).toMatchObject({ body: "Theirs." });
  });

  it("refuses a delete with a stale, weak, foreign or garbled ETag (412) and writes nothing; `*` and no If-Match take the current version", async () => {
    const { api, ws, comment, etag, at } = await commented();
    await expectStatus(await api.send(ws.member, "PATCH", at, { body: "Moved on." }), 200);
    for (const ifMatch of [etag, `W/${etag}`, etag.replace(comment.id, newId("comment")), "nonsense"]) {
      await expectProblem(await api.send(ws.member, "DELETE", at, undefined, { "If-Match": ifMatch }), { status: 412, code: "PRECONDITION_FAILED" });
    }
    expect((await auditOf(ws.id)).filter((row) => row.targetId === comment.id).map((row) => row.action)).toEqual(["comment.added", "comment.updated"]);
    await expectStatus(await api.send(ws.member, "DELETE", at, undefined, { "If-Match": "*" }), 204);
    await expectStatus(await api.send(ws.member, "POST", `${at}/restore`), 200);
  });

  it("checks who may change a comment before its version: another member gets 403 whatever the ETag", async () => {
    const { api, ws, at, etag } = await commented();
    await expectProblem(await api.send(ws.admin, "PATCH", at, { body: "Not mine." }, { "If-Match": etag }), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await api.send(ws.admin, "PATCH", at, { body: "Not mine." }, { "If-Match": "nonsense" }), { status: 403, code: "FORBIDDEN" });
  });

  it("reads no comment of a deleted task or of another workspace", async () => {
    const { api, ws, taskId, comment } = await commented();
    const other = await domainWorkspace(api.time);
    await expectProblem(await api.get(other.owner, `${other.base}/tasks/${taskId}/comments/${comment.id}`), { status: 404, code: "NOT_FOUND" });
    await expectStatus(await api.send(ws.member, "DELETE", `${ws.tasks}/${taskId}`), 204);
    await expectProblem(await api.get(ws.member, `${ws.base}/tasks/${taskId}/comments/${comment.id}`), { status: 404, code: "NOT_FOUND" });
  });
});
