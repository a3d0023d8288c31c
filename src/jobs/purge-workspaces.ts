import { createDatabase } from "../db/client";
import { systemClock, type Clock } from "../lib/clock";
import { JobCounts, reportJobCounts } from "./job-metrics";
import { PURGE_BATCH_SIZE, purgeDeletedWorkspaces } from "../services/workspaces/purge";
import { loadJobConfig } from "./job-config";

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
  const { config, logger } = loadJobConfig(env, { job: "workspace-purge" });
  if (!config) return;
  const counts = new JobCounts("purge-workspaces");
  try {
    const purged = await purgeDeletedWorkspaces(createDatabase(config), clock(), limit);
    counts.add("ok", purged.length);
    logger.info("deleted workspaces purged", { count: purged.length, more: purged.length === limit });
  } catch (error) {
    // The next run tries again: nothing is given up.
    counts.add("retried");
    logger.error("deleted workspaces not purged", { error });
  }
  await reportJobCounts(env, counts, logger);
}
