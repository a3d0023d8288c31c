import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, workspaces } from "../../../src/db/schema";
import { LINK_TTL_SECONDS } from "../../../src/services/domain/attachments";
import { db } from "../../helpers/accounts";
import { call } from "../../helpers/app";
import { deleteTask } from "../../helpers/inserted-tasks";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { expectStatus } from "../workspaces/requests";
import { attachmentsSetting, png } from "./helpers";

interface AttachmentBody {
  id: string;
  fileName: string;
  size: number;
}

/** A setting with one PNG uploaded by the member as `name`, and a download link for it. */
async function withAttachment(name = "Bericht März \"final\".png") {
  const setting = await attachmentsSetting();
  const file = png(4096);
  const attachment = await expectStatus<AttachmentBody>(await setting.upload(setting.member, file, { name }), 201);
  const link = async () => expectStatus<{ url: string; expiresAt: string }>(await setting.send(setting.viewer, "POST", `${setting.path}/${attachment.id}/url`), 200);
  return { ...setting, file, attachment, link };
}

/** `url` with query parameter `name` set to `value`. */
function altered(url: string, change: (url: URL) => void): string {
  const parsed = new URL(url);
  change(parsed);
  return `${parsed.pathname}${parsed.search}`;
}

const pathOf = (url: string) => altered(url, () => {});

describe("an attachment's metadata", () => {
  it("lists a task's attachments oldest first, a page at a time, and reads one", async () => {
    const { member, viewer, path, upload, time, send, attachment } = await withAttachment();
    time.advance(1000);
    const second = await expectStatus<AttachmentBody>(await upload(member, png(10), { name: "two.png" }), 201);
    const first = await expectStatus<{ attachments: AttachmentBody[]; nextCursor: string }>(await send(viewer, "GET", `${path}?limit=1`), 200);
    expect(first.attachments.map((item) => item.id)).toEqual([attachment.id]);
    const next = await expectStatus<{ attachments: AttachmentBody[]; nextCursor: string | null }>(await send(viewer, "GET", `${path}?limit=1&cursor=${first.nextCursor}`), 200);
    expect(next).toEqual({ attachments: [expect.objectContaining({ id: second.id })], nextCursor: null });
    expect(await expectStatus(await send(viewer, "GET", `${path}/${attachment.id}`), 200)).toEqual(attachment);
  });

  it("deletes an attachment softly with its audit row and event: gone from the list, its metadata and its links", async () => {
    const { member, viewer, path, send, attachment, link, workspaceId, app } = await withAttachment();
    const { url } = await link();
    await expectStatus(await send(viewer, "DELETE", `${path}/${attachment.id}`), 403);
    await expectStatus(await send(member, "DELETE", `${path}/${attachment.id}`), 204);
    await expectStatus(await send(member, "DELETE", `${path}/${attachment.id}`), 404);
    await expectStatus(await send(viewer, "GET", `${path}/${attachment.id}`), 404);
    await expectStatus(await send(viewer, "POST", `${path}/${attachment.id}/url`), 404);
    expect((await expectStatus<{ attachments: unknown[] }>(await send(viewer, "GET", path), 200)).attachments).toEqual([]);
    await expectProblem(await call(app, pathOf(url)), { status: 404, code: "NOT_FOUND" });
    const types = await db.select({ type: events.type }).from(events).where(and(eq(events.workspaceId, workspaceId), eq(events.subjectId, attachment.id))).orderBy(events.seq);
    expect(types.map((row) => row.type)).toEqual(["attachment.added", "attachment.deleted"]);
  });
});

describe("downloading through a signed link", () => {
  it("serves the file as an attachment with its proven type, nosniff and a restrictive CSP: one database round trip", async () => {
    const { app, file, link, attachment } = await withAttachment();
    const { url, expiresAt } = await link();
    expect(url).toMatch(new RegExp(`^http://localhost/v1/attachments/${attachment.id}/content\\?expires=\\d+&sig=[\\w-]{43}$`));
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const { result: response, roundTrips } = await countDatabaseRoundTrips(() => call(app, pathOf(url)));
    expect(response.status).toBe(200);
    expect(roundTrips).toBe(1);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(file);
    expect(response.headers.get("Content-Type")).toBe("image/png");
    expect(response.headers.get("Content-Length")).toBe("4096");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="Bericht M_rz _final_.png"; filename*=UTF-8''Bericht%20M%C3%A4rz%20%22final%22.png`);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("refuses a link once it has expired", async () => {
    const { app, link, time } = await withAttachment();
    const { url } = await link();
    time.advance((LINK_TTL_SECONDS - 1) * 1000);
    expect((await call(app, pathOf(url))).status).toBe(200);
    time.advance(1000);
    await expectProblem(await call(app, pathOf(url)), { status: 403, code: "FORBIDDEN" });
  });

  it("refuses a link whose id, expiry or signature was altered", async () => {
    const { app, link, upload, member } = await withAttachment();
    const { url } = await link();
    const other = await expectStatus<AttachmentBody>(await upload(member, png(10), { name: "other.png" }), 201);
    const sig = new URL(url).searchParams.get("sig")!;
    const flipped = `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    const cases = [
      altered(url, (link) => (link.pathname = link.pathname.replace(/att_\w+/, other.id))),
      altered(url, (link) => link.searchParams.set("expires", String(Number(link.searchParams.get("expires")) + 3600))),
      altered(url, (link) => link.searchParams.set("expires", `0${link.searchParams.get("expires")}`)),
      altered(url, (link) => link.searchParams.set("sig", flipped)),
      altered(url, (link) => link.searchParams.set("sig", sig.slice(0, -1))),
      altered(url, (link) => link.searchParams.set("sig", "")),
      altered(url, (link) => link.searchParams.set("expires", "soon")),
    ];
    for (const path of cases) await expectProblem(await call(app, path), { status: 403, code: "FORBIDDEN" });
    expect((await call(app, pathOf(url))).status).toBe(200);
  });

  it("serves nothing once the task or the workspace is deleted", async () => {
    const { app, link, taskId, workspaceId } = await withAttachment();
    const { url } = await link();
    await db.update(workspaces).set({ deletedAt: new Date() }).where(eq(workspaces.id, workspaceId));
    await expectProblem(await call(app, pathOf(url)), { status: 404, code: "NOT_FOUND" });
    await db.update(workspaces).set({ deletedAt: null }).where(eq(workspaces.id, workspaceId));
    await deleteTask(taskId);
    await expectProblem(await call(app, pathOf(url)), { status: 404, code: "NOT_FOUND" });
  });
});
