import { createDatabase } from "../db/client";
import { loadConfig } from "../env";
import { systemClock, type Clock } from "../lib/clock";
import { createLogger } from "../lib/logger";
import { EXPIRED_ROW_BATCH_SIZE, purgeExpiredRows } from "../services/maintenance/expired-rows";
import { JobCounts, reportJobCounts } from "./job-metrics";

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
  const loaded = loadConfig(env);
  const logger = createLogger({ level: loaded.ok ? loaded.config.LOG_LEVEL : "debug", fields: { job: "expired-purge" } });
  if (!loaded.ok) {
    logger.error("invalid configuration", { settings: loaded.settings });
    return;
  }
  const counts = new JobCounts("purge-expired");
  try {
    const purged = await purgeExpiredRows(createDatabase(loaded.config), clock(), limit);
    const total = Object.values(purged).reduce((sum, count) => sum + count, 0);
    counts.add("ok", total);
    logger.info("expired rows purged", { ...purged, more: Object.values(purged).some((count) => count === limit) });
  } catch (error) {
    counts.add("retried");
    logger.error("expired rows not purged", { error });
  }
  await reportJobCounts(env, counts, logger);
}
