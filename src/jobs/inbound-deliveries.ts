import { createDatabase, type Database } from "../db/client";
import { systemClock, type Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { completeDelivery, InboundMessageSchema, pendingDelivery, recordFailure, type PendingDelivery } from "../services/inbound-webhooks/deliveries";
import { githubComments, type TaskComment } from "../services/inbound-webhooks/github-effect";
import { JobCounts, reportJobCounts, type JobOutcome } from "./job-metrics";
import { isLastAttempt } from "./queue-kinds";
import { wakeEventRelay } from "../services/events/wake-relay";
import { loadJobConfig } from "./job-config";

/** A failed delivery waits 30 s before its second attempt, doubling after each, at most an hour. */
export function inboundRetryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

/** While the configuration is broken, a batch waits this long before it is delivered again. */
const CONFIGURATION_RETRY_SECONDS = 300;

/** The comments a stored delivery adds: GitHub pushes and pull requests naming tasks; Stripe and Standard deliveries add none. */
export type InboundEffect = (delivery: PendingDelivery) => TaskComment[];

export const defaultEffect: InboundEffect = (delivery) => (delivery.kind === "github" ? githubComments(delivery.eventType, delivery.payload) : []);

export interface InboundConsumerOptions {
  clock?: Clock;
  /** What a delivery does; tests pass one that fails. */
  effect?: InboundEffect;
}

/**
 * The INBOUND_QUEUE consumer: processes each stored delivery its messages name, all at once. The
 * claim and the effect are one statement (see completeDelivery), so a message handed over twice, or
 * a duplicate's re-sent message, has one effect. A failure is recorded on the delivery and retried
 * with a growing delay; on the queue's last attempt (MAX_RETRIES) the delivery is `failed` and the
 * queue moves the message to its dead-letter queue. Every attempt is logged and counted in
 * `background_jobs_total{kind="inbound"}`.
 */
export function inboundConsumer({ clock = systemClock, effect = defaultEffect }: InboundConsumerOptions = {}): ExportedHandlerQueueHandler<Env> {
  return async function consumeInbound(batch, env, ctx) {
    const { config, logger } = loadJobConfig(env, { queue: batch.queue });
    if (!config) {
      batch.retryAll({ delaySeconds: CONFIGURATION_RETRY_SECONDS });
      return;
    }
    const db = createDatabase(config);
    const results = await Promise.all(batch.messages.map((message) => processMessage(message, db, effect, clock, logger)));
    const counts = new JobCounts("inbound");
    for (const result of results) counts.add(result.outcome);
    ctx.waitUntil(reportJobCounts(env, counts, logger));
    // Comments wrote events: wake the relay rather than wait for its sweep. A lost wake-up costs a delay, never an event.
    if (results.some((result) => result.added > 0)) ctx.waitUntil(wakeEventRelay(env.EVENTS_QUEUE, "inbound", () => logger));
  };
}

async function processMessage(message: Message, db: Database, effect: InboundEffect, clock: Clock, logger: Logger): Promise<{ outcome: JobOutcome; added: number }> {
  const fields = { messageId: message.id, attempts: message.attempts };
  const parsed = InboundMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    logger.error("inbound message refused", { ...fields, issues: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(message)"}: ${issue.code}`) });
    message.ack();
    return { outcome: "dropped", added: 0 };
  }
  const id = parsed.data.id;
  try {
    const delivery = await pendingDelivery(db, id);
    if (!delivery || delivery.status !== "received") {
      // Gone with its workspace, or processed by an earlier hand-over of this message.
      logger.info("inbound delivery skipped", { ...fields, delivery: id, status: delivery?.status ?? "gone" });
      message.ack();
      return { outcome: "ok", added: 0 };
    }
    const outcome = await completeDelivery(db, id, effect(delivery), new Date(clock()));
    message.ack();
    logger.info("inbound delivery processed", { ...fields, delivery: id, kind: delivery.kind, eventType: delivery.eventType, claimed: outcome.claimed, comments: outcome.added });
    return { outcome: "ok", added: outcome.added };
  } catch (error) {
    const final = isLastAttempt("inbound", message.attempts);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
    await recordFailure(db, id, reason, final).catch((recordError: unknown) => logger.error("inbound failure not recorded", { ...fields, delivery: id, error: recordError }));
    if (final) logger.error("inbound delivery failed; to the dead-letter queue", { ...fields, delivery: id, error });
    else logger.warn("inbound delivery not processed; retrying", { ...fields, delivery: id, error });
    // On the last attempt too: the queue then moves the message to its dead-letter queue.
    message.retry({ delaySeconds: inboundRetryDelaySeconds(message.attempts) });
    return { outcome: final ? "failed" : "retried", added: 0 };
  }
}
