// The app's Worker with bench-only routes, never deployed; built like the app (bench/build.ts).
// - GET /v1/bench/ping, for the rate-limit scenarios: it passes every global middleware and the /v1
//   ones (optional authentication, the api rate limit), then answers a small JSON body, touching no
//   database. No /v1 route of the API itself is that cheap (the OpenAPI document is 207 KiB).
// - POST /v1/bench/notify, for the fan-out scenario (bench/fan-out.ts): delivers one notification to
//   the signed-in caller's NotificationHub, as the events fan-out does for each recipient, and
//   answers its id once the hub took it.
import { createApp } from "../src/app";
import { mailConsumer } from "../src/jobs/mail";
import { newId } from "../src/lib/ids";
import { authenticate } from "../src/middleware/authenticate";
import { notificationHubs } from "../src/services/notifications/hubs";

export { MetricsAggregator } from "../src/durable-objects/metrics-aggregator";
export { NotificationHub } from "../src/durable-objects/notification-hub";
export { RateCounter } from "../src/durable-objects/rate-counter";

const app = createApp();
app.get("/v1/bench/ping", (c) => c.json({ ok: true }));
app.post("/v1/bench/notify", authenticate(), async (c) => {
  const id = newId("event");
  const notification = {
    id,
    workspaceId: "ws_bench",
    type: "task.updated",
    subjectType: "task",
    subjectId: "tsk_bench",
    actorId: null,
    payload: { title: "Bench task", status: "in_progress" },
    createdAt: new Date().toISOString(),
  };
  const [added] = await notificationHubs(c.env.NOTIFICATION_HUB).deliver(c.var.auth!.userId, [notification]);
  return c.json({ id, seq: added?.seq ?? null });
});

export default {
  fetch: app.fetch,
  queue: mailConsumer(),
} satisfies ExportedHandler<Env>;
