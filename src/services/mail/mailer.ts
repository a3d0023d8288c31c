import type { Database } from "../../db/client";
import { mailOutbox } from "../../db/schema";
import type { Config } from "../../env";
import { newId } from "../../lib/ids";
import { NO_TRACER, type Tracer } from "../../lib/tracing/tracer";
import type { Locale, MailTemplate } from "./message";
import type { RenderedMail } from "./templates/render";

/** One rendered mail to one recipient. */
export interface OutgoingMail extends RenderedMail {
  to: string;
  template: MailTemplate;
  locale: Locale;
  /** The same on every attempt at one mail (its queue message id), so a provider sends it once. */
  idempotencyKey: string;
}

/** The only way mail leaves the Worker. */
export interface Mailer {
  /** Sends `mail`; throws MailDeliveryError when it was not sent and trying again may help. */
  send(mail: OutgoingMail): Promise<void>;
}

/** A mail that was not sent: the provider was slow, unreachable or answered other than 2xx. */
export class MailDeliveryError extends Error {
  override readonly name = "MailDeliveryError";
}

/** How long the provider gets to accept one mail. */
export const MAIL_TIMEOUT_MS = 10_000;

export interface MailerOptions {
  /** The database, for the outbox; made only when the outbox is used. */
  db: () => Database;
  /** The provider's transport; tests pass their own. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Records each send to the provider as a client span (its traceparent goes with the POST). */
  tracer?: Tracer;
}

/**
 * The mailer MAIL_TRANSPORT names: the `mail_outbox` table (development and test; configuration
 * refuses it elsewhere) or the HTTP provider.
 */
export function createMailer(config: Config, options: MailerOptions): Mailer {
  if (config.MAIL_TRANSPORT === "outbox") return outboxMailer(options.db());
  const { MAIL_API_URL: url, MAIL_API_KEY: key, MAIL_FROM: from } = config;
  // Configuration validation requires all three for the provider; this only narrows their types.
  if (!url || !key || !from) throw new Error("the mail provider is not configured");
  return providerMailer({ url, key, from, fetch: options.fetch ?? fetch, timeoutMs: options.timeoutMs ?? MAIL_TIMEOUT_MS, tracer: options.tracer });
}

/** Development and test: each mail becomes a row of `mail_outbox`, read back at `GET /dev/outbox`. */
export function outboxMailer(db: Database): Mailer {
  return {
    async send({ to, template, locale, subject, text, html }) {
      await db.http.insert(mailOutbox).values({ id: newId("mail"), to, template, locale, subject, text, html });
    },
  };
}

interface ProviderSettings {
  url: string;
  key: string;
  from: string;
  fetch: typeof fetch;
  timeoutMs: number;
  tracer?: Tracer;
}

/**
 * A Resend-style provider: one JSON POST per mail with a Bearer key and an `Idempotency-Key`, bounded
 * by `timeoutMs`. Anything but a 2xx is a MailDeliveryError, to be retried by the queue.
 */
export function providerMailer({ url, key, from, fetch: send, timeoutMs, tracer = NO_TRACER }: ProviderSettings): Mailer {
  const attributes = { "server.address": new URL(url).hostname, "http.request.method": "POST" };
  return {
    async send(mail) {
      const span = tracer.startCall("mail send", attributes);
      let response: Response;
      try {
        response = await send(url, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${key}`,
            "Content-Type": "application/json",
            "Idempotency-Key": mail.idempotencyKey,
            ...(span.traceparent ? { traceparent: span.traceparent } : {}),
          },
          body: JSON.stringify({ from, to: [mail.to], subject: mail.subject, text: mail.text, html: mail.html }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        span.end(true);
        const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
        throw new MailDeliveryError(timedOut ? `the mail provider did not answer within ${timeoutMs} ms` : "the mail provider could not be reached", { cause: error });
      }
      // Its answer (an id) is of no use: cancel it, a Worker has only six connections.
      await response.body?.cancel();
      span.setAttribute("http.response.status_code", response.status);
      span.end(!response.ok);
      if (!response.ok) throw new MailDeliveryError(`the mail provider answered ${response.status}`);
    },
  };
}
