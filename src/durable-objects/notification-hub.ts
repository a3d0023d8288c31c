import { DurableObject } from "cloudflare:workers";
import { INBOX_MAX_AGE_MS, MAX_DELIVERY, MAX_PAGE, MAX_PAYLOAD_BYTES, MAX_READ_IDS, type ListQuery, type NewNotification, type Notification, type NotificationPage, type ReadMarks } from "../services/notifications/types";
import { NotificationInbox, type TicketRefusal } from "./notification-inbox";

/** The heartbeat: the runtime answers this text with PONG itself, without waking the object. */
export const PING = "ping";
export const PONG = "pong";

/**
 * What the Worker's connect request to a hub carries besides `?since=`. A hub is reachable only
 * through its binding, never from a client, so these come from the Worker that verified the ticket.
 */
export const HUB_HEADERS = { ticketId: "X-Hub-Ticket-Id", ticketExpiresAt: "X-Hub-Ticket-Expires-At", now: "X-Hub-Now" } as const;

/** Why the hub refused a connect request, as its status: the Worker answers the client with a problem. */
export const REFUSAL_STATUS: Record<TicketRefusal | "malformed", number> = { expired: 401, used: 401, malformed: 400 };

/** Sockets one hub (one user) keeps open; a new one beyond it closes the oldest. */
export const MAX_SOCKETS = 2048;
/** Close code for the socket a newer one displaced. */
export const CLOSE_DISPLACED = 4000;
/** Close code for the sockets of an account that was deleted. */
export const CLOSE_ACCOUNT_DELETED = 4001;
const encoder = new TextEncoder();
/** A client message longer than this is not read. */
const MAX_CLIENT_MESSAGE = 4096;

/** Every message a hub sends on a socket, as JSON text (PONG aside). */
export type ServerMessage =
  | { type: "notification"; notification: Notification }
  /** The socket's `since` is older than what the inbox retains: read the inbox again (GET /v1/notifications). */
  | { type: "resync" }
  /** The user was removed from the workspace: drop its notifications. */
  | { type: "revoked"; workspaceId: string }
  | { type: "read"; updated: number; unreadCount: number }
  | { type: "error"; error: string };

/** What a client may send: read markers (besides PING). */
type ClientMessage = { type: "read"; upTo?: number; ids?: string[] };

interface SocketState {
  connectedAt: number;
}

/**
 * One per user (addressed by `idFromName(userId)`): the user's WebSockets on the Hibernation API,
 * and the notification inbox in its SQLite storage (see NotificationInbox). Heartbeats are answered
 * by the runtime's auto-response, so an idle socket never wakes the object; per-socket state lives in
 * the socket's attachment, so it survives hibernation. The Worker calls `deliver`, `list`,
 * `markRead` and `revokeWorkspace` over RPC and opens sockets with `fetch` (see services/notifications/hubs.ts).
 */
export class NotificationHub extends DurableObject<Env> {
  #inbox: NotificationInbox;

  /** Whether a retention alarm is set, once known: a delivery does not read the alarm again while one is. */
  #alarmSet: boolean | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#inbox = new NotificationInbox(ctx.storage.sql);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Retention for a hub nobody reads: drops what grew too old, and wakes again when the next one will be. */
  override async alarm(): Promise<void> {
    this.#alarmSet = false;
    const next = this.#inbox.expire(Date.now());
    if (next !== null) {
      await this.ctx.storage.setAlarm(next);
      this.#alarmSet = true;
    }
  }

  /**
   * Opens a socket for a ticket the Worker verified: burns the ticket (single use), accepts the
   * socket, and sends what it missed since `?since=`, all before the next `await`, so no delivery
   * can fall between the replay and the live notifications.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response(null, { status: 426 });
    const ticketId = request.headers.get(HUB_HEADERS.ticketId);
    const expiresAt = Number(request.headers.get(HUB_HEADERS.ticketExpiresAt));
    const now = Number(request.headers.get(HUB_HEADERS.now));
    const sinceParam = new URL(request.url).searchParams.get("since");
    const since = sinceParam === null ? undefined : Number(sinceParam);
    if (!ticketId || !Number.isSafeInteger(expiresAt) || !Number.isSafeInteger(now) || (since !== undefined && !(Number.isSafeInteger(since) && since >= 0))) {
      return new Response("malformed", { status: REFUSAL_STATUS.malformed });
    }
    const refusal = this.#inbox.redeemTicket(ticketId, expiresAt, now);
    if (refusal) return new Response(refusal, { status: REFUSAL_STATUS[refusal] });

    this.#makeRoom();
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ connectedAt: now } satisfies SocketState);
    if (since !== undefined) {
      const replay = this.#inbox.replay(since, now);
      if (replay.kind === "resync") send(server, { type: "resync" });
      else for (const notification of replay.notifications) send(server, { type: "notification", notification });
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Takes notifications (idempotent by id: the relay is at-least-once), pushes the new ones to every
   * open socket, and returns them with their sequence numbers.
   */
  async deliver(notifications: readonly NewNotification[], now = Date.now()): Promise<Notification[]> {
    if (notifications.length > MAX_DELIVERY) throw new RangeError(`at most ${MAX_DELIVERY} notifications per delivery`);
    for (const notification of notifications) {
      if (encoder.encode(JSON.stringify(notification.payload)).byteLength > MAX_PAYLOAD_BYTES) throw new RangeError(`a notification's payload is at most ${MAX_PAYLOAD_BYTES} bytes`);
    }
    const added = this.#inbox.append(notifications, now);
    if (added.length > 0) {
      const sockets = this.ctx.getWebSockets();
      // Each message is serialised once, whatever the number of sockets.
      for (const notification of added) broadcast(sockets, JSON.stringify({ type: "notification", notification } satisfies ServerMessage));
      // After the sends: nothing awaited may come between storing a notification and pushing it.
      await this.#scheduleRetention(added[0]!);
    }
    return added;
  }

