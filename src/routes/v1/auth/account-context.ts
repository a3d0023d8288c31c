import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import { logError } from "../../../middleware/logger";
import type { AccountDeps } from "../../../services/identity/account-deps";
import type { MailMessage } from "../../../services/mail/message";
import { enqueueMail } from "../../../services/mail/queue";

/** The account services' dependencies, from the request's services. */
export function accountDeps(c: Context<AppEnv>): AccountDeps {
  return { db: c.var.services.db, clock: c.var.services.clock, cache: c.var.services.cache };
}

/**
 * Puts `mail` on the mail queue once the response is on its way: the database work it follows has
 * succeeded by then, and an answer that sends mail takes no longer than one that sends none (the
 * forgot-password answer must not tell known addresses from unknown ones by its time). A failure is
 * logged; the user can ask again.
 */
export function queueMail(c: Context<AppEnv>, mail: MailMessage | undefined): void {
  if (!mail) return;
  c.executionCtx.waitUntil(enqueueMail(c.env.MAIL_QUEUE, mail).catch((error: unknown) => logError(c, "mail not queued", error, { template: mail.template })));
}

/** Drops ended sessions from this isolate's cache: their access tokens stop here at once, elsewhere within SESSION_CHECK_TTL_SECONDS. */
export function forgetSessions(c: Context<AppEnv>, sessionIds: readonly string[]): void {
  for (const id of sessionIds) c.var.services.sessionChecks.delete(id);
}
