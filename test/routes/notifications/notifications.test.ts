import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import type { NotificationPage } from "../../../src/services/notifications/types";
import { json } from "../../helpers/accounts";
import { call } from "../../helpers/app";
import { bearer } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { hubs, notification, openSocket } from "../realtime/sockets";
import { expectStatus, userAt, type Caller } from "../workspaces/requests";

const app = createApp();
const list = async (caller: Caller, query = "") => expectStatus<NotificationPage>(await call(app, `/v1/notifications${query}`, { headers: bearer(caller.accessToken) }), 200);
const markRead = (caller: Caller, body: unknown) => call(app, "/v1/notifications/read", json("POST", body, bearer(caller.accessToken)));

describe("GET /v1/notifications", () => {
  it("pages through the user's own notifications oldest first after a cursor, with the unread count", async () => {
    const [ada, bob] = [await userAt(), await userAt()];
    const sent = [notification(), notification(), notification()];
    await hubs().deliver(ada.id, sent);
    await hubs().deliver(bob.id, [notification()]);

    const first = await list(ada, "?limit=2");
    expect(first.notifications.map((item) => item.id)).toEqual([sent[0]!.id, sent[1]!.id]);
    expect(first).toMatchObject({ nextCursor: 2, latestSeq: 3, unreadCount: 3, truncated: false });
    expect(first.notifications[0]).toEqual({ ...sent[0], seq: 1, read: false });
    const second = await list(ada, `?after=${first.nextCursor}&limit=2`);
    expect(second.notifications.map((item) => item.id)).toEqual([sent[2]!.id]);
    expect(second.nextCursor).toBeNull();
    expect((await list(bob)).notifications).toHaveLength(1);
  });

  it("filters unread ones, and marks read up to a seq and by id", async () => {
    const ada = await userAt();
    const sent = [notification(), notification(), notification(), notification()];
    await hubs().deliver(ada.id, sent);

    expect(await expectStatus(await markRead(ada, { upTo: 2 }), 200)).toEqual({ updated: 2, unreadCount: 2 });
    expect(await expectStatus(await markRead(ada, { ids: [sent[3]!.id, sent[0]!.id] }), 200)).toEqual({ updated: 1, unreadCount: 1 });

    const unread = await list(ada, "?unread=true");
    expect(unread.notifications.map((item) => item.id)).toEqual([sent[2]!.id]);
    expect((await list(ada)).notifications.map((item) => item.read)).toEqual([true, true, false, true]);
  });

  it("refuses a marker naming nothing, a limit past 100 and an unknown parameter", async () => {
    const ada = await userAt();
    await expectProblem(await markRead(ada, {}), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await markRead(ada, { upTo: 1, extra: true }), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await call(app, "/v1/notifications?limit=101", { headers: bearer(ada.accessToken) }), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await call(app, "/v1/notifications?cursor=1", { headers: bearer(ada.accessToken) }), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("costs no database round trip beyond the session check, nor does a ticket or a socket", async () => {
    const ada = await userAt();
    await list(ada);
    const { roundTrips } = await countDatabaseRoundTrips(async () => {
      await list(ada);
      await markRead(ada, { upTo: 1 });
      const socket = await openSocket(app, ada, { since: 0 });
      socket.close();
    });
    expect(roundTrips).toBe(0);
  });
});
