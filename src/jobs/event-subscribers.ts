import type { Database } from "../db/client";
import type { Config } from "../env";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import type { EventSubscriber } from "../services/events/relay";
import { notificationFanOut } from "../services/notifications/fan-out";
import { notificationHubs } from "../services/notifications/hubs";

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
export function eventSubscribers(context: SubscriberContext): EventSubscriber[] {
  return [notificationFanOut({ db: context.db, hubs: notificationHubs(context.env.NOTIFICATION_HUB, { clock: context.clock }) })];
}
