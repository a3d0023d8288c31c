import { createDatabase } from "../db/client";
import { attachmentStore } from "../lib/attachment-store";
import { systemClock, type Clock } from "../lib/clock";
import { JobCounts, reportJobCounts } from "./job-metrics";
import { ATTACHMENT_PURGE_BATCH_SIZE, purgeAttachments } from "../services/domain/attachment-purge";
import { loadJobConfig } from "./job-config";

export interface AttachmentPurgeOptions {
  clock?: Clock;
  /** Files purged at most; tests pass a small one. */
  limit?: number;
}

/**
 * The cron trigger's work (wrangler.toml `[triggers]`): removes from R2 the files of attachments
 * deleted a day ago and of uploads abandoned an hour ago, a bounded number per run, and logs how
 * many. A failure is logged, never thrown: the next run tries again, and nothing is lost meanwhile.
 */
export async function purgeAttachmentsJob(env: Env, { clock = systemClock, limit = ATTACHMENT_PURGE_BATCH_SIZE }: AttachmentPurgeOptions = {}): Promise<void> {
  const { config, logger } = loadJobConfig(env, { job: "attachment-purge" });
  if (!config) return;
  const counts = new JobCounts("purge-attachments");
  try {
    const purged = await purgeAttachments(createDatabase(config), attachmentStore(env.ATTACHMENTS), clock(), limit);
    counts.add("ok", purged.length);
    logger.info("attachment files purged", { count: purged.length, more: purged.length === limit });
  } catch (error) {
    // The next run tries again: nothing is given up.
    counts.add("retried");
    logger.error("attachment files not purged", { error });
  }
  await reportJobCounts(env, counts, logger);
}
