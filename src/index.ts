import { createApp } from "./app";
import { CRONS } from "./jobs/crons";
import { relayEvents, eventsConsumer } from "./jobs/event-relay";
import { inboundConsumer } from "./jobs/inbound-deliveries";
import { mailConsumer } from "./jobs/mail";
import { deliveriesConsumer } from "./jobs/outbound-deliveries";
import { purgeAttachmentsJob } from "./jobs/purge-attachments";
import { purgeExpiredJob } from "./jobs/purge-expired";
import { purgeWorkspacesJob } from "./jobs/purge-workspaces";
import { queueConsumers } from "./jobs/queues";
import { sweepDeliveriesJob } from "./jobs/sweep-deliveries";

export { MetricsAggregator } from "./durable-objects/metrics-aggregator";
export { NotificationHub } from "./durable-objects/notification-hub";
export { RateCounter } from "./durable-objects/rate-counter";

// Module scope holds the app: its routing table, rebuilt identically in every isolate, its AppScope and
// its metrics, the isolate's bounded caches, breakers and counts (never a per-request value).
const app = createApp();

export default {
  fetch: app.fetch,
  queue: queueConsumers({
    mail: mailConsumer(),
    events: eventsConsumer(),
    deliveries: deliveriesConsumer(),
    inbound: inboundConsumer(),
  }),
  scheduled(controller, env, ctx) {
    if (controller.cron === CRONS.everyMinute) {
      // The sweeps: events whose wake-up message was lost, and claims a dead relay left; webhook deliveries whose message was lost.
      ctx.waitUntil(relayEvents(env));
      ctx.waitUntil(sweepDeliveriesJob(env));
      return;
    }
    ctx.waitUntil(purgeWorkspacesJob(env));
    ctx.waitUntil(purgeAttachmentsJob(env));
    ctx.waitUntil(purgeExpiredJob(env));
  },
} satisfies ExportedHandler<Env>;
