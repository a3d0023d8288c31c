import type { BatchItem } from "drizzle-orm/batch";
import { z } from "zod";
import { createDatabase, type Database } from "../db/client";
import type { Config } from "../env";
import { systemClock, type Clock } from "../lib/clock";
import { isId } from "../lib/ids";
import type { Logger } from "../lib/logger";
import type { Resolver } from "../services/webhooks/address-policy";
import type { DeliveryMessage } from "../services/webhooks/delivery-log";
import { failUndeliverable, loadDeliveries, RECORDED_STATEMENT, recordAttempt, signingSecrets, webhookBody, type DueDelivery } from "../services/webhooks/attempts";
import { dnsOverHttpsResolver } from "../services/webhooks/dns";
import { sendWebhook } from "../services/webhooks/http-attempt";
import { JobCounts, reportJobCounts, type JobOutcome } from "./job-metrics";
import { wakeEventRelay } from "../services/events/wake-relay";
import { loadJobConfig } from "./job-config";

/** While the configuration is broken or the database unreachable, a batch waits this long. */
const RETRY_LATER_SECONDS = 60;
/**
 * Attempts made at once. Each holds at most two connections at a time (its two DNS questions, then
 * its POST) of a Worker's six; more would wait for a connection while their timeouts ran.
 */
const ATTEMPT_CONCURRENCY = 3;
/** A queue's sendBatch takes at most 100 messages. */
const SEND_BATCH_LIMIT = 100;
/** A message arriving this much before its delivery is due still counts as due (queue delays are not exact). */
const DUE_SLACK_MS = 1000;

const MessageSchema = z.object({ deliveryId: z.string().refine((id) => isId("webhookDelivery", id)), manual: z.literal(true).optional() }).strict();

export interface DeliveriesConsumerOptions {
  clock?: Clock;
  /** How names are resolved before an attempt; by default DNS-over-HTTPS to WEBHOOK_DNS_RESOLVER_URL. */
  resolver?: (config: Config) => Resolver;
  /**
   * One `host:port` the address policy lets through: the tests' receiver on loopback. Code only,
   * never configuration: a deployment cannot relax the policy by a setting.
   */
  allowedTarget?: string;
}

type Query = BatchItem<"pg">;

/** What became of one message: statements to write, then an ack, or a retry after `retryInSeconds`. */
interface Handled {
  message: Message;
  deliveryId: string;
  /** For `background_jobs_total{kind="deliveries"}`: delivered, to be tried again, failed for good, or not due (dropped). */
  outcome: JobOutcome;
  statements: Query[];
  /** Which statement returns a row only when this attempt is the one recorded (another consumer may have made it too). */
  recordedAt?: number;
  retryInSeconds?: number;
  /** The attempt disabled the endpoint, writing an event the relay should take soon. */
  disabled?: boolean;
}

/**
 * The DELIVERY_QUEUE consumer: one database read for the whole batch (deliveries, endpoints,
 * events), the due attempts sent at once, then one batch writing every attempt's log row and the
 * deliveries' and endpoints' new state. A failed attempt queues a message for the next one, delayed
 * per the schedule; a message whose delivery is not due (a duplicate, or one a manual retry
 * overtook) is dropped. Every message is counted in `background_jobs_total{kind="deliveries"}`.
 */
export function deliveriesConsumer({ clock = systemClock, resolver, allowedTarget }: DeliveriesConsumerOptions = {}): ExportedHandlerQueueHandler<Env> {
  return async function consumeDeliveries(batch, env, ctx) {
    const { config, logger } = loadJobConfig(env, { queue: batch.queue });
    if (!config) {
      batch.retryAll({ delaySeconds: RETRY_LATER_SECONDS });
      return;
    }
    const counts = new JobCounts("deliveries");
    const wanted = new Map<string, { message: Message; manual: boolean }>();
    for (const message of batch.messages) {
      const parsed = MessageSchema.safeParse(message.body);
      // A duplicate within the batch is the same attempt: the first one makes it.
      if (parsed.success && !wanted.has(parsed.data.deliveryId)) wanted.set(parsed.data.deliveryId, { message, manual: parsed.data.manual === true });
      else {
        if (!parsed.success) logger.error("delivery message refused", { messageId: message.id });
        counts.add("dropped");
        message.ack();
      }
    }
    const db = createDatabase(config);
    let deliveries: Map<string, DueDelivery>;
    try {
      deliveries = await loadDeliveries(db, [...wanted.keys()]);
    } catch (error) {
      logger.error("deliveries not loaded", { count: wanted.size, error });
      for (const { message } of wanted.values()) message.retry({ delaySeconds: RETRY_LATER_SECONDS });
      counts.add("retried", wanted.size);
      ctx.waitUntil(reportJobCounts(env, counts, logger));
      return;
    }
    const now = new Date(clock());
    const policy = { resolve: resolver ? resolver(config) : dnsOverHttpsResolver(config.WEBHOOK_DNS_RESOLVER_URL), allowedTarget };
    const handled = await inPool([...wanted], ATTEMPT_CONCURRENCY, ([id, { message, manual }]) => attempt(db, id, deliveries.get(id), { message, manual, now, config, policy, logger }));
    const recorded = await finish(env, db, handled, logger);
    for (const entry of handled) counts.add(recorded ? entry.outcome : "retried");
    ctx.waitUntil(reportJobCounts(env, counts, logger));
  };
}

