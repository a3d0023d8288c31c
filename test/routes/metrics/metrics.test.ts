import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { call, testApp } from "../../helpers/app";
import { bearer, createUser, signIn } from "../../helpers/identity";
import { aggregatorOfItsOwn, METRICS_TOKEN, meteredBindings, scrape } from "../../helpers/metrics";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";

const health = { route: "/health", method: "GET", status_class: "2xx" };
const unmatched = { route: "unmatched", method: "GET", status_class: "4xx" };

describe("GET /metrics", () => {
  it("sums what two isolates counted: every request sent, once", async () => {
    const bindings = meteredBindings(aggregatorOfItsOwn());
    const [first, second] = [testApp(), testApp()];
    for (let i = 0; i < 3; i++) await call(first, "/health", undefined, bindings);
    for (let i = 0; i < 2; i++) await call(second, "/health", undefined, bindings);
    for (let i = 0; i < 2; i++) await call(second, "/v1/nope", undefined, bindings);

    const scraped = await scrape(first, bindings);
    expect(scraped.counter("http_requests_total", health)).toBe(5);
    expect(scraped.counter("http_requests_total", unmatched)).toBe(2);
    expect(scraped.counter("http_errors_total", { code: "NOT_FOUND" })).toBe(2);
    // The api group's limit counted both 404s (/health is outside /v1).
    expect(scraped.counter("rate_limit_decisions_total", { group: "api", decision: "allowed", failed_open: "false" })).toBe(2);
  });

  it("adds the scraping isolate's own counts before it reads, whatever the flush interval", async () => {
    const bindings = meteredBindings(aggregatorOfItsOwn(), { METRICS_FLUSH_SECONDS: "300" });
    const app = testApp();
    for (let i = 0; i < 4; i++) await call(app, "/health", undefined, bindings);
    const scraped = await scrape(app, bindings);
    expect(scraped.counter("http_requests_total", health)).toBe(4);
    // The parser keeps a histogram's buckets only while its family has one label set, as here.
    const durations = scraped.family("http_request_duration_seconds")!;
    expect(durations.type).toBe("HISTOGRAM");
    const buckets = Object.entries(durations.metrics[0]!.buckets!)
      .map(([bound, count]) => [bound === "+Inf" ? Infinity : Number(bound), Number(count)] as const)
      .sort(([a], [b]) => a - b);
    expect(buckets.map(([bound]) => bound)).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity]);
    expect(buckets.at(-1)![1]).toBe(4);
    const counts = buckets.map(([, count]) => count);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // The scrape itself is counted once it is answered, and the next scrape sees it.
    expect((await scrape(app, bindings)).counter("http_requests_total", { route: "/metrics", method: "GET", status_class: "2xx" })).toBe(1);
  });

  it("costs a request no round trip, and a scrape one call to the aggregator and no database round trip", async () => {
    const aggregator = aggregatorOfItsOwn();
    const bindings = meteredBindings(aggregator, { METRICS_FLUSH_SECONDS: "300" });
    const app = testApp();
    for (let i = 0; i < 3; i++) await call(app, "/v1/nope", undefined, bindings);
    expect(aggregator.calls).toBe(0);
    const { result: scraped, roundTrips } = await countDatabaseRoundTrips(() => scrape(app, bindings));
    expect(scraped.counter("http_requests_total", unmatched)).toBe(3);
    expect(aggregator.calls).toBe(1);
    expect(roundTrips).toBe(0);
  });

  it("counts a signed-in request's authentication and each of its database calls", async () => {
    const bindings = meteredBindings(aggregatorOfItsOwn());
    const app = testApp();
    const { accessToken } = await signIn(await createUser());
    const { roundTrips } = await countDatabaseRoundTrips(() => call(app, "/v1/me", { headers: bearer(accessToken) }, bindings));
    expect(roundTrips).toBeGreaterThan(0);

    const scraped = await scrape(app, bindings);
    expect(scraped.counter("auth_events_total", { method: "access_token", outcome: "accepted", reason: "" })).toBe(1);
    expect(scraped.counter("db_calls_total", { outcome: "ok" })).toBe(roundTrips);
    expect(scraped.sample("db_call_duration_seconds", {})?.count).toBe(String(roundTrips));
    expect(scraped.counter("http_requests_total", { route: "/v1/me", method: "GET", status_class: "2xx" })).toBe(1);
  });

  it("counts a refused login by its reason", async () => {
    const bindings = meteredBindings(aggregatorOfItsOwn());
    const app = testApp();
    const user = await createUser();
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: user.email, password: "not the password" }) };
    expect((await call(app, "/v1/auth/login", init, bindings)).status).toBe(401);
    const scraped = await scrape(app, bindings);
    expect(scraped.counter("auth_events_total", { method: "password", outcome: "refused", reason: "UNAUTHORIZED" })).toBe(1);
    expect(scraped.counter("http_errors_total", { code: "UNAUTHORIZED" })).toBe(1);
  });

  it("labels requests by route template, never by raw path, so the series stay bounded", async () => {
    const bindings = meteredBindings(aggregatorOfItsOwn());
    const app = testApp();
    for (let i = 0; i < 20; i++) {
      const id = crypto.randomUUID();
      await call(app, `/v1/nope/${id}`, undefined, bindings);
      await call(app, `/v1/auth/sessions/ses_${id.replaceAll("-", "")}`, { method: "DELETE" }, bindings);
    }
    const scraped = await scrape(app, bindings);
    const routes = new Set(scraped.family("http_requests_total")!.metrics.map((sample) => sample.labels!.route));
    expect([...routes].sort()).toEqual(["/v1/auth/sessions/:id", "unmatched"]);
    expect(scraped.counter("http_requests_total", { route: "/v1/auth/sessions/:id", method: "DELETE", status_class: "4xx" })).toBe(20);
    expect(scraped.counter("http_requests_total", unmatched)).toBe(20);
  });

  it("writes one Analytics Engine data point per request", async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const dataset = { writeDataPoint: (point: AnalyticsEngineDataPoint) => points.push(point) };
    await call(testApp(), "/v1/nope", undefined, { METRICS: dataset });
    expect(points).toHaveLength(1);
    expect(points[0]!.indexes).toEqual(["unmatched"]);
    expect(points[0]!.blobs).toEqual(["unmatched", "GET", "4xx", "NOT_FOUND", ""]);
    expect(points[0]!.doubles?.[0]).toBe(404);
  });

  it("counts nothing and writes nothing when METRICS_ENABLED is false", async () => {
    const points: unknown[] = [];
    const bindings = meteredBindings(aggregatorOfItsOwn(), { METRICS: { writeDataPoint: (point: unknown) => points.push(point) } });
    const app = createApp();
    await call(app, "/health", undefined, { ...bindings, METRICS_ENABLED: "false" });
    expect(points).toEqual([]);
    expect((await scrape(app, bindings)).counter("http_requests_total", health)).toBe(0);
  });

  describe("refuses with 401 problem+json", () => {
    const bindings = meteredBindings(aggregatorOfItsOwn());
    it.each([
      ["no token", {}],
      ["a wrong token", { Authorization: `Bearer ${METRICS_TOKEN}x` }],
      ["a user's access token", { Authorization: "Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln" }],
      ["the token in another scheme", { Authorization: `Basic ${METRICS_TOKEN}` }],
    ])("a request with %s", async (_, headers: Record<string, string>) => {
      const response = await call(testApp(), "/metrics", { headers }, bindings);
      await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="metrics"');
    });

    it("every request while METRICS_TOKEN is unset, the configured token included", async () => {
      const response = await call(testApp(), "/metrics", { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } }, { ...bindings, METRICS_TOKEN: undefined });
      await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
    });
  });
});
