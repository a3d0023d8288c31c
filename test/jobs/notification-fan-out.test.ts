import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events } from "../../src/db/schema";
import { relayEvents } from "../../src/jobs/event-relay";
import { eventSubscribers } from "../../src/jobs/event-subscribers";
import { newId } from "../../src/lib/ids";
import { mentionsIn, summarizePayload } from "../../src/services/notifications/fan-out";
import { db } from "../helpers/accounts";
import { manualClock } from "../helpers/clock";
import { countDatabaseRoundTrips } from "../helpers/round-trips";
import { createWorkspace } from "../helpers/workspaces";
import { addProject, addTask, domainApi, domainWorkspace, expectStatus, userAt, type DomainApi, type DomainWorkspace } from "../routes/domain/requests";
import { hubs, openSocket } from "../routes/realtime/sockets";

/** What each user's hub holds of workspace `workspaceId`: `type` per notification, in order. */
async function inbox(userId: string, workspaceId: string): Promise<string[]> {
  const page = await hubs().list(userId, { limit: 100 });
  return page.notifications.filter((item) => item.workspaceId === workspaceId).map((item) => item.type);
}

async function comment(api: DomainApi, ws: DomainWorkspace, by: DomainWorkspace["admin"], taskId: string, body: string) {
  await expectStatus(await api.send(by, "POST", `${ws.tasks}/${taskId}/comments`, { body }), 201);
}

/** The relay of the workspace's events with two fan-outs at once: every batch is handed over twice. */
const relayTwice = (workspaceId: string) => relayEvents(env, { workspaceId, subscribers: (context) => [...eventSubscribers(context), ...eventSubscribers(context)] });

