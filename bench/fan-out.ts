// The fan-out scenario of `npm run bench`: one notification to 1,000 sockets of one user's
// NotificationHub. The run opens the sockets (a ticket each, then the upgrade), then sends events one
// at a time through POST /v1/bench/notify (bench/ping-app.ts) and times, for every socket, from the
// POST leaving this process to the notification arriving on that socket. The relay's database work
// before a hub call (3 round trips per batch, measured by the tests) is not in the figure; this
// process's own handling of 1,000 messages per event is.
//
// Settings (environment): BENCH_FANOUT_SOCKETS (1000), BENCH_FANOUT_EVENTS (20, after 3 unmeasured).
import { envCount } from "./cli.ts";
import { formatTable, quantile } from "./load.ts";
import type { BenchSession, WorkerName } from "./scenarios.ts";

export interface FanOutScenario {
  name: string;
  worker: WorkerName;
}

export const fanOutScenarios: FanOutScenario[] = [{ name: "fan-out: 1 event to 1,000 sockets of one hub", worker: "ping, no limiter" }];

export interface FanOutResult {
  name: string;
  sockets: number;
  events: number;
  /** Milliseconds to get the tickets and open every socket. */
  connectMs: number;
  /** Delivery latencies in ms, one per socket per measured event; the least is the request path's own cost. */
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Notifications that never arrived within the wait. */
  missing: number;
}

const WARMUP_EVENTS = 3;
/** How long one event may take to reach every socket before the missing ones are counted. */
const EVENT_TIMEOUT_MS = 10_000;
/** Tickets requested and sockets opened at once. */
const CONCURRENCY = 25;

/** Runs `task` over `items`, CONCURRENCY at a time. */
async function pooled<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

/**
 * Messages on every socket and when they came, gathered per event: kept as text and matched to the
 * event afterwards, so the timed path does no parsing; `full` is called once `wanted` have come.
 */
type Arrivals = { current: Array<{ text: string; at: number }>; wanted: number; full: () => void };

/** Opens `count` sockets for the session's user; each records its notifications in `arrivals`. */
async function openSockets(baseUrl: string, session: BenchSession, count: number, arrivals: Arrivals): Promise<WebSocket[]> {
  return pooled(Array.from({ length: count }, (_, index) => index), async () => {
    const response = await fetch(`${baseUrl}/v1/realtime/ticket`, { method: "POST", headers: { authorization: `Bearer ${session.accessToken}` }, signal: AbortSignal.timeout(10_000) });
    if (response.status !== 201) throw new Error(`POST /v1/realtime/ticket answered ${response.status}: ${await response.text()}`);
    const { ticket } = (await response.json()) as { ticket: string };
    const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/realtime?ticket=${encodeURIComponent(ticket)}`);
    socket.addEventListener("message", (event) => {
      arrivals.current.push({ text: String(event.data), at: performance.now() });
      if (arrivals.current.length === arrivals.wanted) arrivals.full();
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error("a socket failed to open")), { once: true });
    });
    return socket;
  });
}

/** Sends one event; resolves with each socket's latency in ms once all have it (or the wait ends). */
async function oneEvent(baseUrl: string, session: BenchSession, sockets: number, arrivals: Arrivals): Promise<{ latencies: number[]; missing: number }> {
  // Messages may arrive before the POST's answer names the event: gathered first, matched by id after.
  arrivals.current = [];
  arrivals.wanted = sockets;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = new Promise<void>((resolve) => {
    arrivals.full = resolve;
    timer = setTimeout(resolve, EVENT_TIMEOUT_MS);
  });
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/bench/notify`, { method: "POST", headers: { authorization: `Bearer ${session.accessToken}` }, signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`POST /v1/bench/notify answered ${response.status}: ${await response.text()}`);
  const { id } = (await response.json()) as { id: string };
  await settled;
  clearTimeout(timer);
  const times = arrivals.current.filter(({ text }) => text.includes(`"id":"${id}"`) && text.startsWith('{"type":"notification"'));
  return { latencies: times.map(({ at }) => at - started), missing: sockets - times.length };
}

/** Runs the fan-out scenario against the Worker at `baseUrl`, signed in as `session`. */
export async function runFanOut(baseUrl: string, session: BenchSession, scenario: FanOutScenario): Promise<FanOutResult> {
  const socketCount = envCount("BENCH_FANOUT_SOCKETS", 1000, 2000);
  const eventCount = envCount("BENCH_FANOUT_EVENTS", 20, 1000);
  const arrivals: Arrivals = { current: [], wanted: Number.POSITIVE_INFINITY, full: () => {} };
  const connecting = performance.now();
  const sockets = await openSockets(baseUrl, session, socketCount, arrivals);
  const connectMs = performance.now() - connecting;
  const latencies: number[] = [];
  let missing = 0;
  try {
    for (let event = 0; event < WARMUP_EVENTS + eventCount; event++) {
      const outcome = await oneEvent(baseUrl, session, socketCount, arrivals);
      if (event >= WARMUP_EVENTS) {
        latencies.push(...outcome.latencies);
        missing += outcome.missing;
      }
    }
  } finally {
    for (const socket of sockets) socket.close(1000, "done");
  }
  const sorted = Float64Array.from(latencies).sort();
  return { name: scenario.name, sockets: socketCount, events: eventCount, connectMs, min: sorted[0] ?? Number.NaN, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN, missing };
}

export function formatFanOut(results: FanOutResult[]): string {
  const ms = (value: number) => value.toFixed(2);
  return formatTable(
    ["fan-out scenario", "sockets", "events", "connect s", "min ms", "p50 ms", "p95 ms", "p99 ms", "max ms", "missing"],
    results.map((result) => [result.name, String(result.sockets), String(result.events), (result.connectMs / 1000).toFixed(1), ms(result.min), ms(result.p50), ms(result.p95), ms(result.p99), ms(result.max), String(result.missing)]),
  );
}
