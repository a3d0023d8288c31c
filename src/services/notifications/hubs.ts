import { HUB_HEADERS, type NotificationHub } from "../../durable-objects/notification-hub";
import { systemClock, type Clock } from "../../lib/clock";
import { DependencyUnavailableError } from "../../lib/errors";
import type { RealtimeTicket } from "../../lib/tokens/realtime-ticket";
import type { ListQuery, NewNotification, Notification, NotificationPage, ReadMarks } from "./types";

/**
 * Bound on each call to a hub. A hub answers from SQLite in a few milliseconds; one starting up, or
 * placed far away, in a few hundred. Past it a route answers 503 and the fan-out fails its batch,
 * which the relay hands over again (delivery is idempotent).
 */
export const HUB_TIMEOUT_MS = 2000;

/** The users' notification hubs, one NotificationHub Durable Object per user. */
export interface NotificationHubs {
  deliver(userId: string, notifications: readonly NewNotification[]): Promise<Notification[]>;
  list(userId: string, query: ListQuery): Promise<NotificationPage>;
  markRead(userId: string, marks: ReadMarks): Promise<{ updated: number; unreadCount: number }>;
  /** Deletes the user's notifications of `workspaceId` and refuses its earlier events from now on. */
  revokeWorkspace(userId: string, workspaceId: string): Promise<number>;
  /** Closes the user's sockets and erases their hub: the account is gone. */
  forget(userId: string): Promise<void>;
  /** Hands a WebSocket upgrade with a verified ticket to the ticket's user's hub; its answer is 101 or a refusal. */
  connect(ticket: RealtimeTicket, since: number | undefined): Promise<Response>;
}

export interface NotificationHubsOptions {
  timeoutMs?: number;
  /** The time tickets and retention are judged by; tests pass their own. */
  clock?: Clock;
}

/**
 * The only code that talks to the NOTIFICATION_HUB namespace. Each call is bounded by `timeoutMs`;
 * a hub that does not answer in time, or cannot be reached, throws DependencyUnavailableError (503
 * with Retry-After).
 * @example await notificationHubs(c.env.NOTIFICATION_HUB).revokeWorkspace(userId, workspaceId)
 */
export function notificationHubs(namespace: DurableObjectNamespace<NotificationHub>, { timeoutMs = HUB_TIMEOUT_MS, clock = systemClock }: NotificationHubsOptions = {}): NotificationHubs {
  async function call<T>(userId: string, send: (hub: DurableObjectStub<NotificationHub>) => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DependencyUnavailableError("notification-hub", "timeout")), timeoutMs);
    });
    // Workers RPC takes no AbortSignal: past the deadline the call is left to finish on its own.
    const sent = Promise.resolve().then(() => send(namespace.get(namespace.idFromName(userId))));
    sent.catch(() => {});
    try {
      return await Promise.race([sent, deadline]);
    } catch (error) {
      if (error instanceof DependencyUnavailableError || error instanceof RangeError) throw error;
      throw new DependencyUnavailableError("notification-hub", "unreachable", { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    deliver: (userId, notifications) => call(userId, (hub) => hub.deliver(notifications, clock())),
    list: (userId, query) => call(userId, (hub) => hub.list(query, clock())),
    markRead: (userId, marks) => call(userId, (hub) => hub.markRead(marks)),
    revokeWorkspace: (userId, workspaceId) => call(userId, (hub) => hub.revokeWorkspace(workspaceId, clock())),
    forget: (userId) => call(userId, (hub) => hub.forget()),
    connect(ticket, since) {
      const url = new URL("https://notification-hub/connect");
      if (since !== undefined) url.searchParams.set("since", String(since));
      const headers = {
        Upgrade: "websocket",
        [HUB_HEADERS.ticketId]: ticket.ticketId,
        [HUB_HEADERS.ticketExpiresAt]: String(ticket.expiresAt),
        [HUB_HEADERS.now]: String(clock()),
      };
      return call(ticket.userId, (hub) => hub.fetch(url, { headers }));
    },
  };
}