  /** A page of the inbox, oldest first, after sequence number `after`. */
  list(query: ListQuery = {}, now = Date.now()): NotificationPage {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? MAX_PAGE), 1), MAX_PAGE);
    return this.#inbox.list({ ...query, limit }, now);
  }

  /** Marks notifications read: every one up to `upTo`, and those named in `ids`. */
  markRead(marks: ReadMarks): { updated: number; unreadCount: number } {
    if ((marks.ids?.length ?? 0) > MAX_READ_IDS) throw new RangeError(`at most ${MAX_READ_IDS} ids per read marker`);
    const updated = this.#inbox.markRead(marks);
    return { updated, unreadCount: this.#inbox.unreadCount() };
  }

  /**
   * The user left or was removed from workspace `workspaceId`: its notifications are deleted at once,
   * its events from before `at` are refused from now on, and open sockets are told to drop it.
   */
  revokeWorkspace(workspaceId: string, at = Date.now()): number {
    const deleted = this.#inbox.revokeWorkspace(workspaceId, at);
    broadcast(this.ctx.getWebSockets(), JSON.stringify({ type: "revoked", workspaceId } satisfies ServerMessage));
    return deleted;
  }

  /** The account was deleted: every socket is closed and everything the hub stored is erased. */
  async forget(): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, CLOSE_ACCOUNT_DELETED, "account deleted");
    await this.ctx.storage.deleteAll();
    this.#alarmSet = undefined;
    this.#inbox = new NotificationInbox(this.ctx.storage.sql);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const parsed = typeof message === "string" && message.length <= MAX_CLIENT_MESSAGE ? parseClientMessage(message) : undefined;
    if (!parsed) {
      send(ws, { type: "error", error: 'unknown message: send "ping" or {"type":"read","upTo":<seq>,"ids":[…]}' });
      return;
    }
    send(ws, { type: "read", ...this.markRead(parsed) });
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override webSocketError(ws: WebSocket): void {
    closeQuietly(ws, 1011, "error");
  }

  /** Sets the retention alarm for when `notification` grows too old, unless one is already set (it is for an older one). */
  async #scheduleRetention(notification: Notification): Promise<void> {
    this.#alarmSet ??= (await this.ctx.storage.getAlarm()) !== null;
    if (this.#alarmSet) return;
    this.#alarmSet = true;
    await this.ctx.storage.setAlarm(Date.parse(notification.createdAt) + INBOX_MAX_AGE_MS);
  }

  /** At MAX_SOCKETS, closes the oldest socket to make room for a new one. */
  #makeRoom(): void {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length < MAX_SOCKETS) return;
    const oldest = sockets.reduce((a, b) => (connectedAt(a) <= connectedAt(b) ? a : b));
    closeQuietly(oldest, CLOSE_DISPLACED, "too many sockets");
  }
}

function connectedAt(ws: WebSocket): number {
  return (ws.deserializeAttachment() as SocketState | null)?.connectedAt ?? 0;
}

function send(ws: WebSocket, message: ServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // Closing or closed: the client reconnects with its `since` and misses nothing.
  }
}

function broadcast(sockets: readonly WebSocket[], text: string): void {
  for (const ws of sockets) {
    try {
      ws.send(text);
    } catch {
      // As in send().
    }
  }
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}

function parseClientMessage(text: string): ClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || (value as { type?: unknown }).type !== "read") return undefined;
  const { upTo, ids, ...rest } = value as { type: string; upTo?: unknown; ids?: unknown };
  if (Object.keys(rest).length !== 1) return undefined;
  const validUpTo = upTo === undefined || (Number.isSafeInteger(upTo) && (upTo as number) >= 0);
  const validIds = ids === undefined || (Array.isArray(ids) && ids.length <= MAX_READ_IDS && ids.every((id) => typeof id === "string" && id.length <= 64));
  if (!validUpTo || !validIds || (upTo === undefined && ids === undefined)) return undefined;
  return { type: "read", ...(upTo === undefined ? {} : { upTo: upTo as number }), ...(ids === undefined ? {} : { ids: ids as string[] }) };
}
