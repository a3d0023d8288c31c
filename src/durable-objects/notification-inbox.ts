import { INBOX_LIMIT, INBOX_MAX_AGE_MS, MAX_PAGE, type ListQuery, type NewNotification, type Notification, type NotificationPage, type ReadMarks } from "../services/notifications/types";

interface NotificationRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  workspace_id: string;
  type: string;
  subject_type: string;
  subject_id: string;
  actor_id: string | null;
  payload: string;
  created_at: number;
  read: number;
}

/** Where a socket's replay starts: the notifications after its cursor, or a resync when some of them are gone. */
export type Replay = { kind: "notifications"; notifications: Notification[] } | { kind: "resync" };

/** Why a ticket was refused. */
export type TicketRefusal = "expired" | "used";

/** How long a redeemed ticket's id is kept past its expiry, for callers whose clocks run behind. */
const TICKET_GRACE_MS = 60_000;

const SCHEMA = [
  // seq is assigned from `state.last_seq`, never reused, even after rows are deleted.
  `CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, workspace_id TEXT NOT NULL, type TEXT NOT NULL,
    subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, actor_id TEXT, payload TEXT NOT NULL,
    created_at INTEGER NOT NULL, read INTEGER NOT NULL DEFAULT 0)`,
  "CREATE INDEX IF NOT EXISTS notifications_workspace_idx ON notifications (workspace_id)",
  "CREATE INDEX IF NOT EXISTS notifications_created_idx ON notifications (created_at)",
  // last_seq: the newest seq handed out; pruned_through: the newest seq retention dropped (a replay from before it is incomplete).
  "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
  // A workspace the user was removed from: its events from before `revoked_at` are never taken again.
  "CREATE TABLE IF NOT EXISTS revoked_workspaces (workspace_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL)",
  // Redeemed tickets, until they could no longer be redeemed anyway.
  "CREATE TABLE IF NOT EXISTS redeemed_tickets (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)",
];

/**
 * The SQLite half of a NotificationHub: the sequenced inbox, its retention, read markers,
 * revocations and redeemed tickets. Every method is synchronous (SQLite in a Durable Object is), so
 * a caller that sends what it read before its next `await` can never interleave with another call.
 */