interface AttemptContext {
  message: Message;
  manual: boolean;
  now: Date;
  config: Config;
  policy: { resolve: Resolver; allowedTarget?: string };
  logger: Logger;
}

/** Makes the message's attempt if its delivery is due, and says what to write. */
async function attempt(db: Database, deliveryId: string, delivery: DueDelivery | undefined, { message, manual, now, config, policy, logger }: AttemptContext): Promise<Handled> {
  if (!delivery) return { message, deliveryId, outcome: "dropped", statements: [] };
  if (delivery.endpoint.deleted || !delivery.endpoint.enabled) return { message, deliveryId, outcome: "failed", statements: [db.http.execute(failUndeliverable(delivery, now))] };
  const due = delivery.status === "pending" && delivery.nextAttemptAt !== null && delivery.nextAttemptAt.getTime() <= now.getTime() + DUE_SLACK_MS;
  // Not due: a duplicate, or the message of an attempt already made (a manual retry moved the schedule).
  if (!manual && !due) return { message, deliveryId, outcome: "dropped", statements: [] };
  let secrets: string[];
  try {
    secrets = await signingSecrets(config.WEBHOOK_SECRETS_KEY, delivery.endpoint, now);
  } catch (error) {
    // WEBHOOK_SECRETS_KEY changed, or a row was altered: nothing a retry mends soon.
    logger.error("endpoint secret not readable", { deliveryId: delivery.id, endpointId: delivery.endpoint.id, error });
    return { message, deliveryId, outcome: "retried", statements: [], retryInSeconds: RETRY_LATER_SECONDS };
  }
  const number = delivery.attempts + 1;
  const result = await sendWebhook({ deliveryId: delivery.id, url: delivery.endpoint.url, secrets, body: webhookBody(delivery), timestamp: Math.floor(now.getTime() / 1000) }, { policy });
  const outcome = recordAttempt(delivery, number, result, now);
  const fields = { deliveryId: delivery.id, endpointId: delivery.endpoint.id, attempt: number, statusCode: result.statusCode, durationMs: result.durationMs };
  if (result.ok) logger.info("webhook delivered", fields);
  else logger.warn("webhook attempt failed", { ...fields, retryInSeconds: outcome.retryInSeconds, reason: result.statusCode === null ? result.error : undefined });
  if (outcome.disabled) logger.warn("webhook endpoint disabled", { endpointId: delivery.endpoint.id, workspaceId: delivery.workspaceId });
  return {
    message,
    deliveryId,
    outcome: result.ok ? "ok" : outcome.retryInSeconds === undefined ? "failed" : "retried",
    statements: outcome.statements.map((statement) => db.http.execute(statement)),
    recordedAt: RECORDED_STATEMENT,
    retryInSeconds: outcome.retryInSeconds,
    disabled: outcome.disabled,
  };
}

/**
 * Writes every message's statements in one batch (a failed write retries them all), then queues the
 * next attempts as new delayed messages (at most 100 per send) and acks. A new message rather than
 * `message.retry`: the schedule does not spend the queue's max_retries, which stays for failures of
 * this consumer, and a manual retry's follow-up is an ordinary scheduled attempt. Only the consumer
 * whose attempt was recorded queues the next one, so two messages that raced leave one behind.
 */
async function finish(env: Env, db: Database, handled: Handled[], logger: Logger): Promise<boolean> {
  const statements = handled.flatMap((entry) => entry.statements);
  let results: Array<{ rows: unknown[] }> = [];
  if (statements.length > 0) {
    try {
      results = (await db.http.batch(statements as [Query, ...Query[]])) as unknown as Array<{ rows: unknown[] }>;
    } catch (error) {
      // The attempts were made but not recorded: their messages come again and make them again.
      logger.error("delivery attempts not recorded", { count: handled.length, error });
      for (const { message } of handled) message.retry({ delaySeconds: RETRY_LATER_SECONDS });
      return false;
    }
  }
  let offset = 0;
  const later: Handled[] = [];
  for (const entry of handled) {
    const recorded = entry.recordedAt === undefined || (results[offset + entry.recordedAt]?.rows.length ?? 0) > 0;
    offset += entry.statements.length;
    if (entry.retryInSeconds !== undefined && recorded) later.push(entry);
    else entry.message.ack();
  }
  const chunks: Handled[][] = [];
  for (let start = 0; start < later.length; start += SEND_BATCH_LIMIT) chunks.push(later.slice(start, start + SEND_BATCH_LIMIT));
  const sends: Promise<unknown>[] = chunks.map(async (chunk) => {
    try {
      await env.DELIVERY_QUEUE.sendBatch(chunk.map(({ deliveryId, retryInSeconds }) => ({ body: { deliveryId } satisfies DeliveryMessage, contentType: "json", delaySeconds: retryInSeconds })));
    } catch (error) {
      // The message itself waits instead; it finds the delivery due when it comes back.
      logger.warn("next attempts not queued; retrying their messages", { count: chunk.length, error });
      for (const { message, retryInSeconds } of chunk) message.retry({ delaySeconds: retryInSeconds });
      return;
    }
    for (const { message } of chunk) message.ack();
  });
  // A disabled endpoint's event reaches the owners and admins with the relay's next run, not the next sweep.
  if (handled.some((entry) => entry.disabled)) sends.push(wakeEventRelay(env.EVENTS_QUEUE, "write", () => logger));
  await Promise.all(sends);
  return true;
}

/** `work` over `items` with at most `limit` running at once; the results in the items' order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    // Each lane takes the next item when its last one is done: sequential within a lane by design.
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
