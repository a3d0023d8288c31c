import { createDatabase } from "../db/client";
import { systemClock, type Clock } from "../lib/clock";
import { relayOnce, RELAY_BATCH_SIZE, type EventSubscriber, type RelayScope } from "../services/events/relay";
import { eventSubscribers, type SubscriberContext } from "./event-subscribers";
import { JobCounts, reportJobCounts } from "./job-metrics";
import { loadJobConfig } from "./job-config";

/** Rounds one run takes at most (RELAY_BATCH_SIZE events each); the next nudge or sweep takes the rest. */
export const MAX_RELAY_ROUNDS = 10;

export interface EventRelayOptions extends RelayScope {
  clock?: Clock;
  /** The subscribers; tests pass their own. */
  subscribers?: (context: SubscriberContext) => EventSubscriber[];
}

/**
 * Relays the events outbox to its subscribers until it is empty or MAX_RELAY_ROUNDS ran, logging
 * each round. A failure is logged, never thrown: the failed batch's claim runs out and the next run
 * takes it again, so nothing is lost.
 */
export async function relayEvents(env: Env, { clock = systemClock, subscribers = eventSubscribers, limit = RELAY_BATCH_SIZE, workspaceId }: EventRelayOptions = {}): Promise<number> {
  const { config, logger } = loadJobConfig(env, { job: "event-relay" });
  if (!config) return 0;
  const db = createDatabase(config);
  const handlers = subscribers({ env, config, db, logger, clock });
  let relayed = 0;
  const counts = new JobCounts("events");
  try {
    for (let round = 0; round < MAX_RELAY_ROUNDS; round++) {
      // Each round depends on the last (it claims what the last left), so they run one after another.
      const outcome = await relayOnce(db, handlers, () => new Date(clock()), { limit, workspaceId });
      relayed += outcome.relayed;
      counts.add("ok", outcome.relayed);
      // Not lost: the claim runs out and the next run hands them over again.
      if (outcome.failed.length > 0) counts.add("retried", outcome.claimed);
      for (const { subscriber, error } of outcome.failed) logger.error("events not relayed", { subscriber, count: outcome.claimed, error });
      if (outcome.failed.length > 0 || outcome.claimed < limit) break;
    }
  } catch (error) {
    logger.error("event relay failed", { error });
  }
  if (relayed > 0) logger.info("events relayed", { count: relayed });
  await reportJobCounts(env, counts, logger);
  return relayed;
}

/**
 * The EVENTS_QUEUE consumer. Its messages are wake-ups (a request wrote events), not the events: the
 * relay reads the outbox itself, so every message of the batch is acknowledged after one run.
 */
export function eventsConsumer(options: EventRelayOptions = {}): ExportedHandlerQueueHandler<Env> {
  return async function consumeEventNudges(batch, env) {
    await relayEvents(env, options);
    batch.ackAll();
  };
}
