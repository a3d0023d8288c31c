import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { ServerMessage } from "../../../src/durable-objects/notification-hub";
import { newId } from "../../../src/lib/ids";
import { notificationHubs } from "../../../src/services/notifications/hubs";
import type { NewNotification, Notification } from "../../../src/services/notifications/types";
import { call, type TestApp } from "../../helpers/app";
import { bearer } from "../../helpers/identity";
import type { Caller } from "../workspaces/requests";

export const ALLOWED_ORIGIN = "http://localhost:3000";

/** The hubs as the Worker reaches them, on the real clock. */
export const hubs = () => notificationHubs(env.NOTIFICATION_HUB);

/** A notification of workspace `workspaceId` (a new event id each time), for the hub directly. */
export function notification(workspaceId = newId("workspace"), overrides: Partial<NewNotification> = {}): NewNotification {
  return {
    id: newId("event"),
    workspaceId,
    type: "task.updated",
    subjectType: "task",
    subjectId: newId("task"),
    actorId: newId("user"),
    payload: { title: "Write the copy" },
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A ticket for `caller` from the app's POST /v1/realtime/ticket. */
export async function ticketFor(app: TestApp, caller: Caller): Promise<string> {
  const response = await call(app, "/v1/realtime/ticket", { method: "POST", headers: bearer(caller.accessToken) });
  expect(response.status).toBe(201);
  return (await response.json<{ ticket: string }>()).ticket;
}

/** The upgrade request for `ticket`, as a browser at `origin` (or a client sending no Origin) makes it. */
export function upgrade(app: TestApp, ticket: string, { since, origin = ALLOWED_ORIGIN }: { since?: number; origin?: string | null } = {}): Promise<Response> {
  const query = new URLSearchParams({ ticket, ...(since === undefined ? {} : { since: String(since) }) });
  const headers: Record<string, string> = { Upgrade: "websocket", ...(origin ? { Origin: origin } : {}) };
  return call(app, `/v1/realtime?${query}`, { headers });
}

/**
 * A client's end of a notification socket, recording every message. `sync()` is a barrier: it sends
 * a read marker naming nothing and waits for its answer, which the hub sends after everything it
 * sent before, so what `messages` holds then is all there is.
 */
export class TestSocket {
  readonly messages: Array<ServerMessage | string> = [];
  readonly closed: Promise<CloseEvent>;
  readonly #socket: WebSocket;
  #waiters: Array<() => void> = [];

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.accept();
    this.closed = new Promise((resolve) => socket.addEventListener("close", resolve));
    socket.addEventListener("message", (event) => {
      const text = String(event.data);
      this.messages.push(text.startsWith("{") ? (JSON.parse(text) as ServerMessage) : text);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Waits until `count` messages have arrived (or fails after a while). */
  async waitFor(count: number): Promise<Array<ServerMessage | string>> {
    const deadline = Date.now() + 5000;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`waited for ${count} messages, got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.messages;
  }

  send(text: string): void {
    this.#socket.send(text);
  }

  /** Everything the hub sent before now (the barrier's own answer left out). */
  async sync(): Promise<Array<ServerMessage | string>> {
    const before = this.messages.length;
    this.send(JSON.stringify({ type: "read", ids: ["evt_none"] }));
    for (let seen = before; ; seen++) {
      await this.waitFor(seen + 1);
      const message = this.messages[seen];
      if (typeof message === "object" && message.type === "read") {
        this.messages.splice(seen, 1);
        return this.messages;
      }
    }
  }

  /** The notifications received, in order. */
  notifications(): Notification[] {
    return this.messages.flatMap((message) => (typeof message === "object" && message.type === "notification" ? [message.notification] : []));
  }

  close(): void {
    try {
      this.#socket.close(1000, "done");
    } catch {
      // Already closed.
    }
  }
}

/** Opens a socket for `caller` through the app; fails unless the upgrade succeeds. */
export async function openSocket(app: TestApp, caller: Caller, options: { since?: number; origin?: string | null } = {}): Promise<TestSocket> {
  const response = await upgrade(app, await ticketFor(app, caller), options);
  if (response.status !== 101) throw new Error(`upgrade refused with ${response.status}: ${await response.text()}`);
  return new TestSocket(response.webSocket!);
}