export class NotificationInbox {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
  }

  /**
   * Appends the notifications not already held (by id) and not of a workspace revoked after they
   * happened; returns the new ones with their sequence numbers. Then applies retention at `now`.
   */
  append(notifications: readonly NewNotification[], now: number): Notification[] {
    let last = this.#state("last_seq");
    const added: Notification[] = [];
    for (const notification of notifications) {
      const createdAt = Date.parse(notification.createdAt);
      if (this.#revokedSince(notification.workspaceId, createdAt)) continue;
      const cursor = this.#sql.exec(
        "INSERT INTO notifications (seq, id, workspace_id, type, subject_type, subject_id, actor_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        last + 1,
        notification.id,
        notification.workspaceId,
        notification.type,
        notification.subjectType,
        notification.subjectId,
        notification.actorId,
        JSON.stringify(notification.payload),
        createdAt,
      );
      if (cursor.rowsWritten === 0) continue;
      last += 1;
      added.push({ ...notification, seq: last, read: false });
    }
    if (added.length > 0) this.#setState("last_seq", last);
    this.#retain(now);
    return added;
  }

  /** What a socket connecting with cursor `since` missed, oldest first, or a resync when retention dropped some of it. */
  replay(since: number, now: number): Replay {
    this.#retain(now);
    if (since < this.#state("pruned_through") || since > this.#state("last_seq")) return { kind: "resync" };
    const rows = this.#sql.exec<NotificationRow>("SELECT * FROM notifications WHERE seq > ? ORDER BY seq", since).toArray();
    return { kind: "notifications", notifications: rows.map(toNotification) };
  }

  /** A page of the inbox after `after`, oldest first. */
  list({ after = 0, limit = MAX_PAGE, unreadOnly = false }: ListQuery, now: number): NotificationPage {
    this.#retain(now);
    const rows = this.#sql
      .exec<NotificationRow>(`SELECT * FROM notifications WHERE seq > ? ${unreadOnly ? "AND read = 0" : ""} ORDER BY seq LIMIT ?`, after, limit + 1)
      .toArray();
    const page = rows.slice(0, limit).map(toNotification);
    return {
      notifications: page,
      nextCursor: rows.length > limit ? page[page.length - 1]!.seq : null,
      latestSeq: this.#state("last_seq"),
      unreadCount: this.unreadCount(),
      // 0 is a fresh start, not a cursor: nothing was missed.
      truncated: after > 0 && after < this.#state("pruned_through"),
    };
  }

  /** Marks read every notification up to `upTo` and those named in `ids`; returns how many changed. */
  markRead({ upTo, ids = [] }: ReadMarks): number {
    let changed = 0;
    if (upTo !== undefined) changed += this.#sql.exec("UPDATE notifications SET read = 1 WHERE seq <= ? AND read = 0", upTo).rowsWritten;
    if (ids.length > 0) {
      changed += this.#sql.exec(`UPDATE notifications SET read = 1 WHERE read = 0 AND id IN (${ids.map(() => "?").join(", ")})`, ...ids).rowsWritten;
    }
    return changed;
  }

  unreadCount(): number {
    return this.#sql.exec<{ count: number }>("SELECT COUNT(*) AS count FROM notifications WHERE read = 0").one().count;
  }

  /**
   * Deletes workspace `workspaceId`'s notifications and refuses its events from before `at` from now
   * on (a fan-out that read the membership before the removal may still be on its way). Returns how
   * many were deleted. Deletions are no gap a replay must report: the client is told separately.
   */
  revokeWorkspace(workspaceId: string, at: number): number {
    this.#sql.exec(
      "INSERT INTO revoked_workspaces (workspace_id, revoked_at) VALUES (?, ?) ON CONFLICT (workspace_id) DO UPDATE SET revoked_at = MAX(revoked_at, excluded.revoked_at)",
      workspaceId,
      at,
    );
    return this.#sql.exec("DELETE FROM notifications WHERE workspace_id = ?", workspaceId).rowsWritten;
  }

  /** Burns ticket `id` (valid until `expiresAt`) at `now`: a ticket is redeemed once, and never after it expired. */
  redeemTicket(id: string, expiresAt: number, now: number): TicketRefusal | null {
    this.#sql.exec("DELETE FROM redeemed_tickets WHERE expires_at < ?", now - TICKET_GRACE_MS);
    if (now > expiresAt) return "expired";
    const cursor = this.#sql.exec("INSERT INTO redeemed_tickets (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", id, expiresAt);
    return cursor.rowsWritten === 0 ? "used" : null;
  }

  /** Applies retention at `now`; returns when the oldest notification left will be too old, or null when none is left. */
  expire(now: number): number | null {
    this.#retain(now);
    this.#sql.exec("DELETE FROM redeemed_tickets WHERE expires_at < ?", now - TICKET_GRACE_MS);
    const { oldest } = this.#sql.exec<{ oldest: number | null }>("SELECT MIN(created_at) AS oldest FROM notifications").one();
    return oldest === null ? null : oldest + INBOX_MAX_AGE_MS;
  }

  /** Keeps the newest INBOX_LIMIT notifications of the last INBOX_MAX_AGE_MS, and remembers the newest seq dropped. */
  #retain(now: number): void {
    const floor = this.#state("last_seq") - INBOX_LIMIT;
    const dropped = this.#sql
      .exec<{ seq: number }>("DELETE FROM notifications WHERE seq <= ? OR created_at < ? RETURNING seq", floor, now - INBOX_MAX_AGE_MS)
      .toArray();
    if (dropped.length === 0) return;
    const newest = Math.max(...dropped.map((row) => row.seq));
    if (newest > this.#state("pruned_through")) this.#setState("pruned_through", newest);
    this.#sql.exec("DELETE FROM revoked_workspaces WHERE revoked_at < ?", now - INBOX_MAX_AGE_MS);
  }

  #revokedSince(workspaceId: string, createdAt: number): boolean {
    const row = this.#sql.exec<{ revoked_at: number }>("SELECT revoked_at FROM revoked_workspaces WHERE workspace_id = ?", workspaceId).toArray()[0];
    return row !== undefined && createdAt <= row.revoked_at;
  }

  #state(key: "last_seq" | "pruned_through"): number {
    return this.#sql.exec<{ value: number }>("SELECT value FROM state WHERE key = ?", key).toArray()[0]?.value ?? 0;
  }

  #setState(key: "last_seq" | "pruned_through", value: number): void {
    this.#sql.exec("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}

function toNotification(row: NotificationRow): Notification {
  return {
    seq: row.seq,
    id: row.id,
    workspaceId: row.workspace_id,
    type: row.type,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    actorId: row.actor_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    createdAt: new Date(row.created_at).toISOString(),
    read: row.read === 1,
  };
}
