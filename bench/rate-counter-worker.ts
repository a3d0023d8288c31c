// The Worker `npm run bench:rate-counter` times: the app's RateCounter Durable Object and its client,
// behind routes that make one call each, and one that makes none, to subtract.
import { RateCounter } from "../src/durable-objects/rate-counter";
import { createRateCounters, type RatePolicy } from "../src/lib/rate-counter";

export { RateCounter };

interface BenchEnv {
  RATE_COUNTER: DurableObjectNamespace<RateCounter>;
}

/** Never refuses within a run: every call reads and writes the counter. */
const POLICY: RatePolicy = { algorithm: "fixed-window", limit: 1_000_000, windowMs: 60_000 };
/** One hot key, as a login burst on one account or one address would be. */
const KEY = "bench:rate-counter";

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const counters = createRateCounters(env.RATE_COUNTER);
    switch (pathname) {
      case "/none":
        return new Response(null, { status: 204 });
      case "/consume":
        return Response.json(await counters.consume(KEY, POLICY));
      case "/peek":
        return Response.json(await counters.peek(KEY, POLICY));
      // The stub alone: no key hashing, no deadline timer.
      case "/stub-consume":
        return Response.json(await env.RATE_COUNTER.get(env.RATE_COUNTER.idFromName(KEY)).consume(POLICY, 1, Date.now()));
      // Sequential calls timed inside the Worker: no HTTP in the figure, but the clock only moves on I/O, in whole ms.
      case "/consume-loop": {
        const calls = Math.min(10_000, Math.max(1, Number(new URL(request.url).searchParams.get("calls")) || 1));
        const started = Date.now();
        for (let i = 0; i < calls; i++) await counters.consume(KEY, POLICY);
        return Response.json({ calls, elapsedMs: Date.now() - started });
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
} satisfies ExportedHandler<BenchEnv>;