describe("the notifications fan-out", () => {
  it("tells the assignee, the creator and the mentioned members, never the actor, once even when handed the batch twice", async () => {
    const time = manualClock();
    const api = domainApi(time);
    const ws = await domainWorkspace(time);
    // A member of another workspace only: a mention of them in this one reaches nobody.
    const stranger = await userAt(time);
    await createWorkspace(stranger);
    const { project } = await addProject(api, ws);
    // Created by the member (the actor), assigned to the viewer.
    const { task } = await addTask(api, ws, project.id, { assigneeId: ws.viewer.id });
    await comment(api, ws, ws.admin, task.id, `@${ws.owner.email.toUpperCase()} and @${stranger.email}: please look.`);

    expect(await relayTwice(ws.id)).toBe(3);
    // As if the relay died before marking them: the whole outbox again.
    await db.update(events).set({ relayedAt: null, relayClaimedUntil: null }).where(eq(events.workspaceId, ws.id));
    const { result: relayed, roundTrips } = await countDatabaseRoundTrips(() => relayEvents(env, { workspaceId: ws.id }));

    expect(relayed).toBe(3);
    // The claim, the recipients of the whole batch, the outbound webhooks' deliveries (one insert), the mark.
    expect(roundTrips).toBe(4);
    expect(await inbox(ws.viewer.id, ws.id)).toEqual(["task.created", "comment.added"]);
    expect(await inbox(ws.member.id, ws.id)).toEqual(["comment.added"]);
    expect(await inbox(ws.owner.id, ws.id)).toEqual(["comment.added"]);
    expect(await inbox(ws.admin.id, ws.id)).toEqual([]);
    expect(await inbox(stranger.id, ws.id)).toEqual([]);
  });

  it("stops at once for a removed member: their hub drops the workspace, open sockets are told, later events pass them by", async () => {
    const time = manualClock();
    const api = domainApi(time);
    const ws = await domainWorkspace(time);
    const { project } = await addProject(api, ws);
    const { task } = await addTask(api, ws, project.id, { assigneeId: ws.viewer.id });
    await relayEvents(env, { workspaceId: ws.id });
    expect(await inbox(ws.viewer.id, ws.id)).toEqual(["task.created"]);
    const socket = await openSocket(api.app, ws.viewer);

    await expectStatus(await api.send(ws.owner, "DELETE", `/v1/workspaces/${ws.id}/members/${ws.viewer.id}`), 204);

    expect(await inbox(ws.viewer.id, ws.id)).toEqual([]);
    await socket.waitFor(1);
    expect(socket.messages).toEqual([{ type: "revoked", workspaceId: ws.id }]);
    // Still the task's assignee, and mentioned: no longer a member.
    await comment(api, ws, ws.admin, task.id, `@${ws.viewer.email} are you there?`);
    await relayEvents(env, { workspaceId: ws.id });
    expect(await inbox(ws.viewer.id, ws.id)).toEqual([]);
    expect(await inbox(ws.member.id, ws.id)).toEqual(["comment.added"]);
    expect(await socket.sync()).toEqual([{ type: "revoked", workspaceId: ws.id }]);
    socket.close();
  });

  it("drops the workspace from the hub of a member who leaves", async () => {
    const time = manualClock();
    const api = domainApi(time);
    const ws = await domainWorkspace(time);
    const { project } = await addProject(api, ws);
    await addTask(api, ws, project.id, { assigneeId: ws.viewer.id });
    await relayEvents(env, { workspaceId: ws.id });
    expect(await inbox(ws.viewer.id, ws.id)).toEqual(["task.created"]);

    await expectStatus(await api.send(ws.viewer, "POST", `/v1/workspaces/${ws.id}/leave`), 204);

    expect(await inbox(ws.viewer.id, ws.id)).toEqual([]);
  });

  it("drops a deleted workspace's notifications from every member's hub", async () => {
    const time = manualClock();
    const api = domainApi(time);
    const ws = await domainWorkspace(time);
    const { project } = await addProject(api, ws);
    await addTask(api, ws, project.id, { assigneeId: ws.viewer.id });
    await comment(api, ws, ws.admin, (await addTask(api, ws, project.id, { assigneeId: ws.owner.id })).task.id, "Done?");
    await relayEvents(env, { workspaceId: ws.id });
    expect(await inbox(ws.viewer.id, ws.id)).toEqual(["task.created"]);
    expect(await inbox(ws.owner.id, ws.id)).toEqual(["task.created", "comment.added"]);

    await expectStatus(await api.send(ws.owner, "DELETE", `/v1/workspaces/${ws.id}`), 204);

    for (const user of [ws.owner, ws.admin, ws.member, ws.viewer]) expect(await inbox(user.id, ws.id)).toEqual([]);
  });

  it("tells a workspace's owners and admins, and nobody else, that a webhook endpoint was disabled", async () => {
    const time = manualClock();
    const ws = await domainWorkspace(time);
    await db.insert(events).values({
      id: newId("event"),
      workspaceId: ws.id,
      type: "webhook.endpoint_disabled",
      subjectType: "webhook_endpoint",
      subjectId: newId("webhookEndpoint"),
      actorId: null,
      payload: { url: "https://hooks.example.com/in", disabled: true, filters: { nested: "left out" } },
    });

    await relayEvents(env, { workspaceId: ws.id });

    for (const user of [ws.owner, ws.admin]) expect(await inbox(user.id, ws.id)).toEqual(["webhook.endpoint_disabled"]);
    for (const user of [ws.member, ws.viewer]) expect(await inbox(user.id, ws.id)).toEqual([]);
    const [disabled] = (await hubs().list(ws.owner.id, {})).notifications.filter((item) => item.workspaceId === ws.id);
    expect(disabled!.payload).toEqual({ url: "https://hooks.example.com/in", disabled: true });
  });
});

describe("mentions and payload summaries", () => {
  it("finds @<email> mentions at a word's start, lowercased, without the sentence's full stop", () => {
    expect(mentionsIn("@Ada@Example.com, see (@bob@example.org). Mail carl@example.com or x@y@example.net.")).toEqual(["ada@example.com", "bob@example.org"]);
    expect(mentionsIn(undefined)).toEqual([]);
  });

  it("keeps top-level scalars and short string lists, and cuts long texts", () => {
    const summary = summarizePayload({ title: "T", description: "x".repeat(5000), labels: ["a"], position: 1.5, nested: { a: 1 }, dueDate: null });
    expect(summary).toEqual({ title: "T", description: `${"x".repeat(279)}…`, labels: ["a"], position: 1.5, dueDate: null });
  });
});
