import { createDatabase } from "../db/client";
import type { Config } from "../env";
import type { Logger } from "../lib/logger";
import { startTrace } from "../lib/trace-context";
import { emitSpans } from "../lib/tracing/emit";
import { NO_TRACER, RequestTracer, type Tracer } from "../lib/tracing/tracer";
import { createMailer, type Mailer } from "../services/mail/mailer";
import { MailMessageSchema } from "../services/mail/message";
import { renderMail } from "../services/mail/templates/render";
import { JobCounts, reportJobCounts, type JobOutcome } from "./job-metrics";
import { isLastAttempt } from "./queue-kinds";
import { loadJobConfig } from "./job-config";

/** A failed mail waits 30 s before its second attempt, doubling after each, at most 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 30 * 2 ** Math.max(0, attempts - 1));
}

/** While the configuration is broken, a batch waits this long before it is delivered again. */
const CONFIGURATION_RETRY_SECONDS = 300;

export interface MailConsumerOptions {
  /** Makes the mailer from the configuration, recording its sends on `tracer`; tests pass their own transport through it. */
  mailer?: (config: Config, tracer: Tracer) => Mailer;
}

/**
 * The `MAIL_QUEUE` consumer: validates each message, renders it in its language and sends it through
 * the mailer, all messages of a batch at once. A sent mail is acknowledged; a failed one is retried
 * with a growing delay until the queue's `max_retries` moves it to the dead-letter queue; a message
 * that does not match the schema can never be sent, and is logged and dropped.
 */
export function mailConsumer({ mailer = defaultMailer }: MailConsumerOptions = {}): ExportedHandlerQueueHandler<Env> {
  return async function consumeMail(batch, env, ctx) {
    const { config, logger } = loadJobConfig(env, { queue: batch.queue });
    if (!config) {
      batch.retryAll({ delaySeconds: CONFIGURATION_RETRY_SECONDS });
      return;
    }
    // A batch starts a trace of its own: its messages do not carry the requests' trace context.
    const tracer = config.TRACING === "on" ? new RequestTracer(startTrace(undefined)) : undefined;
    const send = mailer(config, tracer ?? NO_TRACER);
    const outcomes = await Promise.all(batch.messages.map((message) => deliver(message, config, send, logger)));
    const counts = new JobCounts("mail");
    for (const outcome of outcomes) counts.add(outcome);
    ctx.waitUntil(reportJobCounts(env, counts, logger));
    if (!tracer) return;
    const attributes = { "messaging.system": "cloudflare_queues", "messaging.destination.name": batch.queue, "messaging.batch.message_count": batch.messages.length };
    emitSpans(tracer.finish(`process ${batch.queue}`, attributes, false, "consumer"), {
      config,
      version: env.CF_VERSION_METADATA?.id,
      write: (line) => console.log(line),
      keepAlive: (work) => ctx.waitUntil(work),
      log: () => logger,
    });
  };
}

async function deliver(message: Message, config: Config, mailer: Mailer, logger: Logger): Promise<JobOutcome> {
  const fields = { messageId: message.id, attempts: message.attempts };
  const parsed = MailMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    // Paths and codes only: the values are a recipient and a token.
    logger.error("mail message refused", { ...fields, issues: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(message)"}: ${issue.code}`) });
    message.ack();
    return "dropped";
  }
  const mail = parsed.data;
  try {
    await mailer.send({ ...renderMail(mail, config.APP_URL), to: mail.to, template: mail.template, locale: mail.locale, idempotencyKey: message.id });
    message.ack();
    logger.info("mail sent", { ...fields, template: mail.template });
    return "ok";
  } catch (error) {
    const last = isLastAttempt("mail", message.attempts);
    logger[last ? "error" : "warn"](last ? "mail not sent; giving up to the dead-letter queue" : "mail not sent; retrying", { ...fields, template: mail.template, error });
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return last ? "failed" : "retried";
  }
}

function defaultMailer(config: Config, tracer: Tracer): Mailer {
  let db: ReturnType<typeof createDatabase> | undefined;
  return createMailer(config, { db: () => (db ??= createDatabase(config, { tracer })), tracer });
}
