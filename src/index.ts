import { createApp } from "./app";
import { mailConsumer } from "./jobs/mail";
import { purgeAttachmentsJob } from "./jobs/purge-attachments";
import { purgeWorkspacesJob } from "./jobs/purge-workspaces";

export { MetricsAggregator } from "./durable-objects/metrics-aggregator";
export { RateCounter } from "./durable-objects/rate-counter";

// Module scope holds the app: its routing table, rebuilt identically in every isolate, its AppScope and
// its metrics, the isolate's bounded caches, breakers and counts (never a per-request value).
const app = createApp();

export default {
  fetch: app.fetch,
  // MAIL_QUEUE is the only queue this Worker consumes; a second one would dispatch on `batch.queue`.
  queue: mailConsumer(),
  // The only cron trigger (wrangler.toml `[triggers]`); a second one would dispatch on `controller.cron`.
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(purgeWorkspacesJob(env));
    ctx.waitUntil(purgeAttachmentsJob(env));
  },
} satisfies ExportedHandler<Env>;
