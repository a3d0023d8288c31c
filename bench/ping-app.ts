// The app's Worker with one route more, for the rate-limit scenarios only: GET /v1/bench/ping passes
// every global middleware and the /v1 ones (optional authentication, the api rate limit), then
// answers a small JSON body, touching no database. No /v1 route of the API itself is that cheap
// (the OpenAPI document is 15 KB). Built like the app (bench/build.ts); never deployed.
import { createApp } from "../src/app";
import { mailConsumer } from "../src/jobs/mail";

export { MetricsAggregator } from "../src/durable-objects/metrics-aggregator";
export { NotificationHub } from "../src/durable-objects/notification-hub";
export { RateCounter } from "../src/durable-objects/rate-counter";

const app = createApp();
app.get("/v1/bench/ping", (c) => c.json({ ok: true }));

export default {
  fetch: app.fetch,
  queue: mailConsumer(),
} satisfies ExportedHandler<Env>;
