/**
 * A notification as the fan-out hands it to a user's NotificationHub: one event, seen by one user.
 * Its `id` is the event's id, so a second delivery of the same event is recognised and ignored.
 */
export interface NewNotification {
  /** The event's id (`evt_…`). */
  id: string;
  workspaceId: string;
  /** The event's type: `task.created`, `comment.added`, `webhook.endpoint_disabled`, … */
  type: string;
  subjectType: string;
  subjectId: string;
  /** A user or API key id; null for the system. */
  actorId: string | null;
  /** A bounded summary of the event's payload (see `summarizePayload`). */
  payload: Record<string, unknown>;
  /** ISO 8601: when the event happened. */
  createdAt: string;
}

/** A notification in a hub's inbox: numbered in the order the hub took it, with its read marker. */
export interface Notification extends NewNotification {
  /** Monotonic per user (per hub); the cursor of `?since=` and `GET /v1/notifications?after=`. */
  seq: number;
  read: boolean;
}

/** A page of a user's inbox, oldest first. */
export interface NotificationPage {
  notifications: Notification[];
  /** The `after` of the next page, or null when this one reached the newest. */
  nextCursor: number | null;
  /** The newest sequence number the hub has handed out (0 when none): where a socket's `since` may start. */
  latestSeq: number;
  unreadCount: number;
  /** Notifications after the requested cursor were dropped by retention: the client should start over. */
  truncated: boolean;
}

export interface ListQuery {
  /** Only notifications after this sequence number; 0 (the default) for the oldest retained. */
  after?: number;
  limit?: number;
  unreadOnly?: boolean;
}

/** Read markers: every notification up to a sequence number, and/or some by id. */
export interface ReadMarks {
  upTo?: number;
  ids?: readonly string[];
}

/** The notifications a hub keeps: the newest INBOX_LIMIT, none older than INBOX_MAX_AGE_MS. */
export const INBOX_LIMIT = 1000;
export const INBOX_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** A page of `GET /v1/notifications` and of `list`, at most. */
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 50;
/** Ids one read marker names at most. */
export const MAX_READ_IDS = 100;
/** A notification's payload as JSON, at most; the fan-out's summaries stay far below it. */
export const MAX_PAYLOAD_BYTES = 4096;
/** Notifications one `deliver` call takes at most (a relay batch is 100 events). */
export const MAX_DELIVERY = 500;
/** A single-use ticket's lifetime: long enough to open a socket, too short to be worth stealing. */
export const TICKET_TTL_SECONDS = 30;
