import { createDatabase } from "../db/client";
import { loadConfig } from "../env";
import { systemClock, type Clock } from "../lib/clock";
import { createLogger } from "../lib/logger";
import { requeueLostDeliveries } from "../services/webhooks/subscriber";

export interface DeliverySweepOptions {
  clock?: Clock;
  /** Only this workspace's deliveries: tests share one database. The cron sweeps all. */
  workspaceId?: string;
}

/**
 * The every-minute cron's sweep for outbound webhook deliveries whose message was lost: queues them
 * again. A failure is logged, never thrown: the next minute tries again. Returns how many it queued.
 */
export async function sweepDeliveriesJob(env: Env, { clock = systemClock, workspaceId }: DeliverySweepOptions = {}): Promise<number> {
  const loaded = loadConfig(env);
  const logger = createLogger({ level: loaded.ok ? loaded.config.LOG_LEVEL : "debug", fields: { job: "delivery-sweep" } });
  if (!loaded.ok) {
    logger.error("invalid configuration", { settings: loaded.settings });
    return 0;
  }
  try {
    const count = await requeueLostDeliveries(createDatabase(loaded.config), env.DELIVERY_QUEUE, new Date(clock()), { workspaceId });
    if (count > 0) logger.warn("lost deliveries queued again", { count });
    return count;
  } catch (error) {
    logger.error("delivery sweep failed", { error });
    return 0;
  }
}
