import { aggregatorOf, labelText, type Sample } from "../lib/metrics";
import type { Logger } from "../lib/logger";

/** What became of one work item: done, to be tried again, given up for good, or refused as malformed. */
export type JobOutcome = "ok" | "retried" | "failed" | "dropped";

/** The kinds of background work: the queues' consumers and the cron jobs. */
export type JobKind = "mail" | "events" | "deliveries" | "inbound" | "purge-workspaces" | "purge-attachments" | "purge-expired";

/**
 * Counts one run of a job (a queue batch, a cron run) by outcome, for `background_jobs_total`. Sent to
 * the MetricsAggregator in one call when the run ends, not through the request path's isolate buffer:
 * a consumer's isolate may serve no request to flush it.
 */
export class JobCounts {
  readonly #kind: JobKind;
  readonly #counts = new Map<JobOutcome, number>();

  constructor(kind: JobKind) {
    this.#kind = kind;
  }

  add(outcome: JobOutcome, by = 1): void {
    if (by > 0) this.#counts.set(outcome, (this.#counts.get(outcome) ?? 0) + by);
  }

  samples(): Sample[] {
    return [...this.#counts].map(([outcome, count]) => [`background_jobs_total{${labelText({ kind: this.#kind, outcome })}}`, count]);
  }
}

/** Sends `counts` to the aggregator unless metrics are off; a failure costs a warn line, never the job. */
export async function reportJobCounts(env: Env, counts: JobCounts, logger: Logger): Promise<void> {
  const samples = counts.samples();
  if (samples.length === 0 || env.METRICS_ENABLED === "false" || !env.METRICS_AGGREGATOR) return;
  try {
    await aggregatorOf(env.METRICS_AGGREGATOR).add(samples);
  } catch (error) {
    logger.warn("job metrics not sent", { error });
  }
}
