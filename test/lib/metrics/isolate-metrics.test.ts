import { describe, expect, it } from "vitest";
import { IsolateMetrics, labelText, renderExposition, type Sample } from "../../../src/lib/metrics";
import { FLUSH_EVERY_REQUESTS, MAX_ISOLATE_SERIES } from "../../../src/lib/metrics/isolate-metrics";
import { manualClock } from "../../helpers/clock";

/** What one flush of `metrics` sends. */
async function flushed(metrics: IsolateMetrics): Promise<Map<string, number>> {
  let sent: Sample[] = [];
  await metrics.flush(async (samples) => {
    sent = samples;
  });
  return new Map(sent);
}

describe("IsolateMetrics", () => {
  it("sends a histogram as cumulative buckets with its sum and count, and starts afresh after", async () => {
    const metrics = new IsolateMetrics(manualClock().clock);
    for (const seconds of [0.001, 0.2, 0.2, 3]) metrics.observe("db_call_duration_seconds", labelText({}), seconds, [0.01, 0.5]);
    expect(await flushed(metrics)).toEqual(
      new Map([
        ['db_call_duration_seconds_bucket{le="0.01"}', 1],
        ['db_call_duration_seconds_bucket{le="0.5"}', 3],
        ['db_call_duration_seconds_bucket{le="+Inf"}', 4],
        ["db_call_duration_seconds_sum", 3.401],
        ["db_call_duration_seconds_count", 4],
      ]),
    );
    expect(await flushed(metrics)).toEqual(new Map());
  });

  it("sends a request as its count by status class and its duration, labelled by route template and method", async () => {
    const metrics = new IsolateMetrics(manualClock().clock);
    metrics.request("/v1/me", "GET", 200, 0.02);
    metrics.request("/v1/me", "GET", 404, 0.3);
    const sent = await flushed(metrics);
    expect(sent.get('http_requests_total{route="/v1/me",method="GET",status_class="2xx"}')).toBe(1);
    expect(sent.get('http_requests_total{route="/v1/me",method="GET",status_class="4xx"}')).toBe(1);
    expect(sent.get('http_request_duration_seconds_bucket{route="/v1/me",method="GET",le="0.025"}')).toBe(1);
    expect(sent.get('http_request_duration_seconds_bucket{route="/v1/me",method="GET",le="0.5"}')).toBe(2);
    expect(sent.get('http_request_duration_seconds_count{route="/v1/me",method="GET"}')).toBe(2);
  });

  it("escapes label values as the text format requires", () => {
    expect(labelText({ route: 'a"b\\c\nd' })).toBe('route="a\\"b\\\\c\\nd"');
  });

  it("holds at most MAX_ISOLATE_SERIES series, counting what it had to drop", async () => {
    const metrics = new IsolateMetrics(manualClock().clock);
    for (let i = 0; i < MAX_ISOLATE_SERIES + 10; i++) metrics.count("http_errors_total", labelText({ code: `C${i}` }));
    const sent = await flushed(metrics);
    expect(sent.size).toBe(MAX_ISOLATE_SERIES + 1);
    expect(sent.get("metrics_series_dropped_total")).toBe(10);
  });

  it("keeps a failed flush's samples for the next one", async () => {
    const metrics = new IsolateMetrics(manualClock().clock);
    metrics.count("http_errors_total", labelText({ code: "NOT_FOUND" }), 2);
    await expect(metrics.flush(() => Promise.reject(new Error("aggregator down")))).rejects.toThrow("aggregator down");
    metrics.count("http_errors_total", labelText({ code: "NOT_FOUND" }));
    expect(await flushed(metrics)).toEqual(new Map([['http_errors_total{code="NOT_FOUND"}', 3]]));
  });

  it("runs one flush at a time: a second one while the first is under way sends nothing", async () => {
    const metrics = new IsolateMetrics(manualClock().clock);
    metrics.count("http_errors_total", labelText({ code: "NOT_FOUND" }));
    let release!: () => void;
    const first = metrics.flush(() => new Promise<void>((resolve) => (release = resolve)));
    metrics.count("http_errors_total", labelText({ code: "NOT_FOUND" }));
    let secondSent = false;
    await metrics.flush(async () => {
      secondSent = true;
    });
    expect(secondSent).toBe(false);
    release();
    await first;
    expect(await flushed(metrics)).toEqual(new Map([['http_errors_total{code="NOT_FOUND"}', 1]]));
  });

  it("is due for a flush once the interval has passed, or after FLUSH_EVERY_REQUESTS requests", async () => {
    const time = manualClock();
    const metrics = new IsolateMetrics(time.clock);
    expect(metrics.requestDone(10_000)).toBe(false);
    time.advance(10_000);
    expect(metrics.requestDone(10_000)).toBe(true);
    await flushed(metrics);
    let due = false;
    for (let i = 0; i < FLUSH_EVERY_REQUESTS; i++) due = metrics.requestDone(10_000);
    expect(due).toBe(true);
  });
});

describe("renderExposition", () => {
  it("writes each family once with HELP and TYPE, a histogram's buckets in bound order before its sum and count", () => {
    const text = renderExposition([
      ['http_request_duration_seconds_count{route="/a",method="GET"}', 2],
      ['http_request_duration_seconds_bucket{route="/a",method="GET",le="+Inf"}', 2],
      ['http_request_duration_seconds_bucket{route="/a",method="GET",le="10"}', 2],
      ['http_request_duration_seconds_bucket{route="/a",method="GET",le="2.5"}', 1],
      ['http_request_duration_seconds_sum{route="/a",method="GET"}', 2.75],
      ['http_requests_total{route="/a",method="GET",status_class="2xx"}', 2],
      ["some_series_of_an_older_version", 1],
    ]);
    expect(text.split("\n")).toEqual([
      "# HELP http_requests_total Requests answered, by route template, method and status class.",
      "# TYPE http_requests_total counter",
      'http_requests_total{route="/a",method="GET",status_class="2xx"} 2',
      "# HELP http_request_duration_seconds Time from the request's arrival to its response, by route template and method.",
      "# TYPE http_request_duration_seconds histogram",
      'http_request_duration_seconds_bucket{route="/a",method="GET",le="2.5"} 1',
      'http_request_duration_seconds_bucket{route="/a",method="GET",le="10"} 2',
      'http_request_duration_seconds_bucket{route="/a",method="GET",le="+Inf"} 2',
      'http_request_duration_seconds_sum{route="/a",method="GET"} 2.75',
      'http_request_duration_seconds_count{route="/a",method="GET"} 2',
      "",
    ]);
  });
});
