import { createDatabase } from "../db/client";
import { systemClock, type Clock } from "../lib/clock";
import { requeueLostDeliveries } from "../services/webhooks/subscriber";
import { loadJobConfig } from "./job-config";

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
  const { config, logger } = loadJobConfig(env, { job: "delivery-sweep" });
  if (!config) return 0;
  try {
    const count = await requeueLostDeliveries(createDatabase(config), env.DELIVERY_QUEUE, new Date(clock()), { workspaceId });
    if (count > 0) logger.warn("lost deliveries queued again", { count });
    return count;
  } catch (error) {
    logger.error("delivery sweep failed", { error });
    return 0;
  }
}
