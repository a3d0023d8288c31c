import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attachments, events } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { MAX_ATTACHMENT_BYTES, WORKSPACE_QUOTA_BYTES } from "../../../src/services/domain/attachment-upload";
import { db } from "../../helpers/accounts";
import { call } from "../../helpers/app";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { createWorkspace } from "../../helpers/workspaces";
import { deleteTask, insertTask } from "../../helpers/inserted-tasks";
import { auditOf, expectStatus } from "../workspaces/requests";
import { attachmentsSetting, fileOf, png } from "./helpers";

interface AttachmentBody {
  id: string;
  taskId: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdBy: string;
  createdAt: string;
}

const rowsOf = (workspaceId: string) => db.select().from(attachments).where(eq(attachments.workspaceId, workspaceId));

async function sha256Base64(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))));
}

/** A body that counts how many of its bytes were read. */
function watchedBody(bytes: Uint8Array<ArrayBuffer>, chunk = 1024) {
  let read = 0;
  // No queue: a chunk is made only when read.
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (read >= bytes.byteLength) return controller.close();
        controller.enqueue(bytes.slice(read, read + chunk));
        read += chunk;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, read: () => read };
}

describe("uploading an attachment", () => {
  it("streams the file to R2 under a key of the server's making, and records it ready with its audit row and event", async () => {
    const { member, workspaceId, taskId, upload } = await attachmentsSetting();
    const file = png(50_000);
    await upload(member, png(10)); // the session is checked once, so the count below is the route's own
    const { result: response, roundTrips } = await countDatabaseRoundTrips(() => upload(member, file, { name: "../../etc/Bericht März \"final\".png" }));
    const attachment = await expectStatus<AttachmentBody>(response, 201);
    expect(roundTrips).toBe(3); // the caller's access, the pending row, the row made ready
    expect(attachment).toEqual({
      id: expect.stringMatching(/^att_/),
      taskId,
      fileName: 'Bericht März "final".png',
      contentType: "image/png",
      size: 50_000,
      sha256: await sha256Base64(file),
      createdBy: member.id,
      createdAt: expect.any(String),
    });
    const [row] = await db.select().from(attachments).where(eq(attachments.id, attachment.id));
    expect(row).toEqual(expect.objectContaining({ status: "ready", objectKey: `${workspaceId}/${attachment.id}`, purgedAt: null }));
    const stored = await env.ATTACHMENTS.get(row!.objectKey);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
    expect(stored!.httpMetadata?.contentType).toBe("image/png");
    const audit = (await auditOf(workspaceId)).filter((entry) => entry.targetId === attachment.id);
    expect(audit).toEqual([expect.objectContaining({ action: "attachment.added", actorId: member.id, details: { before: null, after: attachment } })]);
    const [event] = await db.select().from(events).where(eq(events.subjectId, attachment.id));
    expect(event).toEqual(expect.objectContaining({ type: "attachment.added", payload: attachment }));
  });

  it("accepts each allowed type its first bytes prove", async () => {
    const { member, upload } = await attachmentsSetting();
    const files: Array<[string, Uint8Array<ArrayBuffer>]> = [
      ["image/jpeg", fileOf([0xff, 0xd8, 0xff, 0xe0])],
      ["image/gif", fileOf("GIF89a")],
      ["image/webp", fileOf("RIFF\x00\x10\x00\x00WEBPVP8 ")],
      ["application/pdf", fileOf("%PDF-1.7\n")],
      ["application/zip", fileOf("PK\x03\x04")],
      ["text/plain; charset=utf-8", fileOf("Grüße aus dem Log.\nZeile zwei.\n", 0)],
    ];
    for (const [type, bytes] of files) {
      const attachment = await expectStatus<AttachmentBody>(await upload(member, bytes, { type, name: "file" }), 201);
      expect(attachment.contentType).toBe(type.split(";")[0]);
    }
  });

  it("refuses a file over the size limit from its Content-Length, before reading any of it", async () => {
    const { member, workspaceId, upload } = await attachmentsSetting();
    const body = watchedBody(png(16));
    const problem = await expectProblem(await upload(member, png(16), { length: MAX_ATTACHMENT_BYTES + 1, body: body.stream }), { status: 413, code: "PAYLOAD_TOO_LARGE" });
    expect(problem.detail).toContain(String(MAX_ATTACHMENT_BYTES));
    expect(body.read()).toBe(0);
    expect(await rowsOf(workspaceId)).toEqual([]);
  });

  it("stops a body longer than its Content-Length while streaming, stores no file and leaves the pending row for the purge", async () => {
    const { member, workspaceId, upload } = await attachmentsSetting();
    const file = png(64 * 1024);
    const body = watchedBody(file);
    await expectProblem(await upload(member, file, { length: 4096, body: body.stream }), { status: 400, code: "BAD_REQUEST" });
    expect(body.read()).toBeLessThan(file.byteLength);
    const rows = await rowsOf(workspaceId);
    expect(rows).toEqual([expect.objectContaining({ status: "pending", size: 4096 })]);
    expect(await env.ATTACHMENTS.head(rows[0]!.objectKey)).toBeNull();
  });

  it("refuses a body shorter than its Content-Length", async () => {
    const { member, workspaceId, upload } = await attachmentsSetting();
    await expectProblem(await upload(member, png(1000), { length: 5000, body: watchedBody(png(1000)).stream }), { status: 400, code: "BAD_REQUEST" });
    expect((await rowsOf(workspaceId)).map((row) => row.status)).toEqual(["pending"]);
  });

  it("requires Content-Length, refusing a chunked upload without reading (or buffering) it, and a file name", async () => {
    const { member, upload } = await attachmentsSetting();
    const body = watchedBody(png());
    await expectProblem(await upload(member, png(), { length: null, body: body.stream }), { status: 400, code: "VALIDATION_FAILED" });
    expect(body.read()).toBe(0);
    await expectProblem(await upload(member, png(), { name: "../" }), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await upload(member, png(), { name: "\u202e" }), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("refuses a file that would take the workspace past its quota with 409 QUOTA_EXCEEDED, counting files not yet purged", async () => {
    const { owner, member, workspaceId, taskId, upload } = await attachmentsSetting();
    const filler = { workspaceId, taskId, fileName: "big.zip", contentType: "application/zip", createdBy: owner.id, updatedBy: owner.id };
    await db.insert(attachments).values([
      { ...filler, id: newId("attachment"), objectKey: `${workspaceId}/filler-1`, size: WORKSPACE_QUOTA_BYTES - 3000, status: "ready", deletedAt: new Date() },
      { ...filler, id: newId("attachment"), objectKey: `${workspaceId}/filler-2`, size: 1000, status: "ready", purgedAt: new Date() },
    ]);
    await expectStatus(await upload(member, png(3000)), 201);
    const problem = await expectProblem(await upload(member, png(1)), { status: 409, code: "QUOTA_EXCEEDED" });
    expect(problem.detail).toContain(String(WORKSPACE_QUOTA_BYTES));
    expect((await rowsOf(workspaceId)).length).toBe(3);
  });

  it.each([
    ["a JPEG sent as image/png", "image/png", fileOf([0xff, 0xd8, 0xff, 0xe0])],
    ["HTML sent as image/png", "image/png", fileOf("<html><script>alert(1)</script></html>", 64)],
    ["SVG sent as image/png", "image/png", fileOf('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 64)],
    ["SVG sent as image/gif", "image/gif", fileOf("<svg/onload=alert(1)>", 32)],
    ["HTML sent as text/plain", "text/plain", fileOf("\uFEFF  \n<!doctype html><script>alert(1)</script>", 64)],
    ["SVG sent as its own type", "image/svg+xml", fileOf("<svg/>", 6)],
    ["HTML sent as its own type", "text/html", fileOf("<p>hi</p>", 9)],
    ["a PNG sent as text/plain", "text/plain", png()],
    ["binary sent as text/plain", "text/plain", fileOf([0x41, 0x00, 0x42], 3)],
    ["a PDF sent as image/png", "image/png", fileOf("%PDF-1.7")],
  ])("refuses %s with 415, writing nothing", async (_, type, bytes) => {
    const { member, workspaceId, upload } = await attachmentsSetting();
    await expectProblem(await upload(member, bytes, { type }), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(await rowsOf(workspaceId)).toEqual([]);
  });

  it("is 404 for a deleted task and another workspace's, and 403 for a viewer, writing nothing", async () => {
    const { owner, member, viewer, workspaceId, taskId, upload, app } = await attachmentsSetting();
    await expectProblem(await upload(viewer, png()), { status: 403, code: "FORBIDDEN" });
    const foreign = await insertTask(await createWorkspace(owner), owner.id);
    const response = await call(app, `/v1/workspaces/${workspaceId}/tasks/${foreign}/attachments?name=x.png`, {
      method: "POST",
      headers: { Authorization: `Bearer ${member.accessToken}`, "Content-Type": "image/png", "Content-Length": "100" },
      body: png(100),
    });
    await expectProblem(response, { status: 404, code: "NOT_FOUND" });
    await deleteTask(taskId);
    await expectProblem(await upload(member, png()), { status: 404, code: "NOT_FOUND" });
    expect(await rowsOf(workspaceId)).toEqual([]);
  });
});
