import { createDatabase } from "../db/client";
import { loadConfig } from "../env";
import { systemClock, type Clock } from "../lib/clock";
import { createLogger } from "../lib/logger";
import { JobCounts, reportJobCounts } from "./job-metrics";
import { PURGE_BATCH_SIZE, purgeDeletedWorkspaces } from "../services/workspaces/purge";

export interface WorkspacePurgeOptions {
  clock?: Clock;
  /** Workspaces purged at most; tests pass a small one. */
  limit?: number;
}

/**
 * The cron trigger's work (wrangler.toml `[triggers]`): purges the workspaces deleted more than 30
 * days ago, a bounded number per run, and logs how many. A failure is logged, never thrown: the next
 * run tries again, and nothing is lost meanwhile.
 */
export async function purgeWorkspacesJob(env: Env, { clock = systemClock, limit = PURGE_BATCH_SIZE }: WorkspacePurgeOptions = {}): Promise<void> {
  const loaded = loadConfig(env);
  const logger = createLogger({ level: loaded.ok ? loaded.config.LOG_LEVEL : "debug", fields: { job: "workspace-purge" } });
  if (!loaded.ok) {
    logger.error("invalid configuration", { settings: loaded.settings });
    return;
  }
  const counts = new JobCounts("purge-workspaces");
  try {
    const purged = await purgeDeletedWorkspaces(createDatabase(loaded.config), clock(), limit);
    counts.add("ok", purged.length);
    logger.info("deleted workspaces purged", { count: purged.length, more: purged.length === limit });
  } catch (error) {
    // The next run tries again: nothing is given up.
    counts.add("retried");
    logger.error("deleted workspaces not purged", { error });
  }
  await reportJobCounts(env, counts, logger);
}
