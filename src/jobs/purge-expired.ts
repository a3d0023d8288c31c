import { createDatabase } from "../db/client";
import { systemClock, type Clock } from "../lib/clock";
import { EXPIRED_ROW_BATCH_SIZE, purgeExpiredRows } from "../services/maintenance/expired-rows";
import { JobCounts, reportJobCounts } from "./job-metrics";
import { loadJobConfig } from "./job-config";

export interface ExpiredRowPurgeOptions {
  clock?: Clock;
  /** Rows of each kind purged at most; tests pass a small one. */
  limit?: number;
}

/**
 * The hourly cron trigger's clean-up of expired sessions, tokens, OAuth attempts, invitations and IP
 * rules, long past their grace. A failure is logged, never thrown: the next run tries again.
 */
export async function purgeExpiredJob(env: Env, { clock = systemClock, limit = EXPIRED_ROW_BATCH_SIZE }: ExpiredRowPurgeOptions = {}): Promise<void> {
  const { config, logger } = loadJobConfig(env, { job: "expired-purge" });
  if (!config) return;
  const counts = new JobCounts("purge-expired");
  try {
    const purged = await purgeExpiredRows(createDatabase(config), clock(), limit);
    const total = Object.values(purged).reduce((sum, count) => sum + count, 0);
    counts.add("ok", total);
    logger.info("expired rows purged", { ...purged, more: Object.values(purged).some((count) => count === limit) });
  } catch (error) {
    counts.add("retried");
    logger.error("expired rows not purged", { error });
  }
  await reportJobCounts(env, counts, logger);
}
