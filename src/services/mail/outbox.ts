import { desc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { mailOutbox } from "../../db/schema";
import { normalizeEmail } from "../identity/emails";

/** The most mails `readOutbox` returns. */
export const OUTBOX_PAGE = 20;

/** Development and test: the newest mails the outbox mailer kept, to one address or to anyone. */
export async function readOutbox(db: Database, to?: string) {
  return db.http
    .select()
    .from(mailOutbox)
    .where(to === undefined ? undefined : eq(mailOutbox.to, normalizeEmail(to)))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(OUTBOX_PAGE);
}
