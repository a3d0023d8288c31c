import { DurableObject } from "cloudflare:workers";

/**
 * One per user (addressed by the user's id): the user's WebSockets, hibernating between messages,
 * and the notification inbox in its SQLite storage. Issue 13 builds it.
 */
export class NotificationHub extends DurableObject<Env> {}
