import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { CLOSE_ACCOUNT_DELETED, HUB_HEADERS, type NotificationHub } from "../../../src/durable-objects/notification-hub";
import { newId } from "../../../src/lib/ids";
import { notificationHubs } from "../../../src/services/notifications/hubs";
import { INBOX_LIMIT, MAX_DELIVERY, type NewNotification } from "../../../src/services/notifications/types";
import { call } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { userAt } from "../workspaces/requests";
import { hubs, notification, openSocket, TestSocket, ticketFor, upgrade } from "./sockets";

const app = createApp();
const DAY = 24 * 60 * 60 * 1000;
const seqs = (socket: TestSocket) => socket.notifications().map((item) => item.seq);
const hubOf = (userId: string) => env.NOTIFICATION_HUB.get(env.NOTIFICATION_HUB.idFromName(userId));

/** Delivers `count` new notifications to `userId`'s hub, in deliveries the hub accepts. */
async function deliverMany(userId: string, count: number): Promise<void> {
  const all: NewNotification[] = Array.from({ length: count }, () => notification());
  for (let start = 0; start < all.length; start += MAX_DELIVERY) await hubs().deliver(userId, all.slice(start, start + MAX_DELIVERY));
}

describe("the notification socket", () => {
  it("pushes a delivered notification to every socket of its user and to nobody else", async () => {
    const [ada, bob] = [await userAt(), await userAt()];
    const [first, second, other] = [await openSocket(app, ada), await openSocket(app, ada), await openSocket(app, bob)];

    const sent = notification();
    const [added] = await hubs().deliver(ada.id, [sent]);

    expect(added).toMatchObject({ ...sent, seq: 1, read: false });
    await first.waitFor(1);
    await second.waitFor(1);
    expect(first.messages).toEqual([{ type: "notification", notification: added }]);
    expect(second.messages).toEqual([{ type: "notification", notification: added }]);
    expect(await other.sync()).toEqual([]);
    for (const socket of [first, second, other]) socket.close();
  });

  it("takes an event once: a second delivery of the same id is neither stored nor pushed again", async () => {
    const ada = await userAt();
    const socket = await openSocket(app, ada);
    const sent = notification();

    expect(await hubs().deliver(ada.id, [sent])).toHaveLength(1);
    expect(await hubs().deliver(ada.id, [sent, sent])).toEqual([]);

    await socket.sync();
    expect(seqs(socket)).toEqual([1]);
    expect((await hubs().list(ada.id, {})).notifications).toHaveLength(1);
    socket.close();
  });

  it("replays what a client missed after its since, in order, then live ones: nothing lost or duplicated", async () => {
    const ada = await userAt();
    const first = await openSocket(app, ada);
    await hubs().deliver(ada.id, [notification(), notification(), notification()]);
    await first.waitFor(3);
    first.close();
    const lastSeen = seqs(first).at(-1)!;
    await hubs().deliver(ada.id, [notification(), notification()]);

    // Deliveries one after another while the reconnection is under way: each lands either in the
    // replay or live, never both, never neither, and in order.
    const ticket = await ticketFor(app, ada);
    const RACING = 20;
    const racing = (async () => {
      for (let sent = 0; sent < RACING; sent++) await hubs().deliver(ada.id, [notification()]);
    })();
    const response = await upgrade(app, ticket, { since: lastSeen });
    await racing;
    expect(response.status).toBe(101);
    const second = new TestSocket(response.webSocket!);
    await hubs().deliver(ada.id, [notification()]);
    const total = 5 + RACING + 1;
    await second.waitFor(total - lastSeen);
    await second.sync();

    expect(seqs(first)).toEqual([1, 2, 3]);
    expect(seqs(second)).toEqual(Array.from({ length: total - lastSeen }, (_, index) => lastSeen + 1 + index));
    second.close();
  });

  it("sends a connecting socket its replay before any delivery that comes in while it connects", async () => {
    const ada = await userAt();
    await hubs().deliver(ada.id, [notification(), notification()]);
    const headers = { Upgrade: "websocket", [HUB_HEADERS.ticketId]: newId("realtimeTicket"), [HUB_HEADERS.ticketExpiresAt]: String(Date.now() + 30_000), [HUB_HEADERS.now]: String(Date.now()) };

    // Inside the object: the delivery is the very next thing it runs once the connection yields.
    const received = await runInDurableObject(hubOf(ada.id), async (hub: NotificationHub) => {
      const connecting = hub.fetch(new Request("https://notification-hub/connect?since=0", { headers }));
      hub.deliver([notification()]);
      const socket = new TestSocket((await connecting).webSocket!);
      await socket.waitFor(3);
      socket.close();
      return seqs(socket);
    });

    expect(received).toEqual([1, 2, 3]);
  });

  it("sends one resync, and nothing else, to a client whose since is older than what the inbox keeps", async () => {
    const ada = await userAt();
    await deliverMany(ada.id, INBOX_LIMIT + 5);

    const stale = await openSocket(app, ada, { since: 3 });
    expect(await stale.sync()).toEqual([{ type: "resync" }]);
    // Still just within what is kept: the rest, without a resync.
    const recent = await openSocket(app, ada, { since: INBOX_LIMIT });
    expect((await recent.sync()).map((message) => typeof message === "object" && message.type)).toEqual(Array(5).fill("notification"));
    expect(seqs(recent)).toEqual([1001, 1002, 1003, 1004, 1005]);
    // A cursor from the future (another hub's) cannot be trusted either.
    const future = await openSocket(app, ada, { since: INBOX_LIMIT + 50 });
    expect(await future.sync()).toEqual([{ type: "resync" }]);
    for (const socket of [stale, recent, future]) socket.close();
  });

  it("loses nothing persisted when the hub is evicted, and its hibernated sockets still get what comes next", async () => {
    const ada = await userAt();
    const socket = await openSocket(app, ada);
    await hubs().deliver(ada.id, [notification(), notification()]);
    await socket.waitFor(2);

    await evictDurableObject(hubOf(ada.id));

    const page = await hubs().list(ada.id, {});
    expect(page.notifications.map((item) => item.seq)).toEqual([1, 2]);
    const [third] = await hubs().deliver(ada.id, [notification()]);
    expect(third!.seq).toBe(3);
    await socket.waitFor(3);
    expect(seqs(socket)).toEqual([1, 2, 3]);
    socket.close();
  });

  it("answers ping with pong through the runtime's auto-response, without waking the hub's handler", async () => {
    const ada = await userAt();
    const socket = await openSocket(app, ada);
    socket.send("ping");
    await socket.waitFor(1);
    expect(socket.messages).toEqual(["pong"]);
    // The handler would have answered anything it saw with an error message.
    expect(await socket.sync()).toEqual(["pong"]);
    const answered = await runInDurableObject(hubOf(ada.id), (_, state) => state.getWebSockets().map((ws) => state.getWebSocketAutoResponseTimestamp(ws)));
    expect(answered.filter((time) => time !== null)).toHaveLength(1);
    socket.close();
  });

  it("marks notifications read through the socket", async () => {
    const ada = await userAt();
    const socket = await openSocket(app, ada);
    const added = await hubs().deliver(ada.id, [notification(), notification(), notification()]);
    await socket.waitFor(3);

    socket.send(JSON.stringify({ type: "read", upTo: added[1]!.seq }));
    await socket.waitFor(4);
    expect(socket.messages[3]).toEqual({ type: "read", updated: 2, unreadCount: 1 });
    socket.send("hello");
    await socket.waitFor(5);
    expect(socket.messages[4]).toMatchObject({ type: "error" });
    socket.close();
  });
});

