import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { configSchema } from "../../src/env";
import { call, testApp } from "../helpers/app";
import { PRODUCTION_PROVIDER_ENDPOINTS } from "../helpers/deployed-settings";
import { METRICS_TOKEN } from "../helpers/metrics";
import { expectNoLeak, expectProblem } from "../helpers/problem";

const MAIL_PROVIDER = { MAIL_API_URL: "https://mail.example.test/emails", MAIL_API_KEY: "re_test", MAIL_FROM: "no-reply@example.test" };
// Everything else a deployed environment requires, so only the setting under test can fail.
const DEPLOYED = {
  APP_ENV: "production",
  NEON_HTTP_ENDPOINT: undefined,
  NEON_WS_PROXY: undefined,
  METRICS_TOKEN,
  ...MAIL_PROVIDER,
  ...PRODUCTION_PROVIDER_ENDPOINTS,
};

const parse = (overrides: Record<string, unknown>) => configSchema.safeParse({ ...env, ...overrides });
const failingSettings = (overrides: Record<string, unknown>) => {
  const result = parse(overrides);
  return result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
};

describe("tracing, error tracking and slow-query settings", () => {
  it("reads OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry spec writes it", () => {
    const result = parse({ OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer%20abc%3D, X-Scope-OrgID=tenant-1" });
    expect(result.success && result.data.OTEL_EXPORTER_OTLP_HEADERS).toEqual({ Authorization: "Bearer abc=", "X-Scope-OrgID": "tenant-1" });
  });

  it.each([
    ["a pair without a value", "Authorization"],
    ["a header name with a space", "Bad Name=x"],
    ["a value that decodes to a line break", "X-Key=a%0Db"],
    ["a malformed escape", "X-Key=%E0%A4%A"],
  ])("refuses OTEL_EXPORTER_OTLP_HEADERS with %s, never showing its value", async (_, value) => {
    expect(failingSettings({ OTEL_EXPORTER_OTLP_HEADERS: value })).toEqual(["OTEL_EXPORTER_OTLP_HEADERS"]);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call(testApp(), "/v1/nope", undefined, { OTEL_EXPORTER_OTLP_HEADERS: value });
    await expectNoLeak(response, [value]);
    expect((await expectProblem(response, { status: 500, code: "CONFIGURATION_ERROR" })).detail).toContain("OTEL_EXPORTER_OTLP_HEADERS");
    vi.restoreAllMocks();
  });

  it("refuses a DSN Sentry's client would not send to", () => {
    expect(failingSettings({ SENTRY_DSN: "https://sentry.example.test/42" })).toEqual(["SENTRY_DSN"]);
    expect(failingSettings({ SENTRY_DSN: "https://key@sentry.example.test/project" })).toEqual(["SENTRY_DSN"]);
    expect(failingSettings({ SENTRY_DSN: "https://0123abcd@o1.ingest.sentry.io/42" })).toEqual([]);
  });

  it("refuses plain http for the collector and Sentry outside development and test", () => {
    expect(failingSettings({ ...DEPLOYED, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.example.test", SENTRY_DSN: "http://key@sentry.example.test/1" }).sort()).toEqual([
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "SENTRY_DSN",
    ]);
    expect(failingSettings({ ...DEPLOYED, OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example.test", SENTRY_DSN: "https://key@sentry.example.test/1" })).toEqual([]);
  });

  it("takes TRACING on or off and SLOW_QUERY_MS from 1 ms to a minute, with defaults", () => {
    const defaults = parse({ TRACING: undefined, SLOW_QUERY_MS: undefined });
    expect(defaults.success && [defaults.data.TRACING, defaults.data.SLOW_QUERY_MS]).toEqual(["on", 200]);
    expect(failingSettings({ TRACING: "sometimes" })).toEqual(["TRACING"]);
    expect(failingSettings({ SLOW_QUERY_MS: "0" })).toEqual(["SLOW_QUERY_MS"]);
    expect(failingSettings({ SLOW_QUERY_MS: "60001" })).toEqual(["SLOW_QUERY_MS"]);
  });
});
