import type { Database } from "../db/client";
import type { Config } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import type { EventSubscriber } from "../services/events/relay";
import { notificationFanOut } from "../services/notifications/fan-out";
import { notificationHubs } from "../services/notifications/hubs";
import { outboundWebhooksSubscriber } from "../services/webhooks/subscriber";

export interface SubscriberContext {
  env: Env;
  config: Config;
  db: Database;
  logger: Logger;
  clock: Clock;
}

/**
 * Everyone the events outbox is relayed to, in no particular order (they run at once). Issue 13
 * adds the notification hubs' fan-out and the outbound webhooks here.
 */
export function eventSubscribers({ env, db, clock }: SubscriberContext): EventSubscriber[] {
  return [outboundWebhooksSubscriber({ db, queue: env.DELIVERY_QUEUE, clock }), notificationFanOut({ db, hubs: notificationHubs(env.NOTIFICATION_HUB, { clock }) })];
}