describe("GET /v1/realtime", () => {
  it("opens a socket once per ticket: the same ticket again is refused", async () => {
    const ada = await userAt();
    const ticket = await ticketFor(app, ada);
    const first = await upgrade(app, ticket);
    expect(first.status).toBe(101);
    new TestSocket(first.webSocket!).close();

    await expectProblem(await upgrade(app, ticket), { status: 401, code: "UNAUTHORIZED" });
  });

  it("refuses an expired ticket, whether the Worker or the hub sees it expired first", async () => {
    const time = manualClock();
    const timed = createApp({ clock: time.clock });
    const ada = await userAt(time);
    const [justExpired, longExpired] = [await ticketFor(timed, ada), await ticketFor(timed, ada)];

    // 31 s: within the signature check's clock tolerance, past the ticket's own expiry the hub holds to.
    time.advance(31_000);
    await expectProblem(await upgrade(timed, justExpired), { status: 401, code: "UNAUTHORIZED" });
    time.advance(60_000);
    await expectProblem(await upgrade(timed, longExpired), { status: 401, code: "UNAUTHORIZED" });
  });

  it("takes a ticket, never an access token, and never a ticket whose signature was altered", async () => {
    const ada = await userAt();
    await expectProblem(await upgrade(app, ada.accessToken), { status: 401, code: "UNAUTHORIZED" });
    const ticket = await ticketFor(app, ada);
    const forged = `${ticket.slice(0, -4)}${ticket.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    await expectProblem(await upgrade(app, forged), { status: 401, code: "UNAUTHORIZED" });
    // The ticket is no access token either.
    const response = await call(app, "/v1/notifications", { headers: { Authorization: `Bearer ${ticket}` } });
    expect(response.status).toBe(401);
  });

  it("refuses a browser at an origin outside CORS_ORIGINS, and lets a client that sends no Origin through", async () => {
    const ada = await userAt();
    const refused = await upgrade(app, await ticketFor(app, ada), { origin: "https://evil.example" });
    await expectProblem(refused, { status: 403, code: "FORBIDDEN" });

    const native = await upgrade(app, await ticketFor(app, ada), { origin: null });
    expect(native.status).toBe(101);
    new TestSocket(native.webSocket!).close();
  });

  it("answers 426 to a request that is not a WebSocket upgrade, and issues tickets only to signed-in users", async () => {
    const ada = await userAt();
    const ticket = await ticketFor(app, ada);
    const plain = await call(app, `/v1/realtime?ticket=${encodeURIComponent(ticket)}`);
    await expectProblem(plain, { status: 426, code: "UPGRADE_REQUIRED" });
    expect(plain.headers.get("Upgrade")).toBe("websocket");

    const anonymous = await call(app, "/v1/realtime/ticket", { method: "POST" });
    expect(anonymous.status).toBe(401);
    // The plain request did not spend the ticket.
    const response = await upgrade(app, ticket);
    expect(response.status).toBe(101);
    new TestSocket(response.webSocket!).close();
  });
});

describe("the hub's inbox", () => {
  it("refuses a workspace's events from before a revocation, which a fan-out that read the membership earlier may still bring", async () => {
    const ada = await userAt();
    const workspaceId = newId("workspace");
    await hubs().deliver(ada.id, [notification(workspaceId)]);

    expect(await hubs().revokeWorkspace(ada.id, workspaceId)).toBe(1);

    const late = notification(workspaceId, { createdAt: new Date(Date.now() - 1000).toISOString() });
    const rejoined = notification(workspaceId, { createdAt: new Date(Date.now() + 60_000).toISOString() });
    const elsewhere = notification();
    expect((await hubs().deliver(ada.id, [late, rejoined, elsewhere])).map((item) => item.id)).toEqual([rejoined.id, elsewhere.id]);
  });

  it("drops notifications grown too old from a hub nobody reads, by its alarm", async () => {
    const ada = await userAt();
    // Delivered by a Worker whose clock is an hour behind, so the hub keeps it; past 30 days by the real clock.
    const behind = notificationHubs(env.NOTIFICATION_HUB, { clock: () => Date.now() - 60 * 60 * 1000 });
    const aging = notification(undefined, { createdAt: new Date(Date.now() - 30 * DAY - 60_000).toISOString() });
    const recent = notification();
    await behind.deliver(ada.id, [aging, recent]);

    // Due already: the runtime may have run it; if not, this does.
    await runDurableObjectAlarm(hubOf(ada.id));

    const { ids, alarm } = await runInDurableObject(hubOf(ada.id), async (_, state) => ({
      ids: state.storage.sql.exec<{ id: string }>("SELECT id FROM notifications").toArray().map((row) => row.id),
      alarm: await state.storage.getAlarm(),
    }));
    expect(ids).toEqual([recent.id]);
    // Next, when the one left grows too old (the runtime may move an alarm by some milliseconds).
    expect(Math.abs(alarm! - (Date.parse(recent.createdAt) + 30 * DAY))).toBeLessThan(1000);
  });

  it("erases the hub of a deleted account and closes its sockets", async () => {
    const ada = await userAt();
    const socket = await openSocket(app, ada);
    await hubs().deliver(ada.id, [notification()]);
    await socket.waitFor(1);

    expect((await call(app, "/v1/me", { method: "DELETE", headers: bearer(ada.accessToken) })).status).toBe(204);

    expect((await socket.closed).code).toBe(CLOSE_ACCOUNT_DELETED);
    expect(await hubs().list(ada.id, {})).toMatchObject({ notifications: [], latestSeq: 0, unreadCount: 0 });
  });

  it("keeps 30 days: older notifications are dropped, and a cursor from before them is told it missed some", async () => {
    const time = manualClock();
    const timed = notificationHubs(env.NOTIFICATION_HUB, { clock: time.clock });
    const ada = await userAt();
    const at = () => new Date(time.clock()).toISOString();
    await timed.deliver(ada.id, [notification(undefined, { createdAt: at() }), notification(undefined, { createdAt: at() })]);
    time.advance(10 * DAY);
    const recent = notification(undefined, { createdAt: at() });
    await timed.deliver(ada.id, [recent]);

    time.advance(21 * DAY);
    const fresh = await timed.list(ada.id, {});
    expect(fresh.notifications.map((item) => item.id)).toEqual([recent.id]);
    expect(fresh).toMatchObject({ latestSeq: 3, truncated: false });
    expect(await timed.list(ada.id, { after: 1 })).toMatchObject({ truncated: true, notifications: [{ seq: 3 }] });
    expect(await timed.list(ada.id, { after: 2 })).toMatchObject({ truncated: false, notifications: [{ seq: 3 }] });
  });
});
