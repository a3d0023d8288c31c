import { createApp } from "./app";

export { RateCounter } from "./durable-objects/rate-counter";

// Module scope holds only the routing table, which is rebuilt identically in every isolate.
const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
