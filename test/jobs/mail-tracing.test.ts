import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { uniqueEmail } from "../helpers/identity";
import { deliverMail } from "../helpers/mail";
import { receivedPosts, receiverEndpoint } from "../helpers/telemetry";

let log: MockInstance<typeof console.log>;

beforeEach(() => {
  log = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const spanLines = () =>
  log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.msg === "span");

describe("tracing the mail queue consumer", () => {
  it("records the batch as a consumer span and each send to the provider as its child, whose traceparent the provider gets", async () => {
    const provider = receiverEndpoint("mail");
    const bindings = { MAIL_TRANSPORT: "provider", MAIL_API_URL: provider.url, MAIL_API_KEY: "re_test", MAIL_FROM: "no-reply@example.test" };
    const result = await deliverMail([{ template: "password-changed", to: uniqueEmail("traced"), locale: "en" }], { bindings });
    expect(result.explicitAcks).toEqual(result.ids);

    const [batch, send, ...rest] = spanLines();
    expect(rest).toEqual([]);
    expect(batch).toMatchObject({ kind: "consumer", name: "process edge-backend-mail-local", error: false });
    expect(send).toMatchObject({ kind: "client", name: "mail send", traceId: batch!.traceId, parentSpanId: batch!.spanId, error: false });
    const [post] = await receivedPosts(provider);
    expect(post!.traceparent).toBe(`00-${batch!.traceId}-${send!.spanId}-01`);
    // Span attributes name the provider's host, never a recipient.
    expect(JSON.stringify(spanLines())).not.toContain("traced");
  });

  it("records nothing with TRACING off", async () => {
    const provider = receiverEndpoint("mail-off");
    const bindings = { TRACING: "off", MAIL_TRANSPORT: "provider", MAIL_API_URL: provider.url, MAIL_API_KEY: "re_test", MAIL_FROM: "no-reply@example.test" };
    await deliverMail([{ template: "password-changed", to: uniqueEmail(), locale: "en" }], { bindings });
    expect(spanLines()).toEqual([]);
    expect((await receivedPosts(provider))[0]!.traceparent).toBeNull();
  });
});
