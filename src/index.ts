import { createApp } from "./app";
import { mailConsumer } from "./jobs/mail";

export { RateCounter } from "./durable-objects/rate-counter";

// Module scope holds only the routing table, which is rebuilt identically in every isolate.
const app = createApp();

export default {
  fetch: app.fetch,
  // MAIL_QUEUE is the only queue this Worker consumes; a second one would dispatch on `batch.queue`.
  queue: mailConsumer(),
} satisfies ExportedHandler<Env>;
