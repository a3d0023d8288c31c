import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { EventSubscriber, RelayedEvent } from "../events/relay";
import type { NotificationHubs } from "./hubs";
import type { NewNotification } from "./types";

/**
 * Who is told of what, by event type. Other types (projects, attachments, comments edited or
 * deleted, …) notify nobody.
 * - `task`: every `task.*` event: the task's assignee and creator;
 * - `comment`: `comment.added`: the task's assignee and creator, and every member the body mentions;
 * - `admins`: `webhook.endpoint_disabled`: the workspace's owners and admins.
 * Always current members of a workspace that is not deleted, and never the actor.
 */
export function audienceOf(type: string): "task" | "comment" | "admins" | null {
  if (type.startsWith("task.")) return "task";
  if (type === "comment.added") return "comment";
  if (type === "webhook.endpoint_disabled") return "admins";
  return null;
}

/** Mentions a comment's body holds at most; more are ignored. */
const MAX_MENTIONS = 20;
/**
 * A mention is `@` and a member's e-mail address, at the start of the body or after a space or
 * punctuation: `@ada@example.com, can you look?`. Matched against accounts case-insensitively.
 */
const MENTION = /(?:^|[\s(,;:])@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** The addresses a comment's body mentions, lowercased, without duplicates, at most MAX_MENTIONS. */
export function mentionsIn(body: unknown): string[] {
  if (typeof body !== "string") return [];
  const found = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    // A trailing dot ends the sentence, not the address.
    found.add(match[1]!.replace(/\.+$/, "").toLowerCase());
    if (found.size >= MAX_MENTIONS) break;
  }
  return [...found];
}

/** A string field of a notification's payload, at most this long. */
const MAX_TEXT = 280;

/**
 * A bounded summary of an event's payload for a notification: its top-level strings (cut to
 * MAX_TEXT characters), numbers, booleans and nulls, and arrays of short strings (labels). Nested
 * objects and long texts stay in the API, a request away.
 */
export function summarizePayload(payload: Record<string, unknown>): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload).slice(0, 30)) {
    if (typeof value === "string") summary[key] = value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
    else if (typeof value === "number" || typeof value === "boolean" || value === null) summary[key] = value;
    else if (Array.isArray(value) && value.length <= 20 && value.every((item) => typeof item === "string" && item.length <= 64)) summary[key] = value;
  }
  return summary;
}

/**
 * The recipients of every event of a batch in one query: `(event_id, user_id)` pairs, per the rules
 * of `audienceOf`, checked against the current memberships and never the actor.
 */
export async function recipientsOf(db: Database, events: readonly RelayedEvent[]): Promise<Array<{ eventId: string; userId: string }>> {
  const input = events.flatMap((event) => {
    const audience = audienceOf(event.type);
    if (!audience) return [];
    const mentions = audience === "comment" ? mentionsIn(event.payload.body) : [];
    return [{ event_id: event.id, workspace_id: event.workspaceId, audience, subject_id: event.subjectId, actor_id: event.actorId, mentions }];
  });
  if (input.length === 0) return [];
  const result = await db.http.execute(sql`
    with ev as (
      select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
        as x(event_id text, workspace_id text, audience text, subject_id text, actor_id text, mentions text[])
    ),
    task_of as (
      select ev.event_id, t.assignee_id, t.created_by from ev join tasks t on t.id = ev.subject_id and t.workspace_id = ev.workspace_id where ev.audience = 'task'
      union all
      select ev.event_id, t.assignee_id, t.created_by from ev
        join comments c on c.id = ev.subject_id and c.workspace_id = ev.workspace_id
        join tasks t on t.id = c.task_id and t.workspace_id = ev.workspace_id
      where ev.audience = 'comment'
    ),
    candidates as (
      select event_id, assignee_id as user_id from task_of
      union select event_id, created_by from task_of
      union select ev.event_id, u.id from ev join users u on u.email = any(ev.mentions) and u.deleted_at is null where ev.audience = 'comment'
      union select ev.event_id, m.user_id from ev join workspace_members m on m.workspace_id = ev.workspace_id and m.role in ('owner', 'admin') where ev.audience = 'admins'
    )
    select c.event_id, c.user_id from candidates c
      join ev on ev.event_id = c.event_id
      join workspaces w on w.id = ev.workspace_id and w.deleted_at is null
      join workspace_members m on m.workspace_id = ev.workspace_id and m.user_id = c.user_id
    where c.user_id is distinct from ev.actor_id`);
  return (result.rows as Array<{ event_id: string; user_id: string }>).map((row) => ({ eventId: row.event_id, userId: row.user_id }));
}

/** Each recipient's notifications for `events`, in the events' order. */
export function notificationsByUser(events: readonly RelayedEvent[], recipients: ReadonlyArray<{ eventId: string; userId: string }>): Map<string, NewNotification[]> {
  const usersOf = new Map<string, Set<string>>();
  for (const { eventId, userId } of recipients) {
    let users = usersOf.get(eventId);
    if (!users) usersOf.set(eventId, (users = new Set()));
    users.add(userId);
  }
  const byUser = new Map<string, NewNotification[]>();
  for (const event of events) {
    const users = usersOf.get(event.id);
    if (!users) continue;
    const notification: NewNotification = {
      id: event.id,
      workspaceId: event.workspaceId,
      type: event.type,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      actorId: event.actorId,
      payload: summarizePayload(event.payload),
      createdAt: event.createdAt,
    };
    for (const userId of users) {
      let list = byUser.get(userId);
      if (!list) byUser.set(userId, (list = []));
      list.push(notification);
    }
  }
  return byUser;
}

/**
 * The notification hubs' subscriber of the events relay: one database round trip for the batch's
 * recipients, then one call per recipient's hub, all at once. Idempotent by event id: a hub ignores
 * an event it already holds, so a batch handed over twice notifies once.
 */
export function notificationFanOut(deps: { db: Database; hubs: NotificationHubs }): EventSubscriber {
  return {
    name: "notifications",
    async handle(events) {
      const byUser = notificationsByUser(events, await recipientsOf(deps.db, events));
      await Promise.all([...byUser].map(([userId, notifications]) => deps.hubs.deliver(userId, notifications)));
    },
  };
}
